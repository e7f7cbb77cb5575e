"""Correcting names the recognizer cannot know.

Whisper has never heard "Ledgerly" or "Dana Ruiz"; it writes the nearest
words it knows ("Langerly"). Names from the deal metadata are matched against
capitalised words of the transcript by spelling similarity and put back.
(Whisper's initial prompt would be the usual route, but with tiny.en a prompt
of names made it stop after the first sentence of each window: measured.)
"""

from __future__ import annotations

import difflib
import re

from models import Segment

# High, and only for longer words: a wrong "correction" would corrupt a quote
# that is meant to be verbatim evidence ("Data" must not become "Dana").
MIN_SIMILARITY = 0.85
MIN_LENGTH = 5
_WORD = re.compile(r"[A-Z][\w'-]+")


def _candidates(vocabulary: list[str]) -> dict[str, str]:
    """Each word of each name, lower-cased, to its proper spelling."""
    words: dict[str, str] = {}
    for term in vocabulary:
        for word in re.findall(r"[\w'-]+", term):
            if len(word) >= MIN_LENGTH:
                words[word.lower()] = word
    return words


def correct_names(segments: list[Segment], vocabulary: list[str]) -> list[Segment]:
    """Replace near-miss spellings of vocabulary words in place (capitalised words only)."""
    words = _candidates(vocabulary)
    if not words:
        return segments

    def fix(match: re.Match) -> str:
        heard = match.group(0)
        low = heard.lower()
        if low in words:
            return words[low]
        if len(low) < MIN_LENGTH:
            return heard
        best = difflib.get_close_matches(low, words, n=1, cutoff=MIN_SIMILARITY)
        if best and best[0][0] == low[0] and abs(len(best[0]) - len(low)) <= 3:
            return words[best[0]]
        return heard

    for seg in segments:
        seg.text = _WORD.sub(fix, seg.text)
        for word in seg.words or []:
            word.text = _WORD.sub(fix, word.text)
    return segments
