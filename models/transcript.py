"""Timed speaker turns: what every input (audio or export) becomes."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class Role(StrEnum):
    REP = "rep"
    CUSTOMER = "customer"
    UNKNOWN = "unknown"


class Word(BaseModel):
    start: float
    end: float
    text: str
    probability: float | None = None


class Segment(BaseModel):
    start: float = Field(ge=0)
    end: float = Field(ge=0)
    speaker: str = "unknown"
    role: Role = Role.UNKNOWN
    text: str
    words: list[Word] | None = None
    # Channel index for stereo recordings; None for mono or exports.
    channel: int | None = None


class Transcript(BaseModel):
    duration: float = 0.0
    language: str = "en"
    segments: list[Segment] = Field(default_factory=list)
    source: str = ""
    engine: str = ""
    # Mean word probability the recognizer gave (None for exports).
    confidence: float | None = None
    # Set when the transcript is usable but doubtful (low confidence, little speech).
    warnings: list[str] = Field(default_factory=list)

    def speakers(self) -> list[str]:
        return list(dict.fromkeys(s.speaker for s in self.segments))

    def text(self) -> str:
        return " ".join(s.text for s in self.segments)
