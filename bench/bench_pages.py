"""Is the playground fast for one learner? Every page against a bare Streamlit page, in Debian's Chromium at 1280 px.

A class sits in front of these pages: whatever a page costs beyond what Streamlit itself costs is the playground's
to answer for. So the app and a bare page (bench/bare_page.py: a title and one number input) are served side by side
from this machine, by the same Streamlit, and each figure is printed next to the bare page's and as a ratio. Loads
alternate between the two, bare then app, so that load from other processes on the machine hits both alike.

A page is *settled* (the issue's rule) when no status widget or spinner is left, the script has stopped, no element is
still a grey skeleton, and the main area's text has held still for a second. A time is from the action (the load, the
key press, the click) to the moment the page last changed before it settled: the second of stillness that proves it
is not counted. A script in every tab logs each change of the page (script state, status widget, spinners,
skeletons, a hash of the text) with the page's clock, so the moment is known to a few tens of milliseconds.

- First render, warm server: every page has been served once (models loaded, caches warm); a new tab opens the page.
- Rerun: in that tab, one widget of the page's default view is changed (the table WIDGETS says which; a new value
  each time, so no cache has seen it), timed to settled. The bare page changes its number input the same way.
- Home on a new server: a fresh server's first page, which is what a learner waking a sleeping Space waits for
  (after the container is up; the OS disk cache stays warm, since dropping it needs root). The server's memory map
  then says whether the home page loaded torch.
- GPT generation: a click on Generate, timed to settled, with the page's default settings but a seed this server has
  not generated yet (the page keeps every finished text for the class to share, so a click on a text already made
  decodes nothing); beside it the bare decoding time of the same settings and seed (`model.generate` on the bundled
  model, in this process, while the server is idle).

Targets (issue 18): home on a new server within 1.5x the bare page's; every first render within 2x the bare page's;
every rerun within 2x the bare rerun; Generate settled within decoding time + 4x the bare rerun. Missing a target
still exits 0 (this is a benchmark); a page showing an error, or a server that does not start, exits 1.

    .venv/bin/python bench/bench_pages.py                          # every page, median of 3
    .venv/bin/python bench/bench_pages.py --repeats 1 --pages autograd gpt --out /tmp/pages.json
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import CHROMIUM, CHROMIUM_ARGS, serve_streamlit  # noqa: E402

BARE_PAGE = "bench/bare_page.py"
LOGS = ROOT / "test-output" / "bench-pages"
VIEWPORT = {"width": 1280, "height": 2400}  # tall: Streamlit scrolls an inner box, and below the fold still renders
QUIET = 1.0  # seconds the page must hold still to count as settled
TIMEOUT = 240.0  # seconds a page may take to settle before the run fails
FIRST_RENDER_X, RERUN_X, NEW_SERVER_X, GENERATE_RERUNS = 2.0, 2.0, 1.5, 4.0


@dataclass(frozen=True)
class Widget:
    """One widget of a page's default view, found by its role and accessible name, and the values typed into it.
    Each change types the next value (the warm-up the first), so a rerun never meets a value a cache has seen."""

    label: str
    values: tuple[str, ...]
    role: str = "spinbutton"  # a number input; "textbox" for text inputs and areas
    key: str = "Enter"  # what commits the value: Enter, or Control+Enter in a text area
    kind: str = "number input"

    def value(self, n: int) -> str:
        return self.values[n % len(self.values)]

    @property
    def described(self) -> str:
        return f'{self.kind} "{self.label}"'


BARE_WIDGET = Widget("A number", ("1", "2", "3", "4", "5", "6", "7"))
# The widget a learner is likeliest to touch first on each page, a number or text input wherever the page has one, so
# that every rerun is committed by a key press as the bare page's is.
WIDGETS = {
    "tensors": Widget(
        "New shape (one size may be -1)", ("2, 2", "1, 4", "4, 1", "-1", "2, -1", "1, -1"), "textbox", kind="text input"
    ),
    "autograd": Widget("w (weight)", ("2.3000", "2.4000", "2.5000", "2.6000", "2.7000", "2.8000")),
    "gpt2_config": Widget("n_layers", ("13", "14", "15", "16", "17", "18", "19")),
    "tokenization": Widget(
        "Text (up to 2,000 characters)",
        (
            "ROMEO: But soft, what light through yonder window breaks?",
            "ROMEO: But soft, what light through yonder window breaks? It is the east.",
            "JULIET: O Romeo, Romeo! wherefore art thou Romeo?",
            "Tokenizers dislike unfamiliar words like antidisestablishmentarianism.",
            "To be, or not to be, that is the question.",
            "Hello 🙂 λόγος 東京",
        ),
        "textbox",
        "Control+Enter",
        "text area",
    ),
    "bert": Widget("Seed", ("1", "2", "3", "4", "5", "6", "7")),
    "gpt": Widget("Max new tokens", ("59", "69", "79", "89", "99", "109", "119")),
    "inside_gpt": Widget("Layer", ("1", "2", "3")),  # the bundled GPT has 4 layers; 0 is the default
    "training": Widget("Workers (processes)", ("3", "4", "5", "6", "7", "8")),
}
# The GPT page keeps every text it has generated for the whole class to share, and its first visit generates the
# defaults: before Generate is timed, the seed is set to one this server has not seen, so the click really decodes.
GENERATE_SEED_WIDGET, GENERATE_SEED = Widget("Seed", ()), 1000

# Logs every change of what the settled rule looks at, with the page's clock (Date.now(): the same clock as
# time.time() here). Text is compared by hash every 25 ms when the DOM has changed; the script state is logged the
# moment it flips. Each message from the server is counted and logged as it arrives: a rerun of the bare page
# changes no text, and React may draw its "running" and "notRunning" as one, but the server's answer is always seen.
MONITOR = """(() => {
    const log = [];
    window.__benchLog = log;
    window.__benchFrames = 0;
    let dirty = true, last = null, lastState;
    const hash = s => { let h = 0; for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0; return h; };
    const stateNow = () => {
        const app = document.querySelector('[data-testid="stApp"]');
        return app ? app.getAttribute('data-test-script-state') : null;
    };
    const look = () => {
        dirty = false;
        const main = document.querySelector('[data-testid="stMain"]');
        const text = main ? main.innerText : '';
        const now = {
            state: lastState = stateNow(),
            status: document.querySelectorAll('[data-testid="stStatusWidget"]').length,
            spinners: document.querySelectorAll('[data-testid="stSpinner"]').length,
            skeletons: main ? main.querySelectorAll('[data-testid="stSkeleton"]').length : 0,
            chars: text.trim().length,
            hash: hash(text),
            frames: window.__benchFrames,
        };
        const key = JSON.stringify(now);
        if (key !== last) { last = key; log.push({t: Date.now() / 1000, ...now}); }
    };
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
        constructor(...args) {
            super(...args);
            this.addEventListener('message', () => { window.__benchFrames += 1; look(); });
        }
    };
    new MutationObserver(() => { if (stateNow() !== lastState) look(); else dirty = true; })
        .observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
    setInterval(() => { if (dirty) look(); }, 25);
})()"""


class BenchFailure(RuntimeError):
    """Not a slow page but a broken one: an error on a page, a server that does not start, a page that never
    settles."""


# ---- the settled rule and the figures: pure, tested in tests/unit/test_bench_pages.py ----------------------------


def busy(event: dict) -> bool:
    """Whether this state of the page is one the issue's rule says is not settled."""
    return (
        event["state"] != "notRunning"
        or bool(event["status"])
        or bool(event["spinners"])
        or bool(event["skeletons"])
        or not event["chars"]
    )


