"""Deal metadata from a CRM export: `deals.csv` or `deals.json` in the inbox.

CRMs name their columns differently ("Opportunity ID", "Close Date",
"dealstage", "Deal Owner"), so headers are normalised (case, spaces,
punctuation) and looked up in `ALIASES`. JSON may be a list of deals, an
object with a `deals` list, or HubSpot-style records (`{"id", "properties"}`).
A bad record costs that deal only: its reason is reported and the rest load.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import dateparser
from dateutil.relativedelta import relativedelta

from models import Deal
from models.deal import CLOSED_WON

DEAL_FILES = ("deals.csv", "deals.json")

# our field -> header names CRM exports use for it (normalised: lower case, "_" between words)
ALIASES: dict[str, tuple[str, ...]] = {
    "deal_id": ("deal_id", "id", "opportunity_id", "record_id", "hs_object_id", "deal"),
    "account": ("account", "account_name", "company", "company_name", "customer", "dealname"),
    "industry": ("industry",),
    "segment": ("segment", "customer_segment", "market_segment"),
    "amount": ("amount", "deal_value", "acv", "total_contract_value", "tcv", "value"),
    "currency": ("currency", "currency_code", "deal_currency_code", "currencyisocode"),
    "stage": ("stage", "deal_stage", "dealstage", "stage_name", "stagename"),
    "close_date": ("close_date", "closedate", "signature_date", "signed_date", "closed_date"),
    "contract_term_months": ("contract_term_months", "contract_term", "term_months", "term"),
    "renewal_date": ("renewal_date", "renewal"),
    "origin": ("origin", "lead_source", "leadsource", "deal_source", "source"),
    "ae_name": ("ae_name", "ae", "account_executive", "deal_owner", "opportunity_owner", "owner",
                "owner_name"),
    "ae_email": ("ae_email", "owner_email"),
    "csm_name": ("csm_name", "csm", "customer_success_manager"),
    "competitors": ("competitors", "competitor", "primary_competitor"),
    "discount": ("discount", "discounts", "discount_percent"),
    "scope": ("scope", "products", "line_items", "modules"),
    "win_reason": ("win_reason", "closed_won_reason", "reason_won", "win_loss_reason"),
    "recordings": ("recordings", "calls", "call_files"),
}
_LOOKUP = {alias: field for field, names in ALIASES.items() for alias in names}
_WON = {"closed_won", "closedwon", "won", "closed_won_", "closed_and_won"}


def normalise_header(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


class CRMError(ValueError):
    """One deal record that cannot be read; the message names the field."""


def load_deals(inbox: Path, problems: list[str] | None = None) -> dict[str, Deal]:
    """Deals from `deals.csv` and/or `deals.json` (JSON wins for an id in both).

    A bad record raises, unless `problems` is given: then it is skipped and its
    reason appended there, so one typo in a CRM export costs one deal.
    """
    deals: dict[str, Deal] = {}
    for name in DEAL_FILES:
        path = inbox / name
        if not path.exists():
            continue
        try:
            records = _csv_records(path) if name.endswith(".csv") else _json_records(path)
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            message = f"{name}: cannot be read ({str(exc).splitlines()[0]})"
            if problems is None:
                raise CRMError(message) from exc
            problems.append(message)
            continue
        for where, record in records:
            try:
                deal = to_deal(record, source=name)
            except (CRMError, ValueError) as exc:
                message = f"{name} {where}: {str(exc).splitlines()[0]}"
                if problems is None:
                    raise CRMError(message) from exc
                problems.append(message)
                continue
            deals[deal.deal_id] = deal
    return deals


def _csv_records(path: Path) -> list[tuple[str, dict[str, Any]]]:
    with path.open(newline="", encoding="utf-8-sig") as f:  # -sig: Excel's byte-order mark
        return [(f"line {n}", {k: v for k, v in row.items() if k})
                for n, row in enumerate(csv.DictReader(f), start=2)]


def _json_records(path: Path) -> list[tuple[str, dict[str, Any]]]:
    data = json.loads(path.read_text(encoding="utf-8-sig"))
    if isinstance(data, dict):
        data = data.get("deals", data.get("results", data.get("records")))
    if not isinstance(data, list):
        raise ValueError("expected a list of deals, or an object with a 'deals' list")
    records = []
    for n, entry in enumerate(data, start=1):
        if not isinstance(entry, dict):
            records.append((f"record {n}", {}))
            continue
        flat = {k: v for k, v in entry.items() if k != "properties"}
        if isinstance(entry.get("properties"), dict):  # HubSpot: {"id": .., "properties": {..}}
            flat = {**entry["properties"], **flat}
        records.append((f"record {n}", flat))
    return records


def _fields(record: dict[str, Any]) -> dict[str, Any]:
    """Our field names for a record's keys; the first alias present wins."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        field = _LOOKUP.get(normalise_header(str(key)))
        if field and field not in out and value not in (None, ""):
            out[field] = value.strip() if isinstance(value, str) else value
    return out


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _list(value: Any) -> list[str]:
    """A list from JSON, or "A;B" / "A|B" in a CSV cell (commas live inside names)."""
    if isinstance(value, list):
        return [_text(v) for v in value if _text(v)]
    return [v.strip() for v in re.split(r"[;|]", _text(value)) if v.strip()]


