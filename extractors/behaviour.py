"""Behaviour checks: does the extractor get the judgement calls of the label
guide right on small held-back conversations (`tests/data/heldback_cases.json`)?

Each case is a tiny call and an expectation about one of its turns: that a
promise is the vendor's or the customer's, that a hypothetical is *not* a
commitment, that "by Friday" resolves to the right date, that a brochure promise
is flagged vague, a hedge tentative, a criterion (un)quantified, that one
person mentioned several ways becomes one stakeholder, and that a recap with
several promises gives one commitment per promise. The result is a pass
rate per behaviour, printed by `handoff evaluate --behaviour`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from pathlib import Path

from extractors.extract import CallContext, extract_items
from models import Item, ItemKind
from pipeline.evaluation import MIN_OVERLAP, overlap, turn_of, turns_transcript
from pipeline.settings import Settings


def _at(items: list[Item], turn: int, kind: ItemKind) -> list[Item]:
    return [i for i in items if i.kind is kind and turn_of(i) == turn]


def _same_person(item: Item, name: str, title_words: set[str]) -> bool:
    found = (item.attributes.get("name") or "").lower().split()
    if found:
        return found[0] == name.lower().split()[0]
    title = set((item.attributes.get("title") or "").lower().split())
    return bool(title and title & title_words)


MISSED = "missed"  # the item was not extracted at all (a detection miss, not a wrong attribute)


def check(case: dict, items: list[Item], encoder: str) -> tuple[bool | str, str]:
    """(True | False | MISSED, what was found) for one case."""
    expect, turn = case["expect"], case["target_turn"]
    behaviour = case["behaviour"]
    if behaviour == "not_a_commitment":
        found = _at(items, turn, ItemKind.COMMITMENT)
        return not found, f"{len(found)} commitment(s)"
    if behaviour == "several_commitments":
        return several_promises(expect, _at(items, turn, ItemKind.COMMITMENT))
    if behaviour == "stakeholder_merge":
        from pipeline.aggregate import merge_items

        rows = [(str(n), "suggested", i) for n, i in enumerate(items) if i.kind is ItemKind.STAKEHOLDER]
        merged = merge_items(rows, {}, encoder)
        first_mention = case["turns"][turn]["text"].lower()
        title_words = {w for w in first_mention.replace(",", " ").split() if len(w) > 2}
        people = [m.item for m in merged if _same_person(m.item, expect["name"], title_words)]
        if not people:
            return MISSED, f"no stakeholder item for {expect['name']}"
        if len(people) != 1:
            return False, f"{len(people)} stakeholder items for {expect['name']}"
        attrs = people[0].attributes
        ok = (attrs.get("name") or "").lower() == expect["name"].lower() and \
            attrs.get("buying_role") == expect["buying_role"]
        return ok, f"name {attrs.get('name')!r}, role {attrs.get('buying_role')}"
    kind = ItemKind(expect["kind"])
    found = _at(items, turn, kind)
    if not found:
        return MISSED, f"no {kind.value}"
    attrs = found[0].attributes
    key = {"vendor_vs_customer": "side", "due_date": "due_date", "vague_promise": "vague",
           "tentative_promise": "firm", "quantified_criterion": "quantified"}[behaviour]
    want = expect["due"] if key == "due_date" else expect[key]
    return attrs.get(key) == want, f"{key} {attrs.get(key)!r}, expected {want!r}"


def several_promises(expect: dict, found: list[Item]) -> tuple[bool | str, str]:
    """A turn with several promises: each expected promise sentence is matched one-to-one by an
    item whose quote overlaps it (as in the evaluation), with the promiser's side; passed when
    all are, with their sides, and no item is left over."""
    promises = expect["promises"]
    if not found:
        return MISSED, f"0/{len(promises)} promises, 0 extra, 0 sides right"
    left = list(found)
    matched = sides = 0
    for promise in promises:
        best = max(left, key=lambda i: overlap(promise["quote"], i.primary.quote), default=None)
        if best is not None and overlap(promise["quote"], best.primary.quote) >= MIN_OVERLAP:
            left.remove(best)
            matched += 1
            sides += best.attributes.get("side") == promise["side"]
    passed = matched == len(promises) == sides and not left
    return passed, f"{matched}/{len(promises)} promises, {len(left)} extra, {sides} sides right"


def promise_rates(rows: list[tuple[str, bool | str, str]]) -> tuple[float, float, float]:
    """(recall, precision, side accuracy) over the promises of the several_commitments cases
    whose target turn gave any commitment, read back from `several_promises`' counts."""
    counts = [tuple(map(int, re.findall(r"\d+", found))) for _, passed, found in rows if passed != MISSED]
    matched, expected, extra, sides = (sum(c[k] for c in counts) for k in range(4))
    return matched / max(expected, 1), matched / max(matched + extra, 1), sides / max(matched, 1)


def rates(rows: list[tuple[str, bool | str, str]]) -> tuple[float, float | None]:
    """(share of all cases passed, share passed of the cases where the item was found)."""
    found = [r for r in rows if r[1] != MISSED]
    passed = sum(r[1] is True for r in rows)
    return passed / len(rows), (passed / len(found) if found else None)


def run_cases(path: Path, settings: Settings) -> dict[str, list[tuple[str, bool | str, str]]]:
    """behaviour -> [(case id, True | False | MISSED, what was found)]."""
    results: dict[str, list[tuple[str, bool | str, str]]] = defaultdict(list)
    for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
        transcript = turns_transcript(case["turns"], case["id"])
        ctx = CallContext(recording_id=case["id"], call_date=dt.date.fromisoformat(case["call_date"]),
                          people=transcript.speakers())
        items = extract_items(transcript, ctx, settings)
        passed, found = check(case, items, settings.encoder_model)
        results[case["behaviour"]].append((case["id"], passed, found))
    return dict(results)
