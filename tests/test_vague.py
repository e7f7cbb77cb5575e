"""Brochure promises: the learned model and how commitment attributes use it."""

import datetime as dt
from pathlib import Path

import pytest

from extractors import vague
from extractors.commitments import commitment_attributes
from extractors.corpus import load_train
from extractors.nlp import spacy_pipeline
from models import Side
from pipeline.settings import Settings

TRAIN = Path(__file__).resolve().parents[1] / "data" / "train"


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    encoder = Settings().encoder_model
    folder = tmp_path_factory.mktemp("vague")
    record = vague.fit(load_train(TRAIN), encoder, folder, "test")
    assert record["vague"] >= vague.MIN_VAGUE and vague.is_current(folder, "test", encoder)
    return vague.load(str(folder), encoder)


@pytest.mark.parametrize("text", [
    # Comfort with no step, in words the brochure list does not hold.
    "and look whatever happens during the switch you're covered, we've got your back on this one",
    "honestly you will never have to think about it again, we look after everything for you",
])
def test_brochure_promises_without_list_words_read_as_vague(model, text):
    assert model.score(text) >= vague.THRESHOLD


@pytest.mark.parametrize("text", [
    "I'll send the signed DPA and the SOC 2 report to Priya by Thursday.",
    "we'll set up the sandbox with your test store and walk your two admins through the sync on monday",
])
def test_concrete_promises_are_not_vague(model, text):
    assert model.score(text) < vague.THRESHOLD


def test_the_model_decides_when_given_and_a_due_date_keeps_a_promise_concrete():
    nlp = spacy_pipeline(Settings().spacy_model)
    sent = next(nlp("We'll take care of you.").sents)
    said = dict(speaker="Ana", side=Side.VENDOR, call_date=dt.date(2026, 3, 2), people=[])
    assert commitment_attributes(sent, **said, vague_score=0.9)["vague"] is True
    assert commitment_attributes(sent, **said, vague_score=0.1)["vague"] is False
    dated = next(nlp("We'll take care of you by Friday.").sents)
    assert commitment_attributes(dated, **said, vague_score=0.9)["vague"] is False
    # Without a model the word list decides.
    painless = next(nlp("We'll make the switch painless.").sents)
    assert commitment_attributes(painless, **said)["vague"] is True
    assert commitment_attributes(sent, **said)["vague"] is False


def test_a_record_without_coefficients_or_of_another_encoder_loads_as_none(tmp_path):
    from extractors import fitted_records

    fitted_records.write(tmp_path, vague.FILE, {"encoder": "e1", "turns": 5, "vague": 1})
    assert vague.load(str(tmp_path), "e1") is None  # too few examples were fitted: the word list decides
    fitted_records.write(tmp_path, vague.FILE, {"encoder": "e1", "coef": [0.5, -0.5], "intercept": 0.0})
    assert vague.load(str(tmp_path), "e2") is None
    assert vague.load(str(tmp_path), "e1") is not None
