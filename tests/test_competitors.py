"""Competitor names in punctuated text and in bare recognizer text (held-back sentences,
not training lines), and the training-time recognizer style."""

import random

import pytest

from extractors.competitors import competitor_attributes
from extractors.corpus import asr_style
from extractors.nlp import spacy_pipeline
from pipeline.settings import Settings

SETTINGS = Settings()


@pytest.fixture(scope="module")
def nlp():
    return spacy_pipeline(SETTINGS.spacy_model)


def _name(nlp, text: str, known=(), exclude=()):
    return competitor_attributes(nlp(text)[:], list(known), list(exclude), SETTINGS.encoder_model)["name"]


@pytest.mark.parametrize("text,expected", [
    ("we also got a quote from zentrio that's like twenty percent under yours", "zentrio"),
    ("honestly we're on paylocity today and payroll is fine it's the scheduling", "paylocity"),
    ("we demoed quorbit last spring and the reporting was thin", "quorbit"),
    ("and tallyfox called me again last week offering to match whatever you guys are at", "tallyfox"),
])
def test_name_in_bare_lower_case_text(nlp, text, expected):
    assert _name(nlp, text) == expected


def test_people_and_our_own_names_are_never_the_competitor(nlp):
    text = "marisol wants us to compare this with brightvane before friday"
    assert _name(nlp, text, exclude=["Marisol Ortega"]) == "brightvane"


@pytest.mark.parametrize("text", [
    "can i jump in on the ops side for a sec, the dashboards are slow",
    "our accountant sent us a quote from the bank",
    "the onboarding was rough",
    "we got a demo from your competitor last week",
    "the previous vendor charged us way too much",
    "we went with the cheaper one",
])
def test_no_name_rather_than_an_ordinary_noun(nlp, text):
    assert _name(nlp, text) is None


def test_the_deal_list_wins_and_is_found_in_any_case_or_split(nlp):
    assert _name(nlp, "Their rep from Zentrio said the same about ROI.", known=["Zentrio"]) == "Zentrio"
    assert _name(nlp, "we also have a quote from nex health", known=["NexHealth"]) == "NexHealth"


def test_recognizer_style_keeps_numbers_and_drops_punctuation():
    out = asr_style("Okay. We're on NexHealth, and the CEO said $43,000 - or 2.5% - by Q3?", random.Random(0))
    words = out.split()
    assert out == out.lower() and "$43,000" in words and "2.5%" in words and "we're" in words
    assert not any(c in w for w in words if not any(ch.isdigit() for ch in w) for c in ".,?-")