def settled_at(events: list[dict], now: float, quiet: float = QUIET, frames_before: int | None = None) -> float | None:
    """When the page settled: the moment of its last change, once it has stayed calm `quiet` seconds since; None while
    it has not. `events` are the page's changes since the action, oldest first. After a widget change, a page that has
    heard nothing from the server since (more than `frames_before` messages) has not even begun its rerun."""
    if not events or (frames_before is not None and events[-1]["frames"] <= frames_before):
        return None
    last = events[-1]
    if busy(last) or now - last["t"] < quiet:
        return None
    return last["t"]


def median(samples: list[float]) -> float | None:
    return statistics.median(samples) if samples else None


def ratio(value: float | None, baseline: float | None) -> float | None:
    return None if value is None or not baseline else value / baseline


def seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def times(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}x"


def verdict(value: float | None, limit: float) -> str:
    return "—" if value is None else ("yes" if value <= limit else "NO")


@dataclass
class Row:
    """One page's figures: medians, and every sample, in seconds."""

    slug: str
    title: str
    first: list[float]
    bare_first: list[float]
    rerun: list[float]
    bare_rerun: list[float]
    widget: str

    def figures(self) -> dict:
        first, bare_first = median(self.first), median(self.bare_first)
        rerun, bare_rerun = median(self.rerun), median(self.bare_rerun)
        return {
            "first": first,
            "bare_first": bare_first,
            "first_ratio": ratio(first, bare_first),
            "rerun": rerun,
            "bare_rerun": bare_rerun,
            "rerun_ratio": ratio(rerun, bare_rerun),
        }


