"""Scoring extracted items against gold labels (what a careful analyst would extract).

An extracted item matches a gold item of the same kind when at least 60% of
the shorter quote's words are in the longer one (ASR changes a few words;
a quote may be a whole turn or one sentence of it). Matching is one-to-one.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from models import Item, ItemKind, Transcript

if TYPE_CHECKING:
    from pipeline.settings import Settings

MIN_OVERLAP = 0.6
_PUNCT = re.compile(r"[^\w\s'%$]")


def reference_for(recording: Path) -> dict | None:
    """The reference transcript of a recording: `reference/<name>.json` beside it, or a
    `<name>.ref.json` (a stereo test file shares its mono twin's)."""
    for candidate in (recording.parent / "reference" / f"{recording.stem}.json",
                      recording.with_name(f"{recording.stem.split('-stereo')[0]}-call.ref.json"),
                      recording.with_suffix(".ref.json")):
        if candidate.exists():
            return json.loads(candidate.read_text())
    return None


def normalise(text: str) -> str:
    """Lower case, punctuation dropped: what word error rate is computed on."""
    return " ".join(_PUNCT.sub(" ", text.lower()).split())


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9']+", text.lower()))


def overlap(gold_quote: str, found_quote: str) -> float:
    """Share of the shorter quote's distinct words that the longer one contains."""
    a, b = _words(gold_quote), _words(found_quote)
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    return len(shorter & longer) / len(shorter) if shorter else 0.0


def load_gold(folder: Path) -> dict[str, list[dict]]:
    """call_id -> gold items, from `<call_id>.json` files."""
    return {p.stem: json.loads(p.read_text())["items"] for p in sorted(folder.glob("*.json"))}


def match(gold: list[dict], found: list[dict], pairs: list | None = None) -> tuple[Counter, Counter, Counter]:
    """Per kind: (gold count, found count, matched count); matched (gold, found) appended to `pairs`."""
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
            if pairs is not None:
                pairs.append((gi, found[best]))
    return g, f, m


# (kind, gold attribute, extracted attribute): what an AE would check on a matched item.
ATTRIBUTES = [("commitment", "side", "side"), ("commitment", "firm", "firm"),
              ("commitment", "vague", "vague"), ("success_criterion", "quantified", "quantified"),
              ("stakeholder", "name", "name"), ("stakeholder", "buying_role", "buying_role"),
              ("competitor", "name", "name")]


def _same_value(gold, found) -> bool:
    """Equal values; text (names, categories) compared without case, spacing and punctuation
    ("nex health" is NexHealth), and a first name counts for a full name."""
    if isinstance(gold, str) and isinstance(found, str):
        def bare(text: str) -> str:
            return re.sub(r"\W", "", text.lower())
        g, f = gold.lower().split(), found.lower().split()
        return bare(gold) == bare(found) or (len(g) > 1 and f == g[:1]) or (len(f) > 1 and g == f[:1])
    return gold == found


def attribute_accuracy(pairs: list[tuple[dict, dict]]) -> list[dict]:
    """Share of matched items whose attribute equals the gold one (names: first or full name)."""
    rows = []
    for kind, gold_key, found_key in ATTRIBUTES:
        checked = [(g["attributes"][gold_key], (f.get("attributes") or {}).get(found_key)) for g, f in pairs
                   if g["kind"] == kind and gold_key in (g.get("attributes") or {})
                   and g["attributes"][gold_key] is not None]
        right = sum(_same_value(gv, fv) for gv, fv in checked)
        rows.append({"attribute": f"{kind}.{gold_key}", "checked": len(checked),
                     "right": right, "accuracy": round(right / len(checked), 2) if checked else None})
    return rows


def _row(kind: str, g: int, f: int, m: int) -> dict:
    p = m / f if f else 0.0
    r = m / g if g else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"kind": kind, "gold": g, "found": f, "matched": m,
            "precision": round(p, 2), "recall": round(r, 2), "f1": round(f1, 2)}


