"""Risk attributes: the category, chosen by meaning."""

from __future__ import annotations

from extractors.prototypes import RISK_CATEGORIES, nearest


def risk_attributes(sent, encoder: str) -> dict:
    category, similarity = nearest(encoder, sent.text, RISK_CATEGORIES)
    return {"category": category, "category_similarity": round(similarity, 3)}
