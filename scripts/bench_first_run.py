"""First-run benchmark (issue 19): in a fresh clone, start `make run` and measure, in Chromium, how
long it takes until the web chat is up and until it answers the reference question (from a partial
index, saying so), then stop it.  The ingest keeps its progress file, so `medcite status` afterwards
shows how far it got.  With `--wait-index` it keeps serving until the background ingest finishes and
records when (`index_finished_s`; the progress file's started_at/updated_at give the ingest alone)
and the ingest process's peak RSS (`ingest_peak_rss_mb`, its VmHWM sampled while it runs).

    git clone /path/to/medcite /tmp/fresh && python scripts/bench_first_run.py --clone /tmp/fresh \\
        --out bench-out/first-run [--limit-s 900]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

from evals.bench_scale import rss_mb
from ui.screenshot import CHROMIUM, CHROMIUM_ARGS

QUESTION = "What is the treatment for dermatomyositis?"


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - loopback only
            return bool(resp.status == 200)
    except OSError:
        return False


def _ask(page: Any, question: str, timeout_ms: int) -> dict[str, Any]:
    """Ask once; return what the newest turn shows (answer text, or the error)."""
    before = page.locator(".mc-turn").count()
    page.locator("#mc-question textarea").fill(question)
    page.locator("#mc-ask").click()
    page.wait_for_function(
        f"() => document.querySelectorAll('.mc-turn').length > {before}", timeout=timeout_ms
    )
    page.wait_for_function("() => !document.querySelector('.mc-progress')", timeout=timeout_ms)
    turn = page.locator(".mc-turn").last
    text = turn.inner_text()
    return {
        "text": text,
        "answered": turn.locator(".mc-section").count() > 0,  # sections only when not abstained
        "partial_note": "of the corpus" in text,
    }


def _read_progress(progress: Path) -> dict[str, Any]:
    try:
        data = json.loads(progress.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _wait_for_index(progress: Path, t0: float, limit_s: float, result: dict[str, Any]) -> float | None:
    """Seconds from `make run` until its background ingest reports a final state (None: not in time);
    samples the ingest's peak RSS into `result` meanwhile."""
    while time.monotonic() - t0 < limit_s:
        data = _read_progress(progress)
        rss = round(rss_mb(data.get("pid", "none"))["peak_rss_mb"], 1)  # 0.0 before it starts or once gone
        if rss > 0:
            result["ingest_peak_rss_mb"] = max(rss, result.get("ingest_peak_rss_mb", 0.0))
        if data.get("state") not in (None, "running"):
            return round(time.monotonic() - t0, 1)
        time.sleep(5.0)
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--clone", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=Path("bench-out/first-run"))
    ap.add_argument("--port", type=int, default=7860)
    ap.add_argument("--limit-s", type=float, default=900.0)
    ap.add_argument("--retry-s", type=float, default=20.0)
    ap.add_argument("--index-limit-s", type=float, default=3600.0, help="how long --wait-index waits")
    ap.add_argument(
        "--wait-index",
        action="store_true",
        help="after the first answer keep `make run` serving until its ingest finishes, and time it",
    )
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    url = f"http://127.0.0.1:{args.port}/"
    env = {**os.environ, "MEDCITE_SERVER__PORT": str(args.port)}
    log = open(args.out / "make-run.log", "w")  # noqa: SIM115
    t0 = time.monotonic()
    proc = subprocess.Popen(
        ["make", "run"], cwd=args.clone, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
    )
    result: dict[str, Any] = {"question": QUESTION, "attempts": []}
    progress = args.clone / ".medcite" / "ingest_progress.json"
    try:
        while not _up(url):
            if proc.poll() is not None:
                raise SystemExit(f"make run exited ({proc.returncode}); see {args.out / 'make-run.log'}")
            if time.monotonic() - t0 > args.limit_s:
                raise SystemExit("the web chat did not come up in time")
            time.sleep(1.0)
        result["web_chat_up_s"] = round(time.monotonic() - t0, 1)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(120_000)
            page.goto(url)
            page.locator("#mc-question textarea").wait_for()
            while time.monotonic() - t0 < args.limit_s:
                shown = _ask(page, QUESTION, 120_000)
                at = round(time.monotonic() - t0, 1)
                result["attempts"].append(
                    {"at_s": at, "answered": shown["answered"], "text": shown["text"][:600]}
                )
                if shown["answered"]:
                    result["first_answer_s"] = at
                    result["partial_note"] = shown["partial_note"]
                    break
                time.sleep(args.retry_s)
            status = page.locator("#mc-index-status")
            result["status_line"] = status.inner_text() if status.count() else None
            page.screenshot(path=str(args.out / "first-answer.png"), full_page=True)
            browser.close()
        if args.wait_index:
            result["index_finished_s"] = _wait_for_index(progress, t0, args.index_limit_s, result)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
        log.close()
    if progress.exists():
        result["ingest_progress"] = json.loads(progress.read_text(encoding="utf-8"))
    (args.out / "result.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "attempts"}, indent=2))


if __name__ == "__main__":
    main()
