"""Competitor attributes: which product, and how it fared."""

from __future__ import annotations

import re

_OUTCOME = [
    (re.compile(r"\b(we('re| are) on|we use|currently (use|using|on)|today we|our current)\b", re.I), "incumbent"),
    (re.compile(r"\b(too (expensive|complex|much)|overkill|didn't|did not|couldn't|ruled out|"
                r"passed on|dropped|not a fit|clunky|walked away)\b", re.I), "chosen_against"),
    (re.compile(r"\b(looked at|evaluat|demo(ed)?|talk(ed|ing) to|compar|quoted?|also considering)\b", re.I), "evaluated"),
]


def competitor_attributes(sent, known: list[str], exclude: list[str]) -> dict:
    text = sent.text
    name = next((c for c in known if re.search(rf"\b{re.escape(c)}\b", text, re.I)), None)
    if name is None:
        # Known people and our own names are never the competitor ("Dana" is the customer).
        skip = {w.lower() for e in exclude if e for w in [e, *e.split()]}
        orgs = [e.text for e in sent.ents if e.label_ in ("ORG", "PRODUCT", "WORK_OF_ART")
                and e.text.lower() not in skip and not re.fullmatch(r"[A-Z]{2,4}", e.text)]
        name = orgs[0] if orgs else None
    outcome = next((label for pattern, label in _OUTCOME if pattern.search(text)), "other")
    reason = None
    if m := re.search(r"\b(because|since|but|too)\b(.{3,120})", text, re.I):
        reason = (m.group(1) + m.group(2)).strip(" .,")
    return {"name": name, "outcome": outcome, "reason": reason}
