"""The AE's review of a drafted handoff, as plain functions (the web app is a thin layer on them).

Every action lands in `items` / `document_resolutions` / `documents` together with
a review event (who, when, item, before, after) in one transaction. After each
action the draft is re-made from the store, so completeness, the Markdown and
the HTML stay current. A confirmed document is frozen: its items can no longer
be changed, and suggestions that later runs find are shown beside it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from extractors.prototypes import BUYING_ROLES, RISK_CATEGORIES
from models import Deal, Evidence, HandoffDocument, Item, ItemKind, ItemState, Side
from pipeline.aggregate import MergedItem
from pipeline.draft import REQUIRED
from pipeline.process import build_document, call_paths, draft_deal
from pipeline.render import render
from pipeline.settings import Settings
from pipeline.store import Store


class ReviewError(ValueError):
    """An action that cannot be done; the message is shown to the AE."""


# The attributes an AE can edit per kind, in form order.
EDITABLE: dict[ItemKind, list[str]] = {
    ItemKind.COMMITMENT: ["owner", "side", "action", "due_date", "firm", "vague"],
    ItemKind.SUCCESS_CRITERION: ["metric", "baseline", "target", "timeframe", "validated_by", "quantified"],
    ItemKind.STAKEHOLDER: ["name", "title", "buying_role", "contact_preference"],
    ItemKind.PAIN_POINT: ["cost", "severity"],
    ItemKind.RISK: ["category", "owner"],
    ItemKind.COMPETITOR: ["name", "outcome", "reason"],
}
BOOLEANS = {"firm", "vague", "quantified"}
CHOICES: dict[str, list[str]] = {
    "side": ["vendor", "customer"],
    "buying_role": list(BUYING_ROLES),
    "category": list(RISK_CATEGORIES),
    "outcome": ["incumbent", "evaluated", "chosen_against", "other"],
    "severity": ["high", "normal"],
}
# What answering a missing field adds, when the answer is an item (others are kept as text).
ANSWER_AS_ITEM: dict[str, tuple[ItemKind, dict]] = {
    "economic_buyer": (ItemKind.STAKEHOLDER, {"buying_role": "economic_buyer"}),
    "champion": (ItemKind.STAKEHOLDER, {"buying_role": "champion"}),
    "pain_points": (ItemKind.PAIN_POINT, {}),
    "risks": (ItemKind.RISK, {"category": "other"}),
    "competitors": (ItemKind.COMPETITOR, {}),
}


@dataclass
class DealReview:
    deal: Deal
    doc: HandoffDocument
    items: dict[str, MergedItem]           # by the id the page shows (the head of a merged group)
    frozen: bool = False
    new_items: list[MergedItem] = field(default_factory=list)  # found after confirmation


def open_deal(store: Store, deal_id: str, settings: Settings) -> DealReview:
    """The deal as the AE sees it: the current draft, or the frozen confirmed document
    with the suggestions found since beside it."""
    deal = store.deal(deal_id)
    if deal is None:
        raise ReviewError(f"no deal {deal_id!r}")
    doc, merged = build_document(store, deal, settings)
    items = {m.item_id: m for m in merged}
    frozen = store.frozen_document(deal_id)
    if frozen is None:
        return DealReview(deal=deal, doc=doc, items=items)
    confirmed, at = frozen
    new_ids = set(store.items_since(deal_id, at))
    new = [m for m in merged if m.state is ItemState.SUGGESTED and ({m.item_id, *m.merged_ids} & new_ids)]
    return DealReview(deal=deal, doc=confirmed, items=items, frozen=True, new_items=new)


def _target(review: DealReview, item_id: str) -> MergedItem:
    m = review.items.get(item_id)
    if m is None:
        raise ReviewError(f"no item {item_id!r} in this deal")
    if review.frozen and m not in review.new_items:
        raise ReviewError("this handoff is confirmed and frozen; only new suggestions can be reviewed")
    return m


def _after(store: Store, review: DealReview, settings: Settings) -> None:
    if not review.frozen:
        draft_deal(store, review.deal, settings)


def confirm_item(store: Store, settings: Settings, review: DealReview, item_id: str, reviewer: str) -> None:
    m = _target(review, item_id)
    state = ItemState.EDITED if m.state is ItemState.EDITED else ItemState.CONFIRMED
    store.review_items(review.deal.deal_id, "confirm", {m.item_id: {"state": state.value}}, reviewer)
    _after(store, review, settings)


def reject_item(store: Store, settings: Settings, review: DealReview, item_id: str, reason: str,
                reviewer: str) -> None:
    """Reject a statement and every mention merged into it; the reason is kept."""
    if not reason.strip():
        raise ReviewError("say why the item is wrong (the reason is kept with the rejection)")
    m = _target(review, item_id)
    updates = {i: {"state": ItemState.REJECTED.value, "reject_reason": reason.strip()}
               for i in [m.item_id, *m.merged_ids]}
    store.review_items(review.deal.deal_id, "reject", updates, reviewer)
    _after(store, review, settings)


def parse_attributes(kind: ItemKind, form: dict[str, str]) -> dict:
    """The editable attributes of `kind` from form fields, validated; blank means none."""
    out: dict = {}
    for name in EDITABLE[kind]:
        raw = (form.get(name) or "").strip()
        if name in BOOLEANS:
            out[name] = raw.lower() in ("true", "on", "yes", "1")
        elif not raw:
            out[name] = None
        elif name == "due_date":
            try:
                out[name] = dt.date.fromisoformat(raw).isoformat()
            except ValueError as exc:
                raise ReviewError(f"due date {raw!r} is not a date (YYYY-MM-DD)") from exc
        elif name in CHOICES and raw not in CHOICES[name]:
            raise ReviewError(f"{name.replace('_', ' ')} must be one of {', '.join(CHOICES[name])}")
        else:
            out[name] = raw
    return out


def edit_item(store: Store, settings: Settings, review: DealReview, item_id: str, text: str,
              form: dict[str, str], reviewer: str) -> None:
    """The AE's wording and attribute values replace the extracted ones (and survive re-runs)."""
    m = _target(review, item_id)
    if not text.strip():
        raise ReviewError("the statement cannot be empty; reject the item instead")
    attributes = {**m.item.attributes, **parse_attributes(m.item.kind, form)}
    store.review_items(review.deal.deal_id, "edit", {m.item_id: {
        "state": ItemState.EDITED.value, "text": text.strip(), "attributes": attributes}}, reviewer)
    _after(store, review, settings)


