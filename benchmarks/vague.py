"""Brochure promises: the word list against the learned model, cross-validated by deal.

Every commitment turn of the training calls carries a `vague` label. The deals are cut into ten
folds; the model (`extractors/vague.py`) is fitted on nine and reads the tenth, so no deal is
scored by a model that saw it. Printed: precision, recall and F1 of the word list as `extract`
used it alone (`commitments.BROCHURE` and no concrete step; the due-date condition both share is
not read here), of the model, of either, and of the model where the word list sees no concrete
step. The development set is not read.

    python -m benchmarks.vague
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from extractors import vague
from extractors.commitments import BROCHURE, CONCRETE
from extractors.corpus import load_train
from extractors.nlp import embeddings
from pipeline.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
FOLDS = 10


def _prf(pred: np.ndarray, gold: np.ndarray) -> str:
    tp = int((pred & gold).sum())
    p, r = tp / max(int(pred.sum()), 1), tp / max(int(gold.sum()), 1)
    return f"P {p:.2f} R {r:.2f} F1 {2 * p * r / (p + r) if p + r else 0:.2f} ({int(pred.sum())} flagged)"


def main() -> None:
    encoder = load_settings().encoder_model
    texts, labels, deals = vague.examples(load_train(ROOT / "data" / "train"))
    gold = np.array(labels, dtype=bool)
    fold_of = {d: n % FOLDS for n, d in enumerate(sorted(set(deals)))}
    folds = np.array([fold_of[d] for d in deals])
    vecs = embeddings(encoder, texts)
    prob = np.zeros(len(texts))
    for k in range(FOLDS):
        model = vague.regression([t for t, f in zip(texts, folds) if f != k], list(gold[folds != k].astype(int)),
                                 encoder)
        prob[folds == k] = model.predict_proba(vecs[folds == k])[:, 1]
    words = np.array([bool(BROCHURE.search(t)) for t in texts])
    concrete = np.array([bool(CONCRETE.search(t)) for t in texts])
    learned = prob >= vague.THRESHOLD
    print(f"{len(texts)} commitment turns, {int(gold.sum())} vague, {len(fold_of)} deals in {FOLDS} folds")
    for name, pred in (("word list, no concrete step", words & ~concrete), ("model", learned),
                       ("either", learned | (words & ~concrete)), ("model, no concrete step", learned & ~concrete)):
        print(f"{name:28} {_prf(pred, gold)}")


if __name__ == "__main__":
    main()
