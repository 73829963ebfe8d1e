"""The "Review" tab of the web app (issue 7): reviewer sign-in, the review queue, one answer with its
evidence passages, and approve / reject / send back with a comment.

Usage (after `app = ui.app.build_app(settings, store=store)`):

    from ui.review_tab import add_review_tab
    add_review_tab(app, store, settings)

The logic lives in `ReviewController` (no Gradio needed, unit-tested); `add_review_tab` only lays out
components and wires events.  Every handler re-checks the session token against the store, so a
caller without a valid reviewer session (an anonymous browser, a direct API call) changes nothing.
The token lives in per-browser server-side `gr.State`, so a page reload signs the reviewer out.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from medcite.errors import MedCiteError
from medcite.settings import Settings
from review.rules import APPROVED, REJECTED, STATUSES, SUBMITTED, UNDER_REVIEW, ReviewStatus, allowed_next
from review.store import Store
from review.view import answer_markdown

ALL = "All"
TABLE_HEADERS = ["Answer id", "Status", "Audience", "Created", "Question"]
# Button label -> target status.  "Send back" returns an answer under review to the queue.
ACTIONS: dict[str, ReviewStatus] = {
    "Start review": UNDER_REVIEW,
    "Approve": APPROVED,
    "Reject": REJECTED,
    "Send back": SUBMITTED,
}
SIGNED_OUT = "Sign in with your reviewer name and password to review answers."
# Throttle password guessing per reviewer name (OWASP authentication cheat sheet: limit failed logins).
MAX_FAILURES = 5
FAILURE_WINDOW_S = 300.0


@dataclass(frozen=True)
class QueueView:
    rows: list[list[str]]
    ids: list[str]


class ReviewController:
    """What the Review tab does, independent of Gradio."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self._clock = clock
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def sign_in(self, name: str, password: str) -> tuple[str | None, str]:
        """Returns (token, message); token is None when sign-in failed."""
        key = (name or "").strip().casefold()
        now = self._clock()
        with self._lock:
            recent = [t for t in self._failures.get(key, []) if now - t < FAILURE_WINDOW_S]
            self._failures[key] = recent
            if len(recent) >= MAX_FAILURES:
                return None, "Too many failed sign-ins for this name. Wait a few minutes and try again."
        try:
            token = self.store.login(name or "", password or "")
        except MedCiteError as err:
            with self._lock:
                self._failures.setdefault(key, []).append(now)
            return None, str(err)
        with self._lock:
            self._failures.pop(key, None)
        return token, f"Signed in as **{self.store.reviewer_for_token(token)}**."

    def sign_out(self, token: str | None) -> str:
        self.store.logout(token)
        return SIGNED_OUT

    def reviewer(self, token: str | None) -> str | None:
        return self.store.reviewer_for_token(token)

    def queue(self, token: str | None, status_filter: str) -> QueueView:
        if self.reviewer(token) is None:
            return QueueView([], [])
        status = None if status_filter in ("", ALL, None) else status_filter
        records = self.store.list_answers(status, limit=500)  # type: ignore[arg-type]
        rows = [[r.answer_id, r.status, r.audience, r.created_at[:16], r.question] for r in records]
        return QueueView(rows, [r.answer_id for r in records])

    def open(self, token: str | None, answer_id: str | None) -> str:
        if self.reviewer(token) is None:
            return SIGNED_OUT
        if not answer_id:
            return "Choose an answer from the queue."
        try:
            record = self.store.get_record(answer_id)
            return answer_markdown(self.store.get_answer(answer_id), record, self.store.history(answer_id))
        except MedCiteError as err:
            return str(err)

    def act(self, token: str | None, answer_id: str | None, action: str, comment: str) -> str:
        """Apply a button's action; returns the message to show (success or the refusal)."""
        if action not in ACTIONS:
            return f"Unknown action {action!r}."
        if not answer_id:
            return "Choose an answer first."
        try:
            event = self.store.set_status(answer_id, ACTIONS[action], comment=comment or "", token=token)
        except MedCiteError as err:
            return f"Not changed: {err}"
        return f"{event.from_status} → **{event.to_status}** by {event.reviewer}."

    def available_actions(self, token: str | None, answer_id: str | None) -> list[str]:
        if self.reviewer(token) is None or not answer_id:
            return []
        try:
            current = self.store.get_record(answer_id).status
        except MedCiteError:
            return []
        nxt = allowed_next(current)
        return [label for label, target in ACTIONS.items() if target in nxt]


