"""Scoring extracted items against gold labels (what a careful analyst would extract).

An extracted item matches a gold item of the same kind when their quotes share
most words (ASR changes a few), so recall survives small transcription errors.
Each gold item is matched at most once.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from models import ItemKind

MIN_OVERLAP = 0.5


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9']+", text.lower()))


def overlap(gold_quote: str, found_quote: str) -> float:
    """Share of the gold quote's words present in the found quote."""
    gold = _words(gold_quote)
    return len(gold & _words(found_quote)) / len(gold) if gold else 0.0


def load_gold(folder: Path) -> dict[str, list[dict]]:
    """call_id -> gold items, from `<call_id>.json` files."""
    return {p.stem: json.loads(p.read_text())["items"] for p in sorted(folder.glob("*.json"))}


def match(gold: list[dict], found: list[dict]) -> tuple[Counter, Counter, Counter]:
    """Per kind: (gold count, found count, matched count)."""
    g, f, m = Counter(), Counter(), Counter()
    used: set[int] = set()
    for item in found:
        f[item["kind"]] += 1
    for gi in gold:
        g[gi["kind"]] += 1
        best, best_score = None, MIN_OVERLAP
        for n, item in enumerate(found):
            if n in used or item["kind"] != gi["kind"]:
                continue
            score = overlap(gi["quote"], item["quote"])
            if score >= best_score:
                best, best_score = n, score
        if best is not None:
            used.add(best)
            m[gi["kind"]] += 1
    return g, f, m


def table(gold: Counter, found: Counter, matched: Counter) -> list[dict]:
    rows = []
    for kind in [k.value for k in ItemKind]:
        p = matched[kind] / found[kind] if found[kind] else 0.0
        r = matched[kind] / gold[kind] if gold[kind] else 0.0
        rows.append({"kind": kind, "gold": gold[kind], "found": found[kind], "matched": matched[kind],
                     "precision": round(p, 2), "recall": round(r, 2)})
    return rows
