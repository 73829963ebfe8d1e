"""The Review tab in a real browser: sign in, open an answer, start review, approve (Chromium)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from review_fixtures import PASSWORD, REVIEWER

from medcite.settings import load_settings
from review.store import Store
from ui.review_tab import add_review_tab
from ui.screenshot import CHROMIUM as CHROMIUM_BINARY
from ui.screenshot import CHROMIUM_ARGS

CHROMIUM = Path(CHROMIUM_BINARY)
ARGS = CHROMIUM_ARGS  # one launch recipe: ui/screenshot.py
TIMEOUT_MS = 20_000  # bounds a hang on two shared cores; not a speed assertion

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_reviewer_signs_in_and_approves(store: Store, reviewer, make_answer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr
    from playwright.sync_api import sync_playwright

    aid = store.save_answer(make_answer())
    app = gr.Blocks()
    add_review_tab(app, store, load_settings(home=tmp_path))
    port = _free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"http://127.0.0.1:{port}/")
            assert not page.locator("#mc-review-panel").is_visible()
            page.locator("#mc-review-name").locator("input, textarea").fill(REVIEWER)
            page.locator("#mc-review-password").locator("input, textarea").fill(PASSWORD)
            page.locator("#mc-review-signin").click()
            page.locator("#mc-review-panel").wait_for(state="visible")
            page.locator("#mc-review-queue").filter(has_text=aid).wait_for()  # listed in the queue table
            page.locator("#mc-review-choose input").click()
            page.get_by_role("option", name=aid).click()
            page.get_by_text("IVIG improved muscle strength").wait_for()
            page.locator("#mc-review-start-review").click()
            page.locator("#mc-review-approve").wait_for(state="visible")
            page.locator("#mc-review-comment textarea").fill("checked against the ACR guideline")
            page.locator("#mc-review-approve").click()
            page.locator("#mc-review-message").get_by_text("Approved").wait_for()
            page.screenshot(path=str(tmp_path / "review-approved.png"))
            browser.close()
    finally:
        app.close()
    assert store.get_record(aid).status == "Approved"
    assert [e.comment for e in store.history(aid)][-1] == "checked against the ACR guideline"
    assert store.find_approved(make_answer().question, "clinician", "corpus-v1").reviewer == REVIEWER