def add_review_tab(blocks: Any, store: Store, settings: Settings) -> ReviewController:
    """Add the Review tab to `blocks` (a `gr.Blocks`, inside or outside its `with` context)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr
    from gradio.context import Context

    controller = ReviewController(store)
    inside = Context.root_block is blocks
    if not inside:
        blocks.__enter__()
    try:
        _layout(gr, controller)
    finally:
        if not inside:
            blocks.__exit__(None, None, None)
    blocks.medcite_review = controller  # for tests and the lead's wiring
    return controller


def _layout(gr: Any, controller: ReviewController) -> None:
    private = {"api_visibility": "private"}
    with gr.Tab("Review", elem_id="mc-review-tab"):
        token = gr.State(None)
        message = gr.Markdown(SIGNED_OUT, elem_id="mc-review-message")
        with gr.Column(visible=True, elem_id="mc-review-login") as login_box:
            name = gr.Textbox(label="Reviewer name", elem_id="mc-review-name")
            password = gr.Textbox(label="Password", type="password", elem_id="mc-review-password")
            sign_in = gr.Button("Sign in", variant="primary", elem_id="mc-review-signin")
        with gr.Column(visible=False, elem_id="mc-review-panel") as panel:
            with gr.Row():
                status_filter = gr.Dropdown(
                    [ALL, *STATUSES], value=SUBMITTED, label="Status", elem_id="mc-review-filter"
                )
                refresh = gr.Button("Refresh", elem_id="mc-review-refresh")
                sign_out = gr.Button("Sign out", elem_id="mc-review-signout")
            table = gr.Dataframe(
                headers=TABLE_HEADERS, value=[], interactive=False, wrap=True, elem_id="mc-review-queue"
            )
            chosen = gr.Dropdown([], label="Open answer", elem_id="mc-review-choose")
            comment = gr.Textbox(
                label="Comment (required to reject or send back)", lines=2, elem_id="mc-review-comment"
            )
            with gr.Row():
                buttons = {
                    label: gr.Button(
                        label, visible=False, elem_id=f"mc-review-{label.lower().replace(' ', '-')}"
                    )
                    for label in ACTIONS
                }
            detail = gr.Markdown("", elem_id="mc-review-detail")

        def queue_updates(tok: str | None, flt: str, keep: str | None = None) -> tuple[Any, Any]:
            view = controller.queue(tok, flt)
            ids = list(view.ids)
            # Keep the open answer selectable even when its new status is filtered out of the list.
            if keep and keep not in ids and controller.reviewer(tok):
                ids.append(keep)
            return view.rows, gr.update(choices=ids, value=keep if keep in ids else None)

        def button_updates(tok: str | None, aid: str | None) -> list[Any]:
            shown = set(controller.available_actions(tok, aid))
            return [gr.update(visible=label in shown) for label in ACTIONS]

        def do_sign_in(n: str, p: str, flt: str) -> list[Any]:
            tok, msg = controller.sign_in(n, p)
            signed = tok is not None
            rows, choices = queue_updates(tok, flt)
            return [tok, msg, gr.update(visible=not signed), gr.update(visible=signed), "", rows, choices]

        sign_in.click(
            do_sign_in,
            [name, password, status_filter],
            [token, message, login_box, panel, password, table, chosen],
            **private,
        )

        def do_sign_out(tok: str | None) -> list[Any]:
            return [None, controller.sign_out(tok), gr.update(visible=True), gr.update(visible=False), [], ""]

        sign_out.click(do_sign_out, [token], [token, message, login_box, panel, table, detail], **private)

        def do_refresh(tok: str | None, flt: str, aid: str | None) -> tuple[Any, Any]:
            return queue_updates(tok, flt, aid)

        refresh.click(do_refresh, [token, status_filter, chosen], [table, chosen], **private)
        status_filter.change(do_refresh, [token, status_filter, chosen], [table, chosen], **private)

        def do_open(tok: str | None, aid: str | None) -> list[Any]:
            return [controller.open(tok, aid), *button_updates(tok, aid)]

        chosen.change(do_open, [token, chosen], [detail, *buttons.values()], **private)

        for label, button in buttons.items():

            def do_act(
                tok: str | None, aid: str | None, text: str, flt: str, label: str = label
            ) -> list[Any]:
                msg = controller.act(tok, aid, label, text)
                rows, choices = queue_updates(tok, flt, aid)
                cleared = text if msg.startswith("Not changed") else ""
                return [msg, cleared, rows, choices, controller.open(tok, aid), *button_updates(tok, aid)]

            button.click(
                do_act,
                [token, chosen, comment, status_filter],
                [message, comment, table, chosen, detail, *buttons.values()],
                **private,
            )
