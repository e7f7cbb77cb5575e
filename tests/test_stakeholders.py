"""Who a stakeholder statement is about (held-back sentences written for this test, not
training lines): the person introduced, the person a title stands beside, the speaker
speaking of themselves, never the person addressed; bare lower-case first names beside a
title, as recognizers write them."""

import pytest

from extractors.nlp import spacy_pipeline
from extractors.stakeholders import first_names, stakeholder_name
from pipeline.settings import Settings


@pytest.fixture(scope="module")
def nlp():
    return spacy_pipeline(Settings().spacy_model)


def _name(nlp, text: str, speaker: str, known=()):
    return stakeholder_name(nlp(text)[:], speaker, list(known))


@pytest.mark.parametrize("text,speaker,known,expected", [
    # a lower-case first name beside a title or relation, which spaCy's NER misses
    ("also our cfo marcy is gonna want the numbers before anything gets signed", "Owen Hale", [], "Marcy"),
    ("i'd need to loop in my bookkeeper pat on the payment terms", "Owen Hale", [], "Pat"),
    ("so the one pushing this is wendell ashcroft our head of fleet ops", "Owen Hale", [], "Wendell Ashcroft"),
    ("honestly our controller zoë has to see the numbers first", "Owen Hale", [], "Zoë"),  # accented
    ("so our director will sign it once legal is done", "Owen Hale", [], None),  # "will" is a word
    # the person a title stands beside, not the speaker who mentions themselves in passing
    ("It's me and Rosa on the shortlist, but our plant manager, Gideon Marsh, owns the budget.",
     "Lena Park", ["Rosa Ibarra"], "Gideon Marsh"),
    ("My accountant, Ruben Ostrowski, reads every contract we sign.", "Lena Park", [], "Ruben Ostrowski"),
    # the speaker introducing themselves, with others in the sentence
    ("so i'm bernadette i run scheduling for both sites with walter", "Bernadette Cole",
     ["Walter Ames", "Bernadette Cole"], "Bernadette Cole"),
    # the speaker about themselves; the person asked or addressed is not the stakeholder
    ("i'm the one pushing for this internally but i'd have to ask ruth first", "Pat Lowe",
     ["Ruth Abernathy", "Pat Lowe"], "Pat Lowe"),
    ("For Priya's benefit: I'm the IT director, and nothing gets signed until I sign off.", "Owen Hale",
     [], "Owen Hale"),
    ("Maya, Frank owns the group and he signs off on anything over twenty grand.", "Tess Moore",
     ["Frank Kessler"], "Frank Kessler"),
    ("the rollout plan is on me, nobody else here has the time", "Owen Hale", [], "Owen Hale"),
    # the speaker beside "my/our <title>", not its object
    ("me and my director will decide by friday", "Owen Hale", [], "Owen Hale"),
    ("anything over fifty k comes to me as our cfo", "Owen Hale", [], "Owen Hale"),
    ("off the top of my head the budget is on me", "Owen Hale", [], "Owen Hale"),
])
def test_who_the_statement_is_about(nlp, text, speaker, known, expected):
    assert _name(nlp, text, speaker, known) == expected


@pytest.mark.parametrize("text,speaker,known", [
    ("to be frank our cfo hates the per seat price", "Owen Hale", []),  # "frank" is a word here
    ("we need to grant my manager admin access first", "Owen Hale", []),
    ("my boss signs off on anything over ten grand", "Owen Hale", []),  # about the boss, unnamed
    ("that's the figure our controller is going to hold me to", "Owen Hale", []),  # "me" in passing
    ("Sarah, can you send the security docs over?", "Owen Hale", ["Sarah Quill"]),  # addressed
    ("i'm the one who signs anything over fifty k", "Speaker 1", []),  # a diarization label
    ("i'm the one who signs anything over fifty k", "   ", []),
])
def test_no_name_rather_than_a_wrong_one(nlp, text, speaker, known):
    assert _name(nlp, text, speaker, known) is None


def test_a_surname_must_be_one(nlp):
    """Only a census surname completes a first name before "our <title>"."""
    assert _name(nlp, "i told jenna that our director wants the numbers", "Owen Hale") == "Jenna"


def test_the_first_name_list_holds_names_not_just_words():
    names = first_names()
    assert len(names) > 4000 and {"marcy", "lorraine", "phil"} <= names


@pytest.mark.parametrize("written,spoken,role", [
    # The same title as an export writes it and as a recognizer spells it: same title, same role.
    ("so I'm the CFO here and I'm the one signing this", "so i'm the c f o here and i'm the one signing this",
     "economic_buyer"),
    ("Nadia is our head of IT, she reviews every vendor", "nadia is our head of i t she reviews every vendor",
     "technical_evaluator"),
    # an article or the pronoun "i" beside the letters is no part of the acronym
    ("so she's a CFO, I think she signs", "so she's a c f o i think she signs", "economic_buyer"),
    ("Ines is our head of IT, I think she'll vet it", "ines is our head of i t i think she'll vet it",
     "technical_evaluator"),
])
def test_a_title_spelled_out_by_a_recognizer_reads_as_written(nlp, written, spoken, role):
    from extractors.stakeholders import stakeholder_attributes

    found = [stakeholder_attributes(nlp(text)[:], "Owen Hale", Settings().encoder_model) for text in (written, spoken)]
    assert [a["buying_role"] for a in found] == [role, role]
    assert found[0]["title"].lower().replace(" ", "") == found[1]["title"].replace(" ", "")


def test_the_role_is_read_from_the_whole_turn_and_the_title_from_the_quote(nlp):
    from extractors.stakeholders import stakeholder_attributes

    quote = nlp("Marta Quill runs dispatch for all three depots.")[:]
    turn = "Marta Quill runs dispatch for all three depots. Between us she is not convinced this beats the whiteboard."
    alone = stakeholder_attributes(quote, "Owen Hale", Settings().encoder_model)
    whole = stakeholder_attributes(quote, "Owen Hale", Settings().encoder_model, turn_text=turn)
    assert alone["buying_role"] != "skeptic" and alone["role_confidence"] is not None
    # the doubt is said in the turn's other sentence; a rule decided, so no model confidence
    assert whole["buying_role"] == "skeptic" and whole["role_confidence"] is None
    assert whole["title"] == alone["title"] and whole["name"] == alone["name"]