def table(gold: Counter, found: Counter, matched: Counter) -> list[dict]:
    """Per kind, then micro-averaged over all kinds."""
    rows = [_row(k.value, gold[k.value], found[k.value], matched[k.value]) for k in ItemKind]
    rows.append(_row("micro", sum(gold.values()), sum(found.values()), sum(matched.values())))
    return rows


def _ref_at(ref: dict, t: float) -> dict | None:
    for seg in ref["segments"]:
        if seg["start"] - 0.25 <= t <= seg["end"] + 0.25:
            return seg
    return None


def attribution(hyp: Transcript, ref: dict) -> tuple[float, float]:
    """(speaker attribution, role accuracy) over recognised words, by time."""
    pairs = []
    for seg in hyp.segments:
        for w in seg.words or []:
            r = _ref_at(ref, (w.start + w.end) / 2)
            if r:
                pairs.append((seg.speaker, seg.role.value, r["speaker"], r["role"]))
    if not pairs:
        return 0.0, 0.0
    hyp_labels = sorted({p[0] for p in pairs})
    ref_labels = sorted({p[2] for p in pairs})
    counts = Counter((p[0], p[2]) for p in pairs)
    cost = np.array([[-counts[(h, r)] for r in ref_labels] for h in hyp_labels])
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(cost)
    mapping = {hyp_labels[i]: ref_labels[j] for i, j in zip(rows, cols)}
    right = sum(1 for p in pairs if mapping.get(p[0]) == p[2])
    roles = sum(1 for p in pairs if p[1] == p[3])
    return right / len(pairs), roles / len(pairs)


TURN_SECONDS = 4.0


def turns_transcript(turns: list[dict], source: str) -> Transcript:
    """Written turns ({speaker, role, text}) as a transcript: one segment per turn, 4 s each."""
    from models import Segment

    segments = [Segment(start=TURN_SECONDS * i, end=TURN_SECONDS * i + 3.5, speaker=t["speaker"],
                        role=t["role"], text=t["text"]) for i, t in enumerate(turns)]
    return Transcript(duration=TURN_SECONDS * len(segments), segments=segments, source=source)


def turn_of(item: Item) -> int:
    """The turn of a `turns_transcript` an item's evidence starts in."""
    return int(item.primary.start // TURN_SECONDS)


def one_per_turn(items: list[Item]) -> list[Item]:
    """The most confident item of each kind in each turn of a `turns_transcript` (the first on a
    tie: the extractor lists a turn's best sentence first). Gold labelled per turn (the
    development calls: one item per kind and turn, the quote the whole turn) cannot tell two
    items of one turn apart, so a second one would count as a false alarm (the extractor gives
    one commitment per promise sentence of a recap)."""
    best: dict[tuple, Item] = {}
    for item in items:
        key = (item.kind, turn_of(item))
        if key not in best or item.confidence > best[key].confidence:
            best[key] = item
    return list(best.values())


def extracted_per_turn(transcript: Transcript, call_id: str, call_date: dt.date | None,
                       settings: Settings) -> list[dict]:
    """The extractor's items on a labelled call of written turns, one per kind and turn, in the
    form `match` reads: how the development set and the held-out training deals are scored."""
    from extractors.extract import CallContext, extract_items

    ctx = CallContext(recording_id=call_id, call_date=call_date, people=transcript.speakers())
    return [i.contract() for i in one_per_turn(extract_items(transcript, ctx, settings))]


def dev_call(path: Path) -> tuple[Transcript, list[dict], str | None]:
    """A development-set call as a transcript, its gold items (the labelled turns;
    quote = the turn) and its call date."""
    data = json.loads(path.read_text())
    return turns_transcript(data["turns"], path.name), turn_gold(data["turns"]), data.get("call_date")


def turn_gold(turns: list[dict]) -> list[dict]:
    """The gold items of labelled turns: one per label, the quote the whole turn."""
    return [{"kind": kind, "quote": turn["text"], "attributes": (turn.get("attributes") or {}).get(kind, {})}
            for turn in turns for kind in turn.get("labels", [])]
