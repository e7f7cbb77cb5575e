"""The deal's CRM competitor list as evidence of its own.

A competitor is a name, and the turn classifier has never seen most names: a
recognizer writes "we had lunch with the nex health folks" and the classifier
is unsure. When the deal's CRM record lists NexHealth, the first turn of a call
that names it becomes a competitor item even where the classifier stays under
its threshold. Only the first: by the label guide a later turn that merely
refers back ("what's your take on nex health now?") is not a new item. A name
that is one everyday word (Monday, Notion, Front) is left to the classifier:
"see you monday" is not a mention.

How often the rule is right is measured, not assumed: `handoff train` applies
it to every training call whose deal has labelled competitors, in recognizer
style, each deal's labelled competitor names standing in for its CRM list, and
counts how many of the turns it picks are labelled competitor. The confidence
such an item gets is the lower end of the 95% Wilson interval of that share, so
a few dozen turns do not claim certainty. It is measured over all first
mentions, also those the classifier finds by itself; where the rule adds an
item the classifier missed, its precision is likely lower (the held-out slice
of the training data has too few such turns to measure: docs/extraction.md).
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

from extractors import fitted_records
from extractors.competitors import mentions
from extractors.corpus import Conversation, asr_conversation, source_version
from extractors.vendors import is_everyday_word

FILE = "crm_competitors.json"


def deal_competitors(convs: list[Conversation]) -> dict[str, set[str]]:
    """deal -> the competitor names its labelled turns give: the CRM list of a training deal."""
    names: dict[str, set[str]] = {}
    for conv in convs:
        for turn in conv.turns:
            name = ((turn.attributes or {}).get("competitor") or {}).get("name")
            if "competitor" in turn.labels and name:
                names.setdefault(conv.deal, set()).add(name)
    return names


def first_mentions(texts: list[str], listed: list[str], encoder: str) -> dict[int, list[str]]:
    """turn index -> the listed names it is the first of the call to mention."""
    names = [n for n in listed if n and not (len(n.split()) == 1 and is_everyday_word(n, encoder))]
    seen: set[str] = set()
    found: dict[int, list[str]] = {}
    for i, text in enumerate(texts):
        new = [name for name in names if name not in seen and mentions(text, name)]
        if new:
            found[i] = new
            seen.update(new)
    return found


def wilson_lower(right: int, total: int, z: float = 1.96) -> float:
    """Lower end of the Wilson score interval of right/total."""
    if not total:
        return 0.0
    share = right / total
    centre = share + z * z / (2 * total)
    spread = z * math.sqrt(share * (1 - share) / total + z * z / (4 * total * total))
    return (centre - spread) / (1 + z * z / total)


def measure(convs: list[Conversation], encoder: str, seed: int = 13) -> dict:
    """The rule on every call whose deal has labelled competitors, in recognizer style: the
    turns it picks, how many are labelled competitor, and the confidence that earns."""
    listed = deal_competitors(convs)
    named = labelled = 0
    for conv in convs:
        names = sorted(listed.get(conv.deal, ()))
        if not names:
            continue
        turns = asr_conversation(conv, seed).turns
        for i in first_mentions([t.text for t in turns], names, encoder):
            named += 1
            labelled += "competitor" in turns[i].labels
    return {"named": named, "labelled": labelled,
            "precision": round(labelled / named, 3) if named else None,
            "confidence": round(wilson_lower(labelled, named), 3)}


def code_version() -> str:
    """Hash of what the measurement runs: the rule, the name match, the recognizer style."""
    return source_version("crm_competitors.py", "competitors.py", "vendors.py", "corpus.py")


def fit(convs: list[Conversation], encoder: str, directory: Path, data_version: str) -> dict:
    """Measure the rule and save its record beside the classifier."""
    record = {"code_version": code_version(), "data_version": data_version, "encoder": encoder,
              **measure(convs, encoder)}
    save(record, directory)
    return record


def is_current(directory: Path, data_version: str, encoder: str) -> bool:
    return fitted_records.is_current(directory / FILE, code_version(), data_version, encoder)


def save(record: dict, directory: Path) -> None:
    fitted_records.write(directory, FILE, record)


def confidence(directory: str) -> float | None:
    """The confidence the rule has earned, or None when `handoff train` has not measured it
    (the rule is then off). Read again when the file changes."""
    path = Path(directory) / FILE
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return None
    return _confidence(str(path), stamp)


@functools.lru_cache(maxsize=4)
def _confidence(path: str, stamp: int) -> float | None:
    try:
        return float(json.loads(Path(path).read_text())["confidence"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
