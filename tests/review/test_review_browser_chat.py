"""The review workflow wired into the served web chat (issue 7 items 3, 4, 5, 8), end to end: the fixture
corpus ingested with the fake embedder, the real engine and the real app store, served with the Review
tab (`build_app(..., review=True)`, what `medcite serve` runs), driven through Chromium and the API.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from medcite.settings import REPO_ROOT, Settings, load_settings  # noqa: E402
from review.auth import FAST_TEST_HASHER  # noqa: E402
from review.store import Store  # noqa: E402
from ui.screenshot import CHROMIUM as CHROMIUM_BINARY
from ui.screenshot import CHROMIUM_ARGS

CHROMIUM = Path(CHROMIUM_BINARY)
ARGS = CHROMIUM_ARGS  # one launch recipe: ui/screenshot.py
TIMEOUT_MS = 30_000  # bounds a hang on two shared cores; not a speed assertion
FIXTURE_CORPUS = REPO_ROOT / "tests" / "fixtures" / "corpus_small"
Q = "What is the treatment for dermatomyositis?"
REVIEWER, PASSWORD = "Dr Ada Lovelace", "correct horse battery"
CAUTION = "pending human review"

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def ingested_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture corpus ingested once with the fake embedder; tests copy it so each has its own store."""
    from corpus.manifest import read_corpus
    from ingest.pipeline import run_ingest
    from medcite.embedding import HashingEmbedder

    home = tmp_path_factory.mktemp("review-chat-home")
    settings = load_settings(home=home, corpus=FIXTURE_CORPUS, index={"embedding_model": "fake"})
    run_ingest(
        settings, HashingEmbedder(), corpus=list(read_corpus(FIXTURE_CORPUS).documents), progress=False
    )
    return home


@pytest.fixture
def settings(ingested_home: Path, tmp_path: Path) -> Settings:
    home = tmp_path / "home"
    shutil.copytree(ingested_home, home)
    return load_settings(home=home, corpus=FIXTURE_CORPUS, index={"embedding_model": "fake"})


@pytest.fixture
def store(settings: Settings) -> Store:
    s = Store(settings.app_db_path, hasher=FAST_TEST_HASHER)
    s.add_reviewer(REVIEWER, PASSWORD)
    return s


@dataclass
class Server:
    app: Any
    url: str
    port: int

    def stop(self) -> None:
        self.app.close()


def _start(settings: Settings, store: Store, port: int | None = None) -> Server:
    """The app `medcite serve` runs (real engine, real store, Review tab) on 127.0.0.1."""
    from ui.app import build_app, launch

    app = build_app(settings, store=store, review=True)
    port = port or _free_port()
    launch(app, "127.0.0.1", port, block=False)
    return Server(app, f"http://127.0.0.1:{port}/", port)


@pytest.fixture
def server(settings: Settings, store: Store) -> Iterator[Server]:
    srv = _start(settings, store)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    out = REPO_ROOT / "test-output" / "review"
    out.mkdir(parents=True, exist_ok=True)
    return out


def _page(context: Any, url: str) -> Any:
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    page.locator("#mc-question textarea").wait_for()
    return page


def _ask(page: Any, question: str) -> Any:
    """Ask in the chat and wait for the new answer to be complete; returns it."""
    count = page.locator(".mc-answer").count()
    page.locator("#mc-question textarea").fill(question)
    page.locator("#mc-ask").click()
    answer = page.locator(".mc-answer").nth(count)
    answer.locator(".mc-disclaimer").wait_for()
    page.wait_for_function("() => !document.querySelector('.mc-progress')")
    return answer


# --- the Done-when of issue 7, in a real browser ------------------------------------------------------


@pytest.mark.browser
@needs_chromium
def test_reviewer_approves_and_a_new_chat_shows_the_approved_badge(
    browser: Any, server: Server, store: Store, artifacts: Path
) -> None:
    asker = browser.new_context(viewport={"width": 1280, "height": 900})
    first = _ask(_page(asker, server.url), Q)
    assert first.locator(".mc-status").inner_text() == "Submitted"
    assert CAUTION in first.inner_text()
    answer_id = first.get_attribute("data-answer-id")
    assert answer_id and store.get_record(answer_id).status == "Submitted"
    asker.close()

    reviewer = browser.new_context(viewport={"width": 1280, "height": 900})
    page = _page(reviewer, server.url)
    page.get_by_role("tab", name="Review").click()
    page.locator("#mc-review-name").locator("input, textarea").fill(REVIEWER)
    page.locator("#mc-review-password").locator("input, textarea").fill(PASSWORD)
    page.locator("#mc-review-signin").click()
    page.locator("#mc-review-panel").wait_for(state="visible")
    page.locator("#mc-review-queue").filter(has_text=answer_id).wait_for()
    page.locator("#mc-review-choose input").click()
    page.get_by_role("option", name=answer_id).click()
    page.locator("#mc-review-start-review").click()
    page.locator("#mc-review-approve").wait_for(state="visible")
    page.locator("#mc-review-comment textarea").fill("Matches the guideline.")
    page.locator("#mc-review-approve").click()
    page.locator("#mc-review-message").get_by_text("Approved").wait_for()
    page.screenshot(path=str(artifacts / "review-approve.png"))
    reviewer.close()
    assert store.get_record(answer_id).status == "Approved"

    fresh = browser.new_context(viewport={"width": 1280, "height": 900})  # a new user, nothing shared
    page = _page(fresh, server.url)
    served = _ask(page, Q)
    page.screenshot(path=str(artifacts / "chat-approved-badge.png"), full_page=True)
    day = store.history(answer_id)[-1].created_at[:10]
    assert day == datetime.now(UTC).date().isoformat()
    assert served.get_attribute("data-answer-id") == answer_id
    assert served.locator(".mc-status-approved").inner_text() == "Approved"
    assert served.locator(".mc-approval").inner_text() == f"Approved by medical review — {day}, {REVIEWER}"
    assert CAUTION not in served.inner_text()
    fresh.close()


