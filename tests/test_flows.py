"""The Prefect flows for real: a local Prefect server, a scheduled deployment, retries,
a killed run resuming, and the Dask task runner giving the same database as threads.

Inputs are transcript exports (real parsing, real classifier), so no test waits on
whisper; all are bounded in time and stop what they start by its process group.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from flows.service import local_server
from pipeline.store import Store, StoreError
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

LINES = [
    "Priya Shah: Thanks for the time today. I'll send you the security questionnaire answers by Friday.",
    "Dana Ruiz: Our month-end close takes six days and the team is exhausted by it.",
    "Dana Ruiz: If we could get that down to three days within ninety days, that would be a win.",
    "Priya Shah: Understood. I'll set up the sandbox for your team this week.",
    "Dana Ruiz: Our CFO Frank signs anything over forty thousand, so he needs to see the numbers.",
]


def write_calls(inbox: Path, n: int, start: int = 0) -> list[str]:
    """n distinct transcript exports (distinct content, so distinct recordings)."""
    inbox.mkdir(parents=True, exist_ok=True)
    names = []
    for i in range(start, start + n):
        name = f"call-{i:02d}.txt"
        body = "\n".join(f"[00:00:{5 * k + 1:02d}] {line}" for k, line in enumerate(LINES))
        (inbox / name).write_text(f"{body}\n[00:00:40] Dana Ruiz: This is call number {i}, by the way.\n")
        names.append(name)
    return names


def env_for(data: Path, **extra: str) -> dict:
    env = {**os.environ, "HANDOFF_DATA_DIR": str(data), "HANDOFF_CACHE_DIR": str(ROOT / ".cache" / "models"),
           "HANDOFF_CLASSIFIER_DIR": str(ROOT / ".cache" / "classifier")}
    env.pop("PREFECT_API_URL", None)  # ephemeral Prefect unless the test names a server
    return {**env, **extra}


def handoff(*args: str, data: Path, cwd: Path, timeout: int = 600, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=cwd, env=env_for(data, **extra),
                          capture_output=True, text=True, timeout=timeout)


def read(db: Path, sql: str) -> list[tuple]:
    """Read while another process may be writing: wait for its unit of work to end."""
    deadline = time.monotonic() + 30
    while True:
        try:
            con = duckdb.connect(str(db), read_only=True)
            try:
                return con.execute(sql).fetchall()
            finally:
                con.close()
        except (duckdb.IOException, duckdb.CatalogException):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def wait_for(check, timeout: float, what: str, proc: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the process ended before {what}: {proc.stdout.read() if proc.stdout else ''}")
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def item_rows(db: Path) -> list[tuple]:
    return sorted(read(db, "select r.file_name, i.kind, i.quote, i.start_s from items i "
                          "join recordings r using (recording_id)"))


def test_a_run_killed_in_the_middle_resumes_on_the_next_without_duplicates(tmp_path):
    inbox, data = tmp_path / "inbox", tmp_path / "data"
    names = write_calls(inbox, 10)
    db = data / "handoff.duckdb"
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "run", str(inbox), "--workers", "1"],
                            cwd=tmp_path, env=env_for(data), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    try:
        wait_for(lambda: db.exists() and read(db, "select count(*) from recordings where status = 'done'")[0][0] >= 1
                 if db.exists() and read(db, "select count(*) from information_schema.tables "
                                            "where table_name = 'recordings'")[0][0] else False,
                 240, "the first stored call", proc)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    resumed = handoff("run", str(inbox), "--json", data=data, cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    summary = json.loads(resumed.stdout)
    # What the killed run stored is skipped, the rest is processed now: nothing twice, nothing lost.
    assert summary["skipped"] and summary["processed"], "the first run was not stopped in the middle"
    assert sorted(summary["skipped"] + summary["processed"]) == names, json.dumps(summary)
    assert read(db, "select count(*), count(distinct file_name) from recordings where status = 'done'") == \
        [(len(names), len(names))]
    rows = item_rows(db)
    assert len(rows) == len(set(rows)) and {r[0] for r in rows} == set(names)


def test_a_store_task_that_fails_once_on_a_busy_database_is_retried_and_succeeds(tmp_path, monkeypatch):
    # Prefect in this process: its own home, and quiet (its temporary server logs at exit otherwise).
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / ".prefect"))
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "CRITICAL")
    monkeypatch.setenv("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
    from prefect import flow

    from flows.batch import store_result
    from tests.test_store import recording, result

    db = tmp_path / "h.duckdb"
    Store(db).schema_version()
    store = Store(db, retries=0)  # no waiting inside the store: the task's retry must do it
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb,time; c=duckdb.connect({str(db)!r}); "
                               "print('held', flush=True); time.sleep(1.0)"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(StoreError):  # the file really is busy right now
        store.schema_version()

    @flow
    def one_store():
        store_result(store, recording(tmp_path), result("r1", ["I'll send the SOC 2 report by Friday."]))

    one_store()
    holder.wait(timeout=10)
    assert Store(db).query("select count(*) from items")[1] == [(1,)]


def test_a_corrupt_file_fails_its_own_task_at_once_and_the_rest_is_processed(tmp_path):
    inbox, data = tmp_path / "inbox", tmp_path / "data"
    write_calls(inbox, 2)
    (inbox / "broken.mp3").write_bytes(b"ID3" + b"\x00" * 100)
    proc = handoff("run", str(inbox), "--json", data=data, cwd=tmp_path)
    summary = json.loads(proc.stdout)
    assert sorted(summary["processed"]) == ["call-00.txt", "call-01.txt"]
    assert [(e["path"], e["stage"]) for e in summary["errors"]] == [("broken.mp3", "decode")]
    took = json.loads(read(data / "handoff.duckdb", "select stage_seconds from runs")[0][0])
    assert took["extract"] > 0
    assert read(data / "handoff.duckdb", "select count(*) from file_errors where file_name = 'broken.mp3'") == [(1,)]


def test_the_dask_runner_gives_the_same_database_as_threads(tmp_path):
    inbox = tmp_path / "inbox"
    write_calls(inbox, 3)
    threads = handoff("run", str(inbox), data=tmp_path / "threads", cwd=tmp_path)
    dask = handoff("run", str(inbox), "--dask-workers", "2", data=tmp_path / "dask", cwd=tmp_path)
    assert threads.returncode == 0 and dask.returncode == 0, dask.stderr
    a, b = tmp_path / "threads" / "handoff.duckdb", tmp_path / "dask" / "handoff.duckdb"
    assert item_rows(a) == item_rows(b) and len(item_rows(a)) >= 3
    same = "select recording_id, idx, start_s, speaker, role, text from segments order by 1, 2"
    assert read(a, same) == read(b, same)


def test_a_scheduled_deployment_picks_up_a_file_dropped_between_runs_exactly_once(tmp_path):
    inbox, data = tmp_path / "inbox", tmp_path / "data"
    write_calls(inbox, 1)
    db = data / "handoff.duckdb"
    with local_server(tmp_path / "prefect-home") as api:
        serve = subprocess.Popen(
            [sys.executable, "-m", "pipeline.cli", "serve", str(inbox), "--interval", "5", "--settle", "1"],
            cwd=tmp_path, env=env_for(data, PREFECT_API_URL=api, PREFECT_HOME=str(tmp_path / "prefect-home")),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        try:
            runs = "select count(*) from runs"
            wait_for(lambda: db.exists() and _safe(db, runs) >= 1, 240, "the first scheduled run", serve)
            write_calls(inbox, 1, start=1)  # dropped between runs
            wait_for(lambda: _safe(db, "select count(*) from recordings where status = 'done'") >= 2,
                     240, "the dropped file to be processed", serve)
            first_after = _safe(db, runs)
            wait_for(lambda: _safe(db, runs) >= first_after + 1, 240, "one more scheduled run", serve)
        finally:
            os.killpg(serve.pid, signal.SIGINT)
            try:
                serve.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(serve.pid, signal.SIGKILL)
                serve.wait(timeout=10)
    processed = [f for (files,) in read(db, "select files from runs") for f in json.loads(files or "[]")]
    assert sorted(processed) == ["call-00.txt", "call-01.txt"]  # each exactly once, over all the runs
    assert read(db, "select count(*) from recordings") == [(2,)]
    rows = item_rows(db)
    assert len(rows) == len(set(rows))


def _safe(db: Path, sql: str) -> int:
    try:
        return read(db, sql)[0][0]
    except duckdb.Error:
        return 0


def test_a_cached_transcript_is_made_again_when_the_transcript_code_changes(tmp_path, monkeypatch, settings):
    """Roles and speakers come from code that improves; a transcript cached by an older
    version must not survive an upgrade."""
    from flows import batch
    from pipeline import ingest, process

    call = tmp_path / "call.txt"
    call.write_text("Priya Shah: hello\n")
    params = {"recording": ingest.describe(call, {}, {}), "settings": settings, "deal": None}
    before = batch._transcript_key(None, params)
    assert batch._transcript_key(None, params) == before
    with monkeypatch.context() as m:  # the transcript code changed
        m.setattr(process, "_transcript_code", lambda: "next")
        assert batch._transcript_key(None, params) != before
    with monkeypatch.context() as m:  # the side model was refitted
        m.setattr(process.side_model, "load", lambda *a: type("Refit", (), {"version": "refitted@data"})())
        assert batch._transcript_key(None, params) != before
    assert batch._transcript_key(None, params) == before
