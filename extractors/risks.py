"""Risk attributes: the category, chosen by meaning, and who owns the blocker."""

from __future__ import annotations

from extractors.prototypes import RISK_CATEGORIES, nearest
from extractors.stakeholders import person_names


def risk_attributes(sent, encoder: str, known: list[str] | None = None) -> dict:
    """`owner`: the person the sentence names (legal's "Dana has to approve it"), else None:
    the document then asks who owns it rather than guessing."""
    category, similarity = nearest(encoder, sent.text, RISK_CATEGORIES)
    names = person_names(sent, known or [])
    return {"category": category, "category_similarity": round(similarity, 3),
            "owner": names[0] if names else None}
