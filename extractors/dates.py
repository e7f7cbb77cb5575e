"""Resolving spoken due dates ("by Friday", "end of Q3", "within 30 days")
against the date of the call.

dateparser does the general work; the phrases sales calls lean on that it
does not know (quarters, "end of next week", "within N days", number words)
are handled first.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

import dateparser

_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14,
            "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45,
            "fifty": 50, "sixty": 60, "ninety": 90, "couple of": 2, "few": 3}
_WEEKDAYS = [d.lower() for d in calendar.day_name]
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m} | \
    {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m} | {"sept": 9}
_ORDINAL_WEEK = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3}
_MONTH_WORD = r"(?:january|february|march|april|may|june|july|august|september|october|november|december|" \
              r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)"
_UNIT_DAYS = {"day": 1, "business day": 1.4, "week": 7, "month": 30.44, "year": 365.25}
# Days of the month as said ("the fifteenth", "the twenty-seventh"): read as "15th", "27th".
_UNITS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
_ORDINALS = {w: n for n, w in enumerate(_UNITS + ["tenth", "eleventh", "twelfth", "thirteenth", "fourteenth",
                                                  "fifteenth", "sixteenth", "seventeenth", "eighteenth",
                                                  "nineteenth", "twentieth"], 1)} | \
    {f"twenty {w}": 21 + n for n, w in enumerate(_UNITS)} | {"thirtieth": 30, "thirty first": 31}
_ORDINAL_DAY = r"(?:(?:twenty|thirty)[- ]?)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)" \
               r"|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth" \
               r"|nineteenth|twentieth|thirtieth"
# A day of the month alone ("the 3rd", "the third") follows a deadline word, and a spelled one
# also ends the phrase: "by the third." or "on the fourteenth so...", never "the third option",
# "the first is monthly billing" or "the 2nd draft".
_DAY_BEFORE = r"(?:by|before|on|until|till|after|from|starting|no later than)\s+"
_PHRASE_ENDS = r"(?=\s*(?:$|[.,;:!?)]|(?:for|so|if|at|then|or|but|when|because|please|okay|latest|morning|" \
               r"afternoon|evening|which)\b))"
# "may" before an ordinal is mostly the verb ("we may first need legal"): not a month there.
_MONTH_NOT_MAY = _MONTH_WORD.replace("may|", "")

# Phrases worth resolving, found in text even when NER misses them (ASR lower-case).
DUE_PATTERN = re.compile(
    r"\b(?:(?:by|before|on|until|no later than|end of|eod|within|in the next|in|over the next|next)\s+)?"
    r"(?:(?:the\s+)?end\s+of\s+(?:the\s+)?(?:this\s+|next\s+)?(?:week|month|quarter|year|day|q[1-4])"
    r"|q[1-4]|(?:\w+[- ]?)?\w+\s+(?:business\s+)?(?:days?|weeks?|months?)(?:\s+of\s+\w+)?"
    r"|(?:next\s+|this\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|month)"
    r"|tomorrow|tonight|today|eod|end of day"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?"
    rf"|(?:the\s+)?(?:(?:first|second|third|fourth|last|1st|2nd|3rd|4th)\s+week|end|middle)\s+of\s+{_MONTH_WORD}"
    rf"|(?:early|mid|late)[- ]{_MONTH_WORD}"
    rf"|the\s+(?:\d{{1,2}}(?:st|nd|rd|th)|{_ORDINAL_DAY})\s+of\s+(?:the\s+month|{_MONTH_WORD})"
    rf"|{_DAY_BEFORE}the\s+\d{{1,2}}(?:st|nd|rd|th)(?![\w-])"
    rf"|{_MONTH_NOT_MAY}\s+(?:the\s+)?(?:{_ORDINAL_DAY})"
    rf"|{_DAY_BEFORE}the\s+(?:{_ORDINAL_DAY}){_PHRASE_ENDS})\b", re.I)


def _number(word: str) -> float | None:
    word = word.lower().strip()
    if word.isdigit():
        return float(word)
    return _NUMBERS.get(word)


def _day(ordinal: str) -> str:
    """'fifteenth' -> '15th', 'twenty seventh' -> '27th': the form dateparser reads."""
    n = _ORDINALS.get(re.sub(r"^(twenty|thirty) ?", r"\1 ", ordinal.lower()))
    if n is None:
        return ordinal
    return f"{n}{'th' if 10 < n < 14 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _day_of_month(p: str, base: dt.date) -> dt.date | None:
    """'the 3rd', 'the 15th of april', 'april 3rd': the next such day. dateparser reads a bare
    '3rd' (1st-12th) as a month and gave March of next year for "by the 3rd"."""
    m = re.fullmatch(rf"(?:the )?(\d{{1,2}})(?:st|nd|rd|th)(?: of (?:the month|({_MONTH_WORD})))?", p)
    day, month = (int(m.group(1)), m.group(2)) if m else (None, None)
    if m is None:
        m = re.fullmatch(rf"({_MONTH_WORD})\.? (?:the )?(\d{{1,2}})(?:st|nd|rd|th)?", p)
        if m is None:
            return None
        day, month = int(m.group(2)), m.group(1)
    if not 1 <= day <= 31:
        return None
    # The next month (of that name, when one is said) that has the day and has not passed:
    # "the 31st" said on 5 September is 31 October; "the 31st of September" is no date.
    months = [(base.year + (base.month - 1 + k) // 12, (base.month - 1 + k) % 12 + 1) for k in range(60)]
    return next((dt.date(y, m, day) for y, m in months
                 if (not month or m == _MONTHS[month]) and day <= calendar.monthrange(y, m)[1]
                 and dt.date(y, m, day) >= base), None)


def _quarter_end(q: int, base: dt.date) -> dt.date:
    year = base.year
    end = dt.date(year, 3 * q, calendar.monthrange(year, 3 * q)[1])
    return end if end >= base else dt.date(year + 1, 3 * q, calendar.monthrange(year + 1, 3 * q)[1])


def _month_end(d: dt.date) -> dt.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _next_month(month: int, base: dt.date) -> dt.date:
    """The first day of the next `month` that has not fully passed."""
    first = dt.date(base.year, month, 1)
    return first if _month_end(first) >= base else dt.date(base.year + 1, month, 1)


def _within_month(p: str, base: dt.date) -> dt.date | None:
    """'first week of March' (its Friday), 'mid May' (the 15th), 'end of June', 'early July' (the 7th)."""
    m = re.search(rf"(?:(\w+) week of|(end|middle) of|(early|mid|late))\s+({_MONTH_WORD})\b", p)
    if not m:
        return None
    first = _next_month(_MONTHS[m.group(4)], base)
    if m.group(1):
        if m.group(1) == "last":
            end = _month_end(first)
            return end - dt.timedelta(days=(end.weekday() - 4) % 7)
        if m.group(1) not in _ORDINAL_WEEK:
            return None
        monday = first - dt.timedelta(days=first.weekday()) + dt.timedelta(weeks=_ORDINAL_WEEK[m.group(1)])
        return max(monday + dt.timedelta(days=4), first)
    where = m.group(2) or m.group(3)
    if where in ("end", "late"):
        return _month_end(first)
    return first.replace(day=15 if where in ("middle", "mid") else 7)


def resolve_due(phrase: str, base: dt.date) -> dt.date | None:
    """The calendar date a spoken deadline means, or None when it names none."""
    p = " ".join(phrase.lower().replace("-", " ").split())
    p = re.sub(r"^(by|before|on|until|no later than|sometime)\s+", "", p)
    p = re.sub(rf"\b(?:{_ORDINAL_DAY.replace('[- ]?', ' ?')})\b", lambda m: _day(m.group(0)), p)
    if (within := _within_month(p, base)) is not None:
        return within
    if (day := _day_of_month(p, base)) is not None:
        return day
    if m := re.search(r"\bq([1-4])\b", p):
        return _quarter_end(int(m.group(1)), base)
    if m := re.search(r"(?:within|in|over)\s+(?:the\s+)?(?:next\s+)?(\w+(?:\s+of)?)\s+(business day|day|week|month|year)s?", p):
        n = _number(m.group(1).replace(" of", ""))
        if n is not None:
            return base + dt.timedelta(days=round(n * _UNIT_DAYS[m.group(2)]))
    if "end of" in p or p in {"eod", "end of day", "tonight", "today"}:
        if "day" in p or p in {"eod", "tonight", "today"}:
            return base
        nxt = "next" in p
        if "week" in p:
            friday = base + dt.timedelta(days=(4 - base.weekday()) % 7)
            return friday + dt.timedelta(days=7 if nxt else 0)
        if "month" in p:
            d = _month_end(base)
            return _month_end(d + dt.timedelta(days=1)) if nxt else d
        if "quarter" in p:
            q = (base.month - 1) // 3 + 1 + (1 if nxt else 0)
            return _quarter_end(q if q <= 4 else 1, base)
        if "year" in p:
            return dt.date(base.year + (1 if nxt else 0), 12, 31)
    for i, day in enumerate(_WEEKDAYS):
        if re.search(rf"\b{day}\b", p):
            ahead = (i - base.weekday()) % 7 or 7
            if p.startswith("next ") and ahead < 7 and base.weekday() < i:
                ahead += 7
            return base + dt.timedelta(days=ahead)
    if p in {"next week"}:
        return base + dt.timedelta(days=7)
    parsed = dateparser.parse(p, languages=["en"], settings={
        "RELATIVE_BASE": dt.datetime.combine(base, dt.time()), "PREFER_DATES_FROM": "future",
        "REQUIRE_PARTS": []})
    return parsed.date() if parsed else None


def find_due(text: str, base: dt.date, ent_phrases: list[str] | None = None) -> tuple[str | None, dt.date | None]:
    """First deadline phrase in `text` (NER's DATE spans first) and its date."""
    spans = [m.group(0) for m in DUE_PATTERN.finditer(text)]
    # NER's span first, widened to the pattern's span that contains it
    # ("next week" inside "end of next week").
    widened = [next((s for s in spans if e.lower() in s.lower() and len(s) > len(e)), e)
               for e in ent_phrases or []]
    candidates = widened + spans
    for phrase in candidates:
        try:
            date = resolve_due(phrase, base)
        except (ValueError, OverflowError):
            continue
        if date is not None and date >= base:
            return phrase.strip(), date
    return None, None