HEADER = (
    f"{'page':22} {'first':>6} {'bare':>6} {'ratio':>6} {'≤2x':>4}  {'rerun':>6} {'bare':>6} {'ratio':>6} {'≤2x':>4}"
    "  widget changed"
)


def table(rows: list[Row]) -> str:
    """The per-page table: first render and rerun, each beside the bare page's and as a ratio against its target."""
    lines = [HEADER, "-" * len(HEADER)]
    for row in rows:
        f = row.figures()
        lines.append(
            f"{row.title:22} {seconds(f['first']):>6} {seconds(f['bare_first']):>6} {times(f['first_ratio']):>6} "
            f"{verdict(f['first_ratio'], FIRST_RENDER_X):>4}  {seconds(f['rerun']):>6} {seconds(f['bare_rerun']):>6} "
            f"{times(f['rerun_ratio']):>6} {verdict(f['rerun_ratio'], RERUN_X):>4}  {row.widget}"
        )
    return "\n".join(lines)


def generate_target(decoding: float, bare_rerun: float) -> float:
    return decoding + GENERATE_RERUNS * bare_rerun


def summary(rows: list[Row], new_server: dict | None, generate: dict | None) -> tuple[str, dict]:
    """The last line: which of the issue's targets are met, naming the pages that miss; and the same as data."""
    firsts = {row.title: row.figures()["first_ratio"] for row in rows if row.first}
    reruns = {row.title: row.figures()["rerun_ratio"] for row in rows if row.rerun}
    targets = {}
    if firsts:
        targets[f"every first render ≤{FIRST_RENDER_X:g}x bare"] = [t for t, r in firsts.items() if r > FIRST_RENDER_X]
    if reruns:
        targets[f"every rerun ≤{RERUN_X:g}x bare"] = [t for t, r in reruns.items() if r > RERUN_X]
    if new_server is not None:
        targets[f"home on a new server ≤{NEW_SERVER_X:g}x bare"] = (
            [] if new_server["ratio"] <= NEW_SERVER_X else ["Home"]
        )
    if generate is not None:
        missed = generate["settled"] > generate["target"]
        targets[f"Generate ≤ decoding + {GENERATE_RERUNS:g}x bare rerun"] = ["GPT generation"] if missed else []
    met = [name for name, missing in targets.items() if not missing]
    parts = [
        f"{name}: " + ("met" if not missing else f"missed by {', '.join(missing)}") for name, missing in targets.items()
    ]
    line = f"Targets met: {len(met)} of {len(targets)}. " + "; ".join(parts) + "."
    return line, {name: {"met": not missing, "missed_by": missing} for name, missing in targets.items()}


# ---- the app's pages -----------------------------------------------------------------------------------------------


def app_pages() -> list[tuple[str, str]]:
    """(url slug, title) of Home and every page app.py registers, read from its PAGES table without running app.py
    (importing it runs the app). Streamlit serves pages/autograd.py at /autograd, as tests/browser do."""
    tree = ast.parse((ROOT / "app.py").read_text())
    table = next(
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PAGES" for t in node.targets)
    )
    pages = [("", "Home")]
    for group in ast.literal_eval(table).values():
        for path, title, *_ in group:
            if (ROOT / path).exists():
                pages.append((Path(path).stem, title))
    return pages