def add_item(store: Store, settings: Settings, review: DealReview, kind: str, text: str,
             form: dict[str, str], reviewer: str) -> str:
    """An item the calls missed, written by the AE."""
    if review.frozen:
        raise ReviewError("this handoff is confirmed and frozen")
    try:
        item_kind = ItemKind(kind)
    except ValueError as exc:
        raise ReviewError(f"unknown kind {kind!r}") from exc
    if not text.strip():
        raise ReviewError("write the item's statement")
    attributes = parse_attributes(item_kind, form)
    if item_kind is ItemKind.SUCCESS_CRITERION and not form.get("quantified"):
        attributes["quantified"] = bool(attributes.get("target"))
    side = Side.CUSTOMER if item_kind is not ItemKind.COMMITMENT or attributes.get("side") == "customer" \
        else Side.VENDOR
    item = Item(kind=item_kind, text=text.strip(), confidence=1.0, stated_by=side, attributes=attributes,
                extractor="added-by-ae",
                evidence=[Evidence(recording_id="manual", start=0, end=0, speaker=reviewer, quote=text.strip())])
    key = store.add_item(review.deal.deal_id, item, reviewer)
    _after(store, review, settings)
    return key


def resolve_missing(store: Store, settings: Settings, review: DealReview, field_name: str, resolution: str,
                    text: str, reviewer: str) -> None:
    """Answer a missing field (an item where the answer is one, e.g. the economic buyer's name)
    or waive it with the reason it does not apply."""
    if review.frozen:
        raise ReviewError("this handoff is confirmed and frozen")
    if field_name not in REQUIRED:
        raise ReviewError(f"unknown field {field_name!r}")
    if not text.strip():
        raise ReviewError("write the answer, or why this does not apply")
    if resolution == "answer" and field_name in ANSWER_AS_ITEM:
        kind, preset = ANSWER_AS_ITEM[field_name]
        form = {k: str(v) for k, v in preset.items()}
        if kind in (ItemKind.STAKEHOLDER, ItemKind.COMPETITOR):
            form["name"] = text.strip()
        add_item(store, settings, review, kind.value, text, form, reviewer)
    else:
        try:
            store.resolve(review.deal.deal_id, field_name, resolution, text, reviewer)
        except ValueError as exc:
            raise ReviewError(str(exc)) from exc
        _after(store, review, settings)


def confirm_document(store: Store, settings: Settings, deal_id: str, reviewer: str) -> tuple[Path, Path]:
    """Freeze the handoff for CS, if every required field is filled, answered or waived."""
    review = open_deal(store, deal_id, settings)
    if review.frozen:
        raise ReviewError("this handoff is already confirmed")
    doc = review.doc
    if not doc.confirmable:
        raise ReviewError("answer or waive first: " + "; ".join(m.question for m in doc.missing))
    doc = doc.model_copy(update={"status": "confirmed", "confirmed_by": reviewer,
                                 "generated": dt.datetime.now(dt.UTC)})
    md, html = render(doc, settings.documents_dir, call_paths(store, deal_id))
    store.confirm_document(doc, md, html, reviewer)
    return md, html
