"""Drafting the handoff document of one deal from its items and CRM facts.

Sections come in the fixed order of DESIGN.md, items grouped under
sub-headings (stakeholders by buying role, commitments by side). Facts from
the CRM export are marked as such. Completeness is the share of required
fields filled; the required set lives in `REQUIRED` (one place; a subset can
be chosen with the `required_fields` setting) and each missing field is
phrased as a question the AE can answer.
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


def required_fields(names: list[str] | None) -> dict[str, tuple[Check, str]]:
    """The required set: all of `REQUIRED`, or the named subset (settings `required_fields`)."""
    if names is None:
        return REQUIRED
    unknown = [n for n in names if n not in REQUIRED]
    if unknown:
        raise ValueError(f"unknown required field(s) {', '.join(unknown)}; known: {', '.join(REQUIRED)}")
    return {n: REQUIRED[n] for n in names}


ROLE_GROUPS = [("economic_buyer", "Economic buyer"), ("champion", "Champion"),
               ("technical_evaluator", "Technical evaluators"), ("end_user", "End users"),
               ("skeptic", "Skeptics"), ("other", "Others")]


def _group(m: MergedItem) -> str:
    """The sub-heading an item is listed under in its section."""
    kind = m.item.kind
    if kind is ItemKind.STAKEHOLDER:
        return dict(ROLE_GROUPS).get(_attr(m, "buying_role") or "other", "Others")
    if kind is ItemKind.COMMITMENT:
        return {"vendor": _COMMITMENT_GROUPS[0], "customer": _COMMITMENT_GROUPS[1]}.get(
            _attr(m, "side"), _COMMITMENT_GROUPS[2])
    if kind is ItemKind.SUCCESS_CRITERION:
        return "Success metrics" if _attr(m, "quantified") else "Goals still to quantify"
    if kind is ItemKind.PAIN_POINT:
        return "Pain points, in the customer's words"
    if kind is ItemKind.RISK:
        category = _attr(m, "category") or "other"
        return RISK_LABELS.get(category, category.replace("_", " ").capitalize())
    return "Competitors in the calls"


RISK_LABELS = {"integration": "Integration", "data_migration": "Data migration",
               "security_legal": "Security and legal review", "approval": "Internal approval",
               "budget": "Budget", "politics": "Internal politics", "resourcing": "Resourcing",
               "roadmap": "Roadmap expectations", "timeline": "Timeline", "other": "Other risks"}
_COMMITMENT_GROUPS = ["What we promised", "What the customer committed to", "Commitments without an owner"]
_GROUP_ORDER: dict[ItemKind, list[str]] = {
    ItemKind.STAKEHOLDER: [label for _, label in ROLE_GROUPS],
    ItemKind.COMMITMENT: _COMMITMENT_GROUPS,
    ItemKind.SUCCESS_CRITERION: ["Success metrics", "Goals still to quantify"],  # quantified first
}


def _doc_items(items: list[MergedItem], kind: ItemKind, calls: dict[str, str]) -> list[DocumentItem]:
    chosen = _live(items, kind)  # rejected items are left out, as in completeness
    order = _GROUP_ORDER.get(kind, [])
    chosen.sort(key=lambda m: (order.index(_group(m)) if _group(m) in order else len(order), _group(m)))
    return [DocumentItem(item_id=m.item_id, item=m.item, state=m.state, group=_group(m),
                         recording_names={e.recording_id: calls.get(e.recording_id, e.recording_id)
                                          for e in m.item.evidence}) for m in chosen]


def _money(amount: float | None, currency: str) -> str:
    return f"{amount:,.0f} {currency}" if amount else ""


def _context_facts(deal: Deal, items: list[MergedItem], calls: list[dict]) -> tuple[dict[str, str], list[str]]:
    """(facts, the keys that came from the CRM export)."""
    competitors_in_calls = _live(items, ItemKind.COMPETITOR)
    extracted = [str(_attr(m, "name")) for m in competitors_in_calls if _attr(m, "name")]
    dates = sorted(dt.date.fromisoformat(c["call_date"]) for c in calls if c.get("call_date"))
    cycle = ""
    if dates and deal.close_date:
        cycle = f"{(deal.close_date - dates[0]).days} days from the first recorded call ({dates[0]}) " \
                f"to signature, {len(calls)} calls"
    reasons = [f"{_attr(m, 'name') or 'a competitor'}: {_attr(m, 'reason')}" for m in competitors_in_calls
               if _attr(m, "reason") and _attr(m, "outcome") in ("chosen_against", "evaluated")]
    crm = {
        "Account": deal.account, "Industry": deal.industry, "Segment": deal.segment,
        "Stage": deal.stage.replace("_", " "), "Origin": deal.origin,
        "Signature date": str(deal.close_date or ""),
        "Amount": _money(deal.amount, deal.currency),
        "Contract term": f"{deal.contract_term_months} months" if deal.contract_term_months else "",
        "Renewal date": str(deal.renewal_date or ""), "Discount": deal.discount,
        "Scope": ", ".join(deal.scope), "Competitors (CRM)": ", ".join(deal.competitors),
        "Why we won (CRM)": deal.win_reason,
        "Account executive": deal.ae_name, "CSM": deal.csm_name,
    }
    from_calls = {
        "Sales cycle": cycle,
        "Competitors named in the calls": ", ".join(dict.fromkeys(c for c in extracted if c not in deal.competitors)),
        "Why we won (calls)": "; ".join(reasons),
    }
    facts = {k: v for k, v in {**crm, **from_calls}.items() if v}
    return facts, [k for k in crm if k in facts]


def _action_plan(deal: Deal, items: list[MergedItem]) -> dict[str, str]:
    commitments = _live(items, ItemKind.COMMITMENT)
    start = deal.close_date or dt.date.today()
    dated = sorted((m for m in commitments if _attr(m, "due_date")), key=lambda m: _attr(m, "due_date"))
    first_30 = [m for m in dated if _attr(m, "side") == "vendor"
                and dt.date.fromisoformat(_attr(m, "due_date")) <= start + dt.timedelta(days=30)]
    undated = [m for m in commitments if _attr(m, "side") == "vendor" and not _attr(m, "due_date")
               and not _attr(m, "vague") and _attr(m, "type") != "promise"]
    customer = [m for m in commitments if _attr(m, "side") == "customer"]
    risks = _live(items, ItemKind.RISK)
    plan = {
        "First-30-day priorities": "; ".join(f"{m.item.text} ({_attr(m, 'owner') or 'owner?'}, "
                                             f"{_attr(m, 'due_date')})" for m in first_30),
        "Vendor actions still without a date": "; ".join(f"{m.item.text} ({_attr(m, 'owner') or 'owner?'})"
                                                        for m in undated),
        "Customer responsibilities": "; ".join(f"{m.item.text} ({_attr(m, 'owner') or 'owner?'}"
                                               f"{', ' + _attr(m, 'due_date') if _attr(m, 'due_date') else ''})"
                                               for m in customer),
        "First milestone": f"{dated[0].item.text} ({_attr(dated[0], 'owner') or 'owner?'}) — "
                           f"{_attr(dated[0], 'due_date')}" if dated else "",
        "Risks to clear early": "; ".join(f"{m.item.text} ({RISK_LABELS.get(_attr(m, 'category'), 'other').lower()}"
                                          f"{', ' + _attr(m, 'owner') if _attr(m, 'owner') else ''})"
                                          for m in risks[:5]),
        "Vague promises to reset": "; ".join(m.item.text for m in commitments if _attr(m, "vague")),
    }
    return {k: v for k, v in plan.items() if v}


def _call_index(items: list[MergedItem], calls: list[dict]) -> list[dict]:
    """Each call with every live piece of evidence in it, by time: the links CS clicks."""
    index = []
    for c in calls:
        evidence = sorted(
            ({"item_id": m.item_id, "kind": m.item.kind.value, "text": e.quote, "start": e.start}
             for m in items if m.state is not ItemState.REJECTED
             for e in m.item.evidence if e.recording_id == c["recording_id"]),
            key=lambda e: e["start"])
        index.append({**{k: v for k, v in c.items() if k != "path"}, "evidence": evidence})
    return index


def draft_document(deal: Deal, items: list[MergedItem], calls: list[dict],
                   required: list[str] | None = None,
                   resolutions: dict[str, tuple[str, str]] | None = None) -> HandoffDocument:
    """The handoff document for one deal (a draft until the AE confirms it).

    `resolutions` (field -> (answer|waiver, text)) are the AE's replies to missing
    fields: an answer fills the field, a waiver does not (completeness stays honest)
    but lets the document be confirmed.
    """
    names = {c["recording_id"]: c["file_name"] for c in calls}
    by_key = {
        "goals": _doc_items(items, ItemKind.SUCCESS_CRITERION, names) + _doc_items(items, ItemKind.PAIN_POINT, names),
        "context": _doc_items(items, ItemKind.COMPETITOR, names),
        "stakeholders": _doc_items(items, ItemKind.STAKEHOLDER, names),
        "commitments": _doc_items(items, ItemKind.COMMITMENT, names),
        "risks": _doc_items(items, ItemKind.RISK, names),
    }
    context, crm_keys = _context_facts(deal, items, calls)
    facts = {"context": context, "action_plan": _action_plan(deal, items),
             "calls": {c["file_name"]: f"{c['call_date']} · {c['duration'] / 60:.1f} min" for c in calls}}
    sections = [Section(key=k, title=t, items=by_key.get(k, []), facts=facts.get(k, {}),
                        crm_facts=crm_keys if k == "context" else [])
                for k, t in SECTIONS]
    checks = required_fields(required)
    resolutions = resolutions or {}
    unfilled = [MissingField(field=f, question=q, resolution=resolutions.get(f, ("", ""))[0],
                             text=resolutions.get(f, ("", ""))[1])
                for f, (check, q) in checks.items() if not check(deal, items)]
    not_answered = sum(m.resolution != "answer" for m in unfilled)
    completeness = round(1 - not_answered / len(checks), 3) if checks else 1.0
    return HandoffDocument(deal=deal, generated=dt.datetime.now(dt.UTC), sections=sections,
                           completeness=completeness, missing=[m for m in unfilled if not m.resolution],
                           resolved=[m for m in unfilled if m.resolution], calls=_call_index(items, calls))
