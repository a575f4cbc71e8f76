"""Serving a class: is the playground fair to thirty learners at once? (issue 18)

A class opens the same pages at the same moment. This runs N learners at once against one real server (the app served
as `make run` serves it) and times what each learner waits for, with the light client of `bench/streamlit_client.py`:
Streamlit's own websocket protocol, not thirty browsers, so what is measured is the server. Each learner does what the
earlier hand measurement did:

1. load GPT generation (its first visit generates with the defaults, so this is a page load plus a generation),
2. change the seed to one of its own (a widget change on the GPT page; skipped with --same-request),
3. click Generate,
4. load Autograd,
5. change w (the "w (weight)" number input; each learner types a different value, as a class would).

Step 2 is there because the GPT page computes a request once for everyone who asks the same and keeps the result:
thirty learners clicking Generate on the defaults are one generation, and after the first round none. The defaults'
generation in step 1 is that case; with their own seeds, step 3 makes N real generations wait their turn, which is
what the fairness targets are about.

Every action is timed from the BackMsg leaving the client to the server's `script_finished` for that run, the moment
the browser's "running" indicator stops. Per N and action it prints p50, p95 (nearest rank) and max, and the ratio of
p95 to N = 1's; per round the server's CPU seconds per learner (utime + stime of the server process from
/proc/PID/stat, before and after the round), its RSS after the round and the peak sampled every 0.5 s
(/proc/PID/status), errors (traceback boxes, st.error alerts, page-not-found, timeouts) and disconnects.

Fairness: while a learner waits for generation the GPT page says "place N of M in the queue". The bench records every
such text each learner was shown, and whether generations were served in arrival order: arrival is when a learner's
Generate BackMsg left (one event loop sends them all, so the order is exact), served is when that run's generated
text was on screen (the "Inside one step" heading that follows it arrives; `script_finished` if it never does).
A pair served out of order is reported with how far apart its two clicks were: the queue can only order the requests
it has seen, and a click reaches it after the page above the Generate button has been redrawn, which takes longer on a
busy server.

Rounds share one server, in the order given; an untimed warm-up learner goes first so that N = 1 is a warm server
(its times are printed apart), as in class, where the teacher has opened the pages before the learners do. The N = 1
round is --single-waves (3) single learners one after another, so that the baseline is not one sample.
The client itself runs on the same machine; its own CPU seconds are printed too.

Targets at the largest N: p95 at most 3x N = 1 for the page loads and widget changes; generation served in arrival
order, every learner told their place; zero errors and zero disconnects; server RSS at most 1 GB (1024 MiB).

    .venv/bin/python bench/bench_classroom.py                            # N = 1, 10, 30 (several minutes)
    .venv/bin/python bench/bench_classroom.py --sessions 1,3 --out /tmp/classroom.json
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import re
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.streamlit_client import Disconnected, Run, StreamlitSession  # noqa: E402
from tests.helpers import serve_streamlit  # noqa: E402

ACTIONS = ("load GPT", "change seed", "generate", "load Autograd", "change w")
GENERATING = ("load GPT", "generate")  # the actions that generate text, and so may wait in the queue
PAGE_ACTIONS = ("load GPT", "change seed", "load Autograd", "change w")  # the "page loads and widget changes"
PLACE = re.compile(r"place (\d+) of (\d+) in the queue")
GENERATED = r"^Inside one step$"  # the heading the GPT page draws right after the generated text
W_LABEL = "w (weight)"
SEED_LABEL = "Seed"
TARGET_RATIO = 3.0
TARGET_RSS_MB = 1024
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- the server --------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def serve_app(log_path: Path, script: str = "app.py"):
    """The real app (or `script`) on a free loopback port, started as the browser tests start it; yields
    (url, pid)."""
    with serve_streamlit(script, log_path) as (url, pid):
        yield url, pid


def cpu_seconds(pid: int) -> float:
    """utime + stime of the process itself (all its threads; not its children), from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()  # the command name may hold spaces; fields after it are fixed
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # fields 14 and 15 of proc(5)


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS (now) and VmHWM (the peak since the process started), in MiB, from /proc/PID/status."""
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0]) / 1024
    return values


async def sample_rss(pid: int, peak: list[float], every: float = 0.5) -> None:
    while True:
        with contextlib.suppress(OSError, KeyError):
            peak[0] = max(peak[0], memory_mb(pid)["VmRSS"])
        await asyncio.sleep(every)


# --- one learner -------------------------------------------------------------------------------------------------


@dataclass
class Action:
    name: str
    asked_at: float  # time.monotonic() when the BackMsg left
    seconds: float | None = None  # to script_finished; None if it never came
    served_at: float | None = None  # generating actions: when the generated text was on screen
    places: list[tuple[float, int, int]] = field(default_factory=list)  # (seconds in, place, of) as shown
    errors: list[str] = field(default_factory=list)


@dataclass
class Learner:
    index: int
    actions: list[Action] = field(default_factory=list)
    disconnected: str = ""  # why, if the connection went

    def action(self, name: str) -> Action | None:
        return next((a for a in self.actions if a.name == name), None)

    @property
    def errors(self) -> list[str]:
        return [f"{a.name}: {e}" for a in self.actions for e in a.errors]


def record(name: str, run: Run) -> Action:
    action = Action(name, run.asked_at, run.seconds, errors=list(run.errors))
    for text in run.texts:
        for match in PLACE.finditer(text.body):
            action.places.append((round(text.at, 3), int(match.group(1)), int(match.group(2))))
    if name in GENERATING:
        generated = run.first(GENERATED)
        action.served_at = run.asked_at + generated.at if generated else run.finished_at
    return action


async def learner(index: int, url: str, start: asyncio.Barrier, timeout: float, seed: int | None) -> Learner:
    """One learner's session; what goes wrong is recorded, never raised, so one learner's trouble is counted.

    With a `seed`, the learner sets the GPT page's seed to it before clicking Generate, so that its generation is its
    own: the page computes a request once for everyone asking the same, so thirty clicks on the defaults would be one
    generation (and after the first round, none: the result is stored).
    """
    me = Learner(index)
    steps = [
        ("load GPT", lambda s: s.load("gpt", timeout=timeout)),
        ("change seed", lambda s: s.set(SEED_LABEL, seed, "number_input", timeout=timeout)),
        ("generate", lambda s: s.click("Generate", timeout=timeout)),
        ("load Autograd", lambda s: s.load("autograd", timeout=timeout)),
        ("change w", lambda s: s.set(W_LABEL, my_w(s, index), "number_input", timeout=timeout)),
    ]
    if seed is None:
        del steps[1]
    session = StreamlitSession(url)
    try:
        await session.connect()
    except Exception as err:  # a refused connection is the server's failure to serve this learner
        await start.wait()
        me.disconnected = f"could not connect: {err!r}"
        return me
    try:
        await start.wait()
        for name, step in steps:
            asked = time.monotonic()
            try:
                me.actions.append(record(name, await step(session)))
            except Disconnected as err:
                me.actions.append(Action(name, asked, errors=[f"disconnected: {err}"]))
                me.disconnected = str(err) or "disconnected"
                break
            except (TimeoutError, LookupError, ValueError) as err:
                me.actions.append(Action(name, asked, errors=[f"{type(err).__name__}: {err}"]))
    finally:
        await session.close()
    return me


def my_w(session: StreamlitSession, index: int) -> float:
    """A value of w of this learner's own: the one on screen plus a step that differs from learner to learner."""
    _, proto = session.widget(W_LABEL, "number_input")
    state = session.widget_states.get(proto.id)
    now = state.double_value if state is not None else proto.default
    return round(now + 0.01 * (index + 1), 4)


