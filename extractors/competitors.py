"""Competitor attributes: which product, and how it fared.

The name comes, in order of trust, from the deal's own competitor list, from
our list of known vendors (extractors/vendors.py), from spaCy's ORG/PRODUCT
entities (punctuated, capitalised text), and otherwise from the sentence's
structure: recognizers write names in lower case, often split into common
words ("next health"), where no entity tagger sees them.
There the name is the noun phrase a buying verb or preposition points at ("a
quote from X", "we looked at X", "we're on X", "X quoted us") or one made of
words rare enough that the encoder's vocabulary has to split them.
"""

from __future__ import annotations

import functools
import re

from extractors import vendors
from extractors.nlp import sentence_encoder

_OUTCOME = [
    (re.compile(r"\b(we('re| are) on|we use|currently (use|using|on)|today we|our current)\b", re.I), "incumbent"),
    (re.compile(r"\b(too (expensive|complex|much)|overkill|didn't|did not|couldn't|ruled out|"
                r"passed on|dropped|not a fit|clunky|walked away)\b", re.I), "chosen_against"),
    (re.compile(r"\b(looked at|evaluat|demo(ed)?|talk(ed|ing) to|compar|quoted?|also considering)\b", re.I), "evaluated"),
]

# What points at a vendor: "a quote from X", "we're on X" (prepositions); "we use X",
# "we demoed X" (verbs, X their object); "X quoted us", "X called me" (verbs, X their subject).
_PREPOSITIONS = {"from", "at", "to", "with", "than", "versus", "vs", "against"}
# "on"/"off" only after moving or staying verbs: "we're on X", "migrating off X", not "on the ops side".
_PLATFORM_VERBS = {"be", "run", "stay", "move", "switch", "migrate", "build", "standardize", "live", "sit"}
_OBJECT_VERBS = {"use", "run", "have", "try", "trial", "evaluate", "consider", "demo", "switch", "replace",
                 "leave", "pick", "choose", "sign", "veto", "compare", "prefer", "keep", "renew", "pay",
                 "bring", "drop", "cancel", "license", "buy", "love", "hate", "pilot",
                 # spaCy leaves these past forms unlemmatised in lower-case text
                 "demoed", "trialed", "trialled", "piloted"}
_SUBJECT_VERBS = {"quote", "call", "price", "offer", "charge", "come", "pitch", "bid", "match", "want",
                  "say", "promise", "send", "give"}
# Heads that are never a product name, whatever points at them.
_GENERIC = {"system", "tool", "tools", "product", "vendor", "platform", "software", "solution", "company",
            "price", "pricing", "quote", "demo", "contract", "trial", "thing", "stuff", "guy", "guys",
            "people", "team", "year", "month", "week", "day", "time", "number", "one", "lot", "bit",
            "way", "version", "option", "app", "module", "license", "renewal", "call", "deal",
            "today", "yesterday", "tomorrow", "fall", "spring", "summer", "winter", "end", "start",
            "reaction", "side", "part", "place", "point", "cost", "fee", "budget", "data", "process",
            "spreadsheet", "spreadsheets", "email", "phone", "paper", "excel", "sec", "second", "minute",
            "hour", "couple", "timing", "store", "office", "site", "board", "meeting", "room",
            # people and roles: "a quote from our accountant", "a demo from your competitor"
            "competitor", "competition", "manager", "accountant", "consultant", "partner", "bank",
            "legal", "boss", "rep", "salesperson", "team", "colleague", "friend", "onboarding",
            "implementation", "support", "service", "provider", "supplier", "agency"}
_DROP_POS = {"DET", "PRON", "NUM", "ADP", "PART", "PUNCT", "CCONJ", "AUX", "ADJ", "ADV"}
_NOT_NAMES = {"DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "ORDINAL", "QUANTITY", "PERSON",
              "NORP", "GPE", "LOC", "FAC", "EVENT"}
_NOT_NAME_WORDS = {"current", "old", "existing", "new", "newer", "other", "whole",
                   "yours", "ours", "theirs", "mine", "his", "hers"}


@functools.lru_cache(maxsize=4096)
def _rare(word: str, encoder: str) -> bool:
    """A word the encoder's vocabulary must split into pieces: rarely an everyday word."""
    return word.isalpha() and len(word) > 3 and len(sentence_encoder(encoder).tokenizer.tokenize(word)) > 1


def _name_words(chunk) -> list:
    """The words of a phrase that can be a name. After an article a leading adjective goes ("a
    big one"); otherwise adjectives stay, since recognizers split names into common words
    ("trolley wise", "light speed golf")."""
    # In a bare phrase ("we looked at light speed golf") a leading adjective is part of the name.
    seen_noun = not _determined(chunk, len(chunk))
    words = []
    for t in chunk:
        if t.pos_ in ("NOUN", "PROPN"):
            seen_noun = True
        if t.ent_type_ in _NOT_NAMES or t.lower_ in _NOT_NAME_WORDS:
            continue
        if t.pos_ in _DROP_POS and not (t.pos_ == "ADJ" and seen_noun):
            continue
        words.append(t)
    while words and words[-1].lemma_.lower() in _GENERIC:  # "pet desk contract" -> "pet desk"
        words.pop()
    return words if any(t.pos_ in ("NOUN", "PROPN") for t in words) else []


