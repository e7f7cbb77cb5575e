"""Buying roles learned from the labelled stakeholder turns of the training data.

Hand-written role descriptions (extractors/prototypes.py) only know the words
we thought of; a logistic regression over sentence embeddings of the labelled
turns ("she's the one who has to sign the paper" → economic buyer) knows how
buyers actually talk. The examples travel with the classifier artifact, so a
run uses exactly what `handoff train` saw.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np

from extractors.corpus import Conversation
from extractors.nlp import embeddings, sentence_encoder

FILE = "buying_roles.json"
# Fewer labelled examples than this and the descriptions are used instead.
MIN_EXAMPLES = 20


def role_examples(convs: list[Conversation]) -> list[dict]:
    """(text, buying role) of every training turn labelled as a stakeholder with a role."""
    return [{"text": t.text, "role": t.attributes["stakeholder"]["buying_role"]}
            for c in convs for t in c.turns
            if "stakeholder" in t.labels and (t.attributes.get("stakeholder") or {}).get("buying_role")]


def save(examples: list[dict], directory: Path) -> None:
    (directory / FILE).write_text(json.dumps(examples, indent=1))


class RoleModel:
    def __init__(self, examples: list[dict], encoder: str):
        from sklearn.linear_model import LogisticRegression

        self.encoder = encoder
        vecs = sentence_encoder(encoder).encode([e["text"] for e in examples], normalize_embeddings=True)
        self.model = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced")
        self.model.fit(vecs, [e["role"] for e in examples])

    def predict(self, text: str) -> tuple[str, float]:
        vec = embeddings(self.encoder, [text])
        probs = self.model.predict_proba(vec)[0]
        best = int(np.argmax(probs))
        return str(self.model.classes_[best]), float(probs[best])


@functools.lru_cache(maxsize=2)
def load(directory: str, encoder: str) -> RoleModel | None:
    """The learned role model of a classifier artifact, or None when it has too few examples."""
    path = Path(directory) / FILE
    if not path.exists():
        return None
    examples = json.loads(path.read_text())
    if len(examples) < MIN_EXAMPLES or len({e["role"] for e in examples}) < 2:
        return None
    return RoleModel(examples, encoder)
