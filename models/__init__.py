"""Pydantic models: the only shapes that cross a stage boundary."""

from models.deal import Deal, Recording, SourceKind
from models.document import DocumentItem, HandoffDocument, MissingField, Section
from models.items import Evidence, Item, ItemKind, ItemState, Side
from models.run import FileError, FileResult, RunSummary
from models.transcript import Role, Segment, Transcript, Word

__all__ = [
    "Deal", "DocumentItem", "Evidence", "FileError", "FileResult", "HandoffDocument", "Item",
    "ItemKind", "ItemState", "MissingField", "Recording", "Role", "RunSummary", "Section",
    "Segment", "Side", "SourceKind", "Transcript", "Word",
]