# --- a round -----------------------------------------------------------------------------------------------------


def nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def order_check(learners: list[Learner], name: str) -> dict:
    """Were the generations served in the order they were asked for? Counts the pairs served out of order, and how
    far apart in time the two clicks of an out-of-order pair were at most (a measure of how unfair it looks)."""
    done = [a for a in (learner.action(name) for learner in learners) if a and a.served_at and a.seconds is not None]
    by_arrival = sorted(done, key=lambda a: a.asked_at)
    inverted = [
        later.asked_at - earlier.asked_at
        for i, earlier in enumerate(by_arrival)
        for later in by_arrival[i + 1 :]
        if earlier.served_at > later.served_at
    ]
    return {
        "compared": len(done),
        "inversions": len(inverted),
        "in_order": len(done) > 0 and not inverted,
        "widest_inverted_gap_seconds": max(inverted, default=0.0),
    }


def told_places(learners: list[Learner], name: str) -> tuple[int, list[int]]:
    """How many learners were shown their place during `name`, and the arrival ranks of those who were not."""
    done = sorted((a.asked_at, bool(a.places)) for a in (x.action(name) for x in learners) if a is not None)
    return sum(shown for _, shown in done), [rank for rank, (_, shown) in enumerate(done, 1) if not shown]


async def run_round(n: int, url: str, pid: int, timeout: float, first_seed: int | None, waves: int = 1) -> dict:
    """`waves` groups of `n` learners, one group after the other (more samples for the N = 1 baseline)."""
    peak = [memory_mb(pid)["VmRSS"]]
    sampler = asyncio.create_task(sample_rss(pid, peak))
    cpu_before, wall_before = cpu_seconds(pid), time.monotonic()
    groups = []
    try:
        for wave in range(waves):
            start = asyncio.Barrier(n)
            seeds = [None if first_seed is None else first_seed + wave * n + i for i in range(n)]
            groups.append(await asyncio.gather(*(learner(i, url, start, timeout, seeds[i]) for i in range(n))))
    finally:
        sampler.cancel()
    learners = [x for group in groups for x in group]
    cpu = cpu_seconds(pid) - cpu_before
    memory = memory_mb(pid)
    peak[0] = max(peak[0], memory["VmRSS"])
    actions = {}
    for name in ACTIONS:
        times = [a.seconds for a in (x.action(name) for x in learners) if a and a.seconds is not None]
        actions[name] = {
            "completed": len(times),
            "p50": statistics.median(times) if times else None,
            "p95": nearest_rank(times, 0.95) if times else None,
            "max": max(times) if times else None,
        }
    told, untold, order = {}, {}, {}
    for name in GENERATING:  # counted within each wave: learners of different waves never waited for each other
        per_wave = [told_places(group, name) for group in groups]
        told[name] = sum(count for count, _ in per_wave)
        untold[name] = [rank for _, ranks in per_wave for rank in ranks]
        checks = [order_check(group, name) for group in groups]
        order[name] = {
            "compared": sum(c["compared"] for c in checks),
            "inversions": sum(c["inversions"] for c in checks),
            "in_order": all(c["in_order"] for c in checks),
            "widest_inverted_gap_seconds": max(c["widest_inverted_gap_seconds"] for c in checks),
        }
    return {
        "n": n,
        "waves": waves,
        "wall_seconds": time.monotonic() - wall_before,
        "server_cpu_seconds": cpu,
        "server_cpu_seconds_per_session": cpu / len(learners),
        "rss_after_mb": memory["VmRSS"],
        "rss_peak_sampled_mb": peak[0],
        "rss_high_water_mb": memory["VmHWM"],
        "errors": sum(len(x.errors) for x in learners),
        "error_texts": sorted({e for x in learners for e in x.errors}),
        "disconnects": sum(1 for x in learners if x.disconnected),
        "told_place": told,
        "untold_arrival_ranks": untold,
        "flow": [name for name in ACTIONS if name != "change seed" or first_seed is not None],
        "order": order,
        "actions": actions,
        "learners": [asdict(x) for x in learners],
    }


