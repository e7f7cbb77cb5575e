"""Which side of the deal a speaker is on, from what they say.

Diarization gives anonymous voices; deal metadata, introductions and channels
name the sides of most calls. Where nothing does, a seller still talks like one:
demonstrates, answers, proposes next steps. A logistic regression over sentence
embeddings of the training turns (every turn is labelled rep or customer) gives
each turn P(seller); a speaker's mean over their turns is their score
(`pipeline.speakers.split_by_speech` decides from it). Fitted by `handoff
train`, saved beside the classifier.
"""

from __future__ import annotations

import functools
import json
import logging
from pathlib import Path

import numpy as np

from extractors import fitted_records
from extractors.corpus import Conversation, source_version
from extractors.nlp import sentence_encoder

FILE = "sides.json"
log = logging.getLogger(__name__)
# Back-channels ("yeah", "mm-hmm") say nothing about a side.
MIN_WORDS = 4


def code_version() -> str:
    """Hash of this module: a changed model or feature refits the record."""
    return source_version("sides.py")


def examples(convs: list[Conversation]) -> tuple[list[str], list[int]]:
    """(texts, 1 for the seller) of every training turn long enough to tell."""
    rows = [(t.text, int(t.role == "rep")) for c in convs for t in c.turns
            if t.role in ("rep", "customer") and len(t.text.split()) >= MIN_WORDS]
    return [r[0] for r in rows], [r[1] for r in rows]


def regression(convs: list[Conversation], encoder: str):
    """(the fitted scikit-learn regression, its training vectors, their sides: 1 for the seller)."""
    from sklearn.linear_model import LogisticRegression

    texts, sides = examples(convs)
    vecs = sentence_encoder(encoder).encode(texts, normalize_embeddings=True, batch_size=64)
    return LogisticRegression(C=2.0, max_iter=2000, class_weight="balanced").fit(vecs, sides), vecs, sides


def fit(convs: list[Conversation], encoder: str, directory: Path, data_version: str) -> dict:
    """Fit and save the side model; returns its record (with its accuracy on its own training turns)."""
    model, vecs, sides = regression(convs, encoder)
    record = {"code_version": code_version(), "data_version": data_version, "encoder": encoder,
              "turns": len(sides),
              "coef": [round(float(c), 6) for c in model.coef_[0]],
              "intercept": round(float(model.intercept_[0]), 6),
              "train_accuracy": round(float(model.score(vecs, sides)), 3)}
    fitted_records.write(directory, FILE, record)
    return record


def is_current(directory: Path, data_version: str, encoder: str) -> bool:
    return _read(directory / FILE) is not None and \
        fitted_records.is_current(directory / FILE, code_version(), data_version, encoder)


def _read(path: Path) -> dict | None:
    try:
        record = json.loads(path.read_text())
        return record if {"coef", "intercept", "code_version", "data_version"} <= set(record) else None
    except (OSError, ValueError):
        return None


class SideModel:
    def __init__(self, record: dict, encoder: str):
        self.coef = np.array(record["coef"], dtype=np.float32)
        self.intercept = float(record["intercept"])
        self.encoder = encoder
        self.version = f"{record['code_version']}@{record['data_version']}"

    def seller_probability(self, texts: list[str]) -> np.ndarray:
        """P(seller) per text."""
        if not texts:
            return np.zeros(0)
        vecs = sentence_encoder(self.encoder).encode(texts, normalize_embeddings=True, batch_size=64)
        return 1.0 / (1.0 + np.exp(-(vecs @ self.coef + self.intercept)))

    def speaker_scores(self, turns: list[tuple[str, str]]) -> dict[str, tuple[float, int]]:
        """label -> (mean P(seller) over the speaker's turns, turns counted), from (label, text)."""
        kept = [(label, text) for label, text in turns if len(text.split()) >= MIN_WORDS]
        probs = self.seller_probability([text for _, text in kept])
        scores: dict[str, list[float]] = {}
        for (label, _), p in zip(kept, probs):
            scores.setdefault(label, []).append(float(p))
        return {label: (float(np.mean(ps)), len(ps)) for label, ps in scores.items()}


def load(directory: str, encoder: str) -> SideModel | None:
    """The fitted side model beside the classifier, or None (roles then come from metadata alone).
    Read again when the file changes, so a long-running worker picks up a refit."""
    return fitted_records.load_fresh(directory, FILE, encoder, _load)


@functools.lru_cache(maxsize=4)
def _load(path: str, stamp: int, encoder: str) -> SideModel | None:
    record = _read(Path(path))
    if record is None:
        log.warning("side model %s is unreadable: roles come from metadata alone (run `handoff train`)", path)
        return None
    if record.get("encoder") != encoder:
        return None
    return SideModel(record, encoder)