def number(value: Any) -> float | None:
    """CRM amounts come as 45000, "45,000", "$45,000.00" or "45000 USD"."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    cleaned = re.sub(r"[^\d.\-]", "", _text(value))
    if not cleaned:
        if _text(value):
            raise CRMError(f"not a number: {value!r}")
        return None
    try:
        return float(cleaned)
    except ValueError as exc:
        raise CRMError(f"not a number: {value!r}") from exc


def months(value: Any) -> int | None:
    """Contract term in months: 24, "24", "24 months", "2 years"."""
    amount = number(value)
    if amount is None:
        return None
    return int(round(amount * 12)) if re.search(r"\by(ea)?rs?\b", _text(value).lower()) else int(amount)


def date(value: Any) -> dt.date | None:
    """ISO dates and timestamps, epoch milliseconds (HubSpot), or what dateparser reads
    ("Sep 10, 2026", "10 September 2026"); slashed dates are read month first, as US CRMs write them."""
    if value is None or _text(value) == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value / 1000 if value > 1e11 else value, dt.UTC).date()
    text = _text(value)
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    parsed = dateparser.parse(text, languages=["en"],
                              settings={"DATE_ORDER": "MDY", "STRICT_PARSING": True})
    if parsed is None:
        raise CRMError(f"not a date: {text!r}")
    return parsed.date()


def stage(value: Any) -> str:
    """Stage names vary ("Closed Won", "closedwon", "Won"); closed-won is one value."""
    text = normalise_header(_text(value))
    return CLOSED_WON if text in _WON else text


def to_deal(record: dict[str, Any], source: str = "") -> Deal:
    f = _fields(record)
    if not _text(f.get("deal_id")):
        raise CRMError("no deal id")
    close = date(f.get("close_date"))
    term = months(f.get("contract_term_months"))
    renewal = date(f.get("renewal_date"))
    if renewal is None and close and term:
        renewal = close + relativedelta(months=term)  # derived, not read: the term runs from signature
    return Deal(
        deal_id=_text(f["deal_id"]), account=_text(f.get("account")),
        industry=_text(f.get("industry")), segment=_text(f.get("segment")),
        amount=number(f.get("amount")), currency=_text(f.get("currency")).upper() or "USD",
        stage=stage(f.get("stage")), close_date=close, contract_term_months=term,
        renewal_date=renewal, origin=_text(f.get("origin")), ae_name=_text(f.get("ae_name")),
        ae_email=_text(f.get("ae_email")), csm_name=_text(f.get("csm_name")),
        competitors=_list(f.get("competitors")), recordings=_list(f.get("recordings")),
        discount=_text(f.get("discount")), scope=_list(f.get("scope")),
        win_reason=_text(f.get("win_reason")), crm_file=source,
    )
