"""The per-deal handoff document."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from models.deal import Deal
from models.items import Item, ItemState


class DocumentItem(BaseModel):
    item_id: str
    item: Item
    state: ItemState = ItemState.SUGGESTED
    recording_names: dict[str, str] = Field(default_factory=dict)


class Section(BaseModel):
    key: str
    title: str
    items: list[DocumentItem] = Field(default_factory=list)
    facts: dict[str, str] = Field(default_factory=dict)


class MissingField(BaseModel):
    field: str
    question: str


class HandoffDocument(BaseModel):
    deal: Deal
    generated: dt.datetime
    status: str = "draft"
    sections: list[Section]
    completeness: float
    missing: list[MissingField] = Field(default_factory=list)
    calls: list[dict[str, str | float]] = Field(default_factory=list)
