"""The AE's review app over a real database: actions, the confirm gate, freezing, safety.

Merging items across calls runs the real sentence encoder, hence `slow`.
"""

import datetime as dt
import html
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from models import Deal, Evidence, FileResult, Item, ItemKind, Recording, Segment, SourceKind, Transcript
from pipeline.process import draft_deal
from pipeline.settings import Settings
from pipeline.store import Store
from pipeline.webapp import create_app
from tests.conftest import MINI

pytestmark = pytest.mark.slow

DEAL = Deal(deal_id="D-1", account="Acme <b>Corp</b>", ae_name="Priya Shah", csm_name="Sam Lee",
            stage="closed_won", amount=45000, contract_term_months=12, close_date=dt.date(2026, 9, 1))
LINES = [
    ("Priya Shah", "rep", "I'll send the SOC 2 report by Friday.", ItemKind.COMMITMENT,
     {"side": "vendor", "owner": "Priya Shah", "due_date": "2026-08-07", "firm": True}),
    ("Dana Ruiz", "customer", "Month-end close takes us six days <script>alert(1)</script>", ItemKind.PAIN_POINT,
     {"cost": "six days"}),
    ("Dana Ruiz", "customer", "Frank, our CFO, signs anything over forty thousand.", ItemKind.STAKEHOLDER,
     {"name": "Frank", "title": "CFO", "buying_role": "economic_buyer"}),
    ("Dana Ruiz", "customer", "Security review with our IT team could take a month.", ItemKind.RISK,
     {"category": "security_legal"}),
]


def call(rid: str, path: Path, lines=LINES, offset: float = 0.0) -> tuple[Recording, FileResult]:
    rec = Recording(recording_id=rid, path=path, kind=SourceKind.AUDIO, size=1, deal_id="D-1",
                    call_date=dt.date(2026, 8, 4))
    segments = [Segment(start=offset + 5 * n, end=offset + 5 * n + 4, speaker=s, role=r, text=t)
                for n, (s, r, t, _, _) in enumerate(lines)]
    items = [Item(kind=k, text=t, confidence=0.9, stated_by="vendor" if r == "rep" else "customer", attributes=a,
                  evidence=[Evidence(recording_id=rid, start=seg.start, end=seg.end, speaker=s, role=r, quote=t)])
             for (s, r, t, k, a), seg in zip(lines, segments)]
    return rec, FileResult(recording_id=rid, path=str(path), transcript=Transcript(duration=20, segments=segments),
                           items=items)


@pytest.fixture
def app(settings: Settings, tmp_path: Path):
    store = Store(settings.database)
    store.upsert_deals([DEAL])
    store.save_result(*call("r1", MINI / "mini-call.mp3"))
    draft_deal(store, DEAL, settings)
    return TestClient(create_app(settings)), store, settings


def csrf_of(client: TestClient, deal: str = "D-1") -> tuple[str, str]:
    page = client.get(f"/deals/{deal}")
    assert page.status_code == 200
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1), page.text


class Ids(dict):
    """Item ids read off the page, looked up by the start of their statement."""

    def __getitem__(self, start: str) -> str:
        return next(v for k, v in self.items() if k.startswith(start))


def item_ids(page: str) -> Ids:
    return Ids({html.unescape(m.group(2)): m.group(1) for m in re.finditer(
        r'id="item-(\w+)".*?<b class="text">(.*?)</b>', page, re.S)})


def post(client, url, csrf, **data):
    return client.post(url, data={"csrf": csrf, **data}, follow_redirects=False,
                       headers={"X-Reviewer": "Priya Shah"})


