"""The small fitted records `handoff train` saves beside the classifier (side model, buying
roles, the CRM competitor-list rule): each written whole or not at all, and refitted when its
training data, its code or the sentence encoder changes."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def write(directory: Path, name: str, record: dict) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f".{name}.tmp"
    tmp.write_text(json.dumps(record, indent=1))
    os.replace(tmp, directory / name)  # a reader never sees half a file


def is_current(path: Path, code_version: str, data_version: str, encoder: str) -> bool:
    """True when the record at `path` was fitted by this code on this data with this encoder."""
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    return isinstance(record, dict) and (record.get("code_version"), record.get("data_version"),
                                         record.get("encoder")) == (code_version, data_version, encoder)


def load_fresh(directory: str | Path, name: str, encoder: str, parse: Callable[[str, int, str], T]) -> T | None:
    """`parse(path, modification time, encoder)` of the record, None when there is none. `parse`
    is cached on all three, so a long-running worker reads a refitted record again."""
    path = Path(directory) / name
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return None
    return parse(str(path), stamp, encoder)
