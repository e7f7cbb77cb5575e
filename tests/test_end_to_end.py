"""`handoff run` from recordings to a drafted handoff in DuckDB, with the real models.

Uses the 40-second two-speaker sample deal in tests/fixtures/mini (audio made
by scripts/make_samples.py) plus bad files dropped beside it.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import MINI, ROOT, tone

pytestmark = pytest.mark.slow


def handoff(*args: str, cwd: Path, data: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "HANDOFF_DATA_DIR": str(data),
           "HANDOFF_CACHE_DIR": str(ROOT / ".cache" / "models"),
           "HANDOFF_CLASSIFIER_DIR": str(ROOT / ".cache" / "classifier")}
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def copy_mini_inbox(inbox: Path) -> Path:
    """The mini deal's recordings and CRM files (not its script, reference or gold)."""
    inbox.mkdir(parents=True)
    for name in ("mini-call.mp3", "mini-stereo.m4a", "deals.csv", "recordings.csv"):
        shutil.copy(MINI / name, inbox / name)
    return inbox


def add_bad_files(inbox: Path) -> dict[str, str]:
    """Each bad input and the words its error must contain."""
    (inbox / "empty.wav").write_bytes(b"")
    (inbox / "notes.mp3").write_text("not audio at all, just notes\n" * 40)
    good = (inbox / "mini-call.mp3").read_bytes()
    (inbox / "truncated.mp3").write_bytes(good[: len(good) // 2])  # cut off half-way
    tone(inbox / "silent.m4a", 4.0, "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono")
    (inbox / "broken.vtt").write_text("WEBVTT\n\n00:00:05.000 --> 00:00:01.000\n<v Dana>hello</v>\n")
    (inbox / "contract.pdf").write_bytes(b"%PDF-1.4")
    return {"empty.wav": "empty file", "notes.mp3": "audio", "truncated.mp3": "truncated",
            "silent.m4a": "silent", "broken.vtt": "timestamps", "contract.pdf": "unsupported file type"}


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    work = tmp_path_factory.mktemp("e2e")
    inbox = copy_mini_inbox(work / "inbox")
    bad = add_bad_files(inbox)
    proc = handoff("run", str(inbox), "--json", cwd=work, data=work / "data")
    return work, inbox, bad, proc


def test_good_files_are_processed_and_each_bad_file_gets_one_clear_error(first_run):
    work, inbox, bad, proc = first_run
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert sorted(summary["processed"]) == ["mini-call.mp3", "mini-stereo.m4a"]
    errors = {e["path"]: e["message"] for e in summary["errors"]}
    assert set(errors) == set(bad)
    for name, words in bad.items():
        assert words in errors[name], (name, errors[name])


def test_errors_are_recorded_against_their_files(first_run):
    work, *_ = first_run
    con = duckdb.connect(str(work / "data" / "handoff.duckdb"), read_only=True)
    failed = dict(con.execute("select file_name, error from recordings where status = 'error'").fetchall())
    logged = {r[0] for r in con.execute("select file_name from file_errors").fetchall()}
    assert {"empty.wav", "notes.mp3", "truncated.mp3", "silent.m4a", "broken.vtt"} <= set(failed)
    assert "contract.pdf" in logged


def test_the_stereo_call_has_rep_and_customer_turns_by_channel(first_run):
    work, *_ = first_run
    con = duckdb.connect(str(work / "data" / "handoff.duckdb"), read_only=True)
    roles = con.execute("select s.role, count(*) from segments s join recordings r using (recording_id) "
                        "where r.file_name = 'mini-stereo.m4a' group by 1").fetchall()
    assert {role for role, _ in roles} == {"rep", "customer"}


def test_the_document_is_drafted_with_sections_and_completeness(first_run):
    work, *_ = first_run
    docs = list((work / "data" / "handoffs").glob("*.md"))
    assert len(docs) == 1
    text = docs[0].read_text()
    for title in ("Customer goals and success metrics", "Deal context", "Stakeholder map",
                  "What was promised", "Open risks", "Action plan", "Calls"):
        assert title in text
    assert "Completeness:" in text
    html = docs[0].with_suffix(".html").read_text()
    assert html.startswith("<!doctype html>") and "Stakeholder map" in html


def test_an_analyst_finds_vendor_commitments_with_a_due_date_per_deal(first_run):
    work, *_ = first_run
    proc = handoff("query", "select deal_id, count(*) as n from commitments where side = 'vendor' "
                   "and due_date is not null group by deal_id", "--json", cwd=work, data=work / "data")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert rows and rows[0]["n"] >= 1


def test_running_again_stores_nothing_twice(first_run):
    work, inbox, bad, _ = first_run
    db = work / "data" / "handoff.duckdb"

    def counts():
        con = duckdb.connect(str(db), read_only=True)
        try:
            return [con.execute(f"select count(*) from {t}").fetchone()[0]
                    for t in ("recordings", "segments", "items", "documents")]
        finally:
            con.close()

    before = counts()
    proc = handoff("run", str(inbox), "--json", cwd=work, data=work / "data")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["processed"] == [] and sorted(summary["skipped"]) == ["mini-call.mp3", "mini-stereo.m4a"]
    assert counts() == before


def test_a_batch_of_only_bad_files_exits_non_zero(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "empty.wav").write_bytes(b"")
    proc = handoff("run", str(inbox), cwd=tmp_path, data=tmp_path / "data")
    assert proc.returncode == 1
    assert "empty.wav: empty file" in proc.stderr


def test_a_deal_that_becomes_closed_won_is_redrafted_from_its_calls_without_new_calls(tmp_path):
    """JSON CRM export, a folder per deal, and a stage change in a newer export."""
    inbox = tmp_path / "inbox"
    (inbox / "D-7").mkdir(parents=True)
    (inbox / "D-7" / "call-2026-09-01.txt").write_text(
        "[00:00:05] Priya Shah: Thanks for making time, Dana. I'll send the SOC 2 report by Friday.\n"
        "[00:00:12] Dana Ruiz: Great. Month-end close takes us six days and it's killing the team.\n")

    def export(**fields):
        (inbox / "deals.json").write_text(json.dumps({"deals": [
            {"Opportunity ID": "D-7", "Account Name": "Acme", "Opportunity Owner": "Priya Shah",
             "Close Date": "2026-09-30", **fields}]}))

    export(Stage="Negotiation")
    data = tmp_path / "data"
    first = handoff("run", str(inbox), "--json", cwd=tmp_path, data=data)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["processed"] == ["call-2026-09-01.txt"]
    doc = data / "handoffs" / "D-7.md"
    assert "**Stage:** negotiation" in doc.read_text()

    export(Stage="Closed Won", CSM="Sam Lee")
    second = json.loads(handoff("run", str(inbox), "--json", cwd=tmp_path, data=data).stdout)
    assert second["processed"] == [] and [Path(d).name for d in second["documents"]] == ["D-7.md"]
    text = doc.read_text()
    assert "**Stage:** closed won" in text and "**CSM:** Sam Lee" in text
    assert "### call-2026-09-01.txt (2026-09-01)" in text  # drafted from the call stored by the first run

    third = json.loads(handoff("run", str(inbox), "--json", cwd=tmp_path, data=data).stdout)
    assert third["documents"] == []  # nothing changed: nothing redrafted
