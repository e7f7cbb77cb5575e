"""Drafting the handoff document of one deal from its items and CRM facts.

Sections come in the fixed order of DESIGN.md. Completeness is the share of
required fields filled; the required set lives in `REQUIRED` (one place) and
each missing field is phrased as a question the AE can answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from models import Deal, DocumentItem, HandoffDocument, ItemKind, ItemState, MissingField, Section
from pipeline.aggregate import MergedItem

SECTIONS = [
    ("goals", "Customer goals and success metrics"),
    ("context", "Deal context"),
    ("stakeholders", "Stakeholder map"),
    ("commitments", "What was promised"),
    ("risks", "Open risks and technical blockers"),
    ("action_plan", "Action plan"),
    ("calls", "Calls"),
]


def _live(items: list[MergedItem], kind: ItemKind) -> list[MergedItem]:
    return [m for m in items if m.item.kind is kind and m.state is not ItemState.REJECTED]


def _attr(m: MergedItem, key: str):
    return m.item.attributes.get(key)


Check = Callable[[Deal, list[MergedItem]], bool]
# field -> (check, question for the AE). Edit here to change what "complete" means.
REQUIRED: dict[str, tuple[Check, str]] = {
    "quantified_success_criterion": (
        lambda d, i: any(_attr(m, "quantified") for m in _live(i, ItemKind.SUCCESS_CRITERION)),
        "What measurable result (metric, target, timeframe) will the customer judge success by?"),
    "success_validator": (
        lambda d, i: any(_attr(m, "validated_by") for m in _live(i, ItemKind.SUCCESS_CRITERION)),
        "Who on the customer side signs off that the success targets were met?"),
    "pain_points": (lambda d, i: bool(_live(i, ItemKind.PAIN_POINT)),
                    "What problem made the customer buy, in their words?"),
    "economic_buyer": (
        lambda d, i: any(_attr(m, "buying_role") == "economic_buyer" for m in _live(i, ItemKind.STAKEHOLDER)),
        "Who is the economic buyer (signs and owns the budget)?"),
    "champion": (
        lambda d, i: any(_attr(m, "buying_role") == "champion" for m in _live(i, ItemKind.STAKEHOLDER)),
        "Who is the champion CS should work with day to day?"),
    "vendor_commitments_dated": (
        lambda d, i: any(_attr(m, "side") == "vendor" and _attr(m, "due_date")
                         for m in _live(i, ItemKind.COMMITMENT)),
        "What did we promise, and by when? (no vendor commitment has a due date)"),
    "customer_commitments": (
        lambda d, i: any(_attr(m, "side") == "customer" for m in _live(i, ItemKind.COMMITMENT)),
        "What has the customer committed to do for onboarding (data, access, people)?"),
    "risks": (lambda d, i: bool(_live(i, ItemKind.RISK)),
              "What could block onboarding (integrations, security review, approvals)?"),
    "competitors": (lambda d, i: bool(d.competitors or _live(i, ItemKind.COMPETITOR)),
                    "Which alternatives did the customer consider, and why did we win?"),
    "contract": (lambda d, i: bool(d.amount and d.contract_term_months and d.close_date),
                 "What are the contract value, term and signature date?"),
    "csm": (lambda d, i: bool(d.csm_name), "Which CSM takes over this account?"),
}


def _doc_items(items: list[MergedItem], kind: ItemKind, calls: dict[str, str]) -> list[DocumentItem]:
    chosen = _live(items, kind)  # rejected items are left out, as in completeness
    if kind is ItemKind.SUCCESS_CRITERION:  # quantified first; unquantified are flagged
        chosen.sort(key=lambda m: not _attr(m, "quantified"))
    return [DocumentItem(item_id=m.item_id, item=m.item, state=m.state,
                         recording_names={e.recording_id: calls.get(e.recording_id, e.recording_id)
                                          for e in m.item.evidence}) for m in chosen]


def _context_facts(deal: Deal, items: list[MergedItem]) -> dict[str, str]:
    extracted = [str(_attr(m, "name")) for m in _live(items, ItemKind.COMPETITOR) if _attr(m, "name")]
    competitors = list(dict.fromkeys([*deal.competitors, *extracted]))
    facts = {
        "Account": deal.account, "Industry": deal.industry, "Segment": deal.segment,
        "Amount": f"{deal.amount:,.0f} {deal.currency}" if deal.amount else "",
        "Stage": deal.stage, "Signature date": str(deal.close_date or ""),
        "Contract term": f"{deal.contract_term_months} months" if deal.contract_term_months else "",
        "Origin": deal.origin, "Account executive": deal.ae_name, "CSM": deal.csm_name,
        "Competitors": ", ".join(competitors),
    }
    return {k: v for k, v in facts.items() if v}


def _action_plan(deal: Deal, items: list[MergedItem]) -> dict[str, str]:
    commitments = _live(items, ItemKind.COMMITMENT)
    start = deal.close_date or dt.date.today()
    dated = sorted((m for m in commitments if _attr(m, "due_date")), key=lambda m: _attr(m, "due_date"))
    first_30 = [m for m in dated if _attr(m, "side") == "vendor"
                and dt.date.fromisoformat(_attr(m, "due_date")) <= start + dt.timedelta(days=30)]
    customer = [m for m in commitments if _attr(m, "side") == "customer"]
    plan = {
        "First-30-day priorities": "; ".join(f"{m.item.text} ({_attr(m, 'owner')}, {_attr(m, 'due_date')})"
                                             for m in first_30),
        "Customer responsibilities": "; ".join(f"{m.item.text} ({_attr(m, 'owner')})" for m in customer),
        "Next milestone": f"{dated[0].item.text} — {_attr(dated[0], 'due_date')}" if dated else "",
        "Vague promises to reset": "; ".join(m.item.text for m in commitments if _attr(m, "vague")),
    }
    return {k: v for k, v in plan.items() if v}


def draft_document(deal: Deal, items: list[MergedItem], calls: list[dict]) -> HandoffDocument:
    """The handoff document for one deal (a draft until the AE confirms it)."""
    names = {c["recording_id"]: c["file_name"] for c in calls}
    by_key = {
        "goals": _doc_items(items, ItemKind.SUCCESS_CRITERION, names) + _doc_items(items, ItemKind.PAIN_POINT, names),
        "context": _doc_items(items, ItemKind.COMPETITOR, names),
        "stakeholders": _doc_items(items, ItemKind.STAKEHOLDER, names),
        "commitments": _doc_items(items, ItemKind.COMMITMENT, names),
        "risks": _doc_items(items, ItemKind.RISK, names),
    }
    facts = {"context": _context_facts(deal, items), "action_plan": _action_plan(deal, items),
             "calls": {c["file_name"]: f"{c['call_date']} · {c['duration'] / 60:.1f} min" for c in calls}}
    sections = [Section(key=k, title=t, items=by_key.get(k, []), facts=facts.get(k, {}))
                for k, t in SECTIONS]
    missing = [MissingField(field=f, question=q) for f, (check, q) in REQUIRED.items()
               if not check(deal, items)]
    completeness = round(1 - len(missing) / len(REQUIRED), 3)
    return HandoffDocument(deal=deal, generated=dt.datetime.now(dt.UTC), sections=sections,
                           completeness=completeness, missing=missing,
                           calls=[{k: v for k, v in c.items() if k != "path"} for c in calls])
