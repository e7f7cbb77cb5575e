"""The `handoff` command: parse, call a library function, format the output."""

from __future__ import annotations

import csv
import json
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from pipeline.settings import Settings, load_settings

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Turn B2B sales calls into evidence-backed handoff documents.")
_state: dict[str, Any] = {"debug": False}

Db = Annotated[Path | None, typer.Option("--db", help="DuckDB file (default data/handoff.duckdb).")]
Engine = Annotated[str | None, typer.Option("--engine", help="openai-whisper (default) or faster-whisper.")]
Model = Annotated[str | None, typer.Option("--model", help="Whisper model: tiny.en (packaged), a name or a path.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON for other tools.")]


def fail(message: str, code: int = 1) -> None:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code)


def guarded(fn: Callable[[], Any]) -> Any:
    """Run a command body: one clear line per error, a traceback only with --debug."""
    try:
        return fn()
    except typer.Exit:
        raise
    except Exception as exc:
        if _state["debug"] or os.environ.get("HANDOFF_DEBUG"):
            traceback.print_exc()
        fail(f"{exc} (run with --debug for the traceback)" if not _state["debug"] else str(exc))


def _settings(**flags: Any) -> Settings:
    """Settings from flags, environment and config file; a bad value is one clear line."""
    from pydantic import ValidationError

    try:
        return load_settings(**flags)
    except ValidationError as exc:
        err = exc.errors()[0]
        fail(f"setting {'.'.join(map(str, err['loc']))}: {err['msg']} (got {err.get('input')!r})")


@app.callback()
def main(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False) -> None:
    _state["debug"] = debug


def _prefect_env(settings: Settings) -> None:
    """Prefect keeps its state with ours, quietly, and never phones home."""
    home = (settings.data_dir / ".prefect").resolve()
    home.mkdir(parents=True, exist_ok=True)  # Prefect does not create missing parents
    os.environ.setdefault("PREFECT_HOME", str(home))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # Failed files are reported by us, one line each; Prefect's tracebacks for
    # them would bury that. PREFECT_LOGGING_LEVEL=INFO brings Prefect's logs back.
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")


@app.command()
def run(inbox: Annotated[Path | None, typer.Argument(help="Folder of recordings (default data/samples).")] = None,
        db: Db = None,
        output: Annotated[Path | None, typer.Option(help="Where documents are written.")] = None,
        engine: Engine = None, model: Model = None, as_json: AsJson = False,
        workers: Annotated[int | None, typer.Option(help="Recordings processed at once (threads).")] = None,
        dask_workers: Annotated[int | None, typer.Option(help="Run on a local Dask cluster of N worker processes.")] = None,
        dask_address: Annotated[str | None, typer.Option(help="Run on this Dask scheduler (tcp://host:8786).")] = None,
        ) -> None:
    """Process everything new in INBOX into the database and draft the handoffs."""
    settings = _settings(inbox=inbox, db_path=db, output_dir=output, engine=engine, whisper_model=model,
                         workers=workers, dask_workers=dask_workers, dask_address=dask_address)
    if not settings.inbox.is_dir():
        fail(f"inbox {settings.inbox} is not a folder")
    _prefect_env(settings)

    def body():
        from rich.progress import Progress

        from flows.batch import PROGRESS, batch_flow, task_runner

        with Progress(disable=not sys.stderr.isatty() or as_json, transient=True) as bar:
            job = bar.add_task("processing", total=None)

            def progress(name: str, done: int, total: int) -> None:
                bar.update(job, description=name, completed=done, total=total)

            PROGRESS.set(progress)
            return batch_flow.with_options(task_runner=task_runner(settings))(settings)

    summary = guarded(body)
    if as_json:
        typer.echo(summary.model_dump_json(indent=2))
    else:
        _print_summary(summary)
    if summary.errors and not summary.processed and not summary.skipped:
        raise typer.Exit(1)


