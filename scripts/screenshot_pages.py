"""Screenshot every page at a projector's width (1280 px) and a phone's (390 px), to look at before and after a change.

Serves the app the way the browser tests do (offline, on a free loopback port) and drives Debian's Chromium:

    .venv/bin/python scripts/screenshot_pages.py --out test-output/pages-before
    .venv/bin/python scripts/screenshot_pages.py --out test-output/pages-after tensors bert

Each page waits until its script has stopped and its text holds still, then is saved as OUT/<page>-<width>.png.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, serve_app  # noqa: E402
from tests.helpers import open_at, wait_for_every_chart  # noqa: E402

PAGES = ["", "tensors", "autograd", "gpt2_config", "tokenization", "bert", "gpt", "inside_gpt", "training"]
WIDTHS = {"desktop": 1280, "phone": 390}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", nargs="*", help="url paths (default: every page; 'home' is the home page)")
    parser.add_argument("--out", type=Path, default=ROOT / "test-output" / "pages")
    parser.add_argument("--height", type=int, default=7000, help="Streamlit scrolls inside the page: see it all")
    args = parser.parse_args()
    pages = [("" if p == "home" else p) for p in args.pages] or PAGES
    args.out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="playground-screens-")
    with serve_app("screenshots.log") as url, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = context.new_page()
            page.set_default_timeout(120_000)
            for path in pages:
                for label, width in WIDTHS.items():
                    open_at(page, f"{url}/{path}", {"width": width, "height": args.height}, timeout=300)
                    wait_for_every_chart(page, at_least=0)
                    name = args.out / f"{path or 'home'}-{label}.png"
                    page.screenshot(path=str(name), full_page=True)
                    print(name)
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
