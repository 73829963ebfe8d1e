"""Load on loopback (issue 9 item 6): N simulated users each ask M questions through the HTTP API
(`/gradio_api/call/ask`, then `/feedback` on every answer) of the real app served on 127.0.0.1 over the
fixture corpus with the fake embedder. Reports errors and p50/p95/p99 latency, and checks that every
answer and feedback row was written exactly once.

    python -m tests.reliability.load_report [--users 50] [--questions 20]   # prints the README table
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from medcite.stats import percentile

sys.path.insert(0, str(Path(__file__).parent))

from rel_support import indexed_settings, serve_real  # noqa: E402

TOPICS = [
    "What is the treatment for dermatomyositis",
    "What are the side effects of atorvastatin",
    "Should adults take a statin to prevent cardiovascular disease",
    "How is high blood pressure treated",
    "What causes myositis",
    "What is the dose of prednisolone for children",
    "Who should be screened for high blood pressure",
    "Do statins cause muscle pain",
]


@dataclass
class LoadReport:
    users: int
    questions_per_user: int
    seconds: float = 0.0
    ask_latencies_ms: list[float] = field(default_factory=list)
    feedback_latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    answer_ids: list[str] = field(default_factory=list)
    answers_stored: int = 0
    feedback_stored: int = 0
    abstained: int = 0

    @property
    def requests(self) -> int:
        return self.users * self.questions_per_user

    def percentiles(self, values: list[float]) -> dict[str, float]:
        if len(values) < 2:
            return {"p50": values[0] if values else 0.0, "p95": 0.0, "p99": 0.0}
        return {f"p{q}": percentile(values, q) or 0.0 for q in (50, 95, 99)}

    def table(self) -> str:
        """Markdown table for docs/RELIABILITY.md and the README."""
        ask, fb = self.percentiles(self.ask_latencies_ms), self.percentiles(self.feedback_latencies_ms)
        rows = [
            "| load (127.0.0.1, fixture corpus, fake embedder) | value |",
            "|---|---|",
            f"| simulated users x questions each | {self.users} x {self.questions_per_user} "
            f"= {self.requests} questions + {self.requests} feedback calls |",
            f"| wall time | {self.seconds:.1f} s "
            f"({2 * self.requests / max(self.seconds, 1e-9):.1f} calls/s) |",
            f"| errors | {len(self.errors)} |",
            f"| /ask latency p50 / p95 / p99 | {ask['p50']:.0f} / {ask['p95']:.0f} / {ask['p99']:.0f} ms |",
            f"| /feedback latency p50 / p95 / p99 | {fb['p50']:.0f} / {fb['p95']:.0f} / {fb['p99']:.0f} ms |",
            f"| answers stored (distinct questions) | {self.answers_stored} of {len(set(self.answer_ids))} |",
            f"| feedback rows stored | {self.feedback_stored} of {self.requests} |",
            f"| abstentions among answers | {self.abstained} |",
        ]
        return "\n".join(rows)


def question_for(user: int, n: int) -> str:
    """A distinct question per (user, n): distinct answers, so 'stored exactly once' is countable."""
    return f"{TOPICS[(user + n) % len(TOPICS)]} (user {user}, question {n})?"


def _call(client: object, url: str, endpoint: str, data: list) -> tuple[str, float]:
    """One API call through Gradio's queue: POST, then read the event stream; (result JSON, ms)."""
    start = time.perf_counter()
    post = client.post(f"{url}gradio_api/call/{endpoint}", json={"data": data})  # type: ignore[attr-defined]
    post.raise_for_status()
    event_url = f"{url}gradio_api/call/{endpoint}/{post.json()['event_id']}"
    events = client.get(event_url).text  # type: ignore[attr-defined]
    elapsed = (time.perf_counter() - start) * 1000.0
    if "event: complete" not in events:
        raise RuntimeError(f"{endpoint}: {events[-300:]}")
    payload = events.split("event: complete", 1)[1].split("data: ", 1)[1].strip().splitlines()[0]
    return payload, elapsed


def run_load(url: str, users: int, questions: int, timeout_s: float = 600) -> LoadReport:
    """Drive the served app with `users` threads; each asks then gives feedback, `questions` times."""
    import httpx

    report = LoadReport(users, questions)
    lock = threading.Lock()
    deadline = time.monotonic() + timeout_s

    def user(u: int) -> None:
        with httpx.Client(timeout=120) as client:
            for n in range(questions):
                if time.monotonic() > deadline:
                    with lock:
                        report.errors.append(f"user {u}: deadline passed before question {n}")
                    return
                try:
                    payload, ask_ms = _call(client, url, "ask", [question_for(u, n), "clinician", []])
                    answer = json.loads(payload)[0]
                    vote = [answer["answer_id"], n % 2 == 0, f"user {u}"]
                    _, fb_ms = _call(client, url, "feedback", vote)
                except Exception as exc:  # counted, not raised: the report says how many failed and why
                    with lock:
                        report.errors.append(f"user {u} question {n}: {type(exc).__name__}: {exc}")
                    continue
                with lock:
                    report.ask_latencies_ms.append(ask_ms)
                    report.feedback_latencies_ms.append(fb_ms)
                    report.answer_ids.append(answer["answer_id"])
                    report.abstained += bool(answer.get("abstained"))

    threads = [threading.Thread(target=user, args=(u,), daemon=True) for u in range(users)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(1.0, deadline - time.monotonic()))
    report.seconds = time.perf_counter() - start
    if any(t.is_alive() for t in threads):
        report.errors.append("some simulated users were still running at the deadline")
    return report


def measure(users: int = 50, questions: int = 20, home: Path | None = None) -> LoadReport:
    """Index the fixture corpus into `home` (a temporary folder by default), serve it and run the load."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = indexed_settings(
            Path(home or tmp), limits={"rate_limit_per_minute": 600_000, "rate_limit_burst": 10_000}
        )  # limiter on (its code runs), far above this load
        with serve_real(settings) as served:
            report = run_load(served.url, users, questions)
            report.answers_stored = served.store.count("answers")
            report.feedback_stored = served.store.count("feedback")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--questions", type=int, default=20)
    args = parser.parse_args()
    report = measure(args.users, args.questions)
    print(report.table())
    for err in report.errors[:10]:
        print("error:", err, file=sys.stderr)
    sys.exit(1 if report.errors else 0)


if __name__ == "__main__":
    main()