@pytest.mark.browser
@needs_chromium
def test_conversation_survives_a_restart_and_clear_deletes_it(
    browser: Any, settings: Settings, store: Store, artifacts: Path
) -> None:
    first = _start(settings, store)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = _page(context, first.url)
        asked = [_ask(page, Q), _ask(page, "What about in children?")]
        ids = [a.get_attribute("data-answer-id") for a in asked]
    finally:
        first.stop()
    assert store.count("conversations") == 1 and store.count("turns") == 4

    second = _start(settings, Store(settings.app_db_path, hasher=FAST_TEST_HASHER), port=first.port)
    try:
        page.reload()  # same browser (same localStorage), new server process state
        page.locator(".mc-answer").nth(1).locator(".mc-disclaimer").wait_for()
        restored = page.locator(".mc-answer")
        assert [restored.nth(i).get_attribute("data-answer-id") for i in range(2)] == ids
        assert page.locator(".mc-question").nth(0).inner_text().endswith(Q)
        page.screenshot(path=str(artifacts / "chat-restored.png"), full_page=True)

        # The restored chat is a live conversation: a follow-up goes on from it and is saved too.
        _ask(page, "What are the side effects?")
        assert store.count("turns") == 6

        page.locator("#mc-clear").click()
        page.locator(".mc-empty").wait_for()
        assert store.count("turns") == 0 and store.count("conversations") == 0
        page.reload()
        page.locator("#mc-question textarea").wait_for()
        page.wait_for_timeout(1000)  # give the page-load restore time to (wrongly) bring anything back
        assert page.locator(".mc-answer").count() == 0
    finally:
        context.close()
        second.stop()


# --- anonymous callers cannot change a status ------------------------------------------------------


def _handler_index(app: Any, elem_id: str) -> int:
    """fn_index of the click handler of the button with this elem_id."""
    button = next(b for b in app.blocks.values() if getattr(b, "elem_id", None) == elem_id)
    for i, dep in enumerate(app.config["dependencies"]):
        if any(target[0] == button._id for target in dep["targets"]):
            return int(dep.get("id", i))
    raise AssertionError(f"no handler for #{elem_id}")


def _raw_call(url: str, fn_index: int, data: list[Any]) -> dict[str, Any]:
    """Call a handler the way the page does (queue join + server-sent events) from a new session;
    returns the completion message (`success`, `output`)."""
    import httpx

    session = uuid.uuid4().hex
    with httpx.Client(base_url=url, timeout=30) as http:
        joined = http.post(
            "gradio_api/queue/join",
            json={"data": data, "fn_index": fn_index, "session_hash": session, "event_data": None},
        )
        joined.raise_for_status()
        with http.stream("GET", "gradio_api/queue/data", params={"session_hash": session}) as events:
            for line in events.iter_lines():
                if line.startswith("data:"):
                    message = json.loads(line[5:])
                    if message.get("msg") == "process_completed":
                        return dict(message)
    raise AssertionError("the call never completed")


def test_review_handlers_are_not_in_the_api_and_anonymous_calls_change_nothing(
    server: Server, store: Store
) -> None:
    from gradio_client import Client

    client = Client(server.url, verbose=False)
    answer_id = client.predict(Q, "clinician", [], api_name="/ask")["answer_id"]
    # Under review, so that Approve is a legal next step and only authentication can stop it.
    store.set_status(answer_id, "Under Review", reviewer=REVIEWER, password=PASSWORD)

    named = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    review_fns = [f for f in server.app.fns.values() if getattr(f.fn, "__module__", "") == "ui.review_tab"]
    assert len(review_fns) >= 5 and all(f.api_visibility == "private" for f in review_fns)
    assert "/ask" in named and not named & {f"/{f.api_name}" for f in review_fns}
    with pytest.raises(Exception):  # noqa: B017,PT011 - gradio_client raises its own error types
        client.predict(None, answer_id, "", "All", api_name="/do_act")

    # Called directly as the page would, with a forged token: the token is server-side session state,
    # so the forged value is ignored; the queue shows nothing and the store refuses the change.
    listed = _raw_call(server.url, _handler_index(server.app, "mc-review-refresh"), ["forged", "All", None])
    assert listed["success"] and listed["output"]["data"][0]["data"] == []
    assert store.list_answers()  # there is something a signed-in reviewer would see
    approve = _raw_call(
        server.url, _handler_index(server.app, "mc-review-approve"), ["forged", answer_id, "lgtm", "All"]
    )
    assert not approve["success"] or "Not changed" in str(approve["output"]["data"][0])
    assert store.get_record(answer_id).status == "Under Review"
    assert [e.reviewer for e in store.history(answer_id)] == [None, REVIEWER]
