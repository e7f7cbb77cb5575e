"""Spoken deadlines resolve against the call date (Tuesday 4 August 2026)."""

import datetime as dt

import pytest

from extractors.dates import find_due, resolve_due

CALL = dt.date(2026, 8, 4)


@pytest.mark.parametrize("phrase,expected", [
    ("by Friday", "2026-08-07"),
    ("end of Q3", "2026-09-30"),
    ("Q1", "2027-03-31"),
    ("within 30 days", "2026-09-03"),
    ("within thirty days", "2026-09-03"),
    ("in two weeks", "2026-08-18"),
    ("end of next week", "2026-08-14"),
    ("end of the month", "2026-08-31"),
    ("next Tuesday", "2026-08-11"),
    ("tomorrow", "2026-08-05"),
    ("September 15th", "2026-09-15"),
    ("by the first week of September", "2026-09-04"),   # that week's Friday
    ("end of October", "2026-10-31"),
    ("mid-March", "2027-03-15"),                          # March has passed: next year's
    ("the last week of August", "2026-08-28"),
    ("by the 3rd", "2026-09-03"),                         # a day, not March (dateparser's reading)
    ("on the 1st", "2026-09-01"),
    ("the fifteenth", "2026-08-15"),                      # days said as words
    ("before the twenty-seventh of August", "2026-08-27"),
    ("March fifteenth", "2027-03-15"),
    ("the 2nd of August", "2027-08-02"),                  # passed this year: next year's
])
def test_resolve_due(phrase, expected):
    assert resolve_due(phrase, CALL) == dt.date.fromisoformat(expected)


def test_find_due_in_lower_case_asr_text():
    phrase, date = find_due("yeah so i'll get the sock two report over to you by friday", CALL)
    assert phrase == "by friday" and date == dt.date(2026, 8, 7)


def test_no_deadline_in_a_sentence_about_the_past():
    assert find_due("we have been on this system for six years", CALL) == (None, None)


def test_the_named_entity_is_widened_to_the_whole_deadline():
    # spaCy tags "next week"; the deadline said is the end of next week (a Friday).
    assert find_due("we'll have it to you end of next week", CALL, ["next week"]) == \
        ("end of next week", dt.date(2026, 8, 14))


def test_a_day_said_as_a_word_is_a_deadline_only_where_the_phrase_ends():
    assert find_due("we'll hold the kickoff slot on the fourteenth for you", CALL) == \
        ("on the fourteenth", dt.date(2026, 8, 14))
    assert find_due("so the third option is the cheaper one", CALL) == (None, None)
    assert find_due("the second call is on friday", CALL) == ("on friday", dt.date(2026, 8, 7))


@pytest.mark.parametrize("text,expected", [
    ("two options: the first is monthly billing", None),   # ordinals that are no dates
    ("we may first need legal to sign off", None),
    ("i'll send the 2nd draft over", None),
    ("on the 3rd of the month we run payroll", "2026-09-03"),
    ("by the 31st", "2026-08-31"),
    ("on the 31st of September", None),                   # no such day
])
def test_days_of_the_month_only_where_they_are_deadlines(text, expected):
    assert find_due(text, CALL)[1] == (dt.date.fromisoformat(expected) if expected else None)


def test_a_day_the_month_lacks_is_the_next_month_that_has_it():
    assert resolve_due("the 31st", dt.date(2026, 9, 5)) == dt.date(2026, 10, 31)
