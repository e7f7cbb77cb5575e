"""The drafted document: sections in order, flags, evidence links, and escaping."""

import datetime as dt

import pytest

from models import Deal, Evidence, Item, ItemKind, ItemState
from pipeline.aggregate import MergedItem
from pipeline.draft import REQUIRED, SECTIONS, draft_document
from pipeline.render import render

DEAL = Deal(deal_id="D-9", account="Acme <Corp>", amount=45000, contract_term_months=12,
            close_date=dt.date(2026, 9, 1), csm_name="Sam Lee", ae_name="Priya Shah")


def item(kind: ItemKind, quote: str, **attributes) -> MergedItem:
    it = Item(kind=kind, text=quote, confidence=0.9, attributes=attributes,
              evidence=[Evidence(recording_id="r1", start=75.0, end=80.0, speaker="Dana", role="customer", quote=quote)])
    return MergedItem(item_id=f"id-{len(quote)}", state="suggested", item=it)


def test_sections_flags_links_and_escaping(tmp_path):
    items = [
        item(ItemKind.COMMITMENT, "It just works, <script>alert(1)</script>", side="vendor", vague=True),
        item(ItemKind.SUCCESS_CRITERION, "we just want to be more efficient", quantified=False),
    ]
    calls = [{"recording_id": "r1", "file_name": "call.mp3", "path": str(tmp_path / "call.mp3"),
              "call_date": "2026-08-04", "duration": 300.0}]
    doc = draft_document(DEAL, items, calls)
    assert [s.key for s in doc.sections] == [k for k, _ in SECTIONS]
    assert 0 < doc.completeness < 1
    assert doc.completeness == round(1 - len(doc.missing) / len(REQUIRED), 3)
    assert any("economic buyer" in m.question for m in doc.missing)
    md, html = render(doc, tmp_path / "out", {"r1": str(tmp_path / "call.mp3")})
    text = md.read_text()
    assert "vague promise" in text and "not quantified" in text
    assert "call.mp3 @ 01:15](../call.mp3#t=75)" in text
    assert "<script>" not in text and "&lt;script&gt;" in text  # Markdown viewers may render HTML
    page = html.read_text()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Acme &lt;Corp&gt;" in page


def test_rejected_items_are_left_out_and_odd_ids_stay_in_the_folder(tmp_path):
    rejected = item(ItemKind.RISK, "legal might take a while")
    rejected.state = ItemState.REJECTED
    deal = DEAL.model_copy(update={"deal_id": "../../etc/D 1"})
    calls = [{"recording_id": "r1", "file_name": "call #2.mp3", "path": str(tmp_path / "call #2.mp3"),
              "call_date": "2026-08-04", "duration": 60.0}]
    doc = draft_document(deal, [rejected, item(ItemKind.RISK, "security review is open")], calls)
    md, html = render(doc, tmp_path / "out", {"r1": str(tmp_path / "call #2.mp3")})
    assert md.parent == tmp_path / "out" and md.name == "_.._etc_D_1.md"
    text = md.read_text()
    assert "security review is open" in text and "legal might take a while" not in text
    assert "call%20%232.mp3#t=75" in text


def test_items_are_grouped_crm_facts_marked_and_each_call_lists_its_evidence(tmp_path):
    items = [
        item(ItemKind.STAKEHOLDER, "Dana runs AP day to day", name="Dana", buying_role="champion"),
        item(ItemKind.STAKEHOLDER, "Frank our CFO signs", name="Frank", buying_role="economic_buyer"),
        item(ItemKind.COMMITMENT, "we will send our vendor master file", side="customer", owner="Dana"),
        item(ItemKind.COMMITMENT, "I'll send the SOC 2 report Friday", side="vendor", owner="Priya Shah",
             due_date="2026-09-04"),
        item(ItemKind.COMPETITOR, "ClosePilot was too expensive for us", name="ClosePilot",
             outcome="chosen_against", reason="too expensive for us"),
    ]
    deal = DEAL.model_copy(update={"win_reason": "ERP connector", "discount": "10%"})
    calls = [{"recording_id": "r1", "file_name": "call.mp3", "path": str(tmp_path / "call.mp3"),
              "call_date": "2026-08-04", "duration": 300.0}]
    doc = draft_document(deal, items, calls)
    section = {s.key: s for s in doc.sections}
    assert [d.group for d in section["stakeholders"].items] == ["Economic buyer", "Champion"]
    assert [d.group for d in section["commitments"].items] == ["What we promised", "What the customer committed to"]
    context = section["context"]
    assert context.facts["Sales cycle"].startswith("28 days") and "Sales cycle" not in context.crm_facts
    assert {"Discount", "Why we won (CRM)", "Amount"} <= set(context.crm_facts)
    assert context.facts["Why we won (calls)"] == "ClosePilot: too expensive for us"
    assert "First milestone" in section["action_plan"].facts
    assert [e["start"] for e in doc.calls[0]["evidence"]] == [75.0] * 5
    md, html = render(doc, tmp_path / "out", {"r1": str(tmp_path / "call.mp3")})
    text = md.read_text()
    assert text.index("### Economic buyer") < text.index("### Champion")
    assert "**Discount:** 10% _(CRM)_" in text and "### call.mp3 (2026-08-04)" in text
    assert 'class="src">CRM' in html.read_text()


def test_the_required_set_can_be_narrowed_and_unknown_names_are_refused():
    doc = draft_document(DEAL, [item(ItemKind.PAIN_POINT, "month end takes six days")], [],
                         required=["pain_points", "champion"])
    assert doc.completeness == 0.5 and [m.field for m in doc.missing] == ["champion"]
    with pytest.raises(ValueError, match="unknown required field"):
        draft_document(DEAL, [], [], required=["pain_point"])
