"""Known software vendors, found in a sentence as a recognizer writes them.

Recognizers write product names in lower case and split into words ("nex
health"), where no entity tagger sees a name and the sentence's structure may
point elsewhere. `data/vendors.tsv` lists real products and vendors across
industries, written by us from general knowledge, never from the development or
training calls. A name matches as written or split into adjacent words ("nex
health", "crowd strike"), never inside another word, and not split at a stop
word unless the name itself has it there: "walk me through" is not WalkMe, "in
eight weeks" not InEight (measured on the training calls, where such splits were
most of the wrong matches), but "the trade desk" is The Trade Desk. A name that
is one everyday word (Monday, Canvas, Act!) matches only capitalised after
another word, as exports and the recognizer write proper names: "see you
monday" is not a mention.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS

from extractors.nlp import sentence_encoder

FILE = Path(__file__).resolve().parents[1] / "data" / "vendors.tsv"
# Joined forms shorter than this match only as the name's own words: "b ox" is not Box.
MIN_JOINED = 5
# A recognizer splits a one-word name into at most this many words ("service titan").
SPLIT_WORDS = 4
# Bare names shorter than this are left out: "q2", "g2" are more often a quarter or a grid.
MIN_BARE = 3


def is_everyday_word(name: str, encoder: str) -> bool:
    """A name the encoder's vocabulary holds whole (Monday, Notion, Front): as likely the
    word as the product."""
    word = name.lower()
    return word.isalpha() and len(sentence_encoder(encoder).tokenizer.tokenize(word)) == 1


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


Index = dict[str, tuple[str, tuple[str, ...]]]  # bare form -> (name, its own words)


def index(listed: list[str]) -> Index:
    return {"".join(own): (name, own) for name in reversed(listed) if (own := tuple(_words(name)))}


def _most_words(names: Index) -> int:
    """The most words a match can span: a split name's, or a listed name's own if longer."""
    return max([SPLIT_WORDS, *(len(own) for _, own in names.values())])


def spans(text: str, names: Index, most: int | None = None,
          stop_splits: bool = False) -> list[tuple[int, int, str]]:
    """(start, end, name) of each listed name the text says: in the name's own words, or as one
    word, or joined from up to SPLIT_WORDS words, none of them a stop word unless `stop_splits`.
    A deal's own short list allows those ("on fleet" for Onfleet, "tyler in code" for Tyler
    Incode: on the training calls they are right); thousands of known names do not ("in eight
    weeks"). `most`: `_most_words(names)`, passed in where the index is cached."""
    most = most or _most_words(names)
    found = []
    words = [(m.start(), m.end(), m.group()) for m in re.finditer(r"[a-z0-9]+", text.lower())]
    for i, (start, _, _) in enumerate(words):
        for n in range(1, min(most, len(words) - i) + 1):
            said = tuple(w for _, _, w in words[i:i + n])
            joined = "".join(said)
            hit = names.get(joined)
            if hit and (n == 1 or said == hit[1] or (n <= SPLIT_WORDS and len(joined) >= MIN_JOINED and (
                    stop_splits or not STOP_WORDS.intersection(said)))):
                found.append((start, words[i + n - 1][1], hit[0]))
    return found


def names(path: Path | None = None) -> list[str]:
    """The listed names, in file order (header skipped)."""
    lines = (path or FILE).read_text(encoding="utf-8").splitlines()[1:]
    return [line.split("\t")[0].strip() for line in lines if line.strip()]


@functools.lru_cache(maxsize=4)
def _index(encoder: str, path: Path) -> tuple[Index, re.Pattern | None, dict[str, str], int]:
    """(bare form -> (name, its own words) for names matched in any case; one pattern for the
    everyday-word names and the name each of its spellings stands for; the most words a name has)."""
    plain: list[str] = []
    everyday: dict[str, str] = {}
    for name in names(path):
        own = _words(name)
        bare = "".join(own)
        if len(bare) < MIN_BARE:
            continue
        if len(own) == 1 and is_everyday_word(bare, encoder):
            # "Canvas", "CANVAS" and "Act!" are all said as a capitalised word.
            everyday.setdefault(bare.capitalize(), name)
            everyday.setdefault(re.sub(r"\W+$", "", name), name)
        else:
            plain.append(name)
    loose = index(plain)
    # After a word and a space, or a space and an opening quote; not at a sentence's start.
    pattern = re.compile(r"(?:(?<=[^.!?\s]\s)|(?<=\s[\"'(]))(" + "|".join(
        map(re.escape, sorted(everyday, key=len, reverse=True))) + r")\b") if everyday else None
    return loose, pattern, everyday, _most_words(loose)


def outermost(found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The spans not inside a longer one ("salesforce cpq" over "salesforce"), in text order."""
    kept: list[tuple[int, int, str]] = []
    for start, end, name in sorted(found, key=lambda f: (f[0], f[0] - f[1])):
        if not any(a <= start and end <= b for a, b, _ in kept):
            kept.append((start, end, name))
    return kept


def find_spans(text: str, encoder: str, path: Path | None = None) -> list[tuple[int, int, str]]:
    """(start, end, name) of each listed name the text mentions, a longer name over one inside it."""
    loose, pattern, everyday, most = _index(encoder, path or FILE)
    found = spans(text, loose, most)
    if pattern is not None:
        found += [(m.start(), m.end(), everyday[m.group(1)]) for m in pattern.finditer(text)]
    return outermost(found)


def find(text: str, encoder: str, skip: Collection[str] = (), path: Path | None = None) -> list[str]:
    """Listed names the text mentions, in the order they appear, a longer name over one inside
    it ("salesforce cpq" is Salesforce CPQ); `skip` holds names never to return (our company,
    the people on the call), compared without case, spaces or punctuation."""
    skipped = {"".join(_words(s)) for s in skip}
    out: list[str] = []
    for _, _, name in find_spans(text, encoder, path):
        if name not in out and "".join(_words(name)) not in skipped:
            out.append(name)
    return out
