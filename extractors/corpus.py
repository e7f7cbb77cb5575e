"""The labelled corpora: training snippets and whole development calls.

Both are conversations of labelled turns. A turn becomes one classifier
example, carrying the speaker's role and its neighbouring turns, because the
same words mean different things from the rep and from the customer.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from models import ItemKind

KINDS = [k.value for k in ItemKind]


@dataclass
class Turn:
    speaker: str
    role: str
    text: str
    labels: list[str] = field(default_factory=list)
    attributes: dict = field(default_factory=dict)


@dataclass
class Conversation:
    id: str
    turns: list[Turn]
    call_date: str | None = None
    # The account the call belongs to: held-out splits are made by deal, so
    # no account is both trained and scored on.
    deal: str = ""


def example_text(turns: list[Turn], i: int) -> tuple[str, str]:
    """(utterance, context) for turn i: the pair the classifier reads."""
    turn = turns[i]
    before = turns[i - 1] if i > 0 else None
    after = turns[i + 1] if i + 1 < len(turns) else None
    context = " ".join(part for part in (
        f"before: {before.role}: {before.text}" if before else "",
        f"after: {after.role}: {after.text}" if after else "") if part)
    return f"{turn.role}: {turn.text}", context


_CAMEL = re.compile(r"\b([A-Z][a-z]+)([A-Z][a-z]\w*)\b")
_ACRONYM = re.compile(r"\b[A-Z]{2,4}\b")
# Punctuation, except inside numbers ("$43,000", "2.5") and words ("follow-up", "we're").
_PUNCT = re.compile(r"(?<!\d)[.,](?!\d)|(?<=\d)[.,](?!\d)|(?<!\d)[.,](?=\d)|[^\w\s'$%.,-]|(?<!\w)[-']|[-'](?!\w)")


def asr_style(text: str, rng: random.Random) -> str:
    """The same words as a speech recognizer without punctuation would write them.

    Training turns are written with punctuation and capitalised names; real
    transcripts often have neither, and a recognizer writes a name it does not
    know as the nearest common words ("NexHealth" -> "next health", "CEO" ->
    "c e o"). Training on both forms keeps the classifier from leaning on
    punctuation and name shapes that noisy transcripts do not have."""
    text = _CAMEL.sub(lambda m: f"{m.group(1)} {m.group(2)}" if rng.random() < 0.7 else m.group(0), text)
    text = _ACRONYM.sub(lambda m: " ".join(m.group(0)) if rng.random() < 0.5 else m.group(0), text)
    text = _PUNCT.sub(" ", text).lower()
    return re.sub(r"\s+", " ", text).strip()


def asr_conversation(conv: Conversation, seed: int) -> Conversation:
    """`conv` with every turn in recognizer style (deterministic for a seed)."""
    rng = random.Random(f"{seed}:{conv.id}")
    return replace(conv, turns=[replace(t, text=asr_style(t.text, rng)) for t in conv.turns])


def _conversation(data: dict) -> Conversation:
    turns = [Turn(t["speaker"], t["role"], t["text"], list(t.get("labels") or []),
                  t.get("attributes") or {}) for t in data["turns"]]
    for t in turns:
        unknown = set(t.labels) - set(KINDS)
        if unknown:
            raise ValueError(f"{data.get('id')}: unknown labels {sorted(unknown)}")
    return Conversation(data.get("id", ""), turns, data.get("call_date"),
                        data.get("deal") or data.get("id", ""))


def load_train(folder: Path) -> list[Conversation]:
    return [conv for path in sorted(folder.glob("*.jsonl")) for conv in load_train_file(path)]


def load_train_file(path: Path) -> list[Conversation]:
    """The conversations of one training file (one JSON object per line)."""
    convs = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                convs.append(_conversation(json.loads(line)))
            except (json.JSONDecodeError, KeyError) as exc:
                raise ValueError(f"{path.name}:{n}: {exc}") from exc
    return convs


def load_dev(folder: Path) -> list[Conversation]:
    return [_conversation(json.loads(p.read_text(encoding="utf-8")))
            for p in sorted(folder.glob("*.json"))]


def source_version(*names: str) -> str:
    """Hash of these modules of `extractors/`: a trained or measured record made by older
    code is redone."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in names:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:12]


def data_version(*folders: Path) -> str:
    """Hash of every data file: the artifact records what it was trained on."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*.json*")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
