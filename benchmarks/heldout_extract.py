"""The whole extractor on the classifier's held-out training deals, scored per turn like the
development set.

`benchmarks.heldout_names` scores the turn classifier alone; this runs `extract_items` (turn
tags, sentence choice, per-sentence commitments, the CRM-free competitor path) over the same
held-out conversations, as written and in recognizer style, and scores the items against the
turn labels exactly as `handoff evaluate --dev` does (one item per kind and turn, 60% quote
containment). It is the set to decide extraction changes on: the development set is read once,
after. The classifier's thresholds were fitted on these turns, so absolute figures are
optimistic; two versions of the extractor compare fairly.

    python -m benchmarks.heldout_extract
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from pathlib import Path

from extractors.classifier import TurnClassifier
from extractors.corpus import Conversation, asr_conversation, load_train
from pipeline.evaluation import extracted_per_turn, match, table, turn_gold, turns_transcript
from pipeline.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]


def score(convs: list[Conversation], settings: Settings) -> list[dict]:
    """Per-kind and micro precision, recall and F1 of the extractor on labelled conversations."""
    totals = [Counter(), Counter(), Counter()]
    for conv in convs:
        turns = [dataclasses.asdict(t) for t in conv.turns]
        found = extracted_per_turn(turns_transcript(turns, conv.id), conv.id,
                                   dt.date.fromisoformat(conv.call_date) if conv.call_date else None, settings)
        for total, part in zip(totals, match(turn_gold(turns), found)):
            total.update(part)
    return table(*totals)


def main() -> None:
    settings = load_settings()
    meta = TurnClassifier(Path(settings.classifier_dir)).meta
    held = [c for c in load_train(ROOT / "data" / "train") if c.deal in set(meta["held_out_deals"])]
    print(f"held-out slice: {len(held)} conversations, {sum(len(c.turns) for c in held)} turns")
    for form, convs in (("as written", held), ("recognizer style", [asr_conversation(c, meta["seed"]) for c in held])):
        rows = score(convs, settings)
        print(f"\n{form}\n{'kind':18} {'gold':>5} {'found':>5} {'match':>5} {'prec':>5} {'recall':>6} {'F1':>5}")
        for r in rows:
            print(f"{r['kind']:18} {r['gold']:5} {r['found']:5} {r['matched']:5} {r['precision']:5.2f} "
                  f"{r['recall']:6.2f} {r['f1']:5.2f}")


if __name__ == "__main__":
    main()
