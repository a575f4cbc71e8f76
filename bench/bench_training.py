"""Training throughput and the cost of watching it, side by side in one run, for both of the Training page's jobs.

GPT pretraining (playground/training/gpt_pretrain.py, the default PretrainConfig: 4 layers, 4 heads, width 192,
context 256, batch 4 windows per worker), a fixed number of steps with --eval-every 0:
1. tokens/s of the whole job (python -m playground.training.train --task gpt) with 1 worker and with 2 gloo workers,
   one thread each: the sum over ranks of the done records' tokens_per_s. That rate is over each rank's train_time,
   the sum of its steps' own durations (gather + forward + backward with DDP's all-reduce + clip + AdamW): the final
   evaluation (always run after the last step), the checkpoint and the per-step `agree` all-reduce are outside it.
   "loop tok/s" is the same tokens over the wall time from the config record to the slowest rank's last step record,
   which does include `agree` and the records. The ceiling row runs two independent 1-worker jobs at the same time
   (no communication at all): what 2 processes can get from this machine. Then a gloo all-reduce of the default
   GPT's gradients (n_params float32) between 2 processes: the page's MEASURED_ALL_REDUCE_MS.
2. The instrumented loop (gpt_pretrain.run_worker in this process, one thread) against a bare PyTorch loop on the
   same GPT2LMHeadModel, windows (WindowPlan/gather), learning rates and seed, with no records, evaluation or
   checksums. Both are timed over the training steps only: the job from its config record (model built, loop about
   to start) to its last step record (written before the final evaluation and checkpoint); the bare loop from its
   first step to the end of its last optimizer step. Evaluation and checkpointing are excluded from both.
   Target: <= 5% overhead.

SimpleNN on 8x8 digits (the lesson's first job):
3. samples/s of the job with 1 process, and DDP with 1 and 2 gloo CPU workers; speedup and scaling efficiency
   against the single process.
4. The instrumented loop (playground.training.train.run_worker: a JSON line per step, held-out accuracy and a parameter
   checksum per epoch) against a bare PyTorch loop on the same data, batches and seed. Target: <= 10% overhead.

Run: .venv/bin/python bench/bench_training.py [--task gpt|digits|both] [--repeats 9] [--gpt-steps 40] [--epochs 10]
     [--skip-jobs]
Timings on a shared machine are noisy: runs alternate (the order flips or is shuffled each repeat), the load average
is printed at the start, the end and beside every figure (the mean over that row's runs), and figures are the best of
the repeats (the run the other tenants disturbed least, as timeit does) and the median too.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.utils.data.distributed import DistributedSampler

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground.training.data import load_digits  # noqa: E402
from playground.training.simple_nn import SimpleNN  # noqa: E402
from playground.training.train import TrainConfig, run_worker  # noqa: E402

GPT_TARGET_SPEEDUP = 1.7
GPT_TARGET_OVERHEAD = 0.05


def load() -> float:
    return os.getloadavg()[0]


def busy_seconds() -> float:
    """CPU-seconds every core of the machine has spent busy (or stolen by the hypervisor) since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def my_cpu_seconds() -> float:
    """CPU-seconds of this process and its reaped children (a job's launcher reaps its ranks, so they count)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class Noise:
    """What the other tenants did during one run: the load average as it began (which counts this bench's own
    processes of the run before) and the cores they kept busy on average (machine busy time minus ours)."""

    def __init__(self):
        self.load = load()
        self.wall, self.busy, self.mine = time.perf_counter(), busy_seconds(), my_cpu_seconds()

    def others(self) -> float:
        wall = time.perf_counter() - self.wall
        return max(0.0, (busy_seconds() - self.busy) - (my_cpu_seconds() - self.mine)) / max(wall, 1e-9)


def load_line() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} (1, 5, 15 min) on {os.cpu_count()} CPU cores"


def best(rates_or_seconds: list[float]) -> float:
    """The least disturbed run: the highest rate, or (for durations) see `fastest`."""
    return max(rates_or_seconds)


def fastest(seconds: list[float]) -> float:
    return min(seconds)


def records(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines() if line.strip()]


def job_throughput(strategy: str, workers: int, epochs: int) -> float:
    """Samples per second of the whole job: the sum of its ranks' rates over their training time."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable,
            "-m",
            "playground.training.train",
            "--strategy",
            strategy,
            "--workers",
            str(workers),
            "--epochs",
            str(epochs),
            "--run-dir",
            tmp,
        ]
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
        done = [r for r in records(Path(tmp)) if r["kind"] == "done"]
        return sum(r["samples_per_s"] for r in done)


