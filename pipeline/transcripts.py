"""Transcript exports (WebVTT, SRT, plain text, our JSON) into `Transcript`.

Meeting tools name speakers in two ways: a `<v Name>` voice tag (WebVTT) or a
`Name:` prefix on the cue text. Both are read; consecutive cues of one speaker
are merged into one turn, as a listener would hear them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import webvtt
from pydantic import ValidationError

from models import Segment, Transcript

TRANSCRIPT_SUFFIXES = {".vtt", ".srt", ".txt", ".json"}
# "Dana Ruiz: text" — a short name-like prefix, not a sentence that has a colon in it.
_PREFIX = re.compile(r"^\s*(?P<name>[A-Z][\w.'\- ]{0,40}?)\s*:\s+(?P<text>.+)$", re.S)
_TXT_LINE = re.compile(
    r"^\s*(?:\[(?P<stamp>\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?)\]\s*)?(?P<name>[^:\[\]]{1,60}?)\s*:\s*(?P<text>.*)$")
# A gap this long between two cues of the same speaker starts a new turn.
MERGE_GAP_SECONDS = 2.0


class TranscriptError(ValueError):
    """A transcript export that cannot be read, with the reason."""


def _seconds(stamp: str) -> float:
    parts = [float(p) for p in stamp.replace(",", ".").split(":")]
    total = 0.0
    for part in parts:
        total = total * 60 + part
    return total


def _split_speaker(text: str, voice: str | None) -> tuple[str, str]:
    if voice:
        return voice.strip(), text
    match = _PREFIX.match(text)
    if match and len(match["name"].split()) <= 4:
        return match["name"].strip(), match["text"].strip()
    return "unknown", text


def _merge(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for seg in segments:
        prev = merged[-1] if merged else None
        if prev and prev.speaker == seg.speaker and seg.start - prev.end <= MERGE_GAP_SECONDS:
            prev.text = f"{prev.text} {seg.text}"
            prev.end = max(prev.end, seg.end)
        else:
            merged.append(seg)
    return merged


def _check(segments: list[Segment], path: Path) -> list[Segment]:
    if not segments:
        raise TranscriptError("no speaker turns found in the transcript")
    for seg in segments:
        if seg.end < seg.start:
            raise TranscriptError(f"broken timestamps: a turn ends ({seg.end:.1f}s) before it "
                                  f"starts ({seg.start:.1f}s)")
    return segments


def _read_captions(path: Path) -> list[Segment]:
    try:
        captions = webvtt.from_srt(str(path)) if path.suffix == ".srt" else webvtt.read(str(path))
    except Exception as exc:  # webvtt raises its own MalformedFileError and others
        raise TranscriptError(f"malformed {path.suffix[1:].upper()} file ({exc})") from exc
    segments = []
    for cue in captions:
        text = " ".join(cue.text.split())
        if not text:
            continue
        speaker, text = _split_speaker(text, cue.voice)
        segments.append(Segment(start=_seconds(cue.start), end=_seconds(cue.end),
                                speaker=speaker, text=text))
    return _merge(segments)


def _read_text(path: Path) -> list[Segment]:
    """`[hh:mm:ss] Name: text` lines; a line without a prefix continues the last turn."""
    segments: list[Segment] = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        match = _TXT_LINE.match(line)
        if match and match["text"].strip():
            start = _seconds(match["stamp"]) if match["stamp"] else None
            if start is None:
                start = segments[-1].end if segments else 0.0
            segments.append(Segment(start=start, end=start, speaker=match["name"].strip(),
                                    text=match["text"].strip()))
        elif segments:
            segments[-1].text += " " + line.strip()
        else:
            raise TranscriptError(f"line 1 is not 'Name: text' ({line.strip()[:40]!r})")
    # A turn ends where the next begins; the last one gets a length from its words.
    for seg, nxt in zip(segments, segments[1:]):
        seg.end = max(seg.start, nxt.start)
    if segments:
        last = segments[-1]
        last.end = last.start + len(last.text.split()) / 2.7  # ~160 words a minute
    return _merge(segments)


def _read_json(path: Path) -> list[Segment]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Transcript.model_validate(data).segments
    except (json.JSONDecodeError, ValidationError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0]
        raise TranscriptError(f"not a transcript JSON file ({first})") from exc


def read_transcript(path: Path) -> Transcript:
    """Parse any supported export into a `Transcript` (roles are assigned later)."""
    if path.stat().st_size == 0:
        raise TranscriptError("empty file (0 bytes)")
    readers = {".vtt": _read_captions, ".srt": _read_captions, ".txt": _read_text,
               ".json": _read_json}
    if path.suffix.lower() not in readers:
        raise TranscriptError(f"unsupported transcript format {path.suffix!r}")
    segments = _check(readers[path.suffix.lower()](path), path)
    return Transcript(duration=max(s.end for s in segments), segments=segments,
                      source=path.name, engine=f"export:{path.suffix[1:].lower()}")


# Conversational English is 40-55% function words ("the", "we", "to"...); other
# languages written in Latin script share only a few of them ("a", "me", "no").
_MIN_ENGLISH_SHARE = 0.15
_MIN_WORDS = 20


def english_share(text: str) -> float | None:
    """Share of the words that are English function words; None for too little text."""
    from spacy.lang.en.stop_words import STOP_WORDS

    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text.lower())
    if len(words) < _MIN_WORDS:
        return None
    return sum(w in STOP_WORDS for w in words) / len(words)


def language_problem(transcript: Transcript) -> str | None:
    """Why an export cannot go to the English extractor, or None."""
    share = english_share(" ".join(s.text for s in transcript.segments))
    if share is not None and share < _MIN_ENGLISH_SHARE:
        return (f"the transcript does not look like English (only {share:.0%} English function words); "
                "the extractor is trained on English calls")
    return None
