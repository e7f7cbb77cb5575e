"""The warehouse: migrations, idempotent upserts, AE edits kept, writers that wait."""

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from models import Evidence, FileResult, Item, ItemKind, Recording, Segment, SourceKind, Transcript
from pipeline.store import Store, StoreError, item_id, migrations


def recording(tmp_path: Path, rid: str = "r1") -> Recording:
    return Recording(recording_id=rid, path=tmp_path / f"{rid}.mp3", kind=SourceKind.AUDIO, size=10,
                     deal_id="D-1", call_date=dt.date(2026, 8, 4))


def result(rid: str, quotes: list[str]) -> FileResult:
    items = [Item(kind=ItemKind.COMMITMENT, text=q, confidence=0.9,
                  attributes={"side": "vendor", "due_date": "2026-08-07"},
                  evidence=[Evidence(recording_id=rid, start=1.0, end=2.0, speaker="Priya", quote=q)])
             for q in quotes]
    transcript = Transcript(duration=3.0, segments=[Segment(start=0, end=3, speaker="Priya", text=" ".join(quotes))])
    return FileResult(recording_id=rid, path="x", transcript=transcript, items=items)


def test_migrations_are_applied_once_and_recorded(tmp_path):
    store = Store(tmp_path / "h.duckdb")
    assert store.schema_version() == max(v for v, _, _ in migrations())
    assert Store(tmp_path / "h.duckdb").schema_version() == store.schema_version()
    cols, rows = store.query("select count(*) from schema_migrations")
    assert rows[0][0] == len(migrations())


def test_a_database_from_a_newer_version_is_refused(tmp_path):
    Store(tmp_path / "h.duckdb").schema_version()
    con = duckdb.connect(str(tmp_path / "h.duckdb"))
    con.execute("insert into schema_migrations values (999, '999_future.sql', now())")
    con.close()
    with pytest.raises(StoreError, match="newer version"):
        Store(tmp_path / "h.duckdb").schema_version()


def test_saving_twice_stores_nothing_twice(tmp_path):
    store = Store(tmp_path / "h.duckdb")
    rec = recording(tmp_path)
    for _ in range(2):
        store.save_result(rec, result("r1", ["I'll send the SOC 2 report by Friday."]))
    assert store.query("select count(*) from items")[1][0][0] == 1
    assert store.query("select count(*) from segments")[1][0][0] == 1
    assert store.query("select count(*) from recordings")[1][0][0] == 1


def test_an_ae_edit_survives_a_rerun(tmp_path):
    store = Store(tmp_path / "h.duckdb")
    rec = recording(tmp_path)
    quote = "I'll send the SOC 2 report by Friday."
    store.save_result(rec, result("r1", [quote, "We can probably do a pilot."]))
    key = item_id("r1", result("r1", [quote]).items[0])
    with store.transaction() as con:
        con.execute("update items set state = 'edited', text = 'Send SOC 2 Type II report' where item_id = ?", [key])
    store.save_result(rec, result("r1", [quote]))  # a later run no longer finds the pilot
    rows = store.query("select text, state from items order by text")[1]
    assert rows == [("Send SOC 2 Type II report", "edited")]


def test_a_call_stored_before_its_deal_was_known_is_linked_on_a_later_run(tmp_path):
    store = Store(tmp_path / "h.duckdb")
    early = recording(tmp_path).model_copy(update={"deal_id": None})
    store.save_result(early, result("r1", ["I'll send the SOC 2 report by Friday."]))
    assert store.relink([early]) == set()  # the export still names no deal: nothing to do
    later = recording(tmp_path)  # the next deals.csv lists the file under D-1
    assert store.relink([later]) == {"D-1"}
    _, rows = store.query("select (select deal_id from recordings), (select list(distinct deal_id) from items)")
    assert rows == [("D-1", ["D-1"])]
    assert store.relink([later]) == set()  # idempotent


def test_query_is_read_only(tmp_path):
    store = Store(tmp_path / "h.duckdb")
    store.schema_version()
    with pytest.raises(duckdb.Error):
        store.query("delete from items")


def hold_the_file(db: Path, seconds: float) -> subprocess.Popen:
    """Another process that opens the database read-write and keeps it for `seconds`."""
    holder = subprocess.Popen([sys.executable, "-c",
                               f"import duckdb,time; c=duckdb.connect({str(db)!r}); "
                               f"print('held', flush=True); time.sleep({seconds})"],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_writer_waits_while_another_process_holds_the_file(tmp_path):
    db = tmp_path / "h.duckdb"
    Store(db).schema_version()
    holder = hold_the_file(db, 1.5)
    started = time.monotonic()
    Store(db, retries=30).save_result(recording(tmp_path), result("r1", ["I'll send it Friday."]))
    waited = time.monotonic() - started
    holder.wait(timeout=10)
    assert waited > 0.5  # it really had to wait for the other process
    assert Store(db).query("select count(*) from items")[1][0][0] == 1


def test_a_writer_gives_up_with_a_clear_error_after_its_retries(tmp_path):
    db = tmp_path / "h.duckdb"
    Store(db).schema_version()
    holder = hold_the_file(db, 5)
    try:
        with pytest.raises(StoreError, match="cannot open"):
            Store(db, retries=2).schema_version()
    finally:
        holder.kill()
