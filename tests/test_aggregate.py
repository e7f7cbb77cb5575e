"""Merging across calls keeps every AE decision where the AE put it."""

from __future__ import annotations

from models import Evidence, Item, ItemKind
from pipeline.aggregate import merge_items
from pipeline.settings import Settings

ENCODER = Settings().encoder_model


def promise(call: str, text: str, **attrs) -> Item:
    return Item(kind=ItemKind.COMMITMENT, text=text, confidence=0.8, attributes={"side": "vendor", **attrs},
                evidence=[Evidence(recording_id=call, start=1.0, end=2.0, speaker="Priya", quote=text)])


ORDER = {"demo": 1, "close": 2}


def test_an_edited_statement_heads_its_group_and_keeps_the_ae_wording():
    rows = [("a", "edited", promise("demo", "We will send the SOC 2 report by Friday", due=None)),
            ("b", "suggested", promise("close", "We will send you the SOC 2 report by Friday", due="by Friday"))]
    [merged] = merge_items(rows, ORDER, ENCODER)
    assert merged.item_id == "a" and merged.state.value == "edited"
    assert merged.item.text == "We will send the SOC 2 report by Friday"
    assert merged.item.attributes["due"] is None  # the AE cleared it; a later suggestion does not refill it
    assert len(merged.item.evidence) == 2  # the new quote is kept as evidence


def test_a_rejected_statement_does_not_hide_a_live_one():
    rows = [("a", "rejected", promise("demo", "We will send the SOC 2 report by Friday")),
            ("b", "suggested", promise("close", "We will send you the SOC 2 report by Friday"))]
    merged = {m.item_id: m.state.value for m in merge_items(rows, ORDER, ENCODER)}
    assert merged == {"a": "rejected", "b": "suggested"}
