"""Success-criterion attributes: metric, baseline, target, timeframe, quantified.

Read from spaCy's parse and entities. A criterion's sentence holds other times and numbers than
its deadline and target ("we're at 60% today, I want 90% by the end of the year"; "month end goes
from three days to one"), so the timeframe is the time said as a deadline or a window (by, before,
within, over the next...), not the first date in the sentence. Quantified: a target with a number,
a percentage or money, or a counted amount (a plain count passes too: "if one dispatcher stops
complaining" reads as quantified). `python -m benchmarks.criteria` measures these rules against
the labelled criteria of the training calls.
"""

from __future__ import annotations

import re

_NUMBER_WORD = (r"zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
                r"thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|half|a hundred")
_AMOUNT = rf"(?:[$]?\d+(?:[.,]\d+)*|(?:{_NUMBER_WORD})(?:[\s-](?:{_NUMBER_WORD}|point|and))*)"
_UNIT = r"(?:\s*(?:%|percent|k|grand|dollars|bucks|x|days?|hours?|minutes?|weeks?|months?|a (?:day|week|month)))?"
# The target runs to its amount: "from eight minutes to under five", "to like half a day".
_FROM_TO = re.compile(r"\bfrom\s+(?P<base>[\w$%.,\- ]{1,30}?)\s+(?:down |up )?to\s+"
                      rf"(?P<target>(?:(?:under|below|over|about|around|like|just|only|maybe)\s+)*(?:a\s+)?{_AMOUNT}{_UNIT})"
                      r"(?![\w-])", re.I)
_TARGET = re.compile(r"\b(?:to|under|below|above|over|at least|at most|less than|more than|no more than|"
                     r"by|hit|reach|get (?:it )?(?:down |up )?to|cut (?:it |that )?by)\s+"
                     rf"(?!(?:19|20)\d\d\b)(?P<target>(?:about |around |like )?{_AMOUNT}{_UNIT})(?![\w-])", re.I)
# "in half", "double it", "zero findings", "every single one": targets without a comparative.
_IMPLICIT = re.compile(rf"\b(?:in half|halve|double|triple|twice as|zero \w+)\b|{_AMOUNT}\s*(?:%|percent\b)", re.I)
_NUMBERISH = re.compile(rf"\d|\b(?:{_NUMBER_WORD}|double|twice|triple|percent)\b", re.I)
_VALIDATOR = re.compile(r"\b(?P<who>[A-Z][a-z]+(?: [A-Z][a-z]+)?|our (?:cfo|ceo|coo|cio|board|vp \w+|"
                        r"director|controller|leadership))\b[^.]{0,30}\b(?:will )?(?:sign off|judge|measure|"
                        r"validate|decide|look at)", re.I)
# A deadline or window: "by the end of the year", "within ninety days", "over the next twelve months",
# "in the first quarter", "by end of q four", "before peak season".
_SEASON = (r"(?:q\s?[1-4]|q (?:one|two|three|four)|year|quarter|month|week|summer|spring|fall|autumn|winter|"
           r"season|peak season|school year|fiscal year|holidays|go[- ]live|launch|renewal|january|february|"
           r"march|april|may|june|july|august|september|october|november|december|day \w+)")
_DEADLINE = re.compile(
    rf"\b(?:by|before|until|no later than)\s+(?:the\s+)?(?:end\s+of\s+)?(?:the\s+)?(?:this\s+|next\s+|"
    rf"first\s+|our\s+)?{_SEASON}\b"
    rf"|\b(?:within|in|over)\s+(?:the\s+)?(?:first|next)\s+(?:{_AMOUNT}\s+)?(?:days?|weeks?|months?|years?|"
    rf"quarters?|{_SEASON})\b"
    rf"|\b(?:within|in)\s+{_AMOUNT}\s+(?:days?|weeks?|months?|years?)\s+(?:of|after|from)\s+(?:go[- ]live|"
    rf"launch|signing|signature|kickoff|rollout)\b", re.I)
# Before a date entity, these make it a deadline or window ("over" only in "over the next...",
# which the pattern above reads: "takes over three weeks" is a measure).
_DEADLINE_WORDS = {"by", "before", "until", "within", "through", "after", "at"}
# Not a timeframe: what is, or was, or happens each period ("today", "last spring", "every day").
_NOT_WHEN = re.compile(r"\b(?:last|ago|yesterday|today|currently|now|every|each|per|daily|weekly|monthly|"
                       r"once|twice)\b", re.I)
# A measured duration ("three days", "forty eight hours"): a target or baseline, not a deadline.
_DURATION = re.compile(rf"(?:{_AMOUNT})\s+(?:business\s+)?(?:days?|hours?|minutes?|weeks?)\b", re.I)
# Nouns that are no metric: quantities, time units, people and vague heads.
_NOT_METRIC = {"thing", "way", "lot", "win", "success", "goal", "day", "week", "month", "year", "hour", "minute",
               "percent", "dollar", "board", "team", "people", "guy", "folk", "bar", "test",
               "measure", "dream", "point", "part", "side"}


def _metric(sent, timeframe: str | None) -> str | None:
    """The noun phrase measured: the object before the subject, never a quantity, a person or
    part of the timeframe ("end" of "by end of q four")."""
    chunks = [c for c in sent.noun_chunks if c.root.pos_ == "NOUN" and c.root.lemma_.lower() not in _NOT_METRIC
              and not (timeframe and c.text in timeframe)
              and not any(t.like_num for t in c) and c.root.ent_type_ not in ("DATE", "TIME", "PERCENT", "MONEY",
                                                                               "CARDINAL", "QUANTITY")]
    for deps in (("dobj", "nsubjpass"), ("nsubj", "pobj", "attr")):
        found = next((c for c in chunks if c.root.dep_ in deps), None)
        if found is not None:
            return found.text
    return None


def _timeframe(sent) -> str | None:
    """The deadline or window said: a date entity after by/within/over..., else the deadline
    pattern, else a date entity that is not a past, present or recurring time."""
    text = sent.text
    dates = [e for e in sent.ents if e.label_ == "DATE"]
    for ent in dates:
        before = ent.doc[ent.start - 1].lower_ if ent.start > 0 else ""
        if before in _DEADLINE_WORDS and not _NOT_WHEN.search(ent.text) and not _DURATION.match(ent.text):
            return f"{before} {ent.text}"
    if m := _DEADLINE.search(text):
        return m.group(0)
    return next((e.text for e in dates if not _NOT_WHEN.search(e.text) and not _DURATION.match(e.text)), None)


def criterion_attributes(sent) -> dict:
    text = sent.text
    baseline = target = None
    if m := _FROM_TO.search(text):
        baseline, target = m["base"].strip(), m["target"].strip()
    elif m := _TARGET.search(text):
        target = m["target"].strip()
    timeframe = _timeframe(sent)
    quantified = bool(target and _NUMBERISH.search(target)) or bool(_IMPLICIT.search(text)) \
        or any(e.label_ in ("PERCENT", "MONEY", "CARDINAL", "QUANTITY") for e in sent.ents)
    validator = _VALIDATOR.search(text)
    return {"metric": _metric(sent, timeframe), "baseline": baseline, "target": target, "timeframe": timeframe,
            "quantified": quantified, "validated_by": validator["who"] if validator else None}