# --- the report --------------------------------------------------------------------------------------------------


def seconds(value: float | None) -> str:
    return f"{value:8.2f}" if value is not None else f"{'-':>8}"


def label(r: dict) -> str:
    return f"{r['n']} (x{r['waves']})" if r["waves"] > 1 else str(r["n"])


def print_table(rounds: list[dict], warmup: dict | None) -> None:
    if warmup:
        times = ", ".join(f"{name} {seconds(a['max']).strip()} s" for name, a in warmup["actions"].items())
        print(f"warm-up learner (cold server, untimed): {times}\n")
    base = rounds[0] if rounds and rounds[0]["n"] == 1 else None
    header = f"{'N':>7}  {'action':14} {'p50 s':>8} {'p95 s':>8} {'max s':>8} {'p95/N=1':>8} {'done':>6}"
    print(header)
    print("-" * len(header))
    for r in rounds:
        for name, a in r["actions"].items():
            if name not in r["flow"]:
                continue
            base_p95 = base["actions"][name]["p95"] if base else None
            ratio = f"{a['p95'] / base_p95:8.2f}" if a["p95"] is not None and base_p95 else f"{'-':>8}"
            done = f"{a['completed']}/{r['n'] * r['waves']}"
            spread = f"{seconds(a['p50'])} {seconds(a['p95'])} {seconds(a['max'])}"
            print(f"{label(r):>7}  {name:14} {spread} {ratio} {done:>6}")
    print()
    header = (
        f"{'N':>7} {'wall s':>7} {'CPU s/session':>13} {'RSS after MB':>12} {'RSS peak MB':>11} {'errors':>6} "
        f"{'disconn.':>8}  {'told place (load GPT / generate)':32}  served in arrival order (load GPT / generate)"
    )
    print(header)
    print("-" * len(header))
    for r in rounds:
        told = " / ".join(f"{r['told_place'][name]} of {r['n'] * r['waves']}" for name in GENERATING)
        if r["untold_arrival_ranks"]["generate"] and r["told_place"]["generate"]:
            told += f" (untold: #{','.join(map(str, r['untold_arrival_ranks']['generate'][:4]))})"
        order = " / ".join(
            f"yes ({o['compared']})"
            if o["in_order"]
            else f"no ({o['inversions']} pairs, clicks <= {o['widest_inverted_gap_seconds'] * 1000:.0f} ms apart)"
            for o in (r["order"][name] for name in GENERATING)
        )
        peak = max(r["rss_peak_sampled_mb"], r["rss_after_mb"])
        print(
            f"{label(r):>7} {r['wall_seconds']:7.1f} {r['server_cpu_seconds_per_session']:13.2f} "
            f"{r['rss_after_mb']:12.0f} {peak:11.0f} {r['errors']:6} {r['disconnects']:8}  {told:32}  {order}"
        )
    for r in rounds:
        for text in r["error_texts"][:10]:
            print(f"  N={r['n']} error: {text}")


