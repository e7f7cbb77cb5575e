"""Buying roles learned from the labelled stakeholder turns of the training data.

Hand-written role descriptions (extractors/prototypes.py) only know the words
we thought of; a logistic regression over sentence embeddings of the labelled
turns ("she's the one who has to sign the paper" → economic buyer) knows how
buyers actually talk.

A person's role also shows in their own words: a skeptic objects, an end user
talks about their day. When the stakeholder speaks in the call, a second
regression over the mean embedding of what they said is mixed in (log-linear,
equal weights). Chosen by leave-one-deal-out over the 114 labelled speakers of
the training calls: 0.68 from the mention alone, 0.66 from their speech alone,
0.73 mixed (docs/extraction.md).

The mention regression also learns from `data/roles/mentions.jsonl`: 270 stakeholder turns
written for it alone (30 other deals, roles shown indirectly), which the classifier never
reads, so adding to them costs no training time.

Both regressions are fitted by `handoff train` and saved beside the classifier
with the examples and the data and code versions they came from; a change to
either refits them (seconds), not the classifier.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

import numpy as np

from extractors import fitted_records
from extractors.corpus import Conversation, source_version
from extractors.nlp import embeddings
from extractors.sides import MIN_WORDS  # turns shorter than this ("yeah", "sounds good") say nothing

FILE = "buying_roles.json"
MENTIONS = Path(__file__).resolve().parents[1] / "data" / "roles" / "mentions.jsonl"
# Fewer labelled examples than this and the descriptions are used instead.
MIN_EXAMPLES = 20
# A speaker needs this many turns of MIN_WORDS before their speech counts.
MIN_OWN_TURNS = 2
# Each of their turns is read up to this many words: encoding the customers' whole turns cost
# about 0.8 s of an hour-long call's extraction (10.4-10.6 s against 9.7 s without this model);
# cut at 25 words it is 10.1 s, and leave-one-deal-out gives 0.74 (0.73 uncut; 0.72 at 15).
OWN_TURN_WORDS = 25


def code_version() -> str:
    """Hash of this module and of the name matching that picks a stakeholder's own turns."""
    return source_version("buying_roles.py", "stakeholders.py")


def role_examples(convs: list[Conversation]) -> list[dict]:
    """(text, buying role) of every training turn labelled as a stakeholder with a role."""
    return [{"text": t.text, "role": t.attributes["stakeholder"]["buying_role"]}
            for c in convs for t in c.turns
            if "stakeholder" in t.labels and (t.attributes.get("stakeholder") or {}).get("buying_role")]


def mention_examples(path: Path = MENTIONS) -> list[dict]:
    """(text, buying role) of the role-only mentions, none when the file is absent."""
    if not path.exists():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [{"text": r["text"], "role": r["buying_role"]} for r in rows]


def role_data_version(data_version: str, path: Path = MENTIONS) -> str:
    """The training calls' data version and the role-only mentions' hash: either changing refits."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.exists() else "none"
    return f"{data_version}+{digest}"


def speaker_examples(convs: list[Conversation]) -> list[dict]:
    """(what a labelled stakeholder said in the call, their buying role), for each one who speaks;
    the person's turns are found as at run time (`stakeholders.own_words`)."""
    from extractors.stakeholders import own_words

    rows = []
    for conv in convs:
        said = customer_speech(conv)
        roles: dict[str, str] = {}
        for t in conv.turns:
            person = (t.attributes.get("stakeholder") or {}) if "stakeholder" in t.labels else {}
            if person.get("buying_role") and person.get("name"):
                roles.setdefault(person["name"], person["buying_role"])
        for name, role in roles.items():
            texts = _long(own_words(name, said))
            if len(texts) >= MIN_OWN_TURNS:
                rows.append({"texts": texts, "role": role})
    return rows


def customer_speech(conv: Conversation) -> dict[str, list[str]]:
    """speaker -> the turns each customer-side speaker said in the call."""
    said: dict[str, list[str]] = {}
    for t in conv.turns:
        if t.role == "customer":
            said.setdefault(t.speaker, []).append(t.text)
    return said


def _long(texts: list[str]) -> list[str]:
    """The turns long enough to tell, each cut to its first OWN_TURN_WORDS words."""
    return [" ".join(t.split()[:OWN_TURN_WORDS]) for t in texts if len(t.split()) >= MIN_WORDS]


def fit(convs: list[Conversation], encoder: str, directory: Path, data_version: str) -> dict:
    """Fit and save both regressions on the training calls; returns the record."""
    return save(role_examples(convs) + mention_examples(), directory, encoder, speaker_examples(convs),
                {"code_version": code_version(), "data_version": role_data_version(data_version)})


