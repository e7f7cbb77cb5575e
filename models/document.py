"""The per-deal handoff document."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from models.deal import Deal
from models.items import Item, ItemState


class DocumentItem(BaseModel):
    item_id: str
    item: Item
    state: ItemState = ItemState.SUGGESTED
    recording_names: dict[str, str] = Field(default_factory=dict)
    group: str = ""  # the sub-heading it is listed under ("Economic buyer", "Vendor commitments")


class Section(BaseModel):
    key: str
    title: str
    items: list[DocumentItem] = Field(default_factory=list)
    facts: dict[str, str] = Field(default_factory=dict)
    crm_facts: list[str] = Field(default_factory=list)  # fact keys filled from the CRM export


class MissingField(BaseModel):
    field: str
    question: str
    resolution: str = ""  # "" (open) | answer | waiver, set by the AE
    text: str = ""        # the answer, or why the field does not apply


class HandoffDocument(BaseModel):
    deal: Deal
    generated: dt.datetime
    status: str = "draft"
    sections: list[Section]
    completeness: float
    missing: list[MissingField] = Field(default_factory=list)  # open: these block confirmation
    resolved: list[MissingField] = Field(default_factory=list)  # answered or waived by the AE
    confirmed_by: str = ""

    @property
    def confirmable(self) -> bool:
        """Every required field is filled, answered or waived with a reason."""
        return not self.missing
    # per call: recording_id, file_name, call_date, duration, evidence [{item_id, kind, text, start}]
    calls: list[dict[str, Any]] = Field(default_factory=list)
