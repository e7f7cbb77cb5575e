"""The review app in a real browser: Debian's Chromium driven by Playwright, the app on a
free loopback port. Keyboard fast path, answering in place, and the audio jumping to a quote."""

import shutil
import socket
import threading
import time

import pytest
import uvicorn

from pipeline.process import draft_deal
from pipeline.store import Store
from pipeline.webapp import create_app
from tests.conftest import MINI
from tests.test_review_app import DEAL, call

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make system)")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(settings):
    store = Store(settings.database)
    store.upsert_deals([DEAL])
    store.save_result(*call("r1", MINI / "mini-call.mp3"))
    draft_deal(store, DEAL, settings)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the review app did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", store
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--autoplay-policy=no-user-gesture-required"])
        context = browser.new_context()
        yield context.new_page()
        browser.close()


def test_keyboard_confirm_moves_on_and_answers_update_completeness(served, page):
    base, store = served
    page.goto(f"{base}/deals/D-1")
    first = page.locator(".item[data-item]").first
    first_id = first.get_attribute("data-item")
    second_id = page.locator(".item[data-item]").nth(1).get_attribute("data-item")
    page.keyboard.press("j")
    with page.expect_navigation():
        page.keyboard.press("c")
    page.wait_for_url(f"**/deals/D-1#item-{second_id}")
    assert "confirmed" in page.locator(f"#item-{first_id}").get_attribute("class")
    assert store.query("select state from items where item_id = ?", [first_id])[1] == [("confirmed",)]

    before = page.locator("#completeness").inner_text()
    form = page.locator("form.resolve[data-field='champion']")
    form.locator("input[name=text]").fill("Dana Ruiz")
    with page.expect_navigation():
        form.locator("button[value=answer]").click()
    assert page.locator("form.resolve[data-field='champion']").count() == 0
    assert int(page.locator("#completeness").inner_text().rstrip("%")) > int(before.rstrip("%"))

    # r opens the focused item's reject form; the reason is required.
    page.locator(f"#item-{second_id}").focus()
    page.keyboard.press("j")
    target = page.locator(".item.current").get_attribute("data-item")
    assert target not in (first_id, second_id)
    page.keyboard.press("r")
    page.keyboard.type("not what she said")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert store.query("select state, reject_reason from items where item_id = ?", [target])[1] == \
        [("rejected", "not what she said")]


def test_an_evidence_link_opens_the_transcript_with_the_audio_at_the_quote(served, page):
    base, _ = served
    page.goto(f"{base}/deals/D-1")
    link = page.locator("a.evidence", has_text="@ 00:05").first
    link.click()
    page.wait_for_url("**/calls/r1?t=5**")
    assert "seg evidence focus" in page.locator("#focus").get_attribute("class")
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    page.wait_for_function("Math.abs(document.getElementById('player').currentTime - 5) < 0.5")
    page.locator("#transcript a.t").nth(2).click()  # a turn's time seeks the player there
    page.wait_for_function("Math.abs(document.getElementById('player').currentTime - 10) < 1.0")
