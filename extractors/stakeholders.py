"""Stakeholder attributes: name, title, side and buying role."""

from __future__ import annotations

import re

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
_SKEPTIC = re.compile(r"\b(skeptic(al)?|not (a )?fan|not convinced|push(es|ed)? back|resist|"
                      r"doubt|worried|hates?)\b", re.I)


def _person_names(sent) -> list[str]:
    return [e.text for e in sent.ents if e.label_ == "PERSON"]


def stakeholder_attributes(sent, speaker: str, encoder: str) -> dict:
    text = sent.text
    names = _person_names(sent)
    first_person = re.search(r"\b(i'm|i am|i'll be|i will be|i'd be|me)\b", text, re.I)
    name = names[0] if names else (speaker if first_person else None)
    titles = [m.group(0) for m in TITLE.finditer(text)]
    title = titles[0] if titles else None
    role, similarity = nearest(encoder, text, BUYING_ROLES)
    if _SKEPTIC.search(text):
        role = "skeptic"
    elif title:
        for pattern, by_title in _ROLE_BY_TITLE:
            if pattern.search(title):
                role = by_title
                break
    return {"name": name, "title": title, "buying_role": role, "side": "customer",
            "role_similarity": round(similarity, 3)}
