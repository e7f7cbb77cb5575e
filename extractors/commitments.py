"""Commitment attributes: owner, side, firmness, action, due date, vagueness.

The classifier decides *that* a turn holds a promise; this module reads the
sentence's grammar (spaCy's dependency parse) to say who owes what by when.
"""

from __future__ import annotations

import datetime as dt
import re

from extractors.dates import find_due
from extractors.vague import THRESHOLD as VAGUE_THRESHOLD
from models import Side

# Hedges that make a promise tentative rather than firm.
TENTATIVE = re.compile(r"\b(could|might|may|maybe|perhaps|probably|possibly|try|hopefully|should|"
                       r"we'll see|look into|see if|think about|ideally|aim to)\b", re.I)
# Brochure language: promises with no concrete action behind them.
BROCHURE = re.compile(r"\b(seamless(ly)?|effortless(ly)?|it just works|out of the box|plug and play|"
                      r"no[- ]brainer|best[- ]in[- ]class|world[- ]class|painless|hassle[- ]free|"
                      r"zero (effort|downtime|disruption)|fully automated|magic(al)?|turnkey|"
                      r"won't have to (do|lift|worry about) (anything|a thing)|super easy|totally easy)\b", re.I)
CONCRETE = re.compile(r"\d|\b(send|share|set up|configure|schedule|deliver|provide|email|book|"
                       r"review|sign|call|loop in|introduce|migrate|build|train|get you)\b", re.I)
_VENDOR_PRONOUNS = {"i", "we", "our", "us", "my"}


def _subject_and_verb(sent) -> tuple[object | None, object | None]:
    """The subject token and main verb of the first clause that promises something."""
    for tok in sent:
        if tok.dep_ in ("nsubj", "nsubjpass") and tok.head.pos_ in ("VERB", "AUX"):
            return tok, tok.head
    return None, None


def _owned_by_listener(subject) -> bool:
    """The subject is the listener's own people ("your team", "your engineers")."""
    return any(c.dep_ == "poss" and c.lower_ == "your" for c in subject.children)


def _action(verb) -> str | None:
    if verb is None:
        return None
    words = [t for t in verb.subtree if t.dep_ not in ("nsubj", "nsubjpass", "aux", "intj", "punct")
             and t.i >= verb.i]
    text = " ".join(t.text for t in words)
    return text[:160] if text else None


def _other(side: Side) -> Side:
    return Side.CUSTOMER if side is Side.VENDOR else Side.VENDOR


def commitment_attributes(sent, speaker: str, side: Side, call_date: dt.date | None,
                          people: list[str], turn_text: str | None = None,
                          customers: list[str] | None = None, vague_score: float | None = None) -> dict:
    """Attributes for a commitment stated in spaCy sentence `sent`.

    The side is the promiser's, not the speaker's: a rep's recap says "Dana will send the export"
    or "your team will install the scanners" for the customer (`customers`: the customer-side
    people of the call).

    Vagueness is read over the whole turn (`turn_text`): the quote is the one sentence that
    carries the promise best, while the brochure language ("it just works") or the concrete
    step that makes it not vague ("I'll send the runbook") is often in the next sentence.
    `vague_score`: the learned model's reading of the turn (extractors/vague.py); without it,
    the word list decides."""
    text = sent.text
    subject_token, verb = _subject_and_verb(sent)
    owner, owner_side = speaker, side
    if subject_token is not None:
        subject, low = subject_token.text, subject_token.lower_
        if _owned_by_listener(subject_token):  # "your team will...", "your engineers will..."
            owner, owner_side = "customer" if side is Side.VENDOR else "vendor", _other(side)
        elif low == "we":
            owner = f"{speaker}'s team" if speaker else side.value
        elif low not in _VENDOR_PRONOUNS | {"you", "it", "that", "this", "they", "he", "she"}:
            named = next((p for p in people if low in p.lower().split() or low == p.lower()), None)
            if named or subject[:1].isupper():
                owner = named or subject
            if named and side is Side.VENDOR and named in (customers or []):
                owner_side = Side.CUSTOMER
        elif low == "you":
            # "you'll have it by Friday" from the rep is still the vendor's promise;
            # "you send us the file" is the other side's task.
            # ...but "you'll get us the export" is the listener's task.
            receives = verb is not None and verb.lemma_ in ("have", "get", "see", "be") and not any(
                c.dep_ == "dative" and c.lower_ in ("us", "me") for c in verb.children)
            owner_side = side if receives else _other(side)
            owner = "customer" if owner_side is Side.CUSTOMER else owner
    ents = [e.text for e in sent.ents if e.label_ in ("DATE", "TIME")]
    due, due_date = find_due(text, call_date, ents) if call_date else (None, None)
    whole = turn_text or text
    if vague_score is None:
        vague = bool(BROCHURE.search(whole)) and not (due or CONCRETE.search(whole))
    else:
        vague = vague_score >= VAGUE_THRESHOLD and not due
    return {
        "owner": owner, "side": owner_side.value, "firm": not TENTATIVE.search(text),
        "type": "promise" if vague or (verb is not None and verb.lemma_ in ("be", "have", "work")) else "action",
        "action": _action(verb), "due": due,
        "due_date": due_date.isoformat() if due_date else None, "vague": vague,
    }
