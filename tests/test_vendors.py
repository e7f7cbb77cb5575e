"""Known vendors found in recognizer text (held-back sentences, a small list of our own)."""

import pytest

from extractors import vendors
from extractors.competitors import competitor_attributes
from extractors.nlp import spacy_pipeline
from pipeline.settings import Settings

ENCODER = Settings().encoder_model
LISTED = ["NexHealth", "Workday", "Monday", "Front", "ServiceTitan", "Brex", "CrowdStrike", "WalkMe",
          "InEight", "Act!", "NICE"]


@pytest.fixture()
def listed(tmp_path, monkeypatch):
    path = tmp_path / "vendors.tsv"
    path.write_text("name\tcategory\n" + "".join(f"{n}\tsome category\n" for n in LISTED))
    monkeypatch.setattr(vendors, "FILE", path)
    return path


@pytest.mark.parametrize("text,expected", [
    ("we had lunch with the nex health folks last week", ["NexHealth"]),
    ("honestly we're on service titan and workday today", ["ServiceTitan", "Workday"]),
    ("the brex cards were the easy part", ["Brex"]),
    ("our current edr is crowd strike", ["CrowdStrike"]),
    ("so walk me through month end, is that in eight weeks", []),  # split at a function word
    ("We track every job in Monday right now.", ["Monday"]),  # an everyday word, capitalised mid-sentence
    ("see you monday then", []),
    ("Monday works for the follow-up.", []),  # sentence start: the day, not the product
    ("the brexit paperwork slowed every shipment", []),  # never inside another word
    ("we need to act fast, and the Act! database is ancient", ["Act!"]),  # punctuation in a name
    ("the queue runs on NICE and Nice is fine", ["NICE"]),  # all-capitals names, said as a word
    ('our agents live in "Monday" boards', ["Monday"]),
])
def test_names_as_recognizers_write_them(listed, text, expected):
    assert vendors.find(text, ENCODER) == expected


def test_skipped_names_are_not_returned(listed):
    assert vendors.find("we use nexhealth for reminders", ENCODER, skip={"Nex Health"}) == []


@pytest.mark.parametrize("text,expected", [
    ("we quoted it in salesforce cpq last year", ["Salesforce CPQ"]),  # the longer name, not Salesforce
    ("the ads all go through the trade desk", ["The Trade Desk"]),  # stop words of the name's own
    ("payroll is sap success factors and then zoho crm for sales", ["SAP SuccessFactors", "Zoho CRM"]),
])
def test_the_bundled_list(text, expected):
    assert len(vendors.names()) > 1000
    assert vendors.find(text, ENCODER) == expected


def test_a_known_vendor_names_the_competitor_over_the_sentence_structure(listed):
    nlp = spacy_pipeline(Settings().spacy_model)
    sent = nlp("yeah the front desk people compared you with nex health on the reminders")[:]
    assert competitor_attributes(sent, [], [], ENCODER)["name"] == "NexHealth"
    # the deal's own list still comes first
    assert competitor_attributes(sent, ["Front"], [], ENCODER)["name"] == "Front"


def test_a_deals_own_name_may_be_split_at_a_stop_word_a_known_vendor_may_not(tmp_path, monkeypatch):
    """One name the deal lists is likely said ("on fleet" for Onfleet); among thousands of known
    names the same split is mostly chance ("in eight weeks" is not InEight)."""
    from extractors.competitors import mentions

    path = tmp_path / "vendors.tsv"
    path.write_text("name\tcategory\nOnfleet\tdelivery\n")
    monkeypatch.setattr(vendors, "FILE", path)
    text = "um on fleet called me again last week"
    assert mentions(text, "Onfleet")
    assert vendors.find(text, ENCODER) == []
    assert not mentions("we paid upfront", "Front")
    # a listed name longer than any split is still found as written
    assert mentions("we evaluated microsoft dynamics 365 field service last year",
                    "Microsoft Dynamics 365 Field Service")