def verdict(rounds: list[dict]) -> str:
    base = rounds[0] if rounds[0]["n"] == 1 else None
    last = rounds[-1]
    n, parts = last["n"], []
    for name in (name for name in PAGE_ACTIONS if name in last["flow"]):
        p95, base_p95 = last["actions"][name]["p95"], base["actions"][name]["p95"] if base else None
        if p95 is None or not base_p95:
            parts.append(f"{name} p95 <= {TARGET_RATIO:g}x N=1: not measured")
        else:
            ratio = p95 / base_p95
            parts.append(
                f"{name} p95 <= {TARGET_RATIO:g}x: {'met' if ratio <= TARGET_RATIO else 'MISSED'} ({ratio:.1f}x)"
            )
    order = last["order"]["generate"]
    gap_ms = order["widest_inverted_gap_seconds"] * 1000
    parts.append(
        f"generation in arrival order: {'met' if order['in_order'] else 'MISSED'} "
        f"({order['inversions']} pairs out of order, their clicks at most {gap_ms:.0f} ms apart)"
    )
    told = last["told_place"]["generate"]
    parts.append(f"every learner told their place: {'met' if told == n else 'MISSED'} ({told} of {n})")
    parts.append(f"zero errors: {'met' if last['errors'] == 0 else 'MISSED'} ({last['errors']})")
    parts.append(f"zero disconnects: {'met' if last['disconnects'] == 0 else 'MISSED'} ({last['disconnects']})")
    rss = max(last["rss_peak_sampled_mb"], last["rss_after_mb"])
    parts.append(f"RSS <= {TARGET_RSS_MB} MB: {'met' if rss <= TARGET_RSS_MB else 'MISSED'} ({rss:.0f} MB peak)")
    return f"Targets at N={n}: " + "; ".join(parts)