# ---- servers and the browser ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    url: str
    pid: int

    def loaded_torch(self) -> bool:
        """Whether the server process has torch's library mapped: it was imported, by whatever page ran."""
        maps = Path(f"/proc/{self.pid}/maps").read_text()
        return "libtorch_cpu" in maps or "libtorch.so" in maps


@contextlib.contextmanager
def serve(script: str, name: str):
    """`script` served as the browser tests serve the app (tests/helpers.py `serve_streamlit`); a server that does
    not start is a failure of the bench."""
    with contextlib.ExitStack() as stack:
        try:
            url, pid = stack.enter_context(serve_streamlit(script, LOGS / f"{name}.log"))
        except RuntimeError as err:
            raise BenchFailure(str(err)) from None
        yield Server(url, pid)


@contextlib.contextmanager
def chromium():
    """Debian's Chromium driven by playwright, never a downloaded browser; every tab carries the monitor."""
    if not Path(CHROMIUM).exists():
        raise BenchFailure(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="bench-pages-chromium-")
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, viewport=VIEWPORT
            )
            context.add_init_script(MONITOR)
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def _events(page, since: int) -> tuple[list[dict], float]:
    return page.evaluate("n => [window.__benchLog ? window.__benchLog.slice(n) : [], Date.now() / 1000]", since)


def _mark(page) -> tuple[int, int]:
    """Where the page's log and its count of server messages stand, before an action."""
    return page.evaluate("() => [window.__benchLog.length, window.__benchFrames]")


def wait_settled(page, start: float, since: int = 0, frames_before: int | None = None, what: str = "") -> float:
    """Seconds from `start` (time.time()) to the page's settled moment; fails on a page showing an error."""
    deadline = time.monotonic() + TIMEOUT
    seen: list[dict] = []
    while True:
        new, now = _events(page, since + len(seen))
        seen += new
        moment = settled_at(seen, now, frames_before=frames_before)
        if moment is not None:
            break
        if time.monotonic() > deadline:
            last = {key: value for key, value in seen[-1].items() if key != "t"} if seen else None
            raise BenchFailure(
                f"{what or page.url} did not settle within {TIMEOUT:.0f}s ({len(seen)} changes logged, the last {last})"
            )
        time.sleep(0.1)
    for testid, kind in (("stException", "a Streamlit exception"), ("stAlertContentError", "an error box")):
        shown = page.locator(f'[data-testid="{testid}"]')
        if shown.count():
            raise BenchFailure(f"{what or page.url} shows {kind}: {shown.first.inner_text()[:1500]}")
    return moment - start


def first_render(context, url: str, what: str):
    """A new tab opens `url`; the tab, and the seconds to settled."""
    page = context.new_page()
    page.set_default_timeout(TIMEOUT * 1000)
    start = time.time()
    page.goto(url, wait_until="commit")
    return page, wait_settled(page, start, what=what)


def change(page, widget: Widget, value: str, what: str) -> float:
    """Type `value` into the widget and commit it; seconds from the key press to settled."""
    box = page.get_by_role(widget.role, name=widget.label, exact=True)
    if not box.count():
        raise BenchFailure(f"{what} has no {widget.described}: update the table WIDGETS in {Path(__file__).name}")
    box.fill(value)
    page.wait_for_timeout(300)  # let the "Press Enter to apply" hint come and be logged before the clock starts
    since, frames = _mark(page)
    start = time.time()
    box.press(widget.key)
    return wait_settled(page, start, since, frames, what=f"{what} after changing {widget.described}")


def click_generate(page) -> float:
    since, frames = _mark(page)
    start = time.time()
    page.get_by_role("button", name="Generate", exact=True).click()
    return wait_settled(page, start, since, frames, what="GPT generation after Generate")


# ---- bare decoding -------------------------------------------------------------------------------------------------