def bare_loop(epochs: int, batch: int, seed: int = 0) -> float:
    """Seconds for the plain loop: no logging, no evaluation, no checksums."""
    torch.set_num_threads(1)
    data = load_digits(seed=seed)
    torch.manual_seed(seed)
    model = SimpleNN(data.input_size, data.num_classes)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    sampler = DistributedSampler(data.x_train, num_replicas=1, rank=0, shuffle=True, seed=seed)
    start = time.perf_counter()
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        order = torch.tensor(list(sampler))
        for first in range(0, len(order), batch):
            idx = order[first : first + batch]
            optimizer.zero_grad(set_to_none=True)
            F.cross_entropy(model(data.x_train[idx]), data.y_train[idx]).backward()
            optimizer.step()
    return time.perf_counter() - start


def instrumented_loop(epochs: int, batch: int, seed: int = 0, log_every: int = 1) -> float:
    """Seconds from the config record (model built, loop about to start) to the done record."""
    with tempfile.TemporaryDirectory() as tmp:
        config = TrainConfig(strategy="single", epochs=epochs, batch_size=batch, seed=seed, log_every=log_every)
        run_worker(config, Path(tmp))
        by_kind = {r["kind"]: r for r in records(Path(tmp))}
        return by_kind["done"]["time"] - by_kind["config"]["time"]


# ---- GPT pretraining ----------------------------------------------------------------------------------------------


def gpt_config(steps: int, workers: int = 1):
    from playground.training.pretrain_config import PretrainConfig

    return PretrainConfig(workers=workers, max_steps=steps, eval_every=0, threads=1)


def gpt_job_command(workers: int, steps: int, run_dir: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "playground.training.train",
        *gpt_config(steps, workers).to_args(),
        "--run-dir",
        str(run_dir),
    ]


def gpt_job_figures(run_dir: Path) -> dict:
    """One job's figures from its metrics.jsonl; see the module docstring for what each rate covers."""
    rows = records(run_dir)
    config = next(r for r in rows if r["kind"] == "config")
    done = [r for r in rows if r["kind"] == "done"]
    steps = [r for r in rows if r["kind"] == "step"]
    if len(done) != config["world_size"]:
        raise RuntimeError(f"{run_dir}: {len(done)} done records for {config['world_size']} ranks")
    per_step = config["batch_size"] * config["grad_accum"] * config["context"]  # tokens per rank per step
    loop_s = max(r["time"] for r in steps) - config["time"]
    return {
        "tokens_per_s": sum(r["tokens_per_s"] for r in done),
        "loop_tokens_per_s": sum(r["tokens"] for r in done) / loop_s,
        "step_s": statistics.median(per_step / r["tokens_per_s"] for r in steps),
        "torch_threads": config["torch_threads"],
        "n_params": config["n_params"],
        "window": (config["time"], max(r["time"] for r in steps)),
        "steps": [(r["time"], per_step / r["tokens_per_s"]) for r in steps],  # (when it ended, its seconds)
        "per_step": per_step,
    }


def run_gpt_job(workers: int, steps: int) -> dict:
    """One job's figures. A failed job (the launcher's free port taken by another tenant's job before the ranks
    bound it, say) is said and run once more; a second failure stops the bench."""
    try:
        return _run_gpt_job(workers, steps)
    except RuntimeError as err:
        print(f"  (a {workers}-worker job failed, running it again: {str(err)[:600]})", flush=True)
        return _run_gpt_job(workers, steps)