async def bench(
    sessions: list[int], timeout: float, warm: bool, own_seeds: bool, single_waves: int, log_path: Path
) -> dict:
    result = {"sessions": sessions, "loadavg_before": os.getloadavg(), "rounds": [], "warmup": None}
    result["own_seeds"] = own_seeds

    def seeds(round_number: int) -> int | None:  # seeds no earlier round used, so no result is stored already
        return 1 + 1000 * round_number if own_seeds else None

    client_cpu = time.process_time()
    with serve_app(log_path) as (url, pid):
        print(f"server {url} (pid {pid}, log {log_path}); load average {os.getloadavg()[0]:.2f}", flush=True)
        if warm:
            result["warmup"] = await run_round(1, url, pid, timeout, seeds(0))
            if result["warmup"]["errors"] or result["warmup"]["disconnects"]:
                print(f"warm-up learner had trouble: {result['warmup']['error_texts']}", flush=True)
        for round_number, n in enumerate(sessions, 1):
            await asyncio.sleep(2)  # let the last round's closed sessions settle
            waves = single_waves if n == 1 else 1
            print(
                f"N={n}: {n} learners at once" + (f", {waves} times one after another" if waves > 1 else ""), flush=True
            )
            r = await run_round(n, url, pid, timeout, seeds(round_number), waves)
            print(f"N={n}: done in {r['wall_seconds']:.1f} s", flush=True)
            result["rounds"].append(r)
        result["rss_high_water_mb"] = memory_mb(pid)["VmHWM"]
    result["client_cpu_seconds"] = time.process_time() - client_cpu
    result["loadavg_after"] = os.getloadavg()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", default="1,10,30", help="comma-separated learner counts, run in this order")
    parser.add_argument("--out", type=Path, help="write every measurement (per learner, per action) as JSON here")
    parser.add_argument(
        "--timeout", type=float, default=900, help="seconds one action may take before it counts as an error"
    )
    parser.add_argument("--no-warmup", action="store_true", help="time N = 1 on a cold server")
    waves = "the N = 1 round runs this many single learners one after another: a baseline of one sample is noise"
    parser.add_argument("--single-waves", type=int, default=3, help=waves)
    same = "every learner generates the defaults (the page computes them once for all; no seed change)"
    parser.add_argument("--same-request", action="store_true", help=same)
    args = parser.parse_args()
    try:
        sessions = [int(n) for n in args.sessions.split(",") if n.strip()]
        if not sessions or min(sessions) < 1:
            raise ValueError
    except ValueError:
        parser.error(f"--sessions takes positive whole numbers separated by commas, not {args.sessions!r}")
    log_path = Path(tempfile.gettempdir()) / f"bench-classroom-{os.getpid()}.log"
    started = time.monotonic()
    try:
        result = asyncio.run(
            bench(
                sessions, args.timeout, not args.no_warmup, not args.same_request, max(1, args.single_waves), log_path
            )
        )
    except Exception as err:  # the harness failed (the server never came up, /proc unreadable, a bug here)
        print(f"harness failure: {type(err).__name__}: {err}", file=sys.stderr)
        return 2
    result["wall_seconds"] = time.monotonic() - started
    print()
    print_table(result["rounds"], result["warmup"])
    print(
        f"\nwall {result['wall_seconds']:.0f} s; server peak RSS since start {result['rss_high_water_mb']:.0f} MB; "
        f"this client's own CPU {result['client_cpu_seconds']:.1f} s; load average before "
        f"{result['loadavg_before'][0]:.2f}, after {result['loadavg_after'][0]:.2f}"
    )
    if 1 not in sessions[:1]:
        print("(no N = 1 round first: ratios to N = 1 are not available)")
    print(verdict(result["rounds"]))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1))
        print(f"(all measurements in {args.out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
