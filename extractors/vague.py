"""Vague promises: is a commitment a brochure promise ("we'll make the whole switch painless")?

A list of brochure words (`commitments.BROCHURE`) only knows the words we thought of; sellers
say "you're in good hands", "we'll be with you every step of the way", "it'll be night and day".
A logistic regression over sentence embeddings of the training calls' commitment turns, each
labelled vague or not by its writer, reads what such promises have in common: comfort without a
concrete step. Fitted by `handoff train`, saved beside the classifier. Measured by deal-grouped
cross-validation on the training calls (`python -m benchmarks.vague`): docs/extraction.md.
"""

from __future__ import annotations

import functools
import json
import logging
from pathlib import Path

import numpy as np

from extractors import fitted_records
from extractors.corpus import Conversation, source_version
from extractors.nlp import embeddings

FILE = "vague.json"
log = logging.getLogger(__name__)
# Score from which a promise is flagged; below it the flag stays off (a brochure flag on a
# concrete promise would hide it from the action plan).
THRESHOLD = 0.5
# Regularisation of the regression (scikit-learn's C), and fewer vague examples than this fit
# nothing: the word list decides alone.
C = 4.0
MIN_VAGUE = 10


def code_version() -> str:
    return source_version("vague.py")


def examples(convs: list[Conversation]) -> tuple[list[str], list[int], list[str]]:
    """(turn texts, 1 when vague, deals) of every training turn labelled commitment with a
    `vague` attribute."""
    rows = [(t.text, int(bool(t.attributes["commitment"]["vague"])), c.deal) for c in convs for t in c.turns
            if "commitment" in t.labels and (t.attributes.get("commitment") or {}).get("vague") is not None]
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def regression(texts: list[str], vague: list[int], encoder: str):
    """The fitted scikit-learn regression over the texts' embeddings."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=2000, class_weight="balanced").fit(embeddings(encoder, texts), vague)


def fit(convs: list[Conversation], encoder: str, directory: Path, data_version: str) -> dict:
    """Fit and save the model; returns its record (without coefficients when too few examples)."""
    texts, vague, _ = examples(convs)
    record = {"code_version": code_version(), "data_version": data_version, "encoder": encoder,
              "turns": len(texts), "vague": sum(vague)}
    if sum(vague) >= MIN_VAGUE:
        model = regression(texts, vague, encoder)
        record.update(coef=[round(float(c), 6) for c in model.coef_[0]], intercept=round(float(model.intercept_[0]), 6))
    fitted_records.write(directory, FILE, record)
    return record


def is_current(directory: Path, data_version: str, encoder: str) -> bool:
    return fitted_records.is_current(directory / FILE, code_version(), data_version, encoder)


class VagueModel:
    def __init__(self, record: dict, encoder: str):
        self.coef = np.array(record["coef"], dtype=np.float32)
        self.intercept = float(record["intercept"])
        self.encoder = encoder

    def score(self, text: str) -> float:
        """How much the promise said in `text` reads as a brochure promise, 0 to 1. Not a
        calibrated probability: the classes are weighed equally in fitting (28 vague of 1,006)."""
        vec = embeddings(self.encoder, [text])[0]
        return float(1.0 / (1.0 + np.exp(-(vec @ self.coef + self.intercept))))


def load(directory: str, encoder: str) -> VagueModel | None:
    """The fitted model beside the classifier, or None (the word list then decides alone). Read
    again when the file changes, so a long-running worker picks up a refit."""
    return fitted_records.load_fresh(directory, FILE, encoder, _load)


@functools.lru_cache(maxsize=4)
def _load(path: str, stamp: int, encoder: str) -> VagueModel | None:
    try:
        record = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    if "coef" not in record:
        return None  # too few vague examples to fit: the word list decides
    if record.get("encoder") != encoder:
        log.warning("vague model %s was fitted on another encoder: the word list decides (run `handoff train`)", path)
        return None
    return VagueModel(record, encoder)
