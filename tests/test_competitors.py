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
    ("honestly we're on paylantis today and payroll is fine it's the scheduling", "paylantis"),
    ("we demoed quorbit last spring and the reporting was thin", "quorbit"),
    ("and tallyfox called me again last week offering to match whatever you guys are at", "tallyfox"),
])
def test_name_in_bare_lower_case_text(nlp, text, expected):
    assert _name(nlp, text) == expected


def test_a_workplace_on_a_system_is_a_cue(nlp):
    assert _name(nlp, "the whole clinic runs on zentrio right now") == "zentrio"


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
    # phrases a vendor cue points at that are plainly not names: an article, a plural, an amount
    "we ran the pilot on a few trucks last year",
    "we're still on the old servers in the back room",
    "their system was fine on security honestly",
    "we talked to maybe 256 customers about it",
    "it was fine on security honestly",
    "Honestly the Okonkwo family runs the place, and the quote was too high.",
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


def _conv(deal: str, *turns: tuple[str, str | None]):
    from extractors.corpus import Conversation, Turn

    return Conversation(deal, [Turn("Sam", "customer", text, ["competitor"] if name else [],
                                    {"competitor": {"name": name}} if name else {}) for text, name in turns],
                        deal=deal)


def test_a_listed_name_is_a_whole_word_or_words_never_part_of_one():
    from extractors.competitors import mentions

    assert mentions("so we had nex health in here", "NexHealth")
    assert mentions("NexHealth's office is next door", "NexHealth")
    assert mentions("the close pilot number came in", "ClosePilot")
    assert not mentions("we pay upfront", "Front") and not mentions("that sounds excellent", "Excel")
    assert not mentions("the next health check", "NexHealth")


def test_the_list_rule_is_measured_on_first_mentions_of_labelled_names():
    """A deal's labelled names stand in for its CRM list; counted are a call's first turns naming
    one (later turns refer back); a name that is one everyday word, and a deal with no labelled
    competitor, count nothing."""
    from extractors.crm_competitors import measure, wilson_lower

    convs = [_conv("D1", ("We got a quote from NexHealth last week.", "NexHealth"),
                   ("Funny, NexHealth's office is next door to ours.", None)),
             _conv("D2", ("Kronara sponsors our conference every year.", None),
                   ("Honestly we're on Kronara today.", "Kronara")),
             _conv("D3", ("We got a quote from Zentrio.", "Zentrio")),
             _conv("D4", ("we're on weave today", "Weave")),
             _conv("D5", ("NexHealth is not in this deal at all.", None))]
    assert measure(convs, SETTINGS.encoder_model) == {"named": 3, "labelled": 2, "precision": 0.667,
                                                      "confidence": round(wilson_lower(2, 3), 3)}
    assert wilson_lower(39, 39) < 1.0 and wilson_lower(1, 2) < 0.5 < wilson_lower(90, 100)


def test_the_first_turn_naming_a_listed_competitor_gets_the_measured_confidence(tmp_path):
    """Only the first turn naming each listed competitor (also as the recognizer splits it) is
    found by the list, at the rule's confidence, and only where the classifier is under its
    threshold (its own finds keep their confidence); everyday-word names are left to the
    classifier; without a CRM list nothing changes."""
    import numpy as np

    from extractors.crm_competitors import save
    from extractors.extract import CallContext, SpokenTurn, _listed_competitors
    from models import Deal, Role, Segment

    save({"confidence": 0.75}, tmp_path)
    settings = Settings(classifier_dir=tmp_path)
    texts = ["so we had nex health in here last month", "see you monday then", "nexhealth again",
             "and kronara quoted us", "kronara is cheaper"]
    turns = [SpokenTurn("Dana", Role.CUSTOMER, i, i + 1, [Segment(start=i, end=i + 1, speaker="Dana", text=text)])
             for i, text in enumerate(texts)]
    deal = Deal(deal_id="D", account="Acme Dental", competitors=["NexHealth", "Kronara", "Monday"])
    probs = np.zeros((5, 6))
    probs[3, 5] = 0.45  # the classifier found "kronara quoted us" itself (threshold 0.4)
    listed, found = _listed_competitors(turns, CallContext("r", deal=deal), settings, probs, 0.4)
    assert listed == ["NexHealth", "Kronara", "Monday"] and found == {(0, 5)}
    assert probs[0, 5] == 0.75
    assert probs[1, 5] == probs[2, 5] == probs[4, 5] == 0 and probs[3, 5] == 0.45
    untouched = np.zeros((5, 6))
    assert _listed_competitors(turns, CallContext("r"), settings, untouched, 0.4)[1] == set()
    assert not untouched.any()
    # A threshold above what the rule has earned switches it off.
    assert _listed_competitors(turns, CallContext("r", deal=deal), settings, untouched, 0.8)[1] == set()


@pytest.mark.slow
def test_extraction_quotes_the_sentence_naming_the_listed_competitor(settings):
    from extractors.crm_competitors import confidence
    from extractors.extract import CallContext, extract_items
    from models import Deal, ItemKind, Role, Segment, Transcript

    earned = confidence(str(settings.classifier_dir))
    assert earned is not None and earned >= 0.5  # measured by `handoff train`
    text = "right that works. we had lunch with the nex health folks on tuesday. anyway send the paperwork over."
    t = Transcript(segments=[Segment(start=0, end=2, speaker="Priya", role=Role.REP,
                                     text="So where are you with other options?"),
                             Segment(start=3, end=9, speaker="Dana", role=Role.CUSTOMER, text=text)])
    def competitors(ctx):
        return [i for i in extract_items(t, ctx, settings) if i.kind is ItemKind.COMPETITOR]

    assert competitors(CallContext("r")) == []  # the classifier alone does not take the misheard name
    deal = Deal(deal_id="D", account="Acme Dental", ae_name="Priya", competitors=["NexHealth"])
    found = competitors(CallContext("r", deal=deal))
    assert len(found) == 1
    item = found[0]
    assert "nex health" in item.evidence[0].quote and "works" not in item.evidence[0].quote \
        and "paperwork" not in item.evidence[0].quote
    assert item.attributes["name"] == "NexHealth" and item.confidence == earned
    assert item.extractor.endswith("+crm-list")


@pytest.mark.slow
def test_the_competitor_quote_is_the_sentence_that_names_it(settings):
    """The classifier may score another sentence of the turn higher (the verdict); the
    evidence is the sentence that says who the competitor is, and the name comes from it."""
    from extractors.extract import CallContext, extract_items
    from models import ItemKind, Role, Segment, Transcript

    text = ("Honestly we sat through a demo of Quorbit in the spring. It was way too much system for "
            "a clinic our size and the quote was double what we budgeted, so we walked away.")
    t = Transcript(segments=[Segment(start=0, end=2, speaker="Priya", role=Role.REP,
                                     text="Did you look at anything else before us?"),
                             Segment(start=3, end=12, speaker="Dana", role=Role.CUSTOMER, text=text)])
    found = [i for i in extract_items(t, CallContext("r"), settings) if i.kind is ItemKind.COMPETITOR]
    assert len(found) == 1
    assert "Quorbit" in found[0].evidence[0].quote and found[0].attributes["name"] == "Quorbit"