def _print_summary(summary) -> None:
    took = (summary.finished - summary.started).total_seconds() if summary.finished else 0
    typer.echo(f"Run {summary.run_id}: {len(summary.processed)} processed, {len(summary.skipped)} "
               f"already stored, {len(summary.errors)} failed ({took:.0f} s)")
    if summary.items_per_kind:
        typer.echo("Items: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.items_per_kind.items())))
    for doc in summary.documents:
        typer.echo(f"Document: {doc} (and .html)")
    for warn in summary.warnings:
        typer.echo(f"Warning: {warn.path}: {warn.message}", err=True)
    for err in summary.errors:
        typer.echo(f"Error: {err.path}: {err.message} [{err.stage}]", err=True)
    typer.echo(f"Database: {summary.database}  (try: handoff query \"select * from commitments\")")


@app.command()
def transcribe(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
               engine: Engine = None, model: Model = None, as_json: AsJson = False) -> None:
    """Transcribe a recording (or read a transcript export) into speaker turns."""
    from pipeline import ingest
    from pipeline.process import StageError, load_transcript

    settings = _settings(engine=engine, whisper_model=model)

    def body():
        deals = ingest.load_deals(file.parent)
        rec = _recording(file, deals)
        try:
            return load_transcript(rec, deals.get(rec.deal_id or ""), settings)
        except StageError as exc:
            fail(f"{file.name}: {exc}")

    transcript = guarded(body)
    if as_json:
        keep = {"start", "end", "speaker", "role", "text"}
        typer.echo(json.dumps({"duration": round(transcript.duration, 2), "language": transcript.language,
                               "segments": [s.model_dump(mode="json", include=keep)
                                            for s in transcript.segments]}, indent=2))
    else:
        from pipeline.render import mmss

        for s in transcript.segments:
            typer.echo(f"[{mmss(s.start)}] {s.speaker} ({s.role.value}): {s.text}")


def _recording(file: Path, deals):
    from pipeline import ingest

    try:
        return ingest.describe(file, deals, ingest.load_call_facts(file.parent))
    except ValueError as exc:
        fail(f"{file.name}: {exc}")


@app.command()
def extract(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
            engine: Engine = None, model: Model = None, as_json: AsJson = False) -> None:
    """Extract pain points, commitments, criteria, stakeholders, risks, competitors."""
    from pipeline import ingest
    from pipeline.process import StageError, process_recording

    settings = _settings(engine=engine, whisper_model=model)

    def body():
        deals = ingest.load_deals(file.parent)
        rec = _recording(file, deals)
        try:
            return process_recording(rec, deals.get(rec.deal_id or ""), settings)
        except StageError as exc:
            fail(f"{file.name}: {exc}")

    result = guarded(body)
    if as_json:
        typer.echo(json.dumps({"items": [i.contract() for i in result.items]}, indent=2))
    else:
        from pipeline.render import mmss

        for item in result.items:
            ev = item.primary
            typer.echo(f"{item.kind.value:18} {item.confidence:.2f} [{mmss(ev.start)}] {ev.speaker}: {item.text}")


@app.command()
def query(sql: Annotated[str, typer.Argument(help="SQL to run, read-only.")], db: Db = None,
          as_json: AsJson = False,
          as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False) -> None:
    """Run read-only SQL on the database (views: commitments, stakeholders, ...)."""
    from pipeline.store import Store

    settings = _settings(db_path=db)
    columns, rows = guarded(lambda: Store(settings.database, settings.write_retries).query(sql))
    if as_json:
        typer.echo(json.dumps([dict(zip(columns, r)) for r in rows], default=str, indent=2))
    elif as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(*columns)
        for row in rows:
            table.add_row(*["" if v is None else str(v) for v in row])
        Console(width=200).print(table)


@app.command()
def serve(inbox: Annotated[Path | None, typer.Argument(help="Folder watched (default data/samples).")] = None,
          interval: Annotated[int | None, typer.Option(help="Seconds between runs (default 900).")] = None,
          cron: Annotated[str | None, typer.Option(help="A cron schedule instead of the interval.")] = None,
          settle: Annotated[float, typer.Option(help="Skip files modified in the last N seconds.")] = 10.0,
          db: Db = None,
          workers: Annotated[int | None, typer.Option(help="Recordings processed at once (threads).")] = None,
          dask_workers: Annotated[int | None, typer.Option(help="Local Dask cluster of N worker processes.")] = None,
          dask_address: Annotated[str | None, typer.Option(help="Dask scheduler address.")] = None) -> None:
    """Run the batch on a schedule against a Prefect server (PREFECT_API_URL, else a local one)."""
    settings = _settings(inbox=inbox, db_path=db, schedule_interval=interval, schedule_cron=cron,
                         settle_seconds=settle, workers=workers, dask_workers=dask_workers,
                         dask_address=dask_address)
    if not settings.inbox.is_dir():
        fail(f"inbox {settings.inbox} is not a folder")
    _prefect_env(settings)
    from flows.service import local_server, serve as serve_flow

    every = f"cron {settings.schedule_cron}" if settings.schedule_cron else f"every {settings.schedule_interval} s"
    if os.environ.get("PREFECT_API_URL"):
        typer.echo(f"Serving {settings.inbox} {every} on {os.environ['PREFECT_API_URL']}")
        guarded(lambda: serve_flow(settings))
        return
    home = Path(os.environ["PREFECT_HOME"])
    with local_server(home) as api:
        os.environ["PREFECT_API_URL"] = api
        typer.echo(f"Serving {settings.inbox} {every}; Prefect UI at {api.removesuffix('/api')}")
        guarded(lambda: serve_flow(settings))


@app.command("review")
def review_app(host: Annotated[str, typer.Option(help="Address to listen on; not loopback needs review_token.")] = "127.0.0.1",
               port: Annotated[int, typer.Option(help="Port.")] = 8765,
               db: Db = None) -> None:
    """Start the AE's review web app (local; prints its address)."""
    import uvicorn

    from pipeline.webapp import create_app

    settings = _settings(db_path=db)
    app_ = guarded(lambda: create_app(settings, host))
    suffix = f"/?token={settings.review_token}" if settings.review_token else "/"
    typer.echo(f"handoff review on http://{host}:{port}{suffix}  (Ctrl+C to stop)")
    uvicorn.run(app_, host=host, port=port, log_level="warning")


@app.command()
def export(out: Annotated[Path, typer.Argument(help="Folder to write the files into.")] = Path("data/export"),
           fmt: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
           view: Annotated[list[str] | None, typer.Option("--view", help="Only this view (repeatable).")] = None,
           db: Db = None) -> None:
    """Write the analyst views (commitments, ..., handoff_quality) as Parquet or CSV files."""
    from pipeline.store import Store

    settings = _settings(db_path=db)
    store = Store(settings.database, settings.write_retries)
    written = guarded(lambda: store.export(out, fmt.lower(), tuple(view) if view else store.EXPORT_VIEWS))
    for path in written:
        typer.echo(str(path))


@app.command()
def ask(deal: Annotated[str, typer.Argument(help="Deal id.")],
        question: Annotated[str, typer.Argument(help="What CS needs to know from sales.")],
        by: Annotated[str, typer.Option("--by", help="Who asks (the CSM).")] = "",
        db: Db = None) -> None:
    """Send a CS question back to sales about a deal's handoff (counted in handoff_quality)."""
    from pipeline.store import Store

    settings = _settings(db_path=db)
    asker = by or os.environ.get("HANDOFF_REVIEWER") or os.environ.get("USER", "")
    qid = guarded(lambda: Store(settings.database, settings.write_retries).ask(deal, question, asker))
    typer.echo(qid)


@app.command()
def evaluate(gold: Annotated[Path, typer.Option(help="Folder of <call_id>.json gold files.")] = Path("data/samples/gold"),
             dev: Annotated[Path | None, typer.Option(help="Score the extractor on this folder of labelled "
                                                         "development calls instead.")] = None,
             behaviour: Annotated[Path | None, typer.Option(help="Run the behaviour cases of this file "
                                                               "(tests/data/heldback_cases.json) instead.")] = None,
             db: Db = None, as_json: AsJson = False) -> None:
    """Precision, recall and F1 per kind: stored items of processed calls against gold
    labels, or (--dev) the extractor run on the development set."""
    from collections import Counter

    from pipeline.evaluation import attribute_accuracy, load_gold, match, table

    settings = _settings(db_path=db)
    if behaviour is not None:
        _behaviour_table(behaviour, settings, as_json)
        return
    totals = [Counter(), Counter(), Counter()]

    pairs: list = []

    def add(items: list[dict], found: list[dict]) -> None:
        for total, part in zip(totals, match(items, found, pairs)):
            total.update(part)

    def stored():
        from pipeline.store import Store

        store = Store(settings.database, settings.write_retries)
        for call_id, items in load_gold(gold).items():
            _, rows = store.query("select i.kind, i.quote, i.attributes from items i join recordings r "
                                  "using (recording_id) where r.file_name like ? and i.state <> 'rejected'",
                                  [f"{call_id}.%"])
            add(items, [{"kind": k, "quote": q, "attributes": json.loads(a) if a else {}} for k, q, a in rows])

    def development():
        import datetime as dt

        from pipeline.evaluation import dev_call, extracted_per_turn

        for path in sorted(dev.glob("*.json")):
            transcript, items, date = dev_call(path)
            add(items, extracted_per_turn(transcript, path.stem, dt.date.fromisoformat(date) if date else None,
                                          settings))

    guarded(development if dev else stored)
    rows = table(*totals)
    attrs = [a for a in attribute_accuracy(pairs) if a["checked"]]
    if as_json:
        typer.echo(json.dumps({"items": rows, "attributes": attrs}, indent=2))
        return
    typer.echo(f"{'kind':18} {'gold':>5} {'found':>5} {'match':>5} {'prec':>5} {'recall':>6} {'F1':>5}")
    for r in rows:
        typer.echo(f"{r['kind']:18} {r['gold']:5} {r['found']:5} {r['matched']:5} {r['precision']:5.2f} "
                   f"{r['recall']:6.2f} {r['f1']:5.2f}")
    if attrs:
        typer.echo(f"\n{'attribute (matched items)':30} {'checked':>7} {'right':>5} {'acc':>5}")
        for a in attrs:
            typer.echo(f"{a['attribute']:30} {a['checked']:7} {a['right']:5} {a['accuracy']:5.2f}")


def _behaviour_table(path: Path, settings: Settings, as_json: bool) -> None:
    from extractors.behaviour import MISSED, rates, run_cases

    results = guarded(lambda: run_cases(path, settings))
    if as_json:
        typer.echo(json.dumps({b: [{"case": c, "result": p, "found": f} for c, p, f in rows]
                               for b, rows in results.items()}, indent=2))
        return
    typer.echo(f"{'behaviour':22} {'cases':>5} {'passed':>6} {'missed':>6} {'rate':>5} {'when found':>10}")
    for name, rows in results.items():
        overall, when_found = rates(rows)
        typer.echo(f"{name:22} {len(rows):5} {sum(p is True for _, p, _ in rows):6} "
                   f"{sum(p == MISSED for _, p, _ in rows):6} {overall:5.2f} "
                   f"{when_found if when_found is not None else float('nan'):10.2f}")
    failed = [(c, f) for rows in results.values() for c, p, f in rows if p is not True]
    if failed:
        typer.echo("not passed: " + "; ".join(f"{c} ({f})" for c, f in failed))


@app.command()
def train(epochs: Annotated[int, typer.Option(help="Passes over the training data.")] = 4,
          seed: Annotated[int, typer.Option(help="Random seed (training is deterministic).")] = 13,
          force: Annotated[bool, typer.Option(help="Retrain even if the artifact is current.")] = False
          ) -> None:
    """Fine-tune the turn classifier on data/train and score it on data/dev; fit the side,
    buying-role and brochure-promise models."""
    from extractors import buying_roles, crm_competitors, sides, vague
    from extractors.classifier import TrainConfig, is_current
    from extractors.classifier import train as train_classifier
    from extractors.corpus import data_version, load_train

    settings = _settings()
    train_dir, dev_dir = Path("data/train"), Path("data/dev/calls")
    version = data_version(train_dir)
    if force or not sides.is_current(settings.classifier_dir, version, settings.encoder_model):
        record = guarded(lambda: sides.fit(load_train(train_dir), settings.encoder_model,
                                           settings.classifier_dir, version))
        typer.echo(f"side model (seller or customer, from speech): {record['turns']} turns, "
                   f"training accuracy {record['train_accuracy']:.2f}")
    if force or not buying_roles.is_current(settings.classifier_dir, version, settings.encoder_model):
        record = guarded(lambda: buying_roles.fit(load_train(train_dir), settings.encoder_model,
                                                  settings.classifier_dir, version))
        typer.echo(f"buying roles: {len(record['examples'])} labelled mentions, "
                   f"{len(record.get('speech', {}).get('examples', []))} labelled speakers")
    if force or not vague.is_current(settings.classifier_dir, version, settings.encoder_model):
        record = guarded(lambda: vague.fit(load_train(train_dir), settings.encoder_model,
                                           settings.classifier_dir, version))
        typer.echo(f"brochure promises: {record['vague']} vague of {record['turns']} labelled commitments")
    if force or not crm_competitors.is_current(settings.classifier_dir, version, settings.encoder_model):
        record = guarded(lambda: crm_competitors.fit(load_train(train_dir), settings.encoder_model,
                                                     settings.classifier_dir, version))
        typer.echo(f"CRM competitor list as evidence: {record['labelled']} of {record['named']} first mentions "
                   f"in training calls are labelled competitor; confidence {record['confidence']:.2f}")
    if not force and is_current(settings.classifier_dir, train_dir, settings.encoder_model):
        typer.echo(f"Classifier in {settings.classifier_dir} is current (use --force to retrain).")
        return
    cfg = TrainConfig(train_dir, dev_dir, settings.classifier_dir, settings.encoder_model,
                      seed=seed, epochs=epochs)
    meta = guarded(lambda: train_classifier(cfg, log=typer.echo))
    for split, scores in meta["metrics"].items():
        if split.endswith("reliability"):
            typer.echo(f"{split} (share right at confidence >= x): " + ", ".join(
                f"{k[2:]} {v['precision']} (n={v['predictions']})" for k, v in scores.items()))
        else:
            typer.echo(f"{split} F1: " + ", ".join(f"{k} {v['f1']:.2f}" for k, v in scores.items()))


if __name__ == "__main__":
    app()
