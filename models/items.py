"""Extracted items and the evidence that backs each one."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class ItemKind(StrEnum):
    PAIN_POINT = "pain_point"
    COMMITMENT = "commitment"
    SUCCESS_CRITERION = "success_criterion"
    STAKEHOLDER = "stakeholder"
    RISK = "risk"
    COMPETITOR = "competitor"


class Side(StrEnum):
    VENDOR = "vendor"
    CUSTOMER = "customer"
    UNKNOWN = "unknown"


class ItemState(StrEnum):
    SUGGESTED = "suggested"
    CONFIRMED = "confirmed"
    EDITED = "edited"
    REJECTED = "rejected"


class Evidence(BaseModel):
    recording_id: str
    start: float
    end: float
    speaker: str
    role: str = "unknown"
    quote: str


class Item(BaseModel):
    kind: ItemKind
    text: str
    confidence: float = Field(ge=0, le=1)
    stated_by: Side = Side.UNKNOWN
    attributes: dict[str, Any] = Field(default_factory=dict)
    evidence: list[Evidence] = Field(default_factory=list)
    extractor: str = ""

    @property
    def primary(self) -> Evidence:
        return self.evidence[0]

    def contract(self) -> dict[str, Any]:
        """The `handoff extract --json` shape of DESIGN.md."""
        ev = self.primary
        return {
            "kind": self.kind.value, "text": self.text, "quote": ev.quote, "speaker": ev.speaker,
            "start": ev.start, "end": ev.end, "confidence": round(self.confidence, 3),
            "attributes": {"stated_by": self.stated_by.value, **self.attributes},
        }