class Decoder:
    """`model.generate` with the GPT page's default settings (but the seed) on the bundled model, as
    bench/bench_generation.py's bare side: the time the text itself takes, without anything a page does around it."""

    def __init__(self):
        import torch
        from transformers.utils import logging as transformers_logging

        from playground.generation import decode, lesson
        from playground.models import load_model

        transformers_logging.disable_progress_bar()
        self.torch = torch
        loaded = load_model("gpt", "bundled")
        self.model, self.tok = loaded.model, loaded.tokenizer
        self.settings = decode.prepare(lesson.default_settings(loaded), self.tok, self.model).settings
        self.ids = self.tok(self.settings.prompt, return_tensors="pt").input_ids
        self.kwargs = decode.generate_kwargs(self.settings, self.tok.eos_token_id)
        self.tokens: list[int] = []
        self.once(self.settings.seed)  # warm-up
        self.tokens.clear()

    def once(self, seed: int) -> float:
        with self.torch.no_grad():
            self.torch.manual_seed(seed)
            start = time.perf_counter()
            out = self.model.generate(self.ids, attention_mask=self.torch.ones_like(self.ids), **self.kwargs)
            elapsed = time.perf_counter() - start
        self.tokens.append(out.shape[1] - self.ids.shape[1])
        return elapsed


# ---- the run -------------------------------------------------------------------------------------------------------


def measure_new_servers(context, repeats: int) -> dict:
    """Home on a fresh server against the bare page on a fresh server, alternating."""
    bare, home, torch_loaded = [], [], []
    with serve(BARE_PAGE, "bare-browser-warm-up") as server:  # Streamlit's own files into the browser's cache first:
        first_render(context, server.url, "bare page")[0].close()  # else the first server timed would pay for them
    for n in range(repeats):
        with serve(BARE_PAGE, f"bare-new-{n}") as server:
            page, seconds_ = first_render(context, server.url, "bare page on a new server")
            bare.append(seconds_)
            page.close()
        with serve("app.py", f"app-new-{n}") as server:
            page, seconds_ = first_render(context, server.url, "Home on a new server")
            home.append(seconds_)
            torch_loaded.append(server.loaded_torch())
            page.close()
        print(f"  new server {n + 1}/{repeats}: bare {bare[-1]:.2f} s, home {home[-1]:.2f} s", flush=True)
    return {
        "home": median(home),
        "bare": median(bare),
        "ratio": ratio(median(home), median(bare)),
        "home_samples": home,
        "bare_samples": bare,
        "home_loaded_torch": any(torch_loaded),
    }


def measure_warm(context, app: Server, bare: Server, pages, repeats: int, decoder: Decoder | None):
    """Every page's first render and rerun beside the bare page's, and the Generate click beside bare decoding."""
    rows = {slug: Row(slug, title, [], [], [], [], "") for slug, title in pages}
    clicks, decodings = [], []
    print("  warm-up: every page served once, every widget changed once", flush=True)
    for n in range(repeats + 1):  # round 0 warms the server up and is not counted
        for slug, title in pages:
            widget = WIDGETS.get(slug)
            tab, bare_first = first_render(context, bare.url, "bare page")
            bare_rerun = change(tab, BARE_WIDGET, BARE_WIDGET.value(n), "bare page") if widget else None
            tab.close()
            tab, first = first_render(context, f"{app.url}/{slug}", title)
            if slug == "gpt" and decoder is not None:
                seed = GENERATE_SEED + n  # a text not yet generated: the page shares every finished one
                change(tab, GENERATE_SEED_WIDGET, str(seed), title)
                click = click_generate(tab)
                decoding = decoder.once(seed)
            rerun = change(tab, widget, widget.value(n), title) if widget else None
            tab.close()
            if n == 0:
                continue
            row = rows[slug]
            row.first.append(first)
            row.bare_first.append(bare_first)
            row.widget = widget.described if widget else "(no widget on the page)"
            if widget:
                row.rerun.append(rerun)
                row.bare_rerun.append(bare_rerun)
            if slug == "gpt" and decoder is not None:
                clicks.append(click)
                decodings.append(decoding)
        if n:
            print(f"  round {n}/{repeats} done", flush=True)
    generate = None
    if clicks:
        bare_reruns = [s for row in rows.values() for s in row.bare_rerun]
        decoding, bare_rerun = median(decodings), median(bare_reruns)
        generate = {
            "settled": median(clicks),
            "decoding": decoding,
            "bare_rerun": bare_rerun,
            "target": generate_target(decoding, bare_rerun),
            "tokens": decoder.tokens[1:],  # the warm-up round's are first
            "settled_samples": clicks,
            "decoding_samples": decodings,
        }
        generate["ratio"] = generate["settled"] / generate["target"]
    return list(rows.values()), generate


