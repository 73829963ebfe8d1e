"""Screenshot of a real answer in the web chat, for the README (`docs/screenshot.png`).

    python -m ui.screenshot docs/screenshot.png --question "What is the treatment for dermatomyositis?"

Serves the app from the effective settings (so the index under MEDCITE_HOME must exist), asks the
question in Debian's Chromium (Playwright, a dev dependency) at laptop width and saves the top of
the page. Needs `/usr/bin/chromium` (`apt-get install -y chromium`).
"""

from __future__ import annotations

import argparse
import os
import socket
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def capture(
    out: Path, question: str, audience_label: str = "Clinician", width: int = 1280, height: int = 1500
) -> Path:
    """Ask `question` in a served app and save a `width` x at most `height` PNG of the page."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from playwright.sync_api import sync_playwright

    from medcite.settings import load_settings
    from ui.app import build_app, launch

    app = build_app(load_settings())
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    launch(app, "127.0.0.1", port, block=False)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.set_default_timeout(60_000)
            page.goto(f"http://127.0.0.1:{port}/")
            page.get_by_label(audience_label).check()
            page.locator("#mc-question textarea").fill(question)
            page.locator("#mc-ask").click()
            page.locator(".mc-answer .mc-disclaimer").wait_for()
            page.wait_for_function("() => !document.querySelector('.mc-progress')")
            # down to the end of the answer card (disclaimer included), at most `height` pixels
            bottom = page.evaluate(
                "() => document.querySelector('.mc-answer').getBoundingClientRect().bottom + window.scrollY"
            )
            out.parent.mkdir(parents=True, exist_ok=True)
            clip: Any = {"x": 0, "y": 0, "width": width, "height": min(int(bottom) + 16, height)}
            page.screenshot(path=str(out), full_page=True, clip=clip)
            browser.close()
    finally:
        app.close()
    _shrink(out)
    return out


def _shrink(path: Path) -> None:
    """Re-save with a 128-colour palette: a UI screenshot has few colours, so this stays crisp at a
    fraction of the size (the README should not carry a large binary)."""
    from PIL import Image

    with Image.open(path) as img:
        small = img.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--question", default="What is the treatment for dermatomyositis?")
    parser.add_argument("--audience", choices=["Clinician", "Patient or caregiver"], default="Clinician")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=2000)
    args = parser.parse_args()
    print(capture(args.out, args.question, args.audience, args.width, args.height))


if __name__ == "__main__":
    main()
