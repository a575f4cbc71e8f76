"""Training throughput and the cost of watching it, side by side in one run.

1. samples/s of the job (python -m playground.train) with 1 process, and DDP with 1 and 2 gloo CPU workers;
   speedup and scaling efficiency against the single process.
2. The instrumented loop (playground.train.run_worker: a JSON line per step, held-out accuracy and a parameter
   checksum per epoch) against a bare PyTorch loop on the same data, batches and seed. Target: <= 10% overhead.

Run: .venv/bin/python bench/bench_training.py [--epochs 10] [--repeats 5]
Timings on a shared machine are noisy: runs alternate, and each figure is the best of the repeats (the run the
other tenants disturbed least), as timeit does.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data.distributed import DistributedSampler

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground.digits_data import load_digits  # noqa: E402
from playground.simple_nn import SimpleNN  # noqa: E402
from playground.train import TrainConfig, run_worker  # noqa: E402


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
        cmd = [sys.executable, "-m", "playground.train", "--strategy", strategy, "--workers", str(workers),
               "--epochs", str(epochs), "--run-dir", tmp]
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
            idx = order[first:first + batch]
            optimizer.zero_grad(set_to_none=True)
            F.cross_entropy(model(data.x_train[idx]), data.y_train[idx]).backward()
            optimizer.step()
    return time.perf_counter() - start


def instrumented_loop(epochs: int, batch: int, seed: int = 0) -> float:
    """Seconds from the config record (model built, loop about to start) to the done record."""
    with tempfile.TemporaryDirectory() as tmp:
        run_worker(TrainConfig(strategy="single", epochs=epochs, batch_size=batch, seed=seed), Path(tmp))
        by_kind = {r["kind"]: r for r in records(Path(tmp))}
        return by_kind["done"]["time"] - by_kind["config"]["time"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--skip-jobs", action="store_true", help="only the loop overhead")
    args = parser.parse_args()
    print(f"SimpleNN on 8x8 digits, batch {args.batch} per worker, {args.epochs} epochs, one thread per process, "
          f"{os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f}, best of {args.repeats}\n")

    if not args.skip_jobs:
        compare_jobs(args)
    compare_loops(args)


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
    bare, instrumented = [], []
    for _ in range(args.repeats):
        bare.append(bare_loop(args.epochs, args.batch))
        instrumented.append(instrumented_loop(args.epochs, args.batch))
    b, i = fastest(bare), fastest(instrumented)
    samples = 1438 * args.epochs
    print(f"\n{'loop':<22}{'seconds':>12}{'samples/s':>12}{'vs bare':>10}")
    print(f"{'bare PyTorch':<22}{b:>12.3f}{samples / b:>12,.0f}{1.0:>10.3f}")
    print(f"{'instrumented (job)':<22}{i:>12.3f}{samples / i:>12,.0f}{i / b:>10.3f}")
    print(f"\noverhead of the instrumented loop: {100 * (i / b - 1):+.1f}% (target <= 10%)")


if __name__ == "__main__":
    main()