def page_figures(row: Row) -> dict:
    samples = {"first": row.first, "bare_first": row.bare_first, "rerun": row.rerun, "bare_rerun": row.bare_rerun}
    return {"slug": row.slug or "home", "title": row.title, "widget": row.widget, **row.figures(), "samples": samples}


def report(rows, new_server, generate) -> tuple[str, dict]:
    lines = ["", table(rows)]
    if new_server is not None:
        torch_note = "loaded torch" if new_server["home_loaded_torch"] else "did not load torch"
        lines += [
            "",
            f"Home on a new server: {new_server['home']:.2f} s, bare page on a new server {new_server['bare']:.2f} s, "
            f"ratio {new_server['ratio']:.2f}x (target ≤{NEW_SERVER_X:g}x: "
            f"{verdict(new_server['ratio'], NEW_SERVER_X)}); the home page's server {torch_note}.",
        ]
    if generate is not None:
        lines += [
            "",
            f"GPT generation, Generate click to settled: {generate['settled']:.2f} s, beside bare decoding "
            f"{generate['decoding']:.2f} s (model.generate, {statistics.median(generate['tokens']):g} new tokens, the "
            "same settings and seed).",
            f"  target = decoding + {GENERATE_RERUNS:g} x bare rerun ({generate['bare_rerun']:.2f} s) = "
            f"{generate['target']:.2f} s; settled in {generate['ratio']:.2f}x the target: "
            f"{'met' if generate['ratio'] <= 1 else 'NOT met'}.",
        ]
    line, targets = summary(rows, new_server, generate)
    lines += ["", line]
    return "\n".join(lines), targets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="measured rounds; the median is printed (default 3)")
    parser.add_argument("--pages", nargs="+", metavar="SLUG", help="only these pages: home, autograd, gpt, ...")
    parser.add_argument("--out", type=Path, help="also write the figures, every sample included, as JSON here")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from playground import cpus

    budget = cpus.cpu_budget()
    cpus.limit_threads(budget)  # as app.py does, before torch: the bare decoding runs as the server's would
    pages = app_pages()
    known = {slug or "home": (slug, title) for slug, title in pages}
    if args.pages:
        unknown = [name for name in args.pages if name not in known]
        if unknown:
            parser.error(f"unknown page(s) {', '.join(unknown)}; pick from {', '.join(known)}")
        pages = [known[name] for name in known if name in args.pages]
    from playwright.sync_api import Error as PlaywrightError

    began = time.monotonic()
    print(
        f"Chromium {VIEWPORT['width']} px, median of {args.repeats}, settled = no status widget, spinner or "
        f"skeleton and the text still for {QUIET:g} s; {budget.summary}",
        flush=True,
    )
    try:
        decoder = None
        if any(slug == "gpt" for slug, _ in pages):
            print("  loading the bundled GPT for the bare decoding time", flush=True)
            decoder = Decoder()
            cpus.apply_to_torch(budget)
        with chromium() as context:
            new_server = measure_new_servers(context, args.repeats) if any(s == "" for s, _ in pages) else None
            with serve("app.py", "app") as app, serve(BARE_PAGE, "bare") as bare:
                rows, generate = measure_warm(context, app, bare, pages, args.repeats, decoder)
    except (BenchFailure, PlaywrightError) as failure:
        print(f"\nFAILED: {failure}", file=sys.stderr)
        return 1
    text, targets = report(rows, new_server, generate)
    wall = time.monotonic() - began
    print(text)
    print(f"(wall time {wall:.0f} s)")
    if args.out:
        data = {
            "repeats": args.repeats,
            "viewport": VIEWPORT,
            "quiet_seconds": QUIET,
            "cpus": budget.summary,
            "wall_seconds": round(wall, 1),
            "pages": [page_figures(row) for row in rows],
            "home_new_server": new_server,
            "generate": generate,
            "targets": targets,
            "table": text.strip(),
        }
        args.out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        print(f"figures written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
