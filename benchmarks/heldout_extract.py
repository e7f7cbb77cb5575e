"""The whole extractor on the classifier's held-out training deals, scored per turn like the
development set.

`benchmarks.heldout_names` scores the turn classifier alone; this runs `extract_items` (turn
tags, sentence choice, per-sentence commitments, the CRM-free competitor path) over the same
held-out conversations, as written and in recognizer style, and scores the items against the
turn labels exactly as `handoff evaluate --dev` does (one item per kind and turn, 60% quote
containment). It is the set to decide extraction changes on: the development set is read once,
after. The classifier's thresholds were fitted on these turns, so absolute figures are
optimistic; two versions of the extractor compare fairly. The buying-role and vague-promise
models are fitted on every training call, held-out deals too, so they are refitted here without
them (in a temporary copy of the artifact): the attribute figures read deals those models never
saw. (The side model is not read here: these turns carry their roles.)

    python -m benchmarks.heldout_extract
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from collections import Counter
from pathlib import Path

from extractors.classifier import TurnClassifier
from extractors.corpus import Conversation, asr_conversation, load_train
from pipeline.evaluation import attribute_accuracy, extracted_per_turn, match, table, turn_gold, turns_transcript
from pipeline.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]


def score(convs: list[Conversation], settings: Settings) -> tuple[list[dict], list[dict]]:
    """Per-kind and micro precision, recall and F1 of the extractor on labelled conversations,
    and the accuracy of the attributes of the matched items."""
    totals, pairs = [Counter(), Counter(), Counter()], []
    for conv in convs:
        turns = [dataclasses.asdict(t) for t in conv.turns]
        found = extracted_per_turn(turns_transcript(turns, conv.id), conv.id,
                                   dt.date.fromisoformat(conv.call_date) if conv.call_date else None, settings)
        for total, part in zip(totals, match(turn_gold(turns), found, pairs)):
            total.update(part)
    return table(*totals), attribute_accuracy(pairs)


def without_held_out(settings: Settings, train_convs: list[Conversation], folder: Path) -> Settings:
    """Settings reading a copy of the artifact in `folder` whose buying-role and vague-promise
    models are fitted on `train_convs` alone (the classifier's files are linked)."""
    from extractors import buying_roles, vague

    refitted = (buying_roles, vague)
    for path in Path(settings.classifier_dir).resolve().iterdir():
        if path.name not in {module.FILE for module in refitted}:
            folder.joinpath(path.name).symlink_to(path)
    for module in refitted:
        module.fit(train_convs, settings.encoder_model, folder, "held-out")
    return settings.model_copy(update={"classifier_dir": folder})


def main() -> None:
    settings = load_settings()
    meta = TurnClassifier(Path(settings.classifier_dir)).meta
    convs = load_train(ROOT / "data" / "train")
    deals = set(meta["held_out_deals"])
    held = [c for c in convs if c.deal in deals]
    print(f"held-out slice: {len(held)} conversations, {sum(len(c.turns) for c in held)} turns")
    with tempfile.TemporaryDirectory() as folder:
        settings = without_held_out(settings, [c for c in convs if c.deal not in deals], Path(folder))
        for form, cs in (("as written", held), ("recognizer style", [asr_conversation(c, meta["seed"]) for c in held])):
            _print(form, *score(cs, settings))


def _print(form: str, rows: list[dict], attributes: list[dict]) -> None:
    print(f"\n{form}\n{'kind':18} {'gold':>5} {'found':>5} {'match':>5} {'prec':>5} {'recall':>6} {'F1':>5}")
    for r in rows:
        print(f"{r['kind']:18} {r['gold']:5} {r['found']:5} {r['matched']:5} {r['precision']:5.2f} "
              f"{r['recall']:6.2f} {r['f1']:5.2f}")
    print("attributes: " + ", ".join(f"{a['attribute']} {a['right']}/{a['checked']}" for a in attributes))


if __name__ == "__main__":
    main()
