"""The batch flow: discover → transcribe → extract (per recording, in parallel) → store → draft.

One task per stage per recording, mapped over the new recordings of a run on
the flow's task runner (threads by default; a Dask cluster with
`dask_address` / `dask_workers`). Workers transcribe and extract in parallel;
the flow itself is the one writer that stores each result as soon as it
arrives, so a crash loses at most the files in hand. Models load once per
worker process (the loaders are cached per process).

Failures: a permanent one (corrupt audio, a malformed export: `StageError`)
fails that recording's task only, is recorded against the file, and is not
retried. A transient one (the database busy beyond its own waits, a file
system hiccup) is retried with back-off. Transcripts and items are cached
by content hash and settings, so a run that resumes after a crash does not
transcribe again what it had already transcribed.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import fcntl
import hashlib
import os
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from extractors.classifier import ClassifierMissing
from extractors.nlp import NLPModelError
from models import Deal, FileError, FileResult, Item, Recording, RunSummary, Transcript
from pipeline import ingest
from pipeline.process import (StageError, call_context, draft_deal, load_transcript, transcript_version,
                              versions)
from pipeline.settings import Settings
from pipeline.store import Store, StoreError
from pipeline.whisper_model import ModelError

Progress = Callable[[str, int, int], None]
# Failures of the set-up, not of a file: every file would fail the same way.
FATAL = (ClassifierMissing, NLPModelError, ModelError)
# Worth another try: the database busy beyond its own waits, a file briefly unreadable.
TRANSIENT = (StoreError, OSError)
RETRY_DELAYS = [2, 10, 30]


def _transient(task, task_run, state) -> bool:
    """Retry only what may pass by itself; a corrupt file stays corrupt."""
    try:
        state.result()
    except TRANSIENT:
        return True
    except Exception:
        return False
    return False


def _fingerprint(settings: Settings, *fields: str) -> str:
    return hashlib.sha256("|".join(str(getattr(settings, f)) for f in fields).encode()).hexdigest()[:12]


def _transcript_key(context, parameters: dict[str, Any]) -> str:
    """Same content, same recognizer settings, same transcript code and side model: same transcript."""
    rec: Recording = parameters["recording"]
    s: Settings = parameters["settings"]
    deal: Deal | None = parameters["deal"]
    names = f"{deal.ae_name}|{deal.account}|{deal.competitors}" if deal else ""
    recognizer = _fingerprint(s, "engine", "whisper_model", "device", "vad", "beam_size", "rep_names",
                              "vendor_name", "rep_channel")
    code = hashlib.sha256(transcript_version(s).encode()).hexdigest()[:8]
    people = hashlib.sha256(names.encode()).hexdigest()[:8]
    return f"transcript-{rec.recording_id}-{recognizer}-{people}-{code}"


def limit_threads() -> None:
    """On a Dask worker, use only this worker's share of the cores (HANDOFF_TORCH_THREADS).

    Without it each worker process runs torch on every core: two workers on two cores ran
    4 threads and transcribed 4-5x slower than one process (measured, see docs/operations.md)."""
    threads = os.environ.get("HANDOFF_TORCH_THREADS")
    if threads:
        import torch

        if torch.get_num_threads() != int(threads):
            torch.set_num_threads(int(threads))


def transcribe_recording(recording: Recording, deal: Deal | None, settings: Settings) -> tuple[Transcript, float]:
    """The transcript and the seconds it took (cached with it: a cache hit reports the original cost)."""
    limit_threads()
    t0 = time.perf_counter()
    transcript = load_transcript(recording, deal, settings)
    return transcript, round(time.perf_counter() - t0, 2)


def extract_recording(recording: Recording, deal: Deal | None, transcribed: tuple[Transcript, float],
                      settings: Settings) -> FileResult:
    from extractors.extract import extract_items

    transcript, transcribe_seconds = transcribed
    limit_threads()
    t0 = time.perf_counter()
    items: list[Item] = extract_items(transcript, call_context(recording, deal, transcript), settings)
    return FileResult(recording_id=recording.recording_id, path=str(recording.path), transcript=transcript,
                      items=items, seconds={"transcribe": transcribe_seconds,
                                            "extract": round(time.perf_counter() - t0, 2)})


transcribe = task(transcribe_recording, name="transcribe", task_run_name="transcribe {recording.path.name}",
                  cache_key_fn=_transcript_key, persist_result=True, retries=len(RETRY_DELAYS),
                  retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=_transient)
extract = task(extract_recording, name="extract", task_run_name="extract {recording.path.name}",
               cache_policy=NO_CACHE, retries=len(RETRY_DELAYS), retry_delay_seconds=RETRY_DELAYS,
               retry_condition_fn=_transient)


@task(name="store", task_run_name="store {recording.path.name}", cache_policy=NO_CACHE,
      retries=len(RETRY_DELAYS), retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=_transient)
def store_result(store: Store, recording: Recording, result: FileResult) -> None:
    store.save_result(recording, result)


@task(name="draft-document", task_run_name="draft {deal.deal_id}", cache_policy=NO_CACHE,
      retries=len(RETRY_DELAYS), retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=_transient)
def draft(store: Store, deal: Deal, settings: Settings) -> tuple[Path, Path] | None:
    return draft_deal(store, deal, settings)


def discover(settings: Settings, store: Store, summary: RunSummary
             ) -> tuple[list[Recording], dict[str, Deal], set[str]]:
    """New files in the inbox (by content hash), with their deals, and the deals
    to redraft without new calls: known files re-linked to the deal the CRM export
    now names, and deals whose CRM record changed (a stage now closed-won, a new
    CSM, an amended amount). Files still being written are left for the next run."""
    problems: list[str] = []
    deals = ingest.load_deals(settings.inbox, problems)
    for message in problems:
        summary.errors.append(FileError(path=message.split(" ", 1)[0].rstrip(":"), stage="discover",
                                        message=message))
    facts = ingest.load_call_facts(settings.inbox)
    changed = store.upsert_deals(list(deals.values())) if deals else set()
    done = store.done_hashes()
    new: list[Recording] = []
    known: list[Recording] = []
    for path in ingest.candidate_files(settings.inbox, deals):
        if not ingest.is_settled(path, settings.settle_seconds):
            summary.waiting.append(path.name)
            continue
        try:
            rec = ingest.describe(path, deals, facts, settings.inbox)
        except ValueError as exc:
            summary.errors.append(FileError(path=path.name, stage="discover", message=str(exc)))
            store.record_error(summary.run_id, None, path, "discover", str(exc))
            continue
        if rec.recording_id in done or any(r.recording_id == rec.recording_id for r in new):
            summary.skipped.append(path.name)
            known.append(rec)
        else:
            new.append(rec)
    return new, deals, store.relink(known) | changed


@contextlib.contextmanager
def one_run_at_a_time(settings: Settings) -> Iterator[None]:
    """Runs over one database take turns (a scheduled run that starts while the last one
    is still going waits for it), so a new file is never picked up by two runs."""
    lock_path = settings.database.with_suffix(".run.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def task_runner(settings: Settings):
    """Threads on this machine, or a Dask cluster (an address, or a local one of N workers)."""
    if settings.dask_address or settings.dask_workers:
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        share = str(max(1, (os.cpu_count() or 1) // settings.dask_workers))
        return DaskTaskRunner(cluster_kwargs={"n_workers": settings.dask_workers, "threads_per_worker": 1,
                                              "processes": True, "dashboard_address": None,
                                              "env": {"HANDOFF_TORCH_THREADS": share, "OMP_NUM_THREADS": share}})
    return ThreadPoolTaskRunner(max_workers=settings.workers)


def _run_name() -> str:
    """"batch <inbox folder> <time>": readable in the Prefect UI."""
    from prefect.runtime import flow_run

    settings = (flow_run.parameters or {}).get("settings")
    inbox = getattr(settings, "inbox", None) or (settings or {}).get("inbox", "") if settings else ""
    return f"batch {Path(str(inbox)).name or 'inbox'} {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}"


# The progress callback is not a flow parameter: parameters travel with the run's context to
# Dask workers, and a terminal progress bar (with its locks) cannot be pickled.
PROGRESS: contextvars.ContextVar[Progress | None] = contextvars.ContextVar("progress", default=None)


def run_batch(settings: Settings) -> RunSummary:
    """Process everything new in the inbox and draft the touched deals."""
    with one_run_at_a_time(settings):
        return _batch(settings, PROGRESS.get())


# Flows and tasks wrap functions with names of their own: the run's context travels to Dask
# workers by pickle, which finds a function by module and name, and must find it (not a wrapper).
batch_flow = flow(run_batch, name="handoff-batch", flow_run_name=_run_name, validate_parameters=False)


def _batch(settings: Settings, progress: Progress | None) -> RunSummary:
    store = Store(settings.database, settings.write_retries)
    summary = RunSummary(run_id=uuid.uuid4().hex[:12], started=dt.datetime.now(dt.UTC),
                         inbox=str(settings.inbox), database=str(settings.database))
    recordings, deals, relinked = discover(settings, store, summary)
    kinds: Counter[str] = Counter()
    touched: set[str] = {d for d in relinked if d in deals}
    transcribed = {rec.recording_id: (rec, transcribe.submit(rec, deals.get(rec.deal_id or ""), settings))
                   for rec in recordings}
    extracted = {extract.submit(rec, deals.get(rec.deal_id or ""), tf, settings): (rec, tf)
                 for rec, tf in transcribed.values()}
    if progress:
        progress("transcribing", 0, len(recordings))
    for n, future in enumerate(as_completed(list(extracted)), start=1):
        rec, tf = extracted[future]
        if progress:
            progress(rec.path.name, n, len(recordings))
        try:
            result = future.result()
        except Exception:
            failed = tf if tf.state.is_failed() else future
            exc = failed.state.result(raise_on_failure=False)
            if isinstance(exc, FATAL):
                raise exc
            stage = exc.stage if isinstance(exc, StageError) else ("transcribe" if failed is tf else "extract")
            message = str(exc) if isinstance(exc, StageError) else f"unexpected {type(exc).__name__}: {exc}"
            _fail(store, summary, rec, stage, message)
            continue
        try:
            store_result(store, rec, result)
        except Exception as exc:  # the database refused even after retries: this file waits for the next run
            summary.errors.append(FileError(path=rec.path.name, stage="store", message=str(exc)))
            continue
        summary.processed.append(rec.path.name)
        summary.warnings += [FileError(path=rec.path.name, stage="load", message=w)
                             for w in result.transcript.warnings]
        kinds.update(item.kind.value for item in result.items)
        for stage, seconds in result.seconds.items():
            summary.seconds[stage] = round(summary.seconds.get(stage, 0.0) + seconds, 2)
        if rec.deal_id in deals:
            touched.add(rec.deal_id)
        elif rec.deal_id:
            summary.warnings.append(FileError(path=rec.path.name, stage="discover",
                                              message=f"deal {rec.deal_id!r} is not in the CRM export"))
    if progress:
        progress("drafting documents", len(recordings), len(recordings))
    for deal_id in sorted(touched | _undrafted(store, deals)):
        try:
            paths = draft(store, deals[deal_id], settings)
        except Exception as exc:  # one deal's document must not cost the others theirs
            summary.errors.append(FileError(path=deal_id, stage="draft", message=f"{type(exc).__name__}: {exc}"))
            continue
        if paths:
            summary.documents.append(str(paths[0]))
    summary.items_per_kind = dict(kinds)
    summary.finished = dt.datetime.now(dt.UTC)
    store.save_run(summary, versions(settings))
    return summary


def _fail(store: Store, summary: RunSummary, rec: Recording, stage: str, message: str) -> None:
    summary.errors.append(FileError(path=rec.path.name, stage=stage, message=message))
    store.record_error(summary.run_id, rec, rec.path, stage, message)


def _undrafted(store: Store, deals: dict[str, Deal]) -> set[str]:
    """Deals with stored calls but no document yet (e.g. a deal added to the CRM export later)."""
    return {d for d in deals if store.deal_calls(d) and store.document_status(d) is None}


@flow(name="handoff-scheduled", flow_run_name="scheduled run", validate_parameters=False)
def scheduled_batch(overrides: dict[str, Any] | None = None) -> dict:
    """What `handoff serve` schedules: settings from the environment/config plus `overrides`
    (JSON-able, so the deployment can carry them), then the batch on the chosen task runner."""
    settings = Settings(**(overrides or {}))
    summary = batch_flow.with_options(task_runner=task_runner(settings))(settings)
    return {"processed": summary.processed, "errors": len(summary.errors), "documents": summary.documents}

