"""Pain-point attributes: the quantified cost, and how sharply it is felt."""

from __future__ import annotations

import re

_SEVERE = re.compile(r"\b(kills? us|nightmare|killing|drowning|painful|huge|massive|brutal|"
                     r"terrible|awful|can't keep|breaking|every single|constantly|always)\b", re.I)


def pain_attributes(sent) -> dict:
    costs = [e.text for e in sent.ents if e.label_ in ("MONEY", "PERCENT", "QUANTITY", "TIME")
             or (e.label_ in ("DATE", "CARDINAL") and re.search(r"\d|\b\w+\s+(days?|hours?|weeks?)", e.text))]
    return {"cost": costs[0] if costs else None,
            "severity": "high" if _SEVERE.search(sent.text) else "normal"}
