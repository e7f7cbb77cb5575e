"""How well speech tells a second seller from the customer, measured on calls the model never saw.

`python -m benchmarks.second_sellers` fits the side model (`extractors/sides.py`) on training
parts A-F only, then scores every speaker of training part G (seven calls with two sellers) and
of the development calls. The seller who talks most stands for the one the CRM names; for every
other speaker with at least MIN_SIDE_SEGMENTS turns (as `pipeline.process.speech_sides` requires)
it takes their mean P(seller) and prints, per threshold, how many second sellers clear it and how many customers wrongly do (`pipeline.speakers.SECOND_SELLER_MIN` was chosen on part G
and only then checked on the development calls). Printed, never asserted.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from extractors import sides
from extractors.corpus import Conversation, load_dev, load_train_file
from extractors.nlp import sentence_encoder
from pipeline.process import MIN_SIDE_SEGMENTS
from pipeline.settings import load_settings
from pipeline.speakers import SECOND_SELLER_MIN

ROOT = Path(__file__).resolve().parents[1]
HELD_PART = "part_g"


def training_calls(held_out: bool) -> list[Conversation]:
    """The calls of the held-out part, or of every other training part."""
    return [conv for path in sorted((ROOT / "data" / "train").glob("*.jsonl"))
            if path.name.startswith(HELD_PART) == held_out for conv in load_train_file(path)]


def speaker_rows(convs: list[Conversation], predict) -> list[tuple[str, str, str, float, int]]:
    """(call, speaker, true side, mean P(seller), turns) for every speaker but the main seller."""
    rows = []
    for conv in convs:
        words: dict[str, int] = {}
        side: dict[str, str] = {}
        texts: dict[str, list[str]] = {}
        for t in conv.turns:
            if t.role not in ("rep", "customer"):
                continue
            side[t.speaker] = t.role
            words[t.speaker] = words.get(t.speaker, 0) + len(t.text.split())
            if len(t.text.split()) >= sides.MIN_WORDS:
                texts.setdefault(t.speaker, []).append(t.text)
        sellers = [s for s in side if side[s] == "rep"]
        main = max(sellers, key=words.get) if sellers else None
        for speaker, said in texts.items():
            if speaker != main and len(said) >= MIN_SIDE_SEGMENTS:
                rows.append((conv.id, speaker, side[speaker], float(np.mean(predict(said))), len(said)))
    return rows


def main() -> None:
    settings = load_settings()
    encoder = sentence_encoder(settings.encoder_model)
    model, vecs, _ = sides.regression(training_calls(held_out=False), settings.encoder_model)

    def predict(said: list[str]) -> np.ndarray:
        return model.predict_proba(encoder.encode(said, normalize_embeddings=True, batch_size=64))[:, 1]

    sets = {"part G (threshold chosen here)": training_calls(held_out=True),
            "development calls": load_dev(ROOT / "data" / "dev" / "calls")}
    print(f"side model fitted on training parts A-F: {len(vecs)} turns; speakers with at least "
          f"{MIN_SIDE_SEGMENTS} turns of {sides.MIN_WORDS}+ words, as in production")
    for name, convs in sets.items():
        rows = speaker_rows(convs, predict)
        second = [r for r in rows if r[2] == "rep"]
        customers = [r for r in rows if r[2] == "customer"]
        print(f"\n{name}: {len(convs)} calls, {len(second)} second sellers, {len(customers)} other customers")
        print(f"{'threshold':>9} {'second sellers found':>21} {'customers taken':>16}")
        for threshold in (0.5, 0.55, SECOND_SELLER_MIN, 0.65, 0.7):
            found = sum(r[3] >= threshold for r in second)
            wrong = sum(r[3] >= threshold for r in customers)
            mark = "  <- SECOND_SELLER_MIN" if threshold == SECOND_SELLER_MIN else ""
            print(f"{threshold:9.2f} {found:>14}/{len(second):<6} {wrong:>9}/{len(customers):<6}{mark}")


if __name__ == "__main__":
    main()
