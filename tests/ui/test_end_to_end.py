"""The web chat over the real engine: the fixture corpus plus one hostile document, ingested with the
fake embedder into a temporary home, served with the default engine factory; asked through
gradio_client and in Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ui_fakes import free_port

from medcite.embedding import HashingEmbedder
from medcite.settings import REPO_ROOT, Settings, load_settings
from medcite.types import Document, Section, Tier
from ui.feedback import InMemoryFeedbackSink

FIXTURE_CORPUS = REPO_ROOT / "tests" / "fixtures" / "corpus_small"
Q = "What is the treatment for dermatomyositis?"

HOSTILE = Document(
    doc_id="hostile-1",
    tier=Tier.RESEARCH,
    collection="pubmedqa",
    title="Treatment of dermatomyositis <script>window.__pwned=1</script>",
    sections=(
        Section(
            "RESULTS",
            "Treatment of dermatomyositis with corticosteroids improved muscle strength in most patients. "
            '<img src=x onerror="window.__pwned=1;alert(1)"> Dermatomyositis treatment response is described '
            "[here](javascript:alert(1)). <script>alert('xss')</script>",
        ),
    ),
    publisher="Journal <b>of</b> Hostile Research",
    year=2020,
    url="javascript:alert(1)",
)


@dataclass
class RealServed:
    url: str
    settings: Settings
    store: InMemoryFeedbackSink


@pytest.fixture(scope="module")
def real_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealServed]:
    from corpus.manifest import read_corpus
    from ingest.pipeline import run_ingest
    from ui.app import build_app, launch

    settings = load_settings(
        home=tmp_path_factory.mktemp("e2e-home"), index={"embedding_model": "fake"}, corpus=FIXTURE_CORPUS
    )
    documents = [*read_corpus(FIXTURE_CORPUS).documents, HOSTILE]
    run_ingest(settings, HashingEmbedder(), corpus=documents, progress=False)
    store = InMemoryFeedbackSink()
    app = build_app(settings, store=store)  # default engine factory: open_index + AnswerEngine
    port = free_port()
    launch(app, "127.0.0.1", port, block=False)
    try:
        yield RealServed(f"http://127.0.0.1:{port}/", settings, store)
    finally:
        app.close()


def _client(url: str) -> Any:
    from gradio_client import Client

    return Client(url, verbose=False)


def test_api_answers_with_resolving_citations(real_served: RealServed) -> None:
    result = _client(real_served.url).predict(Q, "clinician", [], api_name="/ask")
    assert not result["abstained"] and result["sections"]
    numbers = {r["n"] for r in result["references"]}
    cited = {n for s in result["sections"] for st in (s["lead"], *s["bullets"]) for n in st["citations"]}
    assert cited and cited <= numbers
    assert result["answer_id"] in real_served.store.answers
    assert result["disclaimer"]


def test_api_follow_up_is_rewritten_with_the_topic(real_served: RealServed) -> None:
    client = _client(real_served.url)
    result = client.predict("What about in children?", "patient", [Q], api_name="/ask")
    assert "dermatomyositis" in result["rewritten_query"].lower()
    assert result["audience"] == "patient"
    clinician = client.predict(Q, "clinician", [], api_name="/ask")
    patient = client.predict(Q, "patient", [], api_name="/ask")
    assert clinician["disclaimer"] != patient["disclaimer"]


def test_hostile_document_is_retrieved_and_inert_in_the_browser(
    real_served: RealServed, artifacts_dir: Path
) -> None:
    from test_browser import CHROMIUM, CHROMIUM_ARGS, Chat

    result = _client(real_served.url).predict(Q, "clinician", [], api_name="/ask")
    assert "hostile-1" in {r["doc_id"] for r in result["references"]}, "the hostile fixture must be cited"
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium not installed: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            chat = Chat(page, real_served.url)
            answer = chat.ask(Q)
            answer.locator("details.mc-evidence summary").click()
            assert answer.locator("script, img, iframe, b").count() == 0
            assert "<script>window.__pwned=1</script>" in answer.locator(".mc-references").inner_text()
            hrefs = answer.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
            assert all(h.startswith(("#ref-", "http://", "https://")) for h in hrefs)
            page.wait_for_timeout(300)  # let any injected handler fire before checking that none did
            assert page.evaluate("() => window.__pwned") is None
            assert chat.dialogs == [] and not chat.errors
            chat.shot(artifacts_dir, "e2e-hostile")
        finally:
            browser.close()
