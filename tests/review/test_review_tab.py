"""The Review tab: controller logic (sign-in, queue, open, actions, refusals) and Gradio wiring."""

from __future__ import annotations

import os

import pytest
from review_fixtures import PASSWORD, REVIEWER

from medcite.settings import load_settings
from review.store import Store
from ui.review_tab import MAX_FAILURES, SIGNED_OUT, ReviewController, add_review_tab


@pytest.fixture
def controller(store: Store, reviewer) -> ReviewController:  # type: ignore[no-untyped-def]
    clock = [1000.0]
    c = ReviewController(store, clock=lambda: clock[0])
    c.clock_ref = clock  # type: ignore[attr-defined]
    return c


def test_anonymous_sees_nothing_and_changes_nothing(
    controller: ReviewController, store: Store, make_answer
) -> None:  # type: ignore[no-untyped-def]
    aid = store.save_answer(make_answer())
    assert controller.queue(None, "All").rows == []
    assert controller.open(None, aid) == SIGNED_OUT
    assert controller.available_actions(None, aid) == []
    msg = controller.act(None, aid, "Start review", "")
    assert msg.startswith("Not changed: Only a signed-in reviewer")
    assert controller.act("forged", aid, "Start review", "").startswith("Not changed: Your reviewer session")
    assert store.get_record(aid).status == "Submitted"


def test_sign_in_review_and_approve(controller: ReviewController, store: Store, make_answer) -> None:  # type: ignore[no-untyped-def]
    aid = store.save_answer(make_answer())
    token, msg = controller.sign_in(REVIEWER, "wrong password")
    assert token is None and "Wrong reviewer name or password" in msg
    token, msg = controller.sign_in(REVIEWER, PASSWORD)
    assert token and REVIEWER in msg

    view = controller.queue(token, "Submitted")
    assert view.ids == [aid] and view.rows[0][1] == "Submitted"
    assert controller.queue(token, "Approved").ids == []
    page = controller.open(token, aid)
    assert "Evidence passages" in page and "IVIG improved muscle strength" in page
    assert controller.available_actions(token, aid) == ["Start review"]

    assert "Under Review" in controller.act(token, aid, "Start review", "")
    assert controller.available_actions(token, aid) == ["Approve", "Reject", "Send back"]
    assert controller.act(token, aid, "Reject", "").startswith("Not changed: Rejecting needs a comment")
    assert "**Approved** by" in controller.act(token, aid, "Approve", "checked")
    assert controller.available_actions(token, aid) == []
    assert controller.queue(token, "Approved").ids == [aid]
    hit = store.find_approved(make_answer().question, "clinician", "corpus-v1")
    assert hit.kind == "approved" and hit.reviewer == REVIEWER

    assert controller.sign_out(token) == SIGNED_OUT
    assert controller.queue(token, "All").rows == []


def test_failed_sign_ins_are_throttled(controller: ReviewController) -> None:
    for _ in range(MAX_FAILURES):
        assert controller.sign_in(REVIEWER, "bad guess!")[0] is None
    token, msg = controller.sign_in(REVIEWER, PASSWORD)
    assert token is None and "Too many failed sign-ins" in msg
    controller.clock_ref[0] += 301  # type: ignore[attr-defined]
    assert controller.sign_in(REVIEWER, PASSWORD)[0] is not None


def test_page_markup_is_escaped(controller: ReviewController, store: Store, make_answer) -> None:  # type: ignore[no-untyped-def]
    aid = store.save_answer(make_answer('<script>alert("x")</script> [link](javascript:alert(1))?'))
    token, _ = controller.sign_in(REVIEWER, PASSWORD)
    page = controller.open(token, aid)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "](javascript" not in page


def test_tab_builds_inside_and_outside_a_blocks_context(store: Store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    settings = load_settings(home=tmp_path)
    with gr.Blocks() as inside:
        gr.Markdown("chat")
        add_review_tab(inside, store, settings)
    outside = gr.Blocks()
    with outside:
        gr.Markdown("chat")
    add_review_tab(outside, store, settings)
    for app in (inside, outside):
        config = app.get_config_file()
        ids = {c.get("props", {}).get("elem_id") for c in config["components"]}
        assert {"mc-review-tab", "mc-review-login", "mc-review-panel", "mc-review-approve"} <= ids
        panel = next(
            c for c in config["components"] if c.get("props", {}).get("elem_id") == "mc-review-panel"
        )
        assert panel["props"]["visible"] is False  # nothing to see before sign-in
        assert isinstance(app.medcite_review, ReviewController)  # type: ignore[attr-defined]
