"""Finding new work in the inbox and linking it to deals.

A file is identified by the hash of its content, so a renamed or re-copied
recording is recognised as already processed. Deal metadata comes from a
CRM-style `deals.csv`; per-call facts (date, type) from an optional
`recordings.csv`, else from a date in the file name, else the file's mtime.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

from models import Deal, Recording, SourceKind
from pipeline.transcripts import TRANSCRIPT_SUFFIXES

AUDIO_SUFFIXES = {".wav", ".mp3", ".m4a", ".aac", ".mp4", ".mov", ".webm", ".ogg", ".opus",
                  ".flac", ".mkv", ".wma"}
METADATA_FILES = {"deals.csv", "recordings.csv"}
IGNORED_SUFFIXES = {".md", ".csv"}
_DATE_IN_NAME = re.compile(r"(20\d\d)-(\d\d)-(\d\d)")


def content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def _split(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(";") if v.strip()]


def load_deals(inbox: Path, problems: list[str] | None = None) -> dict[str, Deal]:
    """Deals from `deals.csv` in the inbox (empty when there is none).

    A bad row raises, unless `problems` is given: then the row is skipped and
    its reason appended there, so one typo in a CRM export costs one deal.
    """
    path = inbox / "deals.csv"
    if not path.exists():
        return {}
    deals = {}
    with path.open(newline="", encoding="utf-8") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            try:
                deal = _deal(row)
            except (KeyError, ValueError) as exc:
                message = f"deals.csv line {line}: {str(exc).splitlines()[0]}"
                if problems is None:
                    raise ValueError(message) from exc
                problems.append(message)
                continue
            deals[deal.deal_id] = deal
    return deals


def _number(value: str) -> float | None:
    """CRM amounts come as "45000", "45,000" or "$45,000.00"."""
    cleaned = value.replace(",", "").replace("$", "").strip()
    return float(cleaned) if cleaned else None


def _deal(row: dict[str, str]) -> Deal:
    if not row.get("deal_id"):
        raise ValueError("no deal_id")
    term = _number(row.get("contract_term_months", ""))
    return Deal(
        deal_id=row["deal_id"], account=row.get("account", ""),
        industry=row.get("industry", ""), segment=row.get("segment", ""),
        amount=_number(row.get("amount", "")),
        currency=row.get("currency") or "USD", stage=row.get("stage", ""),
        close_date=row.get("close_date") or None,
        contract_term_months=int(term) if term else None,
        origin=row.get("origin", ""), ae_name=row.get("ae_name", ""),
        ae_email=row.get("ae_email", ""), csm_name=row.get("csm_name", ""),
        competitors=_split(row.get("competitors", "")),
        recordings=_split(row.get("recordings", "")),
    )


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


def source_kind(path: Path) -> SourceKind | None:
    suffix = path.suffix.lower()
    if suffix in AUDIO_SUFFIXES:
        return SourceKind.AUDIO
    if suffix in TRANSCRIPT_SUFFIXES:
        return SourceKind.TRANSCRIPT
    return None


def candidate_files(inbox: Path) -> Iterator[Path]:
    """Files at the top of the inbox, minus metadata and hidden files."""
    for path in sorted(inbox.iterdir()):
        if path.is_file() and not path.name.startswith(".") and path.name not in METADATA_FILES \
                and path.suffix.lower() not in IGNORED_SUFFIXES:
            yield path


def describe(path: Path, deals: dict[str, Deal], facts: dict[str, dict[str, str]]) -> Recording:
    """A `Recording` for one inbox file; raises ValueError for unsupported types."""
    kind = source_kind(path)
    if kind is None:
        raise ValueError(f"unsupported file type {path.suffix or '(no extension)'!r}; "
                         f"expected audio/video or a .vtt/.srt/.txt/.json transcript")
    row = facts.get(path.name)
    deal_id = (row or {}).get("deal_id") or next(
        (d.deal_id for d in deals.values() if path.name in d.recordings), None)
    return Recording(recording_id=content_hash(path), path=path, kind=kind,
                     size=path.stat().st_size, deal_id=deal_id, call_date=call_date(path, row))