def _determined(chunk, before: int) -> bool:
    """An article or possessive among the phrase's first `before` words ("the", "our")."""
    return any(t.pos_ == "DET" or t.dep_ == "poss" for t in chunk[:before])


def _capitalised(token) -> bool:
    """Capitalised where capitals carry meaning: not the first word of a sentence."""
    return token.text[:1].isupper() and not token.is_sent_start


def _plain_phrase(chunk, words) -> bool:
    """An ordinary noun phrase, not a name said bare: one with an article or possessive ("the
    family", "our volume") or a plural head ("trucks", "printed tickets"). Product names in
    speech come without articles and are not plurals ("we're on panel track")."""
    return _determined(chunk, words[0].i - chunk.start) or words[-1].tag_ in ("NNS", "NNPS")


def _said_of_us(verb) -> bool:
    """The verb's subject is people ("we're on X"), or a place of work running on something
    ("the clinic runs on X"); not a thing described ("Datamars was fine on security", "their
    system was fine on security", "it was fine on security")."""
    subjects = [t for t in verb.children if t.dep_ in ("nsubj", "nsubjpass", "expl")]
    return not subjects or any(t.lower_ in ("i", "we", "us", "you", "they") or
                               (t.pos_ == "NOUN" and verb.lemma_ != "be") for t in subjects)


def _pointed_at(chunk) -> bool:
    """Whether a vendor-pointing word governs the phrase (see the cue sets above)."""
    root, head = chunk.root, chunk.root.head
    lemma = head.lemma_.lower()
    if root.dep_ == "pobj":
        governor = head.head.lemma_.lower()
        return head.lower_ in _PREPOSITIONS or \
            (head.lower_ in ("on", "off") and governor in _PLATFORM_VERBS and _said_of_us(head.head)) or \
            (head.lower_ == "of" and governor in {"trial", "demo", "quote", "pilot", "version"})
    if root.dep_ in ("dobj", "attr", "conj", "appos"):
        return lemma in _OBJECT_VERBS or head.lower_ in _PREPOSITIONS
    if root.dep_ in ("nsubj", "nsubjpass"):
        return lemma in _SUBJECT_VERBS
    return False


def _structural_name(sent, skip: set[str], encoder: str) -> str | None:
    """The phrase a vendor cue points at; without a cue only a capitalised phrase of rare words."""
    best, best_score = None, 0
    for chunk in sent.noun_chunks:
        words = _name_words(chunk)
        if not words or chunk.root.pos_ == "PRON":
            continue
        if any(t.like_num for t in chunk if t.i < words[0].i):  # an amount: "256 kilobits"
            continue
        text = " ".join(t.text for t in words)
        if text.lower() in skip or all(t.lower_ in skip for t in words):
            continue
        cue = _pointed_at(chunk)
        # Capitals count on a bare proper noun ("Kronara"), not in "the Okonkwo family".
        proper = chunk.root.ent_type_ in ("ORG", "PRODUCT") or \
            (any(_capitalised(t) and t.pos_ == "PROPN" for t in words) and not _plain_phrase(chunk, words))
        rare = any(_rare(t.lemma_, encoder) for t in words)
        # With a vendor cue, common words pass when said bare and singular ("we're on panel
        # track", not "on a few trucks"); without one, only a capitalised rare word does.
        if cue:
            if not (proper or rare or not _plain_phrase(chunk, words)):
                continue
        elif not (proper and rare):
            continue
        score = 2 * cue + proper + rare
        if score > best_score:
            best, best_score = text, score
    return best


def mentions(text: str, name: str) -> bool:
    """The name in the text as written, or as a recognizer splits it into adjacent words
    ("nex health" for NexHealth, "on fleet" for Onfleet); never inside another word ("upfront"
    is not Front). One name the deal lists: splits at stop words count (extractors/vendors.py)."""
    return bool(vendors.spans(text, vendors.index([name]), stop_splits=True))


def competitor_attributes(sent, known: list[str], exclude: list[str], encoder: str) -> dict:
    text = sent.text
    name = next((c for c in known if mentions(text, c)), None)
    # Known people and our own names are never the competitor ("Dana" is the customer).
    skip = {w.lower() for e in exclude if e for w in [e, *e.split()]}
    if name is None:
        name = next(iter(vendors.find(text, encoder, skip)), None)
    if name is None:
        # Entity tags are only trusted on capitalised text; in lower case they tag noise ("a sec").
        orgs = [e.text for e in sent.ents if e.label_ in ("ORG", "PRODUCT", "WORK_OF_ART")
                and e.text.lower() not in skip and e.text != e.text.lower()
                and not re.fullmatch(r"[A-Z]{2,4}", e.text)]
        name = orgs[0] if orgs else _structural_name(sent, skip, encoder)
    outcome = next((label for pattern, label in _OUTCOME if pattern.search(text)), "other")
    reason = None
    if m := re.search(r"\b(because|since|but|too)\b(.{3,120})", text, re.I):
        reason = (m.group(1) + m.group(2)).strip(" .,")
    return {"name": name, "outcome": outcome, "reason": reason}
