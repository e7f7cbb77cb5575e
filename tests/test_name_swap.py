"""Training views with product names swapped for everyday words (a small call of our own)."""

import pytest

from extractors import name_swap, vendors
from extractors.corpus import Conversation, Turn
from pipeline.settings import Settings

ENCODER = Settings().encoder_model
WORDS = ["harbor", "ledger", "maple", "quartz"]


@pytest.fixture()
def listed(tmp_path, monkeypatch):
    path = tmp_path / "vendors.tsv"
    path.write_text("name\tcategory\n" + "".join(f"{n}\tsome category\n" for n in
                                                  ["ServiceTitan", "QuickBooks", "WalkMe"]))
    monkeypatch.setattr(vendors, "FILE", path)
    return path


def _call() -> Conversation:
    return Conversation("T-1", [
        Turn("Ana", "customer", "we got a quote from service titan last month", ["competitor"],
             {"competitor": {"name": "ServiceTitan"}}),
        Turn("Raj", "rep", "can you walk me through how billing works today"),
        Turn("Ana", "customer", "ServiceTitan was cheaper but it never synced with QuickBooks"),
        Turn("Ana", "customer", "and briarwood quoted us too", ["competitor"], {"competitor": {"name": "Briarwood"}}),
    ], deal="Test deal")


def test_names_are_replaced_consistently_and_labels_kept(listed):
    call = _call()
    out = name_swap.swap_names(call, 13, WORDS, ENCODER)
    texts = [t.text for t in out.turns]
    # Listed names, as written or split by a recognizer, and the call's own labelled competitor.
    for gone in ("service titan", "ServiceTitan", "QuickBooks", "briarwood"):
        assert gone not in " ".join(texts)
    stand_in = texts[0][len("we got a quote from "):-len(" last month")]
    assert texts[2].startswith(stand_in + " was cheaper")  # the same stand-in for the same name
    assert all(w.lower() in WORDS for w in stand_in.split()) and 1 <= len(stand_in.split()) <= 2
    assert texts[1] == call.turns[1].text  # "walk me through" is not WalkMe
    assert [t.labels for t in out.turns] == [t.labels for t in call.turns]
    assert out.id == call.id and out.deal == call.deal


def test_swap_is_deterministic_for_a_seed(listed):
    first = name_swap.swap_names(_call(), 13, WORDS, ENCODER)
    again = name_swap.swap_names(_call(), 13, WORDS, ENCODER)
    assert [t.text for t in first.turns] == [t.text for t in again.turns]
    seeds = {tuple(t.text for t in name_swap.swap_names(_call(), s, WORDS, ENCODER).turns) for s in range(6)}
    assert len(seeds) > 1  # the seed picks the stand-ins


def test_names_that_cross_keep_the_text_whole(listed):
    # ServiceTitan (listed) and "Titan Pro" (this call's label) cross: one is swapped, no fragment left.
    call = Conversation("T-3", [Turn("Ana", "customer", "we looked at service titan pro last year", ["competitor"],
                                     {"competitor": {"name": "Titan Pro"}})])
    text = name_swap.swap_names(call, 13, WORDS, ENCODER).turns[0].text
    middle = text[len("we looked at "):].split(" last year")[0].split()
    assert text.startswith("we looked at ") and text.endswith(" last year")
    assert all(w.lower() in WORDS + ["pro"] for w in middle)


def test_vocabulary_is_lower_case_content_words(listed):
    call = Conversation("T-2", [
        Turn("Ana", "customer", "The Reconciliation takes us six days, every month, we didn't cope"),
        Turn("Ana", "customer", "honestly quickbooks and briarwood both wasted days", ["competitor"],
             {"competitor": {"name": "Briarwood"}})])
    # Not "reconciliation" (capitalised, 14 letters), "didn" (a contraction's stem), "every"
    # (a stop word), nor a product: listed (QuickBooks) or labelled (Briarwood).
    assert name_swap.vocabulary([call]) == ["cope", "days", "honestly", "month", "takes", "wasted"]