def save(examples: list[dict], directory: Path, encoder: str, speakers: list[dict] | None = None,
         versions: dict | None = None) -> dict:
    """The examples and the regressions fitted on them: fitting at training time keeps the
    encoding of every example out of model loading."""
    record = {**(versions or {}), **_fit(examples, encoder)}
    if speakers:
        record["speech"] = _fit_speech(speakers, encoder)
    fitted_records.write(directory, FILE, record)
    return record


def is_current(directory: Path, data_version: str, encoder: str) -> bool:
    return fitted_records.is_current(directory / FILE, code_version(), role_data_version(data_version), encoder)


def _regression(vecs: np.ndarray, roles: list[str]) -> dict:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced").fit(vecs, roles)
    return {"classes": [str(c) for c in model.classes_], "coef": model.coef_.tolist(),
            "intercept": model.intercept_.tolist()}


def _enough(examples: list[dict]) -> bool:
    return len(examples) >= MIN_EXAMPLES and len({e["role"] for e in examples}) >= 2


def _fit(examples: list[dict], encoder: str) -> dict:
    """{encoder, examples[, classes, coef, intercept]}: the regression when there are enough."""
    record: dict = {"encoder": encoder, "examples": examples}
    if _enough(examples):
        record.update(_regression(embeddings(encoder, [e["text"] for e in examples]), [e["role"] for e in examples]))
    return record


def _fit_speech(speakers: list[dict], encoder: str) -> dict:
    """{examples[, classes, coef, intercept]} over each speaker's mean turn embedding."""
    record: dict = {"examples": speakers}
    if _enough(speakers):
        vecs = np.stack([embeddings(encoder, s["texts"]).mean(0) for s in speakers])
        record.update(_regression(vecs, [s["role"] for s in speakers]))
    return record


def _log_softmax(scores: np.ndarray) -> np.ndarray:
    """Log-probabilities from scores (no probability rounds to log 0)."""
    shifted = scores - scores.max()
    return shifted - np.log(np.exp(shifted).sum())


def _log_probabilities(scores: np.ndarray, classes: list[str]) -> np.ndarray:
    """Log-probabilities of the classes, in their order, from a regression's scores."""
    if len(classes) == 2:  # a two-class regression keeps one row: the second class's score
        scores = np.array([0.0, scores[0]])
    return _log_softmax(scores)


class RoleModel:
    """The fitted multinomial regressions: role probabilities from what is said about a person
    and, when they speak, from what they say."""

    def __init__(self, record: dict, encoder: str):
        self.encoder = encoder
        self.classes = record["classes"]
        self.coef = np.array(record["coef"])
        self.intercept = np.array(record["intercept"])
        speech = record.get("speech") or {}
        # Mixed only when both know the same roles: a role one of them never saw would otherwise
        # be unreachable, or decided by the other alone.
        self.speech = (np.array(speech["coef"]), np.array(speech["intercept"])) \
            if "coef" in speech and speech["classes"] == self.classes else None

    def predict(self, text: str, own_words: list[str] | None = None) -> tuple[str, float]:
        """The role and its probability; `own_words`: the person's own turns in the call."""
        vec = embeddings(self.encoder, [text])[0]
        logp = _log_probabilities(vec @ self.coef.T + self.intercept, self.classes)
        said = _long(own_words or [])
        if self.speech is not None and len(said) >= MIN_OWN_TURNS:
            coef, intercept = self.speech
            own = _log_probabilities(embeddings(self.encoder, said).mean(0) @ coef.T + intercept, self.classes)
            logp = _log_softmax(0.5 * logp + 0.5 * own)
        best = int(np.argmax(logp))
        return self.classes[best], float(np.exp(logp[best]))


def load(directory: str, encoder: str) -> RoleModel | None:
    """The learned role model beside the classifier, or None when it had too few examples.
    Read again when the file changes, so a long-running worker picks up a refit. An artifact
    from before the regression was saved (a bare list of examples), or one fitted on another
    encoder's embeddings, is refitted here, at load time, from the examples it carries."""
    return fitted_records.load_fresh(directory, FILE, encoder, _load)


@functools.lru_cache(maxsize=4)
def _load(path: str, stamp: int, encoder: str) -> RoleModel | None:
    record = json.loads(Path(path).read_text())
    if isinstance(record, list) or record.get("encoder") != encoder:
        speakers = [] if isinstance(record, list) else (record.get("speech") or {}).get("examples", [])
        record = {**_fit(record if isinstance(record, list) else record["examples"], encoder),
                  **({"speech": _fit_speech(speakers, encoder)} if speakers else {})}
    return RoleModel(record, encoder) if "coef" in record else None
