"""Stakeholder attributes: name, title, side and buying role."""

from __future__ import annotations

import functools
import re
import unicodedata

from spacy.lang.en.stop_words import STOP_WORDS

from extractors.buying_roles import RoleModel
from extractors.prototypes import BUYING_ROLES, nearest

# "of/for" and up to two words: "vp of customer success", "manager of the call center", not
# "head of it she" (a stop word, "it" aside, ends it after the first).
_STOP = "|".join(sorted(map(re.escape, STOP_WORDS - {"it"}), key=len, reverse=True))
TITLE = re.compile(
    r"\b(?:(?:chief \w+ officer|c[efitoi]o|ciso|cto|cro|cmo|chro|vp|svp|evp|vice president|head|director|"
    r"manager|lead|controller|founder|owner|president|partner|principal|architect|engineer|analyst|"
    r"administrator|admin|coordinator|specialist|counsel|buyer|officer|superintendent|dean|"
    rf"supervisor|treasurer)(?:\s+(?:of|for)\s+(?:the\s+)?[A-Za-z&]+"
    rf"(?:\s+(?!(?:{_STOP})\b)[A-Za-z&]+)?)?)\b", re.I)
# Titles that settle the buying role without reading further.
_ROLE_BY_TITLE = [
    (re.compile(r"\b(cfo|ceo|coo|president|founder|owner|chief financial|vp of finance|treasurer)\b", re.I), "economic_buyer"),
    (re.compile(r"\b(ciso|cto|cio|it|security|architect|engineer|admin(istrator)?)\b", re.I), "technical_evaluator"),
]
# "prefers Slack", "best way to reach her is text", "email me, I never pick up the phone"
_CHANNEL = r"(e-?mail|slack|teams|text(s|ing)?|sms|phone|call(s|ing)?|whatsapp|in person|linkedin)"
_CONTACT = re.compile(rf"\b(prefers?|rather|best (way )?to (reach|get hold of)|reach (me|him|her|them) "
                      rf"(on|by|via|over)|only (reads|checks|answers)|lives in)\b[^.?!]{{0,40}}?\b{_CHANNEL}\b",
                      re.I)
# A recognizer spells an acronym out letter by letter: "c f o", "i t director", "v p of sales".
# Only the titles' own acronyms are joined: "a v p" is "a vp", "c f o i think" is "cfo i think".
_TITLE_ACRONYMS = ("ciso", "chro", "cfo", "ceo", "coo", "cto", "cio", "cmo", "cro", "svp", "evp", "vp",
                   "it", "gm", "hr")
_SPELLED = re.compile(r"(?<![\w'])(?:" + "|".join(" ".join(a) for a in _TITLE_ACRONYMS) + r")(?![\w'])", re.I)
_SKEPTIC = re.compile(r"\b(skeptic(al)?|not (a )?fan|not convinced|push(es|ed)? back|resist|"
                      r"doubt|worried|hates?)\b", re.I)


# Who someone is to the speaker, right before or after their bare first name: "our cfo marcy",
# "my bookkeeper pat", "marguerite our ceo". Recognizers write names in lower case, where
# spaCy's NER does not see them; a census first name in this position is a person.
_RELATION = (r"(?:boss|partner|dad|father|mom|mother|wife|husband|brother|sister|son|daughter|lawyer|"
             r"attorney|accountant|bookkeeper|counsel|cfo|ceo|coo|cto|cio|ciso|owner|gm|manager|director|"
             r"controller|president|superintendent|principal|chair|treasurer|administrator|lead|head|"
             r"officer|analyst|engineer|architect|coordinator|specialist|vp)")
_WORD = r"[^\W\d_]+"  # letters, accented ones too ("zoë")
_TITLED = [re.compile(rf"\b(?:our|my|the)\s+(?:{_WORD}\s+){{0,2}}?{_RELATION}\s+(?:is\s+)?(?:(?:uh|um)\s+)?({_WORD})\b"),
           re.compile(rf"\b(?:({_WORD})\s+)?({_WORD})(?:'s|\s+is)?\s+(?:our|my)\s+(?:{_WORD}\s+){{0,2}}?{_RELATION}\b")]
