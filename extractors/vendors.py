"""Known software vendors, found in a sentence as a recognizer writes them.

Recognizers write product names in lower case and split into words ("nex
health"), where no entity tagger sees a name and the sentence's structure may
point elsewhere. `data/vendors.tsv` lists real products and vendors across
industries, written by us from general knowledge, never from the development or
training calls. A name matches as written or split into adjacent words ("nex
health", "crowd strike"), never inside another word, and not split where a
piece is a function word: "walk me through" is not WalkMe, "in eight weeks" not
InEight (measured on the training calls, where such splits were most of the
wrong matches). A name that is one everyday word (Monday, Canvas, Sentry)
matches only capitalised mid-sentence, as exports and the recognizer write
proper names: "see you monday" is not a mention.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS

from extractors.nlp import sentence_encoder

FILE = Path(__file__).resolve().parents[1] / "data" / "vendors.tsv"
# Joined forms shorter than this match only as one whole word: "b ox" is not Box.
MIN_JOINED = 5
MAX_WORDS = 4


def is_everyday_word(name: str, encoder: str) -> bool:
    """A name the encoder's vocabulary holds whole (Monday, Notion, Front): as likely the
    word as the product."""
    word = name.lower()
    return word.isalpha() and len(sentence_encoder(encoder).tokenizer.tokenize(word)) == 1


def _bare(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def names(path: Path | None = None) -> list[str]:
    """The listed names, in file order (header skipped)."""
    path = path or FILE
    lines = path.read_text(encoding="utf-8").splitlines()[1:] if path.exists() else []
    return [line.split("\t")[0].strip() for line in lines if line.strip()]


@functools.lru_cache(maxsize=4)
def _index(encoder: str, path: Path) -> tuple[dict[str, str], re.Pattern | None]:
    """(bare form -> name for names matched in any case, one pattern for everyday-word names)."""
    loose: dict[str, str] = {}
    everyday: list[str] = []
    for name in names(path):
        bare = _bare(name)
        if len(bare) < 3:
            continue
        if len(name.split()) == 1 and is_everyday_word(name, encoder):
            everyday.append(name)
        else:
            loose.setdefault(bare, name)
    # Capitalised, after a word rather than at a sentence's start ("... on Canvas", not "Canvas is").
    pattern = re.compile(r"(?<=[^.!?\s] )(" + "|".join(map(re.escape, sorted(everyday, key=len, reverse=True)))
                         + r")\b") if everyday else None
    return loose, pattern


def find(text: str, encoder: str, skip: set[str] = frozenset(), path: Path | None = None) -> list[str]:
    """Listed names the text mentions, in the order they first appear; `skip` holds lower-cased
    names never to return (our own company, the people on the call)."""
    loose, pattern = _index(encoder, path or FILE)
    found: list[tuple[int, str]] = []
    words = [(m.start(), m.group()) for m in re.finditer(r"[a-z0-9]+", text.lower())]
    for i, (start, _) in enumerate(words):
        for n in range(1, MAX_WORDS + 1):
            if i + n > len(words):
                break
            joined = "".join(w for _, w in words[i:i + n])
            if joined in loose and (n == 1 or (len(joined) >= MIN_JOINED and not any(
                    w in STOP_WORDS for _, w in words[i:i + n]))):
                found.append((start, loose[joined]))
    if pattern is not None:
        found += [(m.start(), m.group(1)) for m in pattern.finditer(text)]
    out: list[str] = []
    for _, name in sorted(found):
        if name not in out and name.lower() not in skip:
            out.append(name)
    return out
