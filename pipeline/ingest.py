"""Finding new work in the inbox and linking it to deals.

A file is identified by the hash of its content, so a renamed or re-copied
recording is recognised as already processed. Deal metadata comes from a CRM
export (`deals.csv` / `deals.json`, see `pipeline.crm`). A recording is linked
to its deal by the mapping file `recordings.csv` (file, deal_id, call_date),
else by the deal's `recordings` column, else by the folder it sits in (a
folder per deal, named by deal id or account). The call date comes from the
mapping file, else a date in the file name, else the file's mtime.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

from models import Deal, Recording, SourceKind
from pipeline.crm import DEAL_FILES, load_deals
from pipeline.transcripts import TRANSCRIPT_SUFFIXES

__all__ = ["candidate_files", "content_hash", "deal_folder", "describe", "is_settled", "load_call_facts",
           "load_deals"]

AUDIO_SUFFIXES = {".wav", ".mp3", ".m4a", ".aac", ".mp4", ".mov", ".webm", ".ogg", ".opus",
                  ".flac", ".mkv", ".wma"}
METADATA_FILES = {*DEAL_FILES, "recordings.csv"}
IGNORED_SUFFIXES = {".md", ".csv"}
_DATE_IN_NAME = re.compile(r"(20\d\d)-(\d\d)-(\d\d)")


def content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def load_call_facts(inbox: Path) -> dict[str, dict[str, str]]:
    """Optional `recordings.csv`: file, deal_id, call_date, call_type, title."""
    path = inbox / "recordings.csv"
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as f:
        rows = [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]
    return {row["file"]: row for row in rows if row.get("file")}


def call_date(path: Path, facts: dict[str, str] | None) -> dt.date:
    if facts and facts.get("call_date"):
        return dt.date.fromisoformat(facts["call_date"].strip())
    if match := _DATE_IN_NAME.search(path.name):
        return dt.date(*map(int, match.groups()))
    return dt.date.fromtimestamp(path.stat().st_mtime)


def is_settled(path: Path, settle_seconds: float) -> bool:
    """Whether a file has stopped changing: unmodified for `settle_seconds` and the same
    size a moment apart (a recording still being copied into the inbox is not)."""
    if settle_seconds <= 0:
        return True
    import time

    before = path.stat()
    if time.time() - before.st_mtime < settle_seconds:
        return False
    time.sleep(0.05)
    return path.stat().st_size == before.st_size


def source_kind(path: Path) -> SourceKind | None:
    suffix = path.suffix.lower()
    if suffix in AUDIO_SUFFIXES:
        return SourceKind.AUDIO
    if suffix in TRANSCRIPT_SUFFIXES:
        return SourceKind.TRANSCRIPT
    return None


def deal_folder(folder: str, deals: dict[str, Deal]) -> str | None:
    """The deal a folder is named after: its id, or its account (case and punctuation aside)."""
    if folder in deals:
        return folder
    key = _folded(folder)
    matches = [d.deal_id for d in deals.values() if key in (_folded(d.deal_id), _folded(d.account))]
    return matches[0] if len(matches) == 1 else None


def _folded(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower())


def _wanted(path: Path) -> bool:
    return path.is_file() and not path.name.startswith(".") and path.name not in METADATA_FILES \
        and path.suffix.lower() not in IGNORED_SUFFIXES


def candidate_files(inbox: Path, deals: dict[str, Deal] | None = None) -> Iterator[Path]:
    """Files at the top of the inbox, and in folders named after a known deal.

    Other folders (references, notes, an archive) are not read: a folder is a
    deal's only when the CRM export names that deal.
    """
    for path in sorted(inbox.iterdir()):
        if _wanted(path):
            yield path
        elif path.is_dir() and not path.name.startswith(".") and deal_folder(path.name, deals or {}):
            yield from (p for p in sorted(path.rglob("*")) if _wanted(p)
                        and not any(part.startswith(".") for part in p.relative_to(path).parts))


def _folder_deal(path: Path, deals: dict[str, Deal], inbox: Path | None) -> str | None:
    """The deal of the inbox folder a file sits in (at any depth below it)."""
    if inbox is None or path.parent == inbox or not path.is_relative_to(inbox):
        return None
    return deal_folder(path.relative_to(inbox).parts[0], deals)


def describe(path: Path, deals: dict[str, Deal], facts: dict[str, dict[str, str]],
             inbox: Path | None = None) -> Recording:
    """A `Recording` for one inbox file; raises ValueError for unsupported types."""
    kind = source_kind(path)
    if kind is None:
        raise ValueError(f"unsupported file type {path.suffix or '(no extension)'!r}; "
                         f"expected audio/video or a .vtt/.srt/.txt/.json transcript")
    row = facts.get(path.name)
    deal_id = (row or {}).get("deal_id") or next(
        (d.deal_id for d in deals.values() if path.name in d.recordings), None) \
        or _folder_deal(path, deals, inbox)
    return Recording(recording_id=content_hash(path), path=path, kind=kind,
                     size=path.stat().st_size, deal_id=deal_id, call_date=call_date(path, row))