def _run_gpt_job(workers: int, steps: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            gpt_job_command(workers, steps, Path(tmp)),
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
        )
        if done.returncode:
            errors = [r for r in records(Path(tmp)) if r["kind"] == "error"]
            raise RuntimeError(
                f"the {workers}-worker GPT job failed ({done.returncode}): {errors} {done.stderr[-3000:]}"
            )
        return gpt_job_figures(Path(tmp))


def run_two_gpt_jobs_at_once(steps: int) -> dict:
    """Two independent 1-worker jobs started together: 2 processes on 2 cores with no all-reduce between them."""
    with tempfile.TemporaryDirectory() as tmp:
        dirs = [Path(tmp) / "a", Path(tmp) / "b"]
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        procs = [
            subprocess.Popen(
                gpt_job_command(1, steps, d), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            for d in dirs
        ]
        for proc in procs:
            _, err = proc.communicate()
            if proc.returncode:
                raise RuntimeError(f"a GPT job failed: {err.decode()[-2000:]}")
        jobs = [gpt_job_figures(d) for d in dirs]
    # Their start-ups (tokenizing) take different times, so only the steps both ran at once count: a step is in
    # when it started and ended while the other job's loop was running.
    low = max(job["window"][0] for job in jobs)
    high = min(job["window"][1] for job in jobs)
    rates, loop_rates, step_seconds, together = [], [], [], []
    for job in jobs:
        inside = [(end, took) for end, took in job["steps"] if end - took >= low and end <= high]
        if len(inside) < 5:
            raise RuntimeError(f"the two jobs ran only {len(inside)} steps at the same time: raise --gpt-steps")
        rates.append(len(inside) * job["per_step"] / sum(took for _, took in inside))
        loop_rates.append((len(inside) - 1) * job["per_step"] / (inside[-1][0] - inside[0][0]))
        step_seconds.append(statistics.median(took for _, took in inside))
        together.append(len(inside))
    return {
        "tokens_per_s": sum(rates),
        "loop_tokens_per_s": sum(loop_rates),
        "step_s": statistics.mean(step_seconds),
        "torch_threads": jobs[0]["torch_threads"],
        "together": min(together),
    }


def compare_gpt_jobs(args) -> int:
    """Returns n_params, for the all-reduce of the same size."""
    runs = {
        "1 worker": lambda: run_gpt_job(1, args.gpt_steps),
        "2 gloo workers (DDP)": lambda: run_gpt_job(2, args.gpt_steps),
        "2 separate 1-w jobs": lambda: run_two_gpt_jobs_at_once(args.gpt_steps),
    }
    names = list(runs) if not args.no_ceiling else list(runs)[:2]
    figures = {name: [] for name in names}
    loads = {name: [] for name in names}
    others = {name: [] for name in names}
    for repeat in range(args.repeats):
        order = names if repeat % 2 == 0 else names[::-1]
        for name in order:
            noise = Noise()
            figures[name].append(runs[name]())
            loads[name].append(noise.load)
            others[name].append(noise.others())
            print(
                f"  repeat {repeat + 1} {name:<22} {figures[name][-1]['tokens_per_s']:>8,.0f} tok/s "
                f"(load {noise.load:.2f}, others {others[name][-1]:.2f} cores)",
                flush=True,
            )
    base_best = max(f["tokens_per_s"] for f in figures["1 worker"])
    base_median = statistics.median(f["tokens_per_s"] for f in figures["1 worker"])
    print(
        f"\n{'GPT job':<24}{'best tok/s':>11}{'speedup':>9}{'effic.':>8}{'median':>9}{'speedup':>9}{'effic.':>8}"
        f"{'loop tok/s':>11}{'step s':>8}{'threads':>8}{'load':>6}{'others':>7}"
    )
    for name in names:
        rates = [f["tokens_per_s"] for f in figures[name]]
        workers = 1 if name == "1 worker" else 2
        high, mid = max(rates), statistics.median(rates)
        print(
            f"{name:<24}{high:>11,.0f}{high / base_best:>9.2f}{high / base_best / workers:>8.2f}{mid:>9,.0f}"
            f"{mid / base_median:>9.2f}{mid / base_median / workers:>8.2f}"
            f"{max(f['loop_tokens_per_s'] for f in figures[name]):>11,.0f}"
            f"{statistics.median(f['step_s'] for f in figures[name]):>8.3f}"
            f"{figures[name][0]['torch_threads']:>8}{statistics.mean(loads[name]):>6.2f}"
            f"{statistics.mean(others[name]):>7.2f}"
        )
    print(
        "(tok/s: the sum over ranks of the done records' tokens_per_s, over train_time = the steps alone; loop tok/s: "
        "over the wall time from the config record to the last step record; step s: median seconds of a step; "
        "threads: torch_threads of the config record; load: the 1-minute load average as each run began; others: "
        "cores the other tenants kept busy, on average, during the runs)"
    )
    if "2 separate 1-w jobs" in figures:
        print(
            "(2 separate 1-w jobs: two independent 1-worker jobs started together, no communication; only the "
            f"steps they ran at the same time count, {min(f['together'] for f in figures['2 separate 1-w jobs'])} "
            "or more of each job's)"
        )
    ddp = [f["tokens_per_s"] for f in figures["2 gloo workers (DDP)"]]
    speedup = max(ddp) / base_best
    print(
        f"2 workers vs 1: {speedup:.2f}x best, {statistics.median(ddp) / base_median:.2f}x median "
        f"(efficiency {speedup / 2:.0%} best; target >= {GPT_TARGET_SPEEDUP}x)"
    )
    return figures["1 worker"][0]["n_params"]


def _all_reduce_rank(rank: int, port: int, numel: int, repeats: int, results) -> None:
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=2)
    grads = torch.randn(numel)
    times = []
    for index in range(repeats + 5):  # 5 warm-up rounds: gloo sets up its pairs and buffers on first use
        dist.barrier()
        started = time.perf_counter()
        dist.all_reduce(grads)
        if index >= 5:
            times.append(time.perf_counter() - started)
        grads.div_(2)
    if rank == 0:
        results.put(times)
    dist.barrier()
    dist.destroy_process_group()


