"""The labelled corpora: training snippets and whole development calls.

Both are conversations of labelled turns. A turn becomes one classifier
example, carrying the speaker's role and its neighbouring turns, because the
same words mean different things from the rep and from the customer.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
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
    convs = []
    for path in sorted(folder.glob("*.jsonl")):
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


def data_version(*folders: Path) -> str:
    """Hash of every data file: the artifact records what it was trained on."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*.json*")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
