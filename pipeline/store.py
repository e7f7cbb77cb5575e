"""The DuckDB warehouse: migrations, writes, reads.

Writer arrangement. DuckDB lets one process hold a file read-write, and while
it does no other process can open it at all. Every writer here (batch run,
scheduled service, review app) therefore opens a *short-lived* connection per
unit of work and closes it at once; a writer that finds the file locked waits
with bounded, jittered back-off and tries again (`Settings.write_retries`).
Readers do the same with read-only connections. Nobody holds the file between
units of work, so two processes interleave instead of failing.

Inserts name their columns: later migrations add columns, never remove them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import random
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import duckdb

from models import Deal, FileResult, HandoffDocument, Item, Recording, RunSummary, Transcript


class StoreError(RuntimeError):
    """The database cannot be opened or is of a newer version than this program."""


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every bundled migration, in order."""
    found = []
    for entry in resources.files("pipeline.migrations").iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            found.append((version, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def item_id(recording_id: str, item: Item) -> str:
    quote = " ".join(item.primary.quote.lower().split())
    return hashlib.sha256(f"{recording_id}|{item.kind}|{quote}".encode()).hexdigest()[:16]


ITEM_COLUMNS = ("item_id, deal_id, recording_id, kind, text, confidence, stated_by, attributes, quote, "
                "speaker, role, start_s, end_s, extractor, state, created_at, updated_at")


def _deal_from_row(cols: tuple[str, ...], row: tuple) -> Deal:
    """A stored deals row back as a `Deal` (NULLs read as the model's empty values)."""
    return Deal(**{c: v for c, v in zip(cols, row) if v is not None})


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _is_lock_error(exc: Exception) -> bool:
    return "lock" in str(exc).lower()


class Store:
    def __init__(self, path: Path, retries: int = 20):
        self.path = Path(path)
        self.retries = retries
        self._migrated = False

    @contextlib.contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived connection; waits (bounded) while another process writes."""
        if read_only and not self.path.exists():
            raise StoreError(f"no database at {self.path}; run `handoff run` first")
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        delay = 0.05
        for attempt in range(self.retries + 1):
            try:
                con = duckdb.connect(str(self.path), read_only=read_only)
                break
            except duckdb.IOException as exc:
                if not _is_lock_error(exc) or attempt == self.retries:
                    raise StoreError(f"cannot open {self.path}: {str(exc).splitlines()[0]}") from exc
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 2.0)
        try:
            if not read_only and not self._migrated:
                self._migrate(con)
            yield con
        finally:
            con.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Write connection inside one transaction: all of it lands or none."""
        with self.connect() as con:
            con.begin()
            try:
                yield con
            except BaseException:
                con.rollback()
                raise
            con.commit()

    def _migrate(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                    "(version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)")
        applied = {v for (v,) in con.execute("SELECT version FROM schema_migrations").fetchall()}
        known = migrations()
        newest = max(v for v, _, _ in known)
        if applied and max(applied) > newest:
            raise StoreError(f"{self.path} was written by a newer version of handoff (schema "
                             f"{max(applied)}, this one knows {newest}); upgrade handoff")
        for version, name, sql in known:
            if version in applied:
                continue
            con.begin()
            try:
                con.execute(sql)
                con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [version, name, _now()])
                con.commit()
            except BaseException:
                con.rollback()
                raise
        self._migrated = True

    def schema_version(self) -> int:
        with self.connect() as con:
            return con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]

    # -- reads -------------------------------------------------------------
    def done_hashes(self) -> set[str]:
        """Recordings processed successfully (errors are retried on the next run)."""
        if not self.path.exists():
            return set()
        with self.connect() as con:
            rows = con.execute("SELECT recording_id FROM recordings WHERE status = 'done'").fetchall()
        return {r for (r,) in rows}

    def query(self, sql: str, params: list | None = None) -> tuple[list[str], list[tuple]]:
        """Read-only SQL: the analyst's entry point."""
        with self.connect(read_only=True) as con:
            cur = con.execute(sql, params or [])
            columns = [d[0] for d in cur.description] if cur.description else []
            return columns, cur.fetchall()

    # -- writes ------------------------------------------------------------
    DEAL_COLUMNS = ("deal_id", "account", "industry", "segment", "amount", "currency", "stage",
                    "close_date", "contract_term_months", "origin", "ae_name", "ae_email", "csm_name",
                    "competitors", "renewal_date", "discount", "scope", "win_reason", "crm_file")

    def upsert_deals(self, deals: list[Deal]) -> set[str]:
        """Store the CRM export's deals; return the ids whose record changed (to redraft).

        A deal seen for the first time is not "changed": it has no document yet,
        and drafting follows its calls.
        """
        cols = self.DEAL_COLUMNS
        changed: set[str] = set()
        now = _now()
        with self.transaction() as con:
            stored = {row[0]: _deal_from_row(cols, row) for row in con.execute(
                f"SELECT {', '.join(cols)} FROM deals WHERE deal_id IN (SELECT unnest(?))",
                [[d.deal_id for d in deals]]).fetchall()}
            for d in deals:
                before = stored.get(d.deal_id)
                if before is not None and before.crm_facts() == d.crm_facts() \
                        and before.crm_file == d.crm_file:
                    continue
                if before is not None and before.crm_facts() != d.crm_facts():
                    changed.add(d.deal_id)
                values = [getattr(d, c) for c in cols]
                con.execute(
                    f"INSERT INTO deals ({', '.join(cols)}, updated_at, first_seen_at) "
                    f"VALUES ({', '.join('?' * (len(cols) + 2))}) ON CONFLICT (deal_id) DO UPDATE SET "
                    + ", ".join(f"{c} = excluded.{c}" for c in (*cols[1:], "updated_at")),
                    [*values, now, now])
        return changed

    def deal(self, deal_id: str) -> Deal | None:
        """A stored deal (the last CRM record seen for it)."""
        cols = self.DEAL_COLUMNS
        with self.connect() as con:
            row = con.execute(f"SELECT {', '.join(cols)} FROM deals WHERE deal_id = ?", [deal_id]).fetchone()
        return _deal_from_row(cols, row) if row else None

    def relink(self, recordings: list[Recording]) -> set[str]:
        """Point stored recordings (and their items) at the deal the CRM export now names.

        A call processed before its deal reached deals.csv was stored without one;
        the next run links it. Returns the deals whose calls changed (to redraft).
        A recording the export no longer names keeps its link: absence is not a decision.
        """
        changed: set[str] = set()
        linked = [r for r in recordings if r.deal_id]
        if not linked or not self.path.exists():
            return changed
        with self.transaction() as con:
            stored = dict(con.execute("SELECT recording_id, deal_id FROM recordings WHERE recording_id IN "
                                      "(SELECT unnest(?))", [[r.recording_id for r in linked]]).fetchall())
            for rec in linked:
                if rec.recording_id not in stored or stored[rec.recording_id] == rec.deal_id:
                    continue
                con.execute("UPDATE recordings SET deal_id = ?, call_date = coalesce(?, call_date) "
                            "WHERE recording_id = ?", [rec.deal_id, rec.call_date, rec.recording_id])
                con.execute("UPDATE items SET deal_id = ? WHERE recording_id = ?",
                            [rec.deal_id, rec.recording_id])
                changed |= {d for d in (stored[rec.recording_id], rec.deal_id) if d}
        return changed

    def record_error(self, run_id: str, recording: Recording | None, path: Path, stage: str,
                     message: str) -> None:
        """Remember a failed file without touching anything stored for other files."""
        with self.transaction() as con:
            if recording is not None:
                con.execute(
                    "INSERT INTO recordings (recording_id, file_name, path, kind, size_bytes, "
                    "deal_id, call_date, status, error_stage, error, processed_at) "
                    "VALUES (?,?,?,?,?,?,?,'error',?,?,?) ON CONFLICT (recording_id) DO UPDATE SET "
                    "error_stage = excluded.error_stage, error = excluded.error, "
                    "processed_at = excluded.processed_at WHERE recordings.status = 'error'",
                    [recording.recording_id, path.name, str(path), recording.kind.value,
                     recording.size, recording.deal_id, recording.call_date, stage, message, _now()])
            con.execute("INSERT INTO file_errors (run_id, recording_id, file_name, stage, message, occurred_at) "
                        "VALUES (?,?,?,?,?,?)",
                        [run_id, recording.recording_id if recording else None, path.name, stage,
                         message, _now()])

    def save_result(self, recording: Recording, result: FileResult) -> None:
        """Store a processed recording, its segments and items in one transaction.

        Items an AE has reviewed (state other than `suggested`) are never
        overwritten or deleted; stale suggestions from an earlier run are.
        """
        t: Transcript = result.transcript
        now = _now()
        with self.transaction() as con:
            con.execute("INSERT OR REPLACE INTO recordings (recording_id, file_name, path, kind, size_bytes, "
                        "deal_id, call_date, duration_s, status, error_stage, error, engine, warnings, "
                        "processed_at) VALUES (?,?,?,?,?,?,?,?,'done',NULL,NULL,?,?,?)",
                        [recording.recording_id, recording.path.name, str(recording.path),
                         recording.kind.value, recording.size, recording.deal_id,
                         recording.call_date, t.duration, t.engine, t.warnings, now])
            con.execute("DELETE FROM segments WHERE recording_id = ?", [recording.recording_id])
            con.executemany("INSERT INTO segments (recording_id, idx, start_s, end_s, speaker, role, text) "
                            "VALUES (?,?,?,?,?,?,?)", [
                [recording.recording_id, i, s.start, s.end, s.speaker, s.role.value, s.text]
                for i, s in enumerate(t.segments)])
            rows = {}
            for item in result.items:
                rows.setdefault(item_id(recording.recording_id, item), item)  # dedupe keys
            con.execute("DELETE FROM items WHERE recording_id = ? AND state = 'suggested'",
                        [recording.recording_id])
            for key, item in rows.items():
                ev = item.primary
                con.execute(
                    f"INSERT INTO items ({ITEM_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,'suggested',?,?) "
                    "ON CONFLICT (item_id) DO NOTHING",
                    [key, recording.deal_id, recording.recording_id, item.kind.value, item.text,
                     item.confidence, item.stated_by.value, json.dumps(item.attributes), ev.quote,
                     ev.speaker, ev.role, ev.start, ev.end, item.extractor, now, now])

    def deal_items(self, deal_id: str) -> list[tuple[str, str, Item]]:
        """(item_id, state, item) for a deal, with evidence and call names."""
        with self.connect() as con:
            rows = con.execute(
                "SELECT item_id, state, kind, text, confidence, stated_by, attributes, quote, "
                "speaker, role, start_s, end_s, extractor, recording_id FROM items "
                "WHERE deal_id = ? ORDER BY kind, start_s", [deal_id]).fetchall()
        out = []
        for (iid, state, kind, text, conf, side, attrs, quote, speaker, role, start, end, ext,
             rid) in rows:
            item = Item(kind=kind, text=text, confidence=conf, stated_by=side,
                        attributes=json.loads(attrs or "{}"), extractor=ext or "",
                        evidence=[{"recording_id": rid, "start": start, "end": end,
                                   "speaker": speaker, "role": role, "quote": quote}])
            out.append((iid, state, item))
        return out

    def deal_calls(self, deal_id: str) -> list[dict]:
        with self.connect() as con:
            rows = con.execute(
                "SELECT recording_id, file_name, path, call_date, duration_s FROM recordings "
                "WHERE deal_id = ? AND status = 'done' ORDER BY call_date, file_name",
                [deal_id]).fetchall()
        return [{"recording_id": r[0], "file_name": r[1], "path": r[2],
                 "call_date": str(r[3] or ""), "duration": r[4] or 0.0} for r in rows]

    def save_document(self, doc: HandoffDocument, markdown_path: Path, html_path: Path) -> None:
        """Store a drafted document; a confirmed one is never replaced by a draft."""
        with self.transaction() as con:
            con.execute(
                "INSERT INTO documents (deal_id, status, completeness, missing, document, markdown_path, "
                "html_path, generated_at) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (deal_id) DO UPDATE SET "
                "completeness = excluded.completeness, missing = excluded.missing, "
                "document = excluded.document, markdown_path = excluded.markdown_path, "
                "html_path = excluded.html_path, generated_at = excluded.generated_at "
                "WHERE documents.status = 'draft'",
                [doc.deal.deal_id, doc.status, doc.completeness,
                 json.dumps([m.model_dump() for m in doc.missing]), doc.model_dump_json(),
                 str(markdown_path), str(html_path), doc.generated])

    def document_status(self, deal_id: str) -> str | None:
        with self.connect() as con:
            row = con.execute("SELECT status FROM documents WHERE deal_id = ?", [deal_id]).fetchone()
        return row[0] if row else None

    def save_run(self, summary: RunSummary, versions: dict[str, str]) -> None:
        with self.transaction() as con:
            con.execute("INSERT OR REPLACE INTO runs (run_id, started_at, finished_at, inbox, processed, "
                        "skipped, errors, items, versions, files, stage_seconds) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                        [summary.run_id, summary.started.replace(tzinfo=None),
                         (summary.finished or summary.started).replace(tzinfo=None), summary.inbox,
                         len(summary.processed), len(summary.skipped), len(summary.errors),
                         sum(summary.items_per_kind.values()), json.dumps(versions),
                         json.dumps(summary.processed), json.dumps(summary.seconds)])

    # -- CS questions back to sales -----------------------------------------
    def ask(self, deal_id: str, question: str, asked_by: str, item: str | None = None) -> str:
        """Record a CSM's question about a deal's handoff; returns its id."""
        if not question.strip():
            raise ValueError("the question is empty")
        with self.transaction() as con:
            if not con.execute("SELECT 1 FROM deals WHERE deal_id = ?", [deal_id]).fetchone():
                raise ValueError(f"no deal {deal_id!r} in the database")
            qid = hashlib.sha256(f"{deal_id}|{question}|{_now().isoformat()}".encode()).hexdigest()[:12]
            con.execute("INSERT INTO cs_questions (question_id, deal_id, item_id, asked_by, question, asked_at) "
                        "VALUES (?,?,?,?,?,?)",
                        [qid, deal_id, item, asked_by, question.strip(), _now()])
        return qid

    def answer(self, question_id: str, answer: str) -> None:
        with self.transaction() as con:
            found = con.execute("UPDATE cs_questions SET answer = ?, answered_at = ? WHERE question_id = ? "
                                "RETURNING question_id", [answer, _now(), question_id]).fetchall()
            if not found:
                raise ValueError(f"no question {question_id!r}")

    # -- export ------------------------------------------------------------
    EXPORT_VIEWS = ("commitments", "pain_points", "success_criteria", "stakeholders", "risks",
                    "competitors", "handoff_quality")

    def export(self, out_dir: Path, fmt: str = "parquet", views: tuple[str, ...] = EXPORT_VIEWS) -> list[Path]:
        """Write each analyst view to `<out_dir>/<view>.<fmt>` (parquet or csv)."""
        if fmt not in ("parquet", "csv"):
            raise ValueError(f"unknown export format {fmt!r}: parquet or csv")
        unknown = set(views) - set(self.EXPORT_VIEWS)
        if unknown:
            raise ValueError(f"not an analyst view: {', '.join(sorted(unknown))}")
        out_dir.mkdir(parents=True, exist_ok=True)
        written = []
        with self.connect(read_only=True) as con:
            for view in views:
                target = out_dir / f"{view}.{fmt}"
                options = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER true"
                # The path is ours (a folder the user named + a fixed view name); quote it for SQL.
                con.execute(f"COPY (SELECT * FROM {view}) TO '{str(target).replace(chr(39), chr(39) * 2)}' "
                            f"({options})")
                written.append(target)
        return written

    # -- the AE's review -----------------------------------------------------
    def item_rows(self, item_ids: list[str]) -> dict[str, dict]:
        """Stored items by id, as dicts of their columns (for before/after of review events)."""
        with self.connect() as con:
            cur = con.execute("SELECT item_id, deal_id, kind, text, state, attributes, reviewed_by, "
                              "reject_reason FROM items WHERE item_id IN (SELECT unnest(?))", [item_ids])
            rows = _dicts(cur)
        for row in rows:
            row["attributes"] = json.loads(row["attributes"] or "{}")
        return {r["item_id"]: r for r in rows}

    def review_items(self, deal_id: str, action: str, updates: dict[str, dict], reviewer: str) -> None:
        """Apply one AE action to items (`updates`: item_id -> columns to set) and record it,
        before and after, as one review event per item; all in one transaction."""
        allowed = {"state", "text", "attributes", "reject_reason"}
        now = _now()
        with self.transaction() as con:
            for iid, changes in updates.items():
                if set(changes) - allowed:
                    raise ValueError(f"cannot change {sorted(set(changes) - allowed)}")
                before = con.execute("SELECT text, state, attributes FROM items WHERE item_id = ? AND deal_id = ?",
                                     [iid, deal_id]).fetchone()
                if before is None:
                    raise ValueError(f"no item {iid!r} in deal {deal_id!r}")
                values = {k: json.dumps(v) if k == "attributes" else v for k, v in changes.items()}
                con.execute(f"UPDATE items SET {', '.join(f'{k} = ?' for k in values)}, reviewed_by = ?, "
                            "updated_at = ? WHERE item_id = ?", [*values.values(), reviewer, now, iid])
                after = con.execute("SELECT text, state, attributes FROM items WHERE item_id = ?", [iid]).fetchone()
                self._event(con, deal_id, iid, action, _row_json(before), _row_json(after), reviewer, now)

    def add_item(self, deal_id: str, item: Item, reviewer: str) -> str:
        """An item the AE adds by hand: confirmed, no call behind it (recording_id 'manual')."""
        now = _now()
        key = hashlib.sha256(f"{deal_id}|{item.kind}|{item.text}|{now.isoformat()}".encode()).hexdigest()[:16]
        with self.transaction() as con:
            con.execute(
                f"INSERT INTO items ({ITEM_COLUMNS}, reviewed_by) VALUES (?,?,'manual',?,?,?,?,?,?,?,?,?,?,?,"
                "'confirmed',?,?,?)",
                [key, deal_id, item.kind.value, item.text, 1.0, item.stated_by.value,
                 json.dumps(item.attributes), item.text, reviewer, "ae", 0.0, 0.0, "added-by-ae", now, now,
                 reviewer])
            self._event(con, deal_id, key, "add", None,
                        json.dumps({"kind": item.kind.value, "text": item.text, "attributes": item.attributes}),
                        reviewer, now)
        return key

    def resolve(self, deal_id: str, field: str, resolution: str, text: str, reviewer: str) -> None:
        """Answer a missing field, or waive it with a reason (both recorded as review events)."""
        if resolution not in ("answer", "waiver"):
            raise ValueError(f"unknown resolution {resolution!r}")
        if not text.strip():
            raise ValueError("an answer or a waiver needs text (the answer, or why it does not apply)")
        now = _now()
        with self.transaction() as con:
            before = con.execute("SELECT resolution, text FROM document_resolutions WHERE deal_id = ? AND field = ?",
                                 [deal_id, field]).fetchone()
            con.execute("INSERT OR REPLACE INTO document_resolutions VALUES (?,?,?,?,?,?)",
                        [deal_id, field, resolution, text.strip(), reviewer, now])
            self._event(con, deal_id, None, resolution,
                        json.dumps({"field": field, "resolution": before[0], "text": before[1]}) if before else None,
                        json.dumps({"field": field, "resolution": resolution, "text": text.strip()}),
                        reviewer, now)

    def resolutions(self, deal_id: str) -> dict[str, tuple[str, str]]:
        """field -> (answer|waiver, text) for a deal."""
        if not self.path.exists():
            return {}
        with self.connect() as con:
            rows = con.execute("SELECT field, resolution, text FROM document_resolutions WHERE deal_id = ?",
                               [deal_id]).fetchall()
        return {f: (r, t) for f, r, t in rows}

    def confirm_document(self, doc: HandoffDocument, markdown_path: Path, html_path: Path, reviewer: str) -> None:
        """Freeze the document: stored as confirmed, never replaced by a later draft."""
        now = _now()
        with self.transaction() as con:
            status = con.execute("SELECT status FROM documents WHERE deal_id = ?", [doc.deal.deal_id]).fetchone()
            if status and status[0] == "confirmed":
                raise ValueError(f"the handoff of {doc.deal.deal_id} is already confirmed")
            con.execute(
                "INSERT OR REPLACE INTO documents (deal_id, status, completeness, missing, document, "
                "markdown_path, html_path, generated_at, confirmed_at, confirmed_by) VALUES (?,?,?,?,?,?,?,?,?,?)",
                [doc.deal.deal_id, "confirmed", doc.completeness,
                 json.dumps([m.model_dump() for m in doc.missing]), doc.model_dump_json(), str(markdown_path),
                 str(html_path), doc.generated.replace(tzinfo=None), now, reviewer])
            self._event(con, doc.deal.deal_id, None, "confirm_document", json.dumps({"status": "draft"}),
                        json.dumps({"status": "confirmed", "completeness": doc.completeness}), reviewer, now)

    def frozen_document(self, deal_id: str) -> tuple[HandoffDocument, dt.datetime] | None:
        """The confirmed document and when it was confirmed, or None while it is a draft."""
        with self.connect() as con:
            row = con.execute("SELECT document, confirmed_at FROM documents WHERE deal_id = ? "
                              "AND status = 'confirmed'", [deal_id]).fetchone()
        return (HandoffDocument.model_validate_json(row[0]), row[1]) if row else None

    def items_since(self, deal_id: str, since: dt.datetime) -> list[str]:
        """Suggestions stored after `since` (new evidence beside a confirmed document)."""
        with self.connect() as con:
            rows = con.execute("SELECT item_id FROM items WHERE deal_id = ? AND state = 'suggested' "
                               "AND created_at > ?", [deal_id, since]).fetchall()
        return [r for (r,) in rows]

    def deal_overview(self) -> list[dict]:
        """The review app's deal list: one row per deal with its document's state."""
        if not self.path.exists():
            return []
        with self.connect() as con:
            cur = con.execute(
                "SELECT d.deal_id, d.account, d.ae_name, d.stage, d.close_date, doc.completeness, "
                "CASE WHEN doc.status = 'confirmed' THEN 'confirmed' "
                "     WHEN EXISTS (SELECT 1 FROM review_events e WHERE e.deal_id = d.deal_id) THEN 'in review' "
                "     WHEN doc.status IS NULL THEN 'no document' ELSE 'draft' END AS status, "
                "date_diff('day', d.close_date, current_date) AS days_since_signature "
                "FROM deals d LEFT JOIN documents doc USING (deal_id) ORDER BY d.close_date DESC NULLS LAST, d.deal_id")
            return _dicts(cur)

    def call(self, recording_id: str) -> dict | None:
        """A stored call and its transcript turns (for the transcript view and the audio route)."""
        with self.connect() as con:
            row = con.execute("SELECT recording_id, file_name, path, kind, deal_id, call_date, duration_s "
                              "FROM recordings WHERE recording_id = ? AND status = 'done'", [recording_id]).fetchone()
            if row is None:
                return None
            segments = con.execute("SELECT idx, start_s, end_s, speaker, role, text FROM segments "
                                   "WHERE recording_id = ? ORDER BY idx", [recording_id]).fetchall()
        keys = ("recording_id", "file_name", "path", "kind", "deal_id", "call_date", "duration")
        return {**dict(zip(keys, row)), "segments": [dict(zip(("idx", "start", "end", "speaker", "role", "text"), s))
                                                     for s in segments]}

    def review_events(self, deal_id: str) -> list[dict]:
        with self.connect() as con:
            cur = con.execute("SELECT item_id, action, before, after, reviewer, occurred_at FROM review_events "
                              "WHERE deal_id = ? ORDER BY occurred_at", [deal_id])
            return _dicts(cur)

    def questions(self, deal_id: str) -> list[dict]:
        with self.connect() as con:
            cur = con.execute("SELECT question_id, item_id, asked_by, question, asked_at, answer, answered_at "
                              "FROM cs_questions WHERE deal_id = ? ORDER BY asked_at", [deal_id])
            return _dicts(cur)

    def document_paths(self, deal_id: str) -> tuple[str, str]:
        with self.connect() as con:
            row = con.execute("SELECT markdown_path, html_path FROM documents WHERE deal_id = ?", [deal_id]).fetchone()
        return (row[0] or "", row[1] or "") if row else ("", "")

    def call_evidence(self, recording_id: str) -> list[dict]:
        """The live items quoted from one call, by time."""
        with self.connect() as con:
            cur = con.execute("SELECT item_id, kind, text, quote, start_s, end_s, state FROM items "
                              "WHERE recording_id = ? AND state <> 'rejected' ORDER BY start_s", [recording_id])
            return _dicts(cur)

    @staticmethod
    def _event(con: duckdb.DuckDBPyConnection, deal_id: str, item: str | None, action: str,
               before: str | None, after: str | None, reviewer: str, at: dt.datetime) -> None:
        event_id = hashlib.sha256(f"{deal_id}|{item}|{action}|{at.isoformat()}|{random.random()}".encode()).hexdigest()[:16]
        con.execute("INSERT INTO review_events (event_id, deal_id, item_id, action, before, after, reviewer, "
                    "occurred_at) VALUES (?,?,?,?,?,?,?,?)", [event_id, deal_id, item, action, before, after,
                                                              reviewer, at])


def _dicts(cur: duckdb.DuckDBPyConnection) -> list[dict]:
    """The rows of an executed query as dicts by column name."""
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def _row_json(row: tuple) -> str:
    text, state, attributes = row
    return json.dumps({"text": text, "state": state, "attributes": json.loads(attributes or "{}")})

