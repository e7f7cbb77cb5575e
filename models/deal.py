"""Deals from the CRM side and the recordings that belong to them."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, Field


class SourceKind(StrEnum):
    AUDIO = "audio"
    TRANSCRIPT = "transcript"


class Deal(BaseModel):
    deal_id: str
    account: str
    industry: str = ""
    segment: str = ""
    amount: float | None = None
    currency: str = "USD"
    stage: str = ""
    close_date: dt.date | None = None
    contract_term_months: int | None = None
    origin: str = ""
    ae_name: str = ""
    ae_email: str = ""
    csm_name: str = ""
    competitors: list[str] = Field(default_factory=list)
    recordings: list[str] = Field(default_factory=list)


class Recording(BaseModel):
    """One input file, identified by the hash of its content."""

    recording_id: str  # sha256 of the content, first 16 hex digits
    path: Path
    kind: SourceKind
    size: int
    deal_id: str | None = None
    call_date: dt.date | None = None
