"""Deals from the CRM side and the recordings that belong to them."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, Field


class SourceKind(StrEnum):
    AUDIO = "audio"
    TRANSCRIPT = "transcript"


CLOSED_WON = "closed_won"


class Deal(BaseModel):
    """A deal as the CRM export describes it (see `pipeline/crm.py` for the columns read)."""

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
    renewal_date: dt.date | None = None
    discount: str = ""
    scope: list[str] = Field(default_factory=list)
    win_reason: str = ""
    crm_file: str = ""  # the export file this record came from

    @property
    def closed_won(self) -> bool:
        return self.stage == CLOSED_WON

    def crm_facts(self) -> tuple:
        """The fields whose change in a newer export redrafts the handoff."""
        return (self.account, self.industry, self.segment, self.amount, self.currency, self.stage,
                self.close_date, self.contract_term_months, self.renewal_date, self.origin,
                self.ae_name, self.ae_email, self.csm_name, tuple(self.competitors), self.discount,
                tuple(self.scope), self.win_reason)


class Recording(BaseModel):
    """One input file, identified by the hash of its content."""

    recording_id: str  # sha256 of the content, first 16 hex digits
    path: Path
    kind: SourceKind
    size: int
    deal_id: str | None = None
    call_date: dt.date | None = None
