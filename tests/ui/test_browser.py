"""The web chat in a real browser (Debian's Chromium through Playwright), against the fake engine.

Each test saves a screenshot under the session's `ui-artifacts` folder.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ui_fakes import DISCLAIMERS, FakeEngine

from medcite.errors import IndexMissingError
from medcite.settings import Settings
from ui.screenshot import CHROMIUM as CHROMIUM_BINARY
from ui.screenshot import CHROMIUM_ARGS

CHROMIUM = Path(CHROMIUM_BINARY)
Q = "What is the treatment for dermatomyositis?"
TIMEOUT_MS = 20_000  # generous: two shared CPU cores; this bounds a hang, it does not measure speed

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian chromium not installed: apt-get install -y chromium"
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


class Chat:
    """A page of the chat plus what the tests watch: dialogs and page errors."""

    def __init__(self, page: Any, url: str) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)
        page.locator("#mc-question textarea").wait_for()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def answers(self) -> Any:
        return self.page.locator(".mc-answer")

    def ask(self, question: str, *, wait: bool = True) -> Any:
        count = self.answers().count()
        self.page.locator("#mc-question textarea").fill(question)
        self.page.locator("#mc-ask").click()
        if wait:
            return self.wait_answer(count + 1)
        return None

    def wait_answer(self, n: int) -> Any:
        """Wait until the n-th answer is complete (its disclaimer shown, nothing in progress)."""
        answer = self.answers().nth(n - 1)
        answer.locator(".mc-disclaimer").wait_for()
        self.page.wait_for_function("() => !document.querySelector('.mc-progress')")
        return answer

    def shot(self, folder: Path, name: str) -> None:
        self.page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.fixture()
def chat(browser: Any, served: Any) -> Iterator[Chat]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield Chat(context.new_page(), served.url)
    context.close()


def test_ask_streams_sections_citations_references_and_disclaimer(
    chat: Chat, served: Any, artifacts_dir: Path
) -> None:
    served.engine.gate = threading.Event()
    try:
        chat.ask(Q, wait=False)
        first = chat.answers().first
        first.get_by_role("heading", name="From the Guidelines").wait_for()
        # the partial answer is on screen while the rest is still being composed
        assert first.locator(".mc-progress").is_visible()
        assert first.get_by_role("heading", name="From the Research").count() == 0
    finally:
        served.engine.gate.set()
        served.engine.gate = None
    answer = chat.wait_answer(1)
    for heading in ("From the Guidelines", "From the FDA Drug Label", "From the Research", "References"):
        assert answer.get_by_role("heading", name=heading).is_visible()
    assert answer.locator("a.mc-cite").count() >= 5
    assert answer.locator(".mc-ref").count() == 4
    assert answer.locator(".mc-disclaimer").inner_text() == DISCLAIMERS["clinician"]
    assert "pending human review" in answer.locator(".mc-caution").inner_text()
    assert not chat.errors
    chat.shot(artifacts_dir, "ask")


def test_clicking_a_citation_reveals_its_reference(browser: Any, served: Any, artifacts_dir: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 500})
    chat = Chat(context.new_page(), served.url)
    try:
        answer = chat.ask(Q)
        marker = answer.locator("a.mc-cite[data-ref='4']").first
        target = answer.locator(marker.get_attribute("href"))
        marker.scroll_into_view_if_needed()
        assert not _in_viewport(target)
        marker.click()
        chat.page.wait_for_function(
            "(el) => { const r = el.getBoundingClientRect(); "
            "return r.top >= 0 && r.bottom <= window.innerHeight; }",
            arg=target.element_handle(),
        )
        assert target.evaluate("el => el.matches(':target')")
        assert "Methotrexate as a steroid-sparing agent" in target.inner_text()
        chat.shot(artifacts_dir, "citation")
    finally:
        context.close()


def _in_viewport(locator: Any) -> bool:
    return bool(
        locator.evaluate(
            "el => { const r = el.getBoundingClientRect(); "
            "return r.top >= 0 && r.bottom <= window.innerHeight; }"
        )
    )


def test_follow_up_button_asks_and_shows_rewritten_query(chat: Chat, artifacts_dir: Path) -> None:
    chat.ask(Q)
    button = chat.page.locator("button.mc-follow", has_text="What are the side effects of prednisone?")
    button.click()
    second = chat.wait_answer(2)
    assert "Searching for:" in second.locator(".mc-rewritten").inner_text()
    assert "dermatomyositis" in second.locator(".mc-rewritten").inner_text()
    assert (
        chat.page.locator(".mc-question")
        .nth(1)
        .inner_text()
        .endswith("What are the side effects of prednisone?")
    )
    chat.shot(artifacts_dir, "follow-up")
    chat.page.locator("#mc-clear").click()
    chat.page.locator(".mc-empty").wait_for()
    assert chat.answers().count() == 0


def test_switching_audience_changes_the_disclaimer(chat: Chat, artifacts_dir: Path) -> None:
    answer = chat.ask(Q)
    assert answer.locator(".mc-disclaimer").inner_text() == DISCLAIMERS["clinician"]
    chat.page.get_by_label("Patient or caregiver").check()
    chat.page.wait_for_function(
        "(t) => { const d = document.querySelectorAll('.mc-disclaimer'); "
        "return d.length === 1 && d[0].innerText === t && !document.querySelector('.mc-progress'); }",
        arg=DISCLAIMERS["patient"],
    )
    assert "Steroids are the first medicine" in chat.answers().first.inner_text()
    chat.shot(artifacts_dir, "patient")


def test_hostile_document_is_inert(chat: Chat, artifacts_dir: Path) -> None:
    answer = chat.ask(Q)
    answer.locator("details.mc-evidence summary").click()
    assert answer.locator(".mc-passage").nth(2).is_visible()
    assert answer.locator("script, img, iframe").count() == 0
    assert chat.page.evaluate("() => window.__pwned") is None
    assert "<script>window.__pwned=1</script>" in answer.locator(".mc-references").inner_text()
    assert "[x](javascript:alert(1))" in answer.inner_text()
    hrefs = answer.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert hrefs and all(h.startswith(("#ref-", "http://", "https://")) for h in hrefs)
    chat.page.wait_for_timeout(300)  # give any injected handler a chance to fire before checking
    assert chat.dialogs == [] and not chat.errors
    chat.shot(artifacts_dir, "hostile")


def test_thumbs_up_stores_feedback_for_the_answer(chat: Chat, served: Any, artifacts_dir: Path) -> None:
    answer = chat.ask(Q)
    answer_id = answer.get_attribute("data-answer-id")
    chat.page.locator("#mc-feedback").get_by_text("Was this answer helpful?").click()
    chat.page.locator("#mc-feedback-comment textarea").fill("Clear and well cited")
    chat.page.locator("#mc-thumbs-up").click()
    chat.page.get_by_text("your feedback was recorded").wait_for()
    assert any(
        f.answer_id == answer_id and f.rating == 1 and f.comment == "Clear and well cited"
        for f in served.store.feedback
    )
    chat.shot(artifacts_dir, "feedback")


def test_phone_width_has_no_horizontal_overflow(browser: Any, served: Any, artifacts_dir: Path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    chat = Chat(context.new_page(), served.url)
    try:
        chat.ask(Q)
        chat.answers().first.locator("details.mc-evidence summary").click()
        widths = chat.page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], widths
        chat.shot(artifacts_dir, "phone")
    finally:
        context.close()


def test_missing_index_page_says_which_command_to_run(
    browser: Any, ui_settings: Settings, artifacts_dir: Path
) -> None:
    from ui_fakes import free_port

    from ui.app import build_app, launch

    def missing(_s: Settings) -> FakeEngine:
        raise IndexMissingError("No index in /tmp/x.", hint="Run `medcite ingest`.")

    app = build_app(ui_settings, engine_factory=missing)
    port = free_port()
    launch(app, "127.0.0.1", port, block=False)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/")
        page.locator(".mc-setup").wait_for(timeout=TIMEOUT_MS)
        assert page.locator(".mc-setup pre").inner_text() == "medcite ingest"
        assert page.locator("#mc-ask").is_disabled()
        page.screenshot(path=str(artifacts_dir / "missing-index.png"))
    finally:
        context.close()
        app.close()


class IndexingEngine(FakeEngine):
    """The fake engine plus what `qa.live.LiveEngine` gives the page: a status line while the index
    is being built (None once complete)."""

    def __init__(self) -> None:
        super().__init__()
        self.line: str | None = (
            "Indexing the corpus: 41% of the corpus searchable (guidelines 1,553/1,553, research "
            "abstracts 2,000/15,340), 11.2 passages/s, done in about 2.1 hours. Answers use what is "
            "indexed so far."
        )

    def status(self) -> str | None:
        return self.line


def test_status_line_shows_while_indexing_and_goes_when_complete(
    browser: Any, ui_settings: Settings, artifacts_dir: Path
) -> None:
    from ui_fakes import free_port, list_conversation

    from ui.app import STATUS_EVERY_S, build_app, launch
    from ui.feedback import InMemoryFeedbackSink

    engine = IndexingEngine()
    app = build_app(
        ui_settings,
        engine_factory=lambda _s: engine,
        store=InMemoryFeedbackSink(),
        conversation_factory=list_conversation,
    )
    port = free_port()
    launch(app, "127.0.0.1", port, block=False)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        chat = Chat(context.new_page(), f"http://127.0.0.1:{port}/")
        status = chat.page.locator("#mc-index-status")
        status.wait_for()
        assert "41% of the corpus searchable" in status.inner_text()
        chat.shot(artifacts_dir, "indexing-status")
        engine.line = None  # the ingest finished
        chat.page.wait_for_function(
            "() => { const el = document.querySelector('#mc-index-status');"
            " return !el || el.offsetParent === null || !el.innerText.trim(); }",
            timeout=int(STATUS_EVERY_S * 1000 * 4),
        )
        assert not chat.errors
    finally:
        context.close()
        app.close()