def test_each_action_is_stored_with_a_review_event_and_updates_completeness(app):
    client, store, _ = app
    csrf, page = csrf_of(client)
    ids = item_ids(page)
    before = float(re.search(r'id="completeness">(\d+)%', page).group(1))
    assert {"champion"} <= set(re.findall(r'/missing/(\w+)"', page)) and "risks" not in page.split('id="missing"')[1].split("</section>")[0]
    soc2 = ids["I'll send the SOC 2"]
    assert post(client, f"/deals/D-1/items/{soc2}/edit", csrf, text="Send the SOC 2 Type II report",
                due_date="2026-08-14", side="vendor", owner="Priya Shah", firm="true").status_code == 303
    assert post(client, f"/deals/D-1/items/{ids['Frank, our CFO, sign']}/confirm", csrf).status_code == 303
    assert post(client, f"/deals/D-1/items/{ids['Security review with']}/reject", csrf,
                reason="resolved in the pilot").status_code == 303
    post(client, "/deals/D-1/missing/champion", csrf, resolution="answer", text="Dana Ruiz")
    _, page = csrf_of(client)
    after = float(re.search(r'id="completeness">(\d+)%', page).group(1))
    missing = set(re.findall(r'/missing/(\w+)"', page))
    # The answer fills "champion"; rejecting the only risk empties "risks": one up, one down.
    assert "champion" not in missing and "risks" in missing and after == before
    assert "Security review with" not in page
    rows = dict(store.query("select text, state from items where deal_id = 'D-1'")[1])
    assert rows["Send the SOC 2 Type II report"] == "edited"
    assert rows["Frank, our CFO, signs anything over forty thousand."] == "confirmed"
    assert rows["Dana Ruiz"] == "confirmed"  # the answer became a stakeholder item
    events = {e["action"]: e for e in store.review_events("D-1")}
    assert set(events) == {"edit", "confirm", "reject", "add"}
    assert all(e["reviewer"] == "Priya Shah" for e in events.values())
    edit = events["edit"]
    assert json.loads(edit["before"])["text"] == "I'll send the SOC 2 report by Friday."
    assert json.loads(edit["after"])["attributes"]["due_date"] == "2026-08-14"
    reason = store.query("select reject_reason from items where state = 'rejected'")[1]
    assert reason == [("resolved in the pilot",)]


def test_an_edit_survives_a_later_run_over_the_same_call(app):
    client, store, settings = app
    csrf, page = csrf_of(client)
    soc2 = item_ids(page)["I'll send the SOC 2"]
    post(client, f"/deals/D-1/items/{soc2}/edit", csrf, text="Send the SOC 2 Type II report", side="vendor")
    store.save_result(*call("r1", MINI / "mini-call.mp3"))  # the batch processes the call again
    draft_deal(store, DEAL, settings)
    _, page = csrf_of(client)
    assert "Send the SOC 2 Type II report" in page and "I&#39;ll send the SOC 2 report by Friday.</b>" not in page


def test_bad_input_is_refused_with_a_message_and_changes_nothing(app):
    client, store, _ = app
    csrf, page = csrf_of(client)
    soc2 = item_ids(page)["I'll send the SOC 2"]
    answer = post(client, f"/deals/D-1/items/{soc2}/edit", csrf, text="x", due_date="next friday")
    assert "not%20a%20date" in answer.headers["location"]
    assert "is not a date" in client.get(answer.headers["location"]).text
    assert "not%20said" not in post(client, f"/deals/D-1/items/{soc2}/reject", csrf, reason=" ").headers["location"]
    assert store.query("select count(*) from review_events")[1][0][0] == 0


def test_the_handoff_is_confirmed_only_when_complete_or_waived_and_is_then_frozen(app):
    client, store, settings = app
    csrf, page = csrf_of(client)
    refused = post(client, "/deals/D-1/confirm", csrf)
    assert "answer%20or%20waive%20first" in refused.headers["location"]
    for field in re.findall(r'/missing/(\w+)"', page):
        post(client, f"/deals/D-1/missing/{field}", csrf, resolution="waiver", text="not part of this deal")
    assert post(client, "/deals/D-1/confirm", csrf).headers["location"] == "/deals/D-1"
    _, page = csrf_of(client)
    assert re.search(r'id="status">confirmed', page) and "/items/" not in page  # no more item actions
    exported = client.get("/deals/D-1/export.md")
    assert exported.status_code == 200 and "Status: **confirmed** by Priya Shah" in exported.text
    frozen = exported.text
    # A later run finds something new: it is shown beside the frozen document, which does not change.
    new_line = [("Dana Ruiz", "customer", "We also need the NetSuite sync live before the audit.", ItemKind.RISK,
                 {"category": "integration"})]
    store.save_result(*call("r2", MINI / "mini-stereo.m4a", new_line, offset=100))
    assert draft_deal(store, DEAL, settings) is None
    _, page = csrf_of(client)
    new = page.split('id="new"')[1]
    assert "NetSuite sync" in new
    assert client.get("/deals/D-1/export.md").text == frozen
    old_id = item_ids(page)["Frank, our CFO, sign"]
    refused = post(client, f"/deals/D-1/items/{old_id}/reject", csrf, reason="x")
    assert "frozen" in refused.headers["location"]
    # The CSM flags a gap back to sales: counted in handoff_quality.
    post(client, "/deals/D-1/questions", csrf, question="Who owns the NetSuite sync?")
    assert store.query("select cs_questions, cs_questions_open from handoff_quality")[1] == [(1, 1)]


