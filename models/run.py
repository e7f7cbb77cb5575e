"""What a batch run did, file by file."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from models.items import Item
from models.transcript import Transcript


class FileError(BaseModel):
    path: str
    stage: str
    message: str


class FileResult(BaseModel):
    """A processed recording: its transcript and the items found in it."""

    recording_id: str
    path: str
    transcript: Transcript
    items: list[Item] = Field(default_factory=list)
    seconds: dict[str, float] = Field(default_factory=dict)


class RunSummary(BaseModel):
    run_id: str
    started: dt.datetime
    finished: dt.datetime | None = None
    inbox: str
    processed: list[str] = Field(default_factory=list)
    skipped: list[str] = Field(default_factory=list)
    waiting: list[str] = Field(default_factory=list)  # still being written: left for the next run
    errors: list[FileError] = Field(default_factory=list)
    # Files processed but flagged (e.g. low recognition confidence).
    warnings: list[FileError] = Field(default_factory=list)
    items_per_kind: dict[str, int] = Field(default_factory=dict)
    documents: list[str] = Field(default_factory=list)
    database: str = ""
    seconds: dict[str, float] = Field(default_factory=dict)  # summed per stage
