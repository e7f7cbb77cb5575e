"""Success-criterion attributes: metric, baseline, target, timeframe, quantified."""

from __future__ import annotations

import re

_FROM_TO = re.compile(r"\bfrom\s+(?P<base>[\w$%.,\- ]{1,30}?)\s+(?:down |up )?to\s+(?P<target>[\w$%.,\- ]{1,30}?)(?=[\s,.;]|$)", re.I)
_TARGET = re.compile(r"\b(?:to|under|below|above|over|at least|at most|less than|more than|"
                     r"by|hit|reach|get (?:it )?(?:down |up )?to)\s+(?P<target>(?:about |around )?"
                     r"[$]?\d[\d,.]*\s*(?:%|percent|k|m|x|days?|hours?|minutes?|weeks?)?)", re.I)
_NUMBERISH = re.compile(r"\d|\b(half|double|twice|triple|one|two|three|four|five|six|seven|eight|nine|"
                        r"ten|twenty|thirty|fifty|hundred|percent)\b", re.I)
_VALIDATOR = re.compile(r"\b(?P<who>[A-Z][a-z]+(?: [A-Z][a-z]+)?|our (?:cfo|ceo|coo|cio|board|vp \w+|"
                        r"director|controller|leadership))\b[^.]{0,30}\b(?:will )?(?:sign off|judge|measure|"
                        r"validate|decide|look at)", re.I)


def criterion_attributes(sent) -> dict:
    text = sent.text
    metric = None
    for chunk in sent.noun_chunks:
        if chunk.root.dep_ in ("dobj", "nsubj", "nsubjpass", "pobj") and chunk.root.pos_ == "NOUN" \
                and chunk.root.lemma_ not in ("thing", "way", "lot", "win", "success", "goal"):
            metric = chunk.text
            break
    baseline = target = None
    if m := _FROM_TO.search(text):
        baseline, target = m["base"].strip(), m["target"].strip()
    elif m := _TARGET.search(text):
        target = m["target"].strip()
    timeframe = next((e.text for e in sent.ents if e.label_ == "DATE"), None)
    if timeframe is None and (m := re.search(r"\b(?:within|in|by|after)\s+(?:the first\s+)?"
                                             r"(\w+\s+(?:days?|weeks?|months?)|q[1-4]|year end)", text, re.I)):
        timeframe = m.group(0)
    quantified = any(e.label_ in ("PERCENT", "MONEY", "CARDINAL", "QUANTITY") for e in sent.ents) \
        or bool(target and _NUMBERISH.search(target))
    validator = _VALIDATOR.search(text)
    return {"metric": metric, "baseline": baseline, "target": target, "timeframe": timeframe,
            "quantified": quantified, "validated_by": validator["who"] if validator else None}
