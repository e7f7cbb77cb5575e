"""Buying roles learned from the labelled stakeholder turns of the training data.

Hand-written role descriptions (extractors/prototypes.py) only know the words
we thought of; a logistic regression over sentence embeddings of the labelled
turns ("she's the one who has to sign the paper" → economic buyer) knows how
buyers actually talk. The examples travel with the classifier artifact, so a
run uses exactly what `handoff train` saw.

A person's role also shows in their own words: a skeptic objects, an end user
talks about their day. When the stakeholder speaks in the call, a second
regression over the mean embedding of what they said is mixed in (log-linear,
equal weights). Chosen by leave-one-deal-out over the 114 labelled speakers of
the training calls: 0.68 from the mention alone, 0.66 from their speech alone,
0.73 mixed (docs/extraction.md).
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
# Turns shorter than this ("yeah", "sounds good") say nothing about a role.
MIN_WORDS = 4
# A speaker needs this many such turns before their speech counts.
MIN_OWN_TURNS = 2


def role_examples(convs: list[Conversation]) -> list[dict]:
    """(text, buying role) of every training turn labelled as a stakeholder with a role."""
    return [{"text": t.text, "role": t.attributes["stakeholder"]["buying_role"]}
            for c in convs for t in c.turns
            if "stakeholder" in t.labels and (t.attributes.get("stakeholder") or {}).get("buying_role")]


def speaker_examples(convs: list[Conversation]) -> list[dict]:
    """(what a labelled stakeholder said in the call, their buying role), for each one who speaks."""
    rows = []
    for conv in convs:
        said: dict[str, list[str]] = {}
        for t in conv.turns:
            if len(t.text.split()) >= MIN_WORDS:
                said.setdefault(t.speaker, []).append(t.text)
        roles: dict[str, str] = {}
        for t in conv.turns:
            person = (t.attributes.get("stakeholder") or {}) if "stakeholder" in t.labels else {}
            if person.get("buying_role") and len(said.get(person.get("name") or "", [])) >= MIN_OWN_TURNS:
                roles.setdefault(person["name"], person["buying_role"])
        rows += [{"texts": said[name], "role": role} for name, role in roles.items()]
    return rows


def save(examples: list[dict], directory: Path, encoder: str, speakers: list[dict] | None = None) -> None:
    """The examples and the regressions fitted on them: fitting at training time keeps the
    encoding of every example out of model loading."""
    record = _fit(examples, encoder)
    if speakers:
        record["speech"] = _fit_speech(speakers, encoder)
    (directory / FILE).write_text(json.dumps(record, indent=1))


def _regression(vecs: np.ndarray, roles: list[str]) -> dict:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced").fit(vecs, roles)
    return {"classes": [str(c) for c in model.classes_], "coef": model.coef_.tolist(),
            "intercept": model.intercept_.tolist()}


def _enough(examples: list[dict]) -> bool:
    return len(examples) >= MIN_EXAMPLES and len({e["role"] for e in examples}) >= 2


def _fit(examples: list[dict], encoder: str) -> dict:
    """{examples, encoder[, classes, coef, intercept]}: the regression when there are enough."""
    record: dict = {"encoder": encoder, "examples": examples}
    if _enough(examples):
        vecs = sentence_encoder(encoder).encode([e["text"] for e in examples], normalize_embeddings=True)
        record.update(_regression(vecs, [e["role"] for e in examples]))
    return record


def _fit_speech(speakers: list[dict], encoder: str) -> dict:
    """{examples[, classes, coef, intercept]} over each speaker's mean turn embedding."""
    record: dict = {"examples": speakers}
    if _enough(speakers):
        vecs = np.stack([embeddings(encoder, s["texts"]).mean(0) for s in speakers])
        record.update(_regression(vecs, [s["role"] for s in speakers]))
    return record


def _probabilities(scores: np.ndarray, classes: list[str]) -> dict[str, float]:
    if len(classes) == 2:  # a two-class regression keeps one row: the second class's score
        scores = np.array([0.0, scores[0]])
    probs = np.exp(scores - scores.max())
    return dict(zip(classes, probs / probs.sum()))


class RoleModel:
    """The fitted multinomial regressions: role probabilities from what is said about a person
    and, when they speak, from what they say."""

    def __init__(self, record: dict, encoder: str):
        self.encoder = encoder
        self.classes = record["classes"]
        self.coef = np.array(record["coef"])
        self.intercept = np.array(record["intercept"])
        speech = record.get("speech") or {}
        self.speech = (speech["classes"], np.array(speech["coef"]), np.array(speech["intercept"])) \
            if "coef" in speech else None

    def predict(self, text: str, own_words: list[str] | None = None) -> tuple[str, float]:
        """The role and its probability; `own_words`: the person's own turns in the call."""
        vec = embeddings(self.encoder, [text])[0]
        probs = _probabilities(vec @ self.coef.T + self.intercept, self.classes)
        said = [t for t in own_words or [] if len(t.split()) >= MIN_WORDS]
        if self.speech is not None and len(said) >= MIN_OWN_TURNS:
            classes, coef, intercept = self.speech
            own = _probabilities(embeddings(self.encoder, said).mean(0) @ coef.T + intercept, classes)
            shared = [c for c in self.classes if c in own]
            mixed = np.exp([0.5 * np.log(probs[c]) + 0.5 * np.log(own[c]) for c in shared])
            probs = dict(zip(shared, mixed / mixed.sum()))
        best = max(probs, key=probs.get)
        return best, float(probs[best])


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
        speakers = [] if isinstance(record, list) else (record.get("speech") or {}).get("examples", [])
        record = {**_fit(record if isinstance(record, list) else record["examples"], encoder),
                  **({"speech": _fit_speech(speakers, encoder)} if speakers else {})}
    return RoleModel(record, encoder) if "coef" in record else None
