"""Success-criterion attributes against the labelled criterion turns of the training calls.

The attributes are rules over spaCy's parse (`extractors/success_criteria.py`), not learned, so
the training calls' labels can measure them. Parts C-F are the calls the rules were written
against, G-J the check. Read per turn (the whole turn, both forms): `quantified` exact; the
timeframe right when both are empty or the shorter shares 60% of its words with the longer
(the evaluation's quote rule); the metric right when 60% of its words are in the labelled target
(which the labels write as metric and target in one: "book lost to late renewals under 2%").
Printed, never asserted.

    python -m benchmarks.criteria
"""

from __future__ import annotations

from pathlib import Path

from extractors.corpus import asr_conversation, load_train_file
from extractors.nlp import spacy_pipeline
from extractors.success_criteria import criterion_attributes
from pipeline.evaluation import MIN_OVERLAP, overlap
from pipeline.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
PARTS = {"C-F (built on)": "cdef", "G-J (check)": "ghij"}
SEED = 13  # the trainer's seed: the recognizer-style text training shows


def same_phrase(gold: str | None, found: str | None) -> bool:
    if not gold or not found:
        return not gold and not found
    return overlap(gold, found) >= MIN_OVERLAP


def main() -> None:
    nlp = spacy_pipeline(load_settings().spacy_model)
    print(f"{'parts':16} {'form':17} {'turns':>5} {'quantified':>10} {'timeframe':>9} {'metric':>6}")
    for name, letters in PARTS.items():
        convs = [c for letter in letters
                 for c in load_train_file(ROOT / "data" / "train" / f"part_{letter}_calls.jsonl")]
        for form, cs in (("as written", convs), ("recognizer style", [asr_conversation(c, SEED) for c in convs])):
            turns = [t for c in cs for t in c.turns if "success_criterion" in t.labels]
            right_q = right_t = right_m = 0
            for turn, doc in zip(turns, nlp.pipe([t.text for t in turns])):
                gold = turn.attributes.get("success_criterion") or {}
                found = criterion_attributes(doc[:])
                right_q += found["quantified"] == bool(gold.get("quantified"))
                right_t += same_phrase(gold.get("timeframe"), found["timeframe"])
                right_m += bool(found["metric"] and gold.get("target")) and \
                    overlap(found["metric"], gold["target"]) >= MIN_OVERLAP
            print(f"{name:16} {form:17} {len(turns):5} {right_q / len(turns):10.2f} {right_t / len(turns):9.2f} "
                  f"{right_m / len(turns):6.2f}")


if __name__ == "__main__":
    main()