def test_transcripts_stay_text_and_the_page_loads_nothing_from_outside(app):
    client, *_ = app
    _, page = csrf_of(client)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Acme &lt;b&gt;Corp&lt;/b&gt;" in page
    transcript = client.get("/calls/r1?t=5")
    assert "&lt;script&gt;" in transcript.text and "<script>alert" not in transcript.text
    for body in (page, transcript.text, client.get("/").text):
        assert not re.search(r'(src|href)="(https?:)?//', body)
    assert "default-src 'self'" in transcript.headers["content-security-policy"]


def test_forged_and_cross_site_posts_are_refused(app):
    client, store, _ = app
    csrf, page = csrf_of(client)
    soc2 = item_ids(page)["I'll send the SOC 2"]
    assert client.post(f"/deals/D-1/items/{soc2}/confirm", data={}).status_code == 403
    assert client.post(f"/deals/D-1/items/{soc2}/confirm", data={"csrf": "guess"}).status_code == 403
    cross = client.post(f"/deals/D-1/items/{soc2}/confirm", data={"csrf": csrf},
                        headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403
    assert store.query("select count(*) from review_events")[1][0][0] == 0


def test_audio_is_served_only_for_stored_recordings(app):
    client, *_ = app
    ranged = client.get("/audio/r1", headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206 and len(ranged.content) == 100
    assert ranged.content == (MINI / "mini-call.mp3").read_bytes()[:100]
    for bad in ("nope", "..%2F..%2Fetc%2Fpasswd", "r1%00"):
        assert client.get(f"/audio/{bad}").status_code == 404


def test_off_loopback_the_app_needs_a_token(settings):
    with pytest.raises(ValueError, match="review_token"):
        create_app(settings, host="0.0.0.0")
    secured = TestClient(create_app(settings.model_copy(update={"review_token": "s3cret"}), host="0.0.0.0"))
    assert secured.get("/").status_code == 401
    assert secured.get("/?token=wrong").status_code == 401
    assert secured.get("/?token=s3cret").status_code == 200
    assert secured.get("/").status_code == 200  # the token is kept in a cookie
    assert TestClient(create_app(settings.model_copy(update={"review_token": "s3cret"}), host="0.0.0.0")).get(
        "/", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_a_review_waits_for_a_batch_that_holds_the_database(app):
    client, store, _ = app
    csrf, page = csrf_of(client)
    soc2 = item_ids(page)["I'll send the SOC 2"]
    holder = subprocess.Popen([sys.executable, "-c",
                               f"import duckdb,time; c=duckdb.connect({str(store.path)!r}); "
                               "print('held', flush=True); time.sleep(1.5)"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    started = time.monotonic()
    assert post(client, f"/deals/D-1/items/{soc2}/confirm", csrf).headers["location"].startswith("/deals/D-1#")
    holder.wait(timeout=10)
    assert time.monotonic() - started > 0.5
    assert store.query("select state from items where item_id = ?", [soc2])[1] == [("confirmed",)]


def test_the_deal_list_filters_by_ae_and_status(app):
    client, store, _ = app
    store.upsert_deals([DEAL.model_copy(update={"deal_id": "D-2", "account": "Globex", "ae_name": "Marcus"})])
    page = client.get("/").text
    assert "Acme" in page and "Globex" in page
    only = client.get("/?ae=Marcus").text
    assert "Globex" in only and "Acme" not in only
    drafts = client.get("/?status=draft").text
    assert "Acme" in drafts and "Globex" not in drafts  # Globex has no document


def test_an_unknown_deal_id_is_not_echoed_as_markup(app):
    client, *_ = app
    page = client.get("/deals/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/plain")
