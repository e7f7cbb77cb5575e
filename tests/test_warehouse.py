"""The analyst's side of the warehouse: upgrades, CRM changes, quality record, exports, SQL examples."""

import datetime as dt
import re
from pathlib import Path

import duckdb
import pytest

from models import Deal, Evidence, FileResult, Item, ItemKind, Recording, Segment, SourceKind, Transcript
from pipeline.store import Store, migrations

ROOT = Path(__file__).resolve().parents[1]
DEAL = Deal(deal_id="D-1", account="Acme", segment="mid_market", stage="negotiation", amount=45000,
            close_date=dt.date(2026, 9, 10), contract_term_months=12, ae_name="Priya Shah")


def populated(tmp_path: Path) -> Store:
    """One deal, one call, one item of each kind, a drafted document."""
    store = Store(tmp_path / "h.duckdb")
    store.upsert_deals([DEAL])
    rec = Recording(recording_id="r1", path=tmp_path / "call.mp3", kind=SourceKind.AUDIO, size=1,
                    deal_id="D-1", call_date=dt.date(2026, 8, 4))
    attributes = {
        ItemKind.COMMITMENT: {"side": "vendor", "owner": "Priya Shah", "due_date": "2026-08-07", "vague": False},
        ItemKind.PAIN_POINT: {"cost": "six days", "severity": "high"},
        ItemKind.SUCCESS_CRITERION: {"metric": "close", "target": "5 days", "quantified": True},
        ItemKind.STAKEHOLDER: {"name": "Frank Li", "title": "CFO", "buying_role": "economic_buyer"},
        ItemKind.RISK: {"category": "security_legal"},
        ItemKind.COMPETITOR: {"name": "ClosePilot", "outcome": "chosen_against", "reason": "too expensive"},
    }
    items = [Item(kind=kind, text=f"{kind.value} statement", confidence=0.9, attributes=attrs,
                  evidence=[Evidence(recording_id="r1", start=n, end=n + 1, speaker="Dana",
                                     quote=f"{kind.value} said here")])
             for n, (kind, attrs) in enumerate(attributes.items())]
    transcript = Transcript(duration=10, segments=[Segment(start=0, end=10, speaker="Dana", text="hi")])
    store.save_result(rec, FileResult(recording_id="r1", path="x", transcript=transcript, items=items))
    with store.transaction() as con:
        con.execute("INSERT INTO documents (deal_id, status, completeness, missing, document, generated_at) "
                    "VALUES ('D-1', 'draft', 0.5, '[\"csm\"]', '{}', now())")
    return store


def test_a_database_of_an_older_version_is_upgraded_and_keeps_its_rows(tmp_path):
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))  # what the first release wrote: migrations 1 and 2 only
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)")
    for version, name, sql in migrations()[:2]:
        con.execute(sql)
        con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [version, name])
    con.execute("INSERT INTO deals (deal_id, account, stage) VALUES ('D-1', 'Acme', 'negotiation')")
    con.close()
    store = Store(db)
    assert store.schema_version() == max(v for v, _, _ in migrations()) >= 3
    assert store.query("select account, renewal_date from deals")[1] == [("Acme", None)]
    assert store.query("select deal_id, cs_questions from handoff_quality")[1] == [("D-1", 0)]


def test_a_changed_crm_record_is_reported_once_a_new_one_is_not(tmp_path):
    store = Store(tmp_path / "h.duckdb")
    assert store.upsert_deals([DEAL]) == set()  # first sight: nothing to redraft
    assert store.upsert_deals([DEAL]) == set()  # same export again
    won = DEAL.model_copy(update={"stage": "closed_won"})
    assert store.upsert_deals([won]) == {"D-1"}
    assert store.upsert_deals([won]) == set()
    assert store.deal("D-1").stage == "closed_won"


def test_cs_questions_are_counted_in_handoff_quality_without_multiplying_items(tmp_path):
    store = populated(tmp_path)
    first = store.ask("D-1", "Who validates the 5-day close?", "Alicia")
    store.ask("D-1", "Is SSO in scope?", "Alicia")
    store.answer(first, "Frank Li, the CFO")
    columns, rows = store.query("select * from handoff_quality")
    row = dict(zip(columns, rows[0]))
    assert (row["cs_questions"], row["cs_questions_open"], row["items_suggested"]) == (2, 1, 6)
    assert (row["calls"], row["sales_cycle_days"], row["missing_fields"]) == (1, 37, 1)
    with pytest.raises(ValueError, match="no deal"):
        store.ask("D-404", "Anything?", "Alicia")
    with pytest.raises(ValueError, match="empty"):
        store.ask("D-1", "  ", "Alicia")


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export_writes_every_view_with_its_rows(tmp_path, fmt):
    store = populated(tmp_path)
    written = store.export(tmp_path / "out", fmt)
    assert [p.stem for p in written] == list(store.EXPORT_VIEWS)
    reader = "read_parquet" if fmt == "parquet" else "read_csv_auto"
    con = duckdb.connect()
    for path in written:
        exported = con.execute(f"select count(*) from {reader}('{path}')").fetchone()[0]
        assert exported == store.query(f"select count(*) from {path.stem}")[1][0][0] >= 1
    assert con.execute(f"select competitor, outcome from {reader}('{tmp_path / 'out' / f'competitors.{fmt}'}')"
                       ).fetchall() == [("ClosePilot", "chosen_against")]
    with pytest.raises(ValueError, match="not an analyst view"):
        store.export(tmp_path / "out", fmt, ("items; drop table deals",))


def analyst_examples() -> list[str]:
    text = (ROOT / "docs" / "analysts.md").read_text()
    return [q for block in re.findall(r"```sql\n(.*?)```", text, re.S)
            for q in block.split(";") if q.strip()]


def test_the_documented_analyst_questions_run_on_a_real_database(tmp_path):
    store = populated(tmp_path)
    examples = analyst_examples()
    assert len(examples) >= 8
    for sql in examples:
        store.query(sql)  # raises on a column or view that does not exist


def test_export_and_ask_from_the_command_line(tmp_path):
    import subprocess
    import sys

    store = populated(tmp_path)

    def handoff(*args):
        return subprocess.run([sys.executable, "-m", "pipeline.cli", *args, "--db", str(store.path)],
                              capture_output=True, text=True, timeout=120, cwd=ROOT)

    out = handoff("export", str(tmp_path / "csv"), "--format", "csv", "--view", "commitments")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [str(tmp_path / "csv" / "commitments.csv")]
    asked = handoff("ask", "D-1", "Who signs off the 5-day close?", "--by", "Alicia")
    assert asked.returncode == 0 and len(asked.stdout.strip()) == 12
    assert store.query("select asked_by, question from cs_questions")[1] == [("Alicia", "Who signs off the 5-day close?")]
    bad = handoff("export", str(tmp_path / "x"), "--format", "xlsx")
    assert bad.returncode == 1 and "unknown export format 'xlsx'" in bad.stderr