def all_reduce_ms(numel: int, repeats: int = 30) -> list[float]:
    """Milliseconds per gloo all-reduce (sum) of `numel` float32 between 2 CPU processes, each after a barrier."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    procs = [context.Process(target=_all_reduce_rank, args=(r, port, numel, repeats, results)) for r in (0, 1)]
    for proc in procs:
        proc.start()
    times = results.get(timeout=300)
    for proc in procs:
        proc.join(timeout=60)
    return [1000 * t for t in times]


def bare_gpt_loop(config, corpus, plan) -> tuple[float, float]:
    """Seconds for the plain loop over the same steps, and its last loss: what run_worker does between its config
    record and its last step record, minus the records, the stop/clock agreement and the loss .item()."""
    from playground.pretraining.lr_schedule import warmup_cosine
    from playground.training.gpt_pretrain import CLIP, adamw, build_model, next_token_loss
    from playground.training.windows import gather

    torch.set_num_threads(1)
    torch.manual_seed(config.seed)
    model = build_model(config, corpus.tokenizer)
    model.train()
    optimizer = adamw(model, config.lr)
    start = time.perf_counter()
    for step in range(config.max_steps):
        lr = warmup_cosine(min(1.0, (step + 1) / config.max_steps), config.lr)
        for group in optimizer.param_groups:
            group["lr"] = lr
        optimizer.zero_grad(set_to_none=True)
        for starts in plan.rank_starts(step, 0):
            x, y = gather(corpus.train_ids, starts, config.context)
            loss = next_token_loss(model, x, y) / config.grad_accum
            loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        optimizer.step()
    return time.perf_counter() - start, loss.item()


def instrumented_gpt_loop(config, corpus) -> tuple[float, float]:
    """Seconds from the job's config record to its last step record (the final evaluation comes after), and the
    loss of that last step."""
    from playground.training.gpt_pretrain import run_worker as gpt_run_worker

    with tempfile.TemporaryDirectory() as tmp:
        gpt_run_worker(config, Path(tmp), corpus)
        rows = records(Path(tmp))
        config_time = next(r["time"] for r in rows if r["kind"] == "config")
        last = [r for r in rows if r["kind"] == "step"][-1]
        return last["time"] - config_time, last["loss"]


def compare_gpt_loops(args) -> None:
    from playground.training.gpt_pretrain import check

    if "RANK" in os.environ:
        raise SystemExit("run the loop comparison outside torchrun: run_worker would join a process group")
    checked = check(gpt_config(args.gpt_steps))
    config, corpus, plan = replace(checked.config, workers=1), checked.corpus, checked.plan
    bare_gpt_loop(replace(config, max_steps=2), corpus, plan)  # warm-up: first-call costs go to neither loop
    runs = {
        "bare PyTorch": lambda: bare_gpt_loop(config, corpus, plan),
        "instrumented (job)": lambda: instrumented_gpt_loop(config, corpus),
    }
    seconds = {name: [] for name in runs}
    losses = {name: [] for name in runs}
    loads = {name: [] for name in runs}
    others = {name: [] for name in runs}
    for repeat in range(args.repeats):
        order = list(runs) if repeat % 2 == 0 else list(runs)[::-1]
        for name in order:
            noise = Noise()
            took, loss = runs[name]()
            seconds[name].append(took)
            losses[name].append(loss)
            loads[name].append(noise.load)
            others[name].append(noise.others())
            print(
                f"  repeat {repeat + 1} {name:<20} {took:7.2f} s (load {noise.load:.2f}, "
                f"others {others[name][-1]:.2f} cores)",
                flush=True,
            )
    tokens = config.max_steps * plan.global_batch * config.context
    base_min, base_median = min(seconds["bare PyTorch"]), statistics.median(seconds["bare PyTorch"])
    print(
        f"\n{'GPT loop, 1 process':<24}{'fastest s':>10}{'tok/s':>8}{'vs bare':>9}{'median s':>10}{'vs bare':>9}"
        f"{'load':>6}{'others':>7}"
    )
    for name, values in seconds.items():
        low, mid = min(values), statistics.median(values)
        print(
            f"{name:<24}{low:>10.2f}{tokens / low:>8,.0f}{low / base_min:>9.3f}{mid:>10.2f}{mid / base_median:>9.3f}"
            f"{statistics.mean(loads[name]):>6.2f}{statistics.mean(others[name]):>7.2f}"
        )
    pairs = zip(losses["bare PyTorch"], losses["instrumented (job)"], strict=True)
    same = all(abs(a - b) <= 1e-4 * abs(b) for a, b in pairs)
    print(
        f"last-step loss: bare {losses['bare PyTorch'][0]:.5f}, job {losses['instrumented (job)'][0]:.5f} "
        f"({'the same' if same else 'DIFFERENT: the loops did not do the same work'})"
    )
    low = min(seconds["instrumented (job)"]) / base_min
    mid = statistics.median(seconds["instrumented (job)"]) / base_median
    print(
        f"overhead of the instrumented GPT loop: {100 * (low - 1):+.1f}% fastest, {100 * (mid - 1):+.1f}% median "
        f"(target <= {100 * GPT_TARGET_OVERHEAD:.0f}%)"
    )


def gpt_section(args) -> None:
    print(
        f"GPT pretraining, the default PretrainConfig (4 layers, 4 heads, width 192, context 256, batch 4 per worker), "
        f"{args.gpt_steps} steps, --eval-every 0, one thread per process, {args.repeats} repeats\n"
    )
    n_params = None
    if not args.skip_jobs:
        n_params = compare_gpt_jobs(args)
    if n_params is None:
        from playground.training.gpt_corpus import prepare_corpus
        from playground.training.gpt_pretrain import build_model

        config = gpt_config(args.gpt_steps)
        n_params = sum(p.numel() for p in build_model(config, prepare_corpus(config).tokenizer).parameters())
    noise = Noise()
    times = all_reduce_ms(n_params)
    print(
        f"\ngloo all-reduce of {n_params:,} float32 ({n_params * 4 / 1e6:.1f} MB) between 2 processes: "
        f"median {statistics.median(times):.1f} ms, fastest {min(times):.1f} ms over {len(times)} "
        f"(load {noise.load:.2f}, others {noise.others():.2f} cores); the page's MEASURED_ALL_REDUCE_MS"
    )
    print()
    compare_gpt_loops(args)


# ---- SimpleNN on digits -------------------------------------------------------------------------------------------


def digits_section(args) -> None:
    print(
        f"SimpleNN on 8x8 digits, batch {args.batch} per worker, {args.epochs} epochs, one thread per process, "
        f"load average {load():.2f}, best of {args.repeats}\n"
    )
    if not args.skip_jobs:
        compare_jobs(args)
    compare_loops(args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", choices=("gpt", "digits", "both"), default="both")
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--gpt-steps", type=int, default=40, help="optimizer steps of each GPT run")
    parser.add_argument("--no-ceiling", action="store_true", help="skip the 2 separate GPT jobs run side by side")
    parser.add_argument("--epochs", type=int, default=10, help="digits epochs")
    parser.add_argument("--batch", type=int, default=64, help="digits batch per worker")
    parser.add_argument("--skip-jobs", action="store_true", help="only the loop overheads (and the all-reduce)")
    args = parser.parse_args()
    print(
        f"start: {load_line()}; OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, "
        f"affinity {sorted(os.sched_getaffinity(0))}\n",
        flush=True,
    )
    if args.task in ("gpt", "both"):
        gpt_section(args)
    if args.task == "both":
        print("\n")
    if args.task in ("digits", "both"):
        digits_section(args)
    print(f"\nend: {load_line()}")


def compare_jobs(args) -> None:
    runs = {"single process": ("single", 1), "DDP, 1 gloo worker": ("ddp", 1), "DDP, 2 gloo workers": ("ddp", 2)}
    rates = {name: [] for name in runs}
    for _ in range(args.repeats):
        for name, (strategy, workers) in runs.items():
            rates[name].append(job_throughput(strategy, workers, args.epochs))
    base = best(rates["single process"])
    print(f"{'job':<22}{'samples/s':>12}{'speedup':>10}{'efficiency':>12}")
    for name, (_, workers) in runs.items():
        rate = best(rates[name])
        print(f"{name:<22}{rate:>12,.0f}{rate / base:>10.2f}{rate / base / workers:>12.2f}")


def compare_loops(args) -> None:
    """Identical bare runs on the 2-core VM that set the target vary by +-20%, so the two loops run in a shuffled
    order each repeat (neither always goes first) and both the fastest and the median run are compared."""
    runs = {
        "bare PyTorch": bare_loop,
        "instrumented (job)": instrumented_loop,
        "job, no step records": lambda epochs, batch: instrumented_loop(epochs, batch, log_every=10**9),
    }
    seconds = {name: [] for name in runs}
    for repeat in range(args.repeats):
        order = list(runs)
        random.Random(repeat).shuffle(order)
        for name in order:
            seconds[name].append(runs[name](args.epochs, args.batch))
    base_min, base_median = fastest(seconds["bare PyTorch"]), statistics.median(seconds["bare PyTorch"])
    samples = 1438 * args.epochs
    print(f"\n{'loop':<24}{'fastest s':>10}{'samples/s':>11}{'vs bare':>9}{'median s':>10}{'vs bare':>9}")
    for name, values in seconds.items():
        low, mid = fastest(values), statistics.median(values)
        print(
            f"{name:<24}{low:>10.3f}{samples / low:>11,.0f}{low / base_min:>9.3f}{mid:>10.3f}{mid / base_median:>9.3f}"
        )
    low = fastest(seconds["instrumented (job)"]) / base_min
    mid = statistics.median(seconds["instrumented (job)"]) / base_median
    print(
        f"\noverhead of the instrumented loop: {100 * (low - 1):+.1f}% fastest, {100 * (mid - 1):+.1f}% median "
        f"(target <= 10%)"
    )


if __name__ == "__main__":
    main()