_HONORIFIC = {"dr", "dr.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "prof", "prof."}
# Who is being spoken to, not about: "Maya, Frank owns the group", "so Ravi hears it".
_ADDRESSED = re.compile(r"^\W*(?:and\s+|so\s+|okay\s+)?(\w+),|(\w+):|\bfor (\w+)'s benefit|\bso (\w+) hears\b", re.I)
# Speaking of oneself: firmly ("I'm the one who signs") or in passing ("my company").
_SELF = re.compile(r"\b(i'm|i am|i'll be|i will be|i'd be)\b", re.I)
# "my" of "my boss", "my cfo" speaks of someone else.
_MINE = re.compile(rf"\b(me|mine)\b|\bmy\b(?!\s+(?:[a-z]+\s+){{0,2}}?{_RELATION}\b)", re.I)



@functools.lru_cache(maxsize=2)
def _census(*files: str) -> frozenset[str]:
    import importlib.resources

    folder = importlib.resources.files("names")
    return frozenset(line.split()[0].lower() for f in files
                     for line in folder.joinpath(f).read_text().splitlines() if line.strip())


def first_names() -> frozenset[str]:
    """First names of the 1990 US census (the `names` package), lower case."""
    return _census("dist.male.first", "dist.female.first")


def last_names() -> frozenset[str]:
    """Surnames of the 1990 US census (the `names` package), lower case."""
    return _census("dist.all.last")


def _plain(word: str) -> str:
    """The word without accents, as the census lists write names ("zoë" -> "zoe")."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def is_person_name(label: str) -> bool:
    """A real name, not a diarization label ("speaker 1", "channel 2", "unknown")."""
    return bool(label) and not label.lower().startswith(("speaker", "channel", "unknown", "spk"))


def _first(name: str) -> str:
    """The first name of a name, past a title of address ("Dr. Ana Mendez" -> "ana")."""
    words = [w for w in name.lower().split() if w not in _HONORIFIC]
    return words[0] if words else ""


def _entity_name(ent) -> str:
    """A PERSON entity as a name: a recognizer's stutter gone ("marco marco bellini"), a
    title of address kept ("Dr. Mendez"), lower case capitalised."""
    words = [w for n, w in enumerate(ent.text.split()) if n == 0 or w.lower() != ent.text.split()[n - 1].lower()]
    before = ent.doc[ent.start - 1] if ent.start > ent.sent.start else None
    if before is not None and before.lower_ in _HONORIFIC:
        words.insert(0, before.text)
    name = " ".join(words)
    return name.title() if name.islower() else name  # ASR writes "jenna"


def person_names(sent, known: list[str]) -> list[str]:
    """People the sentence names: spaCy's PERSON entities, completed to a full
    name when one known person has that first name, then known people named in
    lower-case speech-recogniser text, which spaCy's NER does not see, then bare
    first names next to a title or relation ("our cfo marcy")."""
    names = []
    for ent in sent.ents:
        if ent.label_ == "PERSON" and not ent.root.is_stop:  # "So" at a sentence start
            name = _entity_name(ent)
            matches = [k for k in known if _first(k) == _first(name)]
            names.append(matches[0] if len(name.split()) == 1 and len(matches) == 1 else name)
    if names:  # a fuller name beside a title completes an entity's ("jenna" -> "Jenna Arbuckle")
        for _, titled in _titled_names(sent):
            same = [n for n in names if _first(n) == _first(titled)]
            if not same:
                names.append(titled)
            names = [titled if n in same and len(titled) > len(n) else n for n in names]
        return names
    low = sent.text.lower()
    found = []
    for person in known:
        parts = person.lower().split()
        if re.search(rf"\b{re.escape(person.lower())}\b", low) or \
                (len(parts[0]) > 2 and re.search(rf"\b{re.escape(parts[0])}\b", low)):
            found.append((low.find(parts[0]), person))
    for start, name in _titled_names(sent):
        if not any(_first(p) == _first(name) for _, p in found):
            found.append((start, name))
    return [p for _, p in sorted(found)]


def _titled_names(sent) -> list[tuple[int, str]]:
    """(offset, name) of the bare first names, or first and last names ("keith donnelly our
    head of revenue ops"), said beside a title or relation. The name must be a census first
    name, not read as an adjective ("the owner is frank about it"); before the title, where
    verbs stand too ("grant my manager access"), it must be read as a noun. spaCy often tags a
    lower-case name after a title as a verb ("our lawyer lorraine to read"), so that is not
    asked there. A surname must be a census surname ("jenna that our..." is not a name)."""
    low = sent.text.lower()
    tokens = {tok.idx - sent.start_char: tok for tok in sent}

    def first(word: str | None, offset: int, before_title: bool) -> bool:
        tok = tokens.get(offset)
        return bool(word) and _plain(word) in first_names() and tok is not None and not tok.is_stop and \
            (tok.pos_ in ("PROPN", "NOUN") if before_title else tok.pos_ not in ("ADJ", "ADV"))

    out = []
    for m in _TITLED[0].finditer(low):
        if first(m.group(1), m.start(1), False):
            out.append((m.start(1), m.group(1).title()))
    for m in _TITLED[1].finditer(low):
        before, word = m.group(1), m.group(2)
        if first(before, m.start(1), True) and _plain(word) in last_names() and \
                not getattr(tokens.get(m.start(2)), "is_stop", True):
            out.append((m.start(1), f"{before} {word}".title()))
        elif first(word, m.start(2), True):
            out.append((m.start(2), word.title()))
    return out


def _about(sent, name: str) -> bool:
    """Whether the sentence is about this person: the name is a subject, or stands beside a
    title ("our plant manager, Greg Tanaka, owns the budget"), not an object ("ask ruth")."""
    first = _first(name)
    for tok in sent:
        if tok.lower_ == first:
            while tok.dep_ in ("compound", "flat") and tok.head is not tok:  # "Greg" of "Greg Tanaka"
                tok = tok.head
            return tok.dep_ in ("nsubj", "nsubjpass", "appos", "attr") or \
                tok.head.dep_ in ("nsubj", "nsubjpass") or bool(TITLE.fullmatch(tok.head.text))
    return False


def _about_their_title(sent) -> bool:
    """Whether "my/our <title>" is the subject and the speaker only its object "me": "the
    number my cfo will hold me to" is about the cfo, not the speaker. "me and my director",
    "mine", "to me as our cfo" still speak of the speaker."""
    subject = any(re.fullmatch(_RELATION, t.lower_) and t.dep_ in ("nsubj", "nsubjpass")
                  and any(c.lower_ in ("my", "our") for c in t.children) for t in sent)
    if not subject:
        return False
    firsts = [t for t in sent if t.lower_ in ("me", "mine", "my") and not
              (t.lower_ == "my" and re.fullmatch(_RELATION, t.head.lower_))]
    return bool(firsts) and all(t.lower_ == "me" and t.dep_ in ("dobj", "dative", "pobj")
                                and not any(c.dep_ == "conj" for c in t.children) for t in firsts)


def stakeholder_name(sent, speaker: str, known: list[str]) -> str | None:
    """Who the stakeholder statement is about, in this order: the speaker introducing
    themselves ("i'm dolores"); a person who is the sentence's subject or stands beside a
    title; the speaker saying "I'm" ("I'm the one taking this to Frank"); a bare first name
    beside a title ("my bookkeeper pat"); the speaker saying "my"; the first person named."""
    text = sent.text.replace("\u2019", "'")  # "I’m"
    mentioned = person_names(sent, known)
    speaker = (speaker or "").strip()
    if not is_person_name(speaker):
        speaker = ""
    first = _first(speaker)
    if first and (re.search(rf"\b(?:i'm|i am|this is|my name is|it's)\s+{re.escape(first)}\b", text, re.I)
                  or re.search(rf"^\W*{re.escape(first)}(?:\s+\w+)?\s+(?:i'm|i am|here)\b", text, re.I)):
        return speaker
    addressed = {w.lower() for m in _ADDRESSED.finditer(text) for w in m.groups() if w}
    named = [n for n in mentioned if _first(n) not in addressed]
    others = [n for n in named if n.lower() != speaker.lower() and _first(n) != first]
    titled = {_first(name) for _, name in _titled_names(sent)}
    me = [speaker] if speaker else []
    for candidates in ([n for n in others if _about(sent, n)], me if _SELF.search(text) else [],
                       [n for n in others if _first(n) in titled],
                       me if _MINE.search(text) and not _about_their_title(sent) else [],
                       others, named):
        if candidates:
            return candidates[0]
    return None


def _person_key(name: str) -> list[str]:
    """A name's words in lower case, past a title of address ("Dr. Ana Mendez" -> [ana, mendez])."""
    return [w for w in _plain(name).lower().split() if w not in _HONORIFIC]


def own_words(name: str | None, speech: dict[str, list[str]]) -> list[str]:
    """What the named person said in the call (`speech`: speaker label -> turns). The label and
    the name are the same person when their words agree in full ("dana ruiz", "Dr. Dana Ruiz"),
    or when one is a bare first name ("Dana") matching exactly one speaker."""
    key = _person_key(name or "")
    if not key:
        return []
    labels = {label: _person_key(label) for label in speech}
    same = [label for label, words in labels.items() if words == key]
    if not same:
        same = [label for label, words in labels.items()
                if words and words[0] == key[0] and (len(words) == 1 or len(key) == 1)]
    return speech[same[0]] if len(same) == 1 else []


def _joined_acronyms(text: str) -> str:
    """`text` with spelled-out acronyms written as words ("our c f o" -> "our cfo"), so a
    title reads the same from a recognizer as from an export."""
    return _SPELLED.sub(lambda m: m.group(0).replace(" ", ""), text)


def stakeholder_attributes(sent, speaker: str, encoder: str, known: list[str] | None = None,
                           roles: RoleModel | None = None, speech: dict[str, list[str]] | None = None,
                           turn_text: str | None = None) -> dict:
    """`known`: the customer-side people of the call and deal (never the seller's);
    `roles`: the buying-role model learned from labelled turns, when there is one;
    `speech`: what each named speaker said in the call (their role shows in it too);
    `turn_text`: the whole turn, from which the role is read: the role model learned from whole
    labelled turns (docs/extraction.md, session 12). The title attribute is the quote's."""
    text = sent.text
    name = stakeholder_name(sent, speaker, known or [])
    title = title_of(text)
    said = turn_text or text
    role, similarity = roles.predict(said, own_words(name, speech or {})) if roles \
        else nearest(encoder, said, BUYING_ROLES)
    ruled = rule_role(said)
    contact = _CONTACT.search(text)
    return {"name": name, "title": title, "buying_role": ruled or role, "side": "customer",
            "contact_preference": _channel(contact.group(0)) if contact else None,
            # the model's probability, which says nothing of a role a rule decided
            "role_confidence": None if ruled else round(similarity, 3)}


def rule_role(text: str) -> str | None:
    """The role a doubt word or a title settles, before any model: skeptic first."""
    return skeptic_rule(text) or title_rule(title_of(text))


def title_of(text: str) -> str | None:
    """The first job title said in the text, spelled-out acronyms joined ("i t director")."""
    found = TITLE.search(_joined_acronyms(text))
    return found.group(0) if found else None


def skeptic_rule(text: str) -> str | None:
    """"skeptic" when the text says doubt about the person ("not convinced", "pushes back")."""
    return "skeptic" if _SKEPTIC.search(text) else None


def title_rule(title: str | None) -> str | None:
    """The role a title settles (a CFO is the economic buyer), or None."""
    return next((role for pattern, role in _ROLE_BY_TITLE if title and pattern.search(title)), None)


def _channel(phrase: str) -> str:
    """The channel named last in a preference phrase, in one spelling."""
    word = re.findall(_CHANNEL, phrase, re.I)[-1][0].lower()
    return {"e-mail": "email", "texts": "text", "texting": "text", "sms": "text", "calls": "phone",
            "call": "phone", "calling": "phone"}.get(word, word)
