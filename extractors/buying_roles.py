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


def save(examples: list[dict], directory: Path, encoder: str) -> None:
    """The examples and the regression fitted on them: fitting at training time keeps the
    encoding of every example out of model loading."""
    (directory / FILE).write_text(json.dumps(_fit(examples, encoder), indent=1))


def _fit(examples: list[dict], encoder: str) -> dict:
    """{examples, encoder[, classes, coef, intercept]}: the regression when there are enough."""
    record: dict = {"encoder": encoder, "examples": examples}
    if len(examples) >= MIN_EXAMPLES and len({e["role"] for e in examples}) >= 2:
        from sklearn.linear_model import LogisticRegression

        vecs = sentence_encoder(encoder).encode([e["text"] for e in examples], normalize_embeddings=True)
        model = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced")
        model.fit(vecs, [e["role"] for e in examples])
        record.update(classes=[str(c) for c in model.classes_], coef=model.coef_.tolist(),
                      intercept=model.intercept_.tolist())
    return record


class RoleModel:
    """The fitted multinomial regression: role probabilities from a sentence embedding."""

    def __init__(self, record: dict, encoder: str):
        self.encoder = encoder
        self.classes = record["classes"]
        self.coef = np.array(record["coef"])
        self.intercept = np.array(record["intercept"])

    def predict(self, text: str) -> tuple[str, float]:
        scores = embeddings(self.encoder, [text])[0] @ self.coef.T + self.intercept
        if len(self.classes) == 2:  # a two-class regression keeps one row: the second class's score
            scores = np.array([0.0, scores[0]])
        probs = np.exp(scores - scores.max())
        probs /= probs.sum()
        best = int(np.argmax(probs))
        return self.classes[best], float(probs[best])


@functools.lru_cache(maxsize=2)
def load(directory: str, encoder: str) -> RoleModel | None:
    """The learned role model of a classifier artifact, or None when it had too few examples.
    An artifact from before the regression was saved (a bare list of examples), or one fitted
    on another encoder's embeddings, is refitted here, at load time, as it used to be."""
    path = Path(directory) / FILE
    if not path.exists():
        return None
    record = json.loads(path.read_text())
    if isinstance(record, list) or record.get("encoder") != encoder:
        record = _fit(record if isinstance(record, list) else record["examples"], encoder)
    return RoleModel(record, encoder) if "coef" in record else None
