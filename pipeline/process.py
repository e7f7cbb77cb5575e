"""The stages composed for one recording and for one deal, as plain functions.

`flows/` wraps these as Prefect tasks; tests and short commands (`extract`,
`transcribe`) call them directly, without Prefect's start-up cost.
"""

from __future__ import annotations

import functools
import hashlib
import time
from importlib import metadata
from pathlib import Path

from extractors import sides as side_model
from extractors.extract import CallContext, extract_items
from models import Deal, FileResult, HandoffDocument, Recording, Role, SourceKind, Transcript
from pipeline import audio, speakers, transcribe, transcripts
from pipeline.aggregate import MergedItem, merge_items
from pipeline.draft import draft_document
from pipeline.render import render
from pipeline.settings import Settings
from pipeline.store import Store


class StageError(RuntimeError):
    """A file failed at a named stage; the message is for the user."""

    def __init__(self, stage: str, message: str):
        super().__init__(message)
        self.stage = stage


def vocabulary(deal: Deal | None, settings: Settings) -> list[str]:
    """Names the recognizer should know for this call."""
    words = [*settings.rep_names, settings.vendor_name]
    if deal:
        words += [deal.ae_name, deal.csm_name, deal.account, *deal.competitors,
                  speakers.vendor_from_email(deal.ae_email).title()]
    return [w for w in words if w]


def load_transcript(recording: Recording, deal: Deal | None, settings: Settings) -> Transcript:
    """Decode and transcribe audio, or parse an export; then assign speaker roles."""
    path = recording.path
    if recording.kind is SourceKind.TRANSCRIPT:
        try:
            transcript = transcripts.read_transcript(path)
        except transcripts.TranscriptError as exc:
            raise StageError("parse", str(exc)) from exc
        if problem := transcripts.language_problem(transcript):
            raise StageError("parse", problem)
        if all(s.speaker == "unknown" for s in transcript.segments):
            transcript.warnings.append("the export names no speakers: turns cannot be told apart, "
                                       "so rep and customer are unknown")
    else:
        try:
            samples = audio.decode(path, settings.max_audio_seconds)
        except audio.AudioError as exc:
            raise StageError("decode", str(exc)) from exc
        transcript = transcribe.transcribe_audio(samples, settings, path.name, vocabulary(deal, settings))
        if not transcript.segments:
            raise StageError("transcribe", "no speech found in the recording (only silence, noise or music)")
        problem = transcribe.language_problem(transcript)
        if problem and problem[0] == "error":
            raise StageError("transcribe", problem[1])
        if problem:
            transcript.warnings.append(problem[1])
        if all(s.channel is None for s in transcript.segments):
            speakers.diarize(audio.mono(samples), transcript.segments)
        else:
            speakers.diarize_channels(samples, transcript.segments)
    sides = (Role.REP, Role.CUSTOMER) if settings.rep_channel == 1 else (Role.CUSTOMER, Role.REP)
    return speakers.assign_roles(transcript, deal, settings.rep_names, settings.vendor_name, sides,
                                 lambda: speech_sides(transcript, settings))


# What load_transcript makes of the same audio and settings depends on these modules (decoding,
# recognition, diarization, roles): any change to them makes cached transcripts again.
TRANSCRIPT_MODULES = ("audio.py", "vad.py", "transcribe.py", "transcripts.py", "speakers.py",
                      "vocabulary.py", "whisper_model.py", "process.py")


@functools.lru_cache(maxsize=1)
def _transcript_code() -> str:
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in TRANSCRIPT_MODULES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:12]


def transcript_version(settings: Settings) -> str:
    """The transcript code's hash plus the side model it assigns roles with."""
    model = side_model.load(str(settings.classifier_dir), settings.encoder_model)
    return f"{_transcript_code()}/{model.version if model else 'no-side-model'}"


# A speaker needs this many segments of real speech before their words count towards a side.
MIN_SIDE_SEGMENTS = 3


def speech_sides(transcript: Transcript, settings: Settings) -> dict[str, float]:
    """Speaker label -> P(seller) from what they say; empty without the fitted side model."""
    model = side_model.load(str(settings.classifier_dir), settings.encoder_model)
    if model is None:
        return {}
    scores = model.speaker_scores([(s.speaker, s.text) for s in transcript.segments if s.speaker != "unknown"])
    return {label: score for label, (score, count) in scores.items() if count >= MIN_SIDE_SEGMENTS}


def call_context(recording: Recording, deal: Deal | None, transcript: Transcript) -> CallContext:
    people = [s for s in transcript.speakers() if not s.startswith(("speaker ", "channel ", "unknown"))]
    if deal:
        people += [p for p in (deal.ae_name, deal.csm_name) if p]
    return CallContext(recording_id=recording.recording_id, call_date=recording.call_date,
                       deal=deal, people=list(dict.fromkeys(people)))


def process_recording(recording: Recording, deal: Deal | None, settings: Settings) -> FileResult:
    """One file to transcript and items; raises StageError with the failing stage."""
    t0 = time.perf_counter()
    transcript = load_transcript(recording, deal, settings)
    t1 = time.perf_counter()
    items = extract_items(transcript, call_context(recording, deal, transcript), settings)
    t2 = time.perf_counter()
    return FileResult(recording_id=recording.recording_id, path=str(recording.path),
                      transcript=transcript, items=items,
                      seconds={"transcribe": round(t1 - t0, 2), "extract": round(t2 - t1, 2)})


def build_document(store: Store, deal: Deal, settings: Settings) -> tuple[HandoffDocument, list[MergedItem]]:
    """The current draft of a deal from everything stored: its calls, items, the AE's review."""
    calls = store.deal_calls(deal.deal_id)
    order = {c["recording_id"]: n for n, c in enumerate(calls)}
    merged = merge_items(store.deal_items(deal.deal_id), order, settings.encoder_model)
    doc = draft_document(deal, merged, calls, settings.required_fields, store.resolutions(deal.deal_id))
    return doc, merged


def call_paths(store: Store, deal_id: str) -> dict[str, str]:
    return {c["recording_id"]: c["path"] for c in store.deal_calls(deal_id)}


def draft_deal(store: Store, deal: Deal, settings: Settings) -> tuple[Path, Path] | None:
    """(Re)draft one deal's document from everything stored; a confirmed one is left alone."""
    if store.document_status(deal.deal_id) == "confirmed":
        return None
    doc, _ = build_document(store, deal, settings)
    md, html = render(doc, settings.documents_dir, call_paths(store, deal.deal_id))
    store.save_document(doc, md, html)
    return md, html


def versions(settings: Settings) -> dict[str, str]:
    """What produced this run's rows, recorded with the run."""
    found = {"whisper_model": settings.whisper_model, "beam_size": str(settings.beam_size),
             "device": settings.device,
             "spacy_model": settings.spacy_model, "encoder": settings.encoder_model}
    for package in ("openai-whisper", "spacy", "transformers", "prefect", "duckdb", "handoff"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    meta = settings.classifier_dir / "meta.json"
    if meta.exists():
        import json

        info = json.loads(meta.read_text())
        found["classifier"] = f"{info['version']}@{info['data_version']}"
    return found
