"""Web-chat latency through the streaming API (issue 5 benchmark): time to the first answer with a
section, and to the complete answer, p50/p95 over the first N questions of an eval suite.

    python -m ui.bench_stream --suite ../shared/evals/medicationqa.jsonl -n 50 [--page-loads 5]

Serves the app from the effective settings (the index under MEDCITE_HOME must exist) on a free
loopback port and asks through `gradio_client`, so the figures include Gradio's queue and transport.
Then times page load to an interactive chat in Chromium (`--page-loads`, needs /usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import time
from pathlib import Path
from typing import Any

from medcite.stats import percentile as _percentile


def percentile(values: list[float], q: float) -> float:
    """medcite.stats.percentile (linear interpolation) of a non-empty list."""
    return _percentile(values, q) or 0.0


def load_questions(suite: Path, n: int) -> list[str]:
    out: list[str] = []
    with suite.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                out.append(str(json.loads(line)["question"]))
            if len(out) >= n:
                break
    return out


def measure(url: str, questions: list[str], audience: str = "clinician") -> dict[str, Any]:
    """Ask each question through `/ask_stream`; return per-question and summary timings in ms."""
    from gradio_client import Client

    client = Client(url, verbose=False)
    first_ms: list[float] = []
    total_ms: list[float] = []
    for q in questions:
        t0 = time.perf_counter()
        job = client.submit(q, audience, [], api_name="/ask_stream")
        first: float | None = None
        for output in job:  # iterating a job yields each streamed output as it arrives
            if first is None and (output.get("sections") or output.get("abstained")):
                first = (time.perf_counter() - t0) * 1000
        total = (time.perf_counter() - t0) * 1000
        first_ms.append(first if first is not None else total)
        total_ms.append(total)
    return {
        "questions": len(questions),
        "first_section_ms": {"p50": percentile(first_ms, 50), "p95": percentile(first_ms, 95)},
        "complete_ms": {"p50": percentile(total_ms, 50), "p95": percentile(total_ms, 95)},
    }


def throughput(url: str, questions: list[str], clients: int, audience: str = "clinician") -> dict[str, Any]:
    """`clients` concurrent clients over loopback, each with its own connection, share the questions
    (each asked once, through `/ask`); answers per second over the whole run and per-request latency."""
    from concurrent.futures import ThreadPoolExecutor

    from gradio_client import Client

    per_client = [questions[i::clients] for i in range(clients)]
    latencies: list[float] = []

    def run(qs: list[str]) -> int:
        client = Client(url, verbose=False)
        done = 0
        for q in qs:
            t = time.perf_counter()
            client.predict(q, audience, [], api_name="/ask")
            latencies.append((time.perf_counter() - t) * 1000)
            done += 1
        return done

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        answered = sum(pool.map(run, per_client))
    wall = time.perf_counter() - t0
    return {
        "clients": clients,
        "answers": answered,
        "answers_per_s": answered / wall,
        "latency_ms": {"p50": percentile(latencies, 50), "p95": percentile(latencies, 95)},
    }


def page_load(url: str, runs: int = 5) -> dict[str, Any]:
    """Time from navigation to an interactive chat (question box editable, Ask button visible) in
    Debian's Chromium, each run in a fresh browser context (empty cache)."""
    from playwright.sync_api import sync_playwright

    from ui.screenshot import CHROMIUM, CHROMIUM_ARGS

    times: list[float] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(runs):
            context = browser.new_context()
            page = context.new_page()
            page.set_default_timeout(60_000)
            t0 = time.perf_counter()
            page.goto(url)
            box = page.locator("#mc-question textarea")
            box.wait_for(state="visible")
            page.locator("#mc-ask").wait_for(state="visible")
            page.wait_for_function("() => !document.querySelector('#mc-question textarea').disabled")
            times.append((time.perf_counter() - t0) * 1000)
            context.close()
        browser.close()
    return {"runs": runs, "p50": percentile(times, 50), "max": max(times)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", type=Path, required=True)
    parser.add_argument("-n", type=int, default=50)
    parser.add_argument("--audience", default="clinician")
    parser.add_argument("--page-loads", type=int, default=5, help="Browser page loads to time (0: skip).")
    parser.add_argument("--out", type=Path, default=None, help="Also write the JSON here.")
    parser.add_argument(
        "--clients", default="", help="e.g. 1,8: also measure /ask throughput with N concurrent clients"
    )
    args = parser.parse_args()
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from medcite.settings import load_settings
    from ui.app import build_app, launch

    settings = load_settings()
    if args.clients:  # one loopback address for every client: the per-client rate limit would throttle
        settings = settings.replace(limits={"rate_limit_per_minute": 0.0})
    app = build_app(settings)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    launch(app, "127.0.0.1", port, block=False)
    url = f"http://127.0.0.1:{port}/"
    try:
        result = measure(url, load_questions(args.suite, args.n), args.audience)
        for n in [int(c) for c in args.clients.split(",") if c]:
            qs = load_questions(args.suite, args.n + 8 * n)[args.n :]  # not the streamed ones (no cache)
            result[f"throughput_{n}_clients"] = throughput(url, qs, n, args.audience)
        if args.page_loads:
            result["page_load_ms"] = page_load(url, args.page_loads)
    finally:
        app.close()
    text = json.dumps(result, indent=2)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
