"""Choosing a category by meaning: the sentence encoder compares a quote with
short descriptions of each category and takes the nearest.

Descriptions generalise better than keyword lists ("legal has to bless the
MSA" is a security/legal risk without saying either word).
"""

from __future__ import annotations

import functools

import numpy as np

from extractors.nlp import embeddings, sentence_encoder

BUYING_ROLES = {
    "economic_buyer": "controls the budget, signs the contract, final approval of the spend, the executive who decides to buy",
    "champion": "internal advocate pushing for this purchase, drives the project, brought the vendor in, wants it to succeed",
    "end_user": "will use the tool every day in their own work, their team works in it hands-on",
    "skeptic": "doubtful, not convinced, pushes back, worried it will fail, prefers the old way, resistant to change",
    "technical_evaluator": "reviews security, IT architecture, integrations and data, runs the technical evaluation",
    "other": "is involved in the process in another way, such as procurement, legal or an assistant",
}
RISK_CATEGORIES = {
    "integration": "connecting systems, API, connector, sync with the ERP or CRM, integration does not work yet",
    "data_migration": "moving historical data, migrating records from the old system, data cleanup and import",
    "security_legal": "security review, questionnaire, compliance, SOC 2, HIPAA, GDPR, legal review of the contract",
    "approval": "needs sign-off from the board, procurement process, executive approval still pending",
    "budget": "budget is tight, cost concerns, funding not approved, price too high, spending freeze",
    "politics": "internal disagreement, another team opposes it, competing priorities between departments",
    "resourcing": "not enough people, key person leaving, team is stretched, nobody to own the rollout",
    "roadmap": "expects a feature that does not exist yet, waiting on a roadmap item or a future release",
    "timeline": "deadline pressure, timing conflicts, busy season, go-live date at risk, delays",
    "other": "some other open concern or dependency",
}


@functools.lru_cache(maxsize=8)
def _prototype_matrix(encoder_spec: str, names: tuple[str, ...], texts: tuple[str, ...]) -> np.ndarray:
    return sentence_encoder(encoder_spec).encode(list(texts), normalize_embeddings=True)


def nearest(encoder_spec: str, text: str, categories: dict[str, str]) -> tuple[str, float]:
    """(category, cosine) of the description nearest to `text`."""
    names, texts = tuple(categories), tuple(categories.values())
    protos = _prototype_matrix(encoder_spec, names, texts)
    vec = embeddings(encoder_spec, [text])[0]
    sims = protos @ vec
    best = int(np.argmax(sims))
    return names[best], float(sims[best])
