"""Success-criterion attributes read from a sentence: the deadline, not the first date; the
target with its amount; quantified only where a number is a target or an amount."""

import pytest

from extractors.success_criteria import criterion_attributes


@pytest.fixture(scope="module")
def read():
    from extractors.nlp import spacy_pipeline
    from pipeline.settings import Settings

    nlp = spacy_pipeline(Settings().spacy_model)
    return lambda text: criterion_attributes(nlp(text)[:])


def test_the_timeframe_is_the_deadline_not_a_past_or_measured_time(read):
    found = read("We're around 60% today and we were at 55% last spring. I want 90% by the end of the year.")
    assert found["timeframe"] == "by the end of the year" and found["quantified"]
    # "two days" is what is measured, "by q four" when: a recognizer's lower-case text.
    found = read("if the quote goes from two days to like half a day by q four that's a win")
    assert found["timeframe"] == "by q four"
    assert (found["baseline"], found["target"]) == ("two days", "like half a day")


def test_a_from_to_target_keeps_its_amount(read):
    found = read("Success is cutting average wait time from eight minutes to under five.")
    assert (found["baseline"], found["target"]) == ("eight minutes", "under five") and found["quantified"]
    assert found["timeframe"] is None


def test_a_goal_with_no_number_is_not_quantified(read):
    found = read("Honestly, if my dispatchers stop complaining about the tablets, that's a win for me.")
    assert not found["quantified"] and found["target"] is None and found["timeframe"] is None


def test_a_measured_duration_or_a_year_is_no_deadline_or_target(read):
    assert read("If we cut the close by two days, that is a win.")["timeframe"] is None
    assert read("Within a year, I want every rep on the new system.")["timeframe"] == "within a year"
    found = read("We need 99.9% uptime by 2027.")
    assert found["target"] is None and found["timeframe"] == "by 2027" and found["quantified"]
