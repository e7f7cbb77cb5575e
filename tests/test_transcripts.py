"""Transcript exports parse to the same turns, and malformed ones say why."""

from pathlib import Path

import pytest

from models import Segment, Transcript
from pipeline.transcripts import TranscriptError, read_transcript

VTT = """WEBVTT

1
00:00:01.000 --> 00:00:04.500
<v Priya Shah>Thanks for joining, Dana.</v>

2
00:00:04.800 --> 00:00:09.000
<v Dana Ruiz>Happy to. Month-end close takes us six days.</v>

3
00:00:09.200 --> 00:00:11.000
<v Dana Ruiz>It is painful.</v>
"""

VTT_PREFIX = """WEBVTT

00:00:01.000 --> 00:00:04.500
Priya Shah: Thanks for joining, Dana.

00:00:04.800 --> 00:00:09.000
Dana Ruiz: Happy to. Month-end close takes us six days.
"""

SRT = """1
00:00:01,000 --> 00:00:04,500
Priya Shah: Thanks for joining, Dana.

2
00:00:04,800 --> 00:00:09,000
Dana Ruiz: Happy to. Month-end close takes us six days.
"""

TXT = """[00:00:01] Priya Shah: Thanks for joining, Dana.
[00:00:04] Dana Ruiz: Happy to. Month-end close takes us six days.
and it is painful
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_vtt_voice_tags_become_merged_turns(tmp_path):
    t = read_transcript(write(tmp_path, "call.vtt", VTT))
    assert [s.speaker for s in t.segments] == ["Priya Shah", "Dana Ruiz"]
    # Two cues of Dana 0.2 s apart are one turn, as a listener hears them.
    assert t.segments[1].text == "Happy to. Month-end close takes us six days. It is painful."
    assert t.segments[1].start == pytest.approx(4.8) and t.segments[1].end == pytest.approx(11.0)


@pytest.mark.parametrize("name,text", [("a.vtt", VTT_PREFIX), ("a.srt", SRT), ("a.txt", TXT)])
def test_every_export_format_gives_the_same_turns(tmp_path, name, text):
    t = read_transcript(write(tmp_path, name, text))
    assert [s.speaker for s in t.segments] == ["Priya Shah", "Dana Ruiz"]
    assert t.segments[0].text == "Thanks for joining, Dana."
    assert t.segments[1].text.startswith("Happy to. Month-end close takes us six days.")
    assert t.segments[1].start == pytest.approx(4.8 if name != "a.txt" else 4.0)


def test_txt_continuation_lines_join_the_last_turn(tmp_path):
    t = read_transcript(write(tmp_path, "a.txt", TXT))
    assert t.segments[-1].text.endswith("and it is painful")


def test_our_json_round_trips(tmp_path):
    original = read_transcript(write(tmp_path, "a.vtt", VTT))
    again = read_transcript(write(tmp_path, "a.json", original.model_dump_json()))
    assert [(s.speaker, s.text) for s in again.segments] == [(s.speaker, s.text) for s in original.segments]


@pytest.mark.parametrize("name,text,message", [
    ("empty.vtt", "", "empty file"),
    ("bad.vtt", "this is not webvtt\n", "malformed VTT"),
    ("nospeakers.txt", "just some words with no speaker\n", "not 'Name: text'"),
    ("bad.json", "{\"segments\": [{\"start\": \"x\"}]}", "not a transcript JSON"),
    ("backwards.srt", "1\n00:00:09,000 --> 00:00:02,000\nDana: hi\n", "broken timestamps"),
])
def test_malformed_exports_raise_a_clear_error(tmp_path, name, text, message):
    with pytest.raises(TranscriptError, match=message):
        read_transcript(write(tmp_path, name, text))


def test_an_export_without_speaker_names_is_flagged(tmp_path):
    from models import Recording, SourceKind
    from pipeline.process import load_transcript
    from pipeline.settings import Settings

    path = write(tmp_path, "anon.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nhello there\n")
    rec = Recording(recording_id="x", path=path, kind=SourceKind.TRANSCRIPT, size=path.stat().st_size)
    t = load_transcript(rec, None, Settings())
    assert t.segments[0].role.value == "unknown"
    assert any("names no speakers" in w for w in t.warnings)


SPANISH = ("Hola Marta, gracias por la llamada. Nuestro equipo de logística pierde dos días cada mes "
           "con las conciliaciones y el director financiero quiere ver el contrato antes de junio. "
           "Te mando la propuesta el viernes con los precios para tres años.")
ENGLISH_ASR = ("yeah so um the thing is we lose like two days every month on the reconciliations and "
               "our finance director wants to see the contract before june so i'll send you the "
               "proposal on friday with the pricing for three years")


def test_a_transcript_in_another_language_is_refused_with_the_reason():
    from pipeline.transcripts import language_problem

    spanish = Transcript(duration=10, segments=[Segment(start=0, end=10, speaker="Marta", text=SPANISH)])
    english = Transcript(duration=10, segments=[Segment(start=0, end=10, speaker="Marta", text=ENGLISH_ASR)])
    assert "not look like English" in language_problem(spanish)
    assert language_problem(english) is None


def test_too_little_text_is_not_judged():
    from pipeline.transcripts import english_share

    assert english_share("Hola Marta") is None
