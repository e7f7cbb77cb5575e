"""Stakeholder attributes: name, title, side and buying role."""

from __future__ import annotations

import re

from extractors.buying_roles import RoleModel
from extractors.prototypes import BUYING_ROLES, nearest

TITLE = re.compile(
    r"\b(?:(?:chief \w+ officer|c[efitoi]o|ciso|cto|cro|cmo|chro|vp|svp|evp|vice president|head|director|"
    r"manager|lead|controller|founder|owner|president|partner|principal|architect|engineer|analyst|"
    r"administrator|admin|coordinator|specialist|counsel|buyer|officer|superintendent|dean|"
    r"supervisor|treasurer)(?:\s+(?:of|for)\s+[A-Za-z&]+(?:\s+[A-Za-z&]+)?)?)\b", re.I)
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
_SKEPTIC = re.compile(r"\b(skeptic(al)?|not (a )?fan|not convinced|push(es|ed)? back|resist|"
                      r"doubt|worried|hates?)\b", re.I)


def person_names(sent, known: list[str]) -> list[str]:
    """People the sentence names: spaCy's PERSON entities, completed to a full
    name when one known person has that first name, then known people named in
    lower-case speech-recogniser text, which spaCy's NER does not see."""
    names = []
    for ent in sent.ents:
        if ent.label_ == "PERSON":
            first = ent.text.split()[0].lower()
            matches = [k for k in known if k.lower().split()[0] == first]
            name = ent.text.title() if ent.text.islower() else ent.text  # ASR writes "jenna"
            names.append(matches[0] if len(ent.text.split()) == 1 and len(matches) == 1 else name)
    if names:
        return names
    low = sent.text.lower()
    found = []
    for person in known:
        parts = person.lower().split()
        if re.search(rf"\b{re.escape(person.lower())}\b", low) or \
                (len(parts[0]) > 2 and re.search(rf"\b{re.escape(parts[0])}\b", low)):
            found.append((low.find(parts[0]), person))
    return [p for _, p in sorted(found)]


def stakeholder_attributes(sent, speaker: str, encoder: str, known: list[str] | None = None,
                           roles: RoleModel | None = None) -> dict:
    """`known`: the customer-side people of the call and deal (never the seller's);
    `roles`: the buying-role model learned from labelled turns, when there is one."""
    text = sent.text
    mentioned = person_names(sent, known or [])
    names = [n for n in mentioned if n.lower() != speaker.lower()] or mentioned
    first_person = re.search(r"\b(i'm|i am|i'll be|i will be|i'd be|me)\b", text, re.I)
    name = names[0] if names else (speaker if first_person else None)
    titles = [m.group(0) for m in TITLE.finditer(text)]
    title = titles[0] if titles else None
    role, similarity = roles.predict(text) if roles else nearest(encoder, text, BUYING_ROLES)
    if _SKEPTIC.search(text):
        role = "skeptic"
    elif title:
        for pattern, by_title in _ROLE_BY_TITLE:
            if pattern.search(title):
                role = by_title
                break
    contact = _CONTACT.search(text)
    return {"name": name, "title": title, "buying_role": role, "side": "customer",
            "contact_preference": _channel(contact.group(0)) if contact else None,
            "role_confidence": round(similarity, 3)}


def _channel(phrase: str) -> str:
    """The channel named last in a preference phrase, in one spelling."""
    word = re.findall(_CHANNEL, phrase, re.I)[-1][0].lower()
    return {"e-mail": "email", "texts": "text", "texting": "text", "sms": "text", "calls": "phone",
            "call": "phone", "calling": "phone"}.get(word, word)
