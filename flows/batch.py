"""The batch flow: discover → transcribe/extract → store → draft, per inbox.

Each recording is its own task, stored as soon as it is done, so a failure or
a crash loses at most the file in hand. A bad file fails only its task: its
error is recorded against it and the batch goes on.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from models import Deal, FileError, FileResult, Recording, RunSummary
from extractors.classifier import ClassifierMissing
from extractors.nlp import NLPModelError
from pipeline import ingest
from pipeline.whisper_model import ModelError
from pipeline.process import StageError, draft_deal, process_recording, versions
from pipeline.settings import Settings
from pipeline.store import Store

Progress = Callable[[str, int, int], None]
# Failures of the set-up, not of a file: every file would fail the same way.
FATAL = (ClassifierMissing, NLPModelError, ModelError)


@task(name="discover", cache_policy=NO_CACHE)
def discover(settings: Settings, store: Store, summary: RunSummary
             ) -> tuple[list[Recording], dict[str, Deal], set[str]]:
    """New files in the inbox (by content hash), with their deals, and the deals
    to redraft without new calls: known files re-linked to the deal the CRM export
    now names, and deals whose CRM record changed (a stage now closed-won, a new
    CSM, an amended amount)."""
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


@task(name="process-recording", task_run_name="process {recording.path.name}", cache_policy=NO_CACHE)
def process(recording: Recording, deal: Deal | None, settings: Settings) -> FileResult:
    return process_recording(recording, deal, settings)


@task(name="draft-document", task_run_name="draft {deal.deal_id}", cache_policy=NO_CACHE)
def draft(store: Store, deal: Deal, settings: Settings) -> tuple[Path, Path] | None:
    return draft_deal(store, deal, settings)


@flow(name="handoff-batch", validate_parameters=False)
def batch_flow(settings: Settings, progress: Progress | None = None) -> RunSummary:
    """Process everything new in the inbox and draft the touched deals."""
    store = Store(settings.database, settings.write_retries)
    summary = RunSummary(run_id=uuid.uuid4().hex[:12], started=dt.datetime.now(dt.UTC),
                         inbox=str(settings.inbox), database=str(settings.database))
    recordings, deals, relinked = discover(settings, store, summary)
    kinds: Counter[str] = Counter()
    touched: set[str] = {d for d in relinked if d in deals}
    for n, rec in enumerate(recordings):
        if progress:
            progress(rec.path.name, n, len(recordings))
        deal = deals.get(rec.deal_id or "")
        try:
            result = process(rec, deal, settings)
        except StageError as exc:
            _fail(store, summary, rec, exc.stage, str(exc))
            continue
        except FATAL:
            raise
        except Exception as exc:  # one file's unexpected failure must not sink the batch
            _fail(store, summary, rec, "process", f"unexpected {type(exc).__name__}: {exc}")
            continue
        store.save_result(rec, result)
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
