"""Product names swapped for everyday words: training views that teach context, not names.

Most products a customer names on a real call are ones our training calls never had, and a
recognizer writes a name it does not know as the nearest common words ("some sara",
"canvas", "next health"). A classifier that learned "we got a quote from Salesforce" partly
from the name has little to go on there. In these views each product name the vendor matcher
finds in a call (a listed vendor, or a competitor its labels name, as written or split into
words) is replaced by one or two everyday words, the same stand-in for the same name
throughout the call, so only what is said around the name is left to learn from. A misheard
form the matcher does not find ("single hops" for SingleOps) stays. Labels do not change,
also where the named product is not a competitor (a system the product integrates with): the
name alone makes no competitor either way.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace

from spacy.lang.en.stop_words import STOP_WORDS

from extractors import vendors
from extractors.corpus import Conversation
from extractors.crm_competitors import deal_competitors

# A word cut out of a contraction ("didn't" -> "didn") is no stand-in.
_WORD = re.compile(r"(?<!')\b[a-z]{4,9}\b(?!')")


def vocabulary(convs: list[Conversation]) -> list[str]:
    """The everyday words stand-ins are made of: lower-case words of the calls' own text, less
    stop words and less the bare forms of the product names the calls carry, sorted
    (deterministic)."""
    words = {w for conv in convs for turn in conv.turns for w in _WORD.findall(turn.text)}
    labelled = [name for names in deal_competitors(convs).values() for name in names]
    return sorted(words - STOP_WORDS - vendors.index(vendors.names() + labelled).keys())


def _labelled_names(conv: Conversation) -> list[str]:
    return sorted(deal_competitors([conv]).get(conv.deal, ()))


def name_spans(text: str, labelled: vendors.Index, encoder: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of the product names in `text`: listed vendors and the call's own
    labelled competitors, a longer name over one inside it; of two that cross, the first."""
    kept: list[tuple[int, int, str]] = []
    for span in vendors.outermost(vendors.find_spans(text, encoder) +
                                  vendors.spans(text, labelled, stop_splits=True)):
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def swap_names(conv: Conversation, seed: int, words: list[str], encoder: str) -> Conversation:
    """`conv` with each product name `name_spans` finds replaced by a stand-in of one or two of
    `words` (deterministic for a seed and the call's id)."""
    rng = random.Random(f"{seed}:{conv.id}:names")
    labelled = vendors.index(_labelled_names(conv))
    stand_in: dict[str, str] = {}
    turns = []
    for turn in conv.turns:
        text = turn.text
        for start, end, name in reversed(name_spans(text, labelled, encoder)):
            if name not in stand_in:
                stand_in[name] = " ".join(rng.choice(words).capitalize() for _ in range(rng.randint(1, 2)))
            text = text[:start] + stand_in[name] + text[end:]
        turns.append(replace(turn, text=text))
    return replace(conv, turns=turns)
