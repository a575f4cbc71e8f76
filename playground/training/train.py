"""
Train the lesson's SimpleNN with one process, nn.DataParallel or DistributedDataParallel, writing live metrics.

Every rank appends JSON lines to RUN_DIR/metrics.jsonl (see playground/training/records.py for the records), which the
Training page draws while the job runs. The worker is torchrun-compatible, so the same file trains across machines.

On one machine, 2 CPU worker processes over gloo (this module launches and reaps them itself):
$ python -m playground.training.train --workers 2 --epochs 1 --run-dir runs/training/demo

One process, no torch.distributed at all (the baseline for speedups):
$ python -m playground.training.train --strategy single --epochs 1 --run-dir runs/training/single

With torchrun on 1 node, 4 processes (NCCL on GPUs when there are 4, else gloo on CPU):
$ torchrun --standalone --nproc_per_node=4 -m playground.training.train --epochs 1 --run-dir runs/training/tr4

Across 2 nodes with 8 GPUs each, the first (master) node with example IP 123.456.123.456:
$ torchrun --nproc_per_node=8 --nnodes=2 --node_rank=0 --master_addr=123.456.123.456 --master_port=1234 \
    -m playground.training.train --epochs 5 --run-dir /shared/runs/two-nodes
- and on the worker node:
$ torchrun --nproc_per_node=8 --nnodes=2 --node_rank=1 --master_addr=123.456.123.456 --master_port=1234 \
    -m playground.training.train --epochs 5 --run-dir /shared/runs/two-nodes
(put the run folder on a shared file system so every rank appends to one metrics.jsonl; the page watches it by path.
If your cluster does not have Infiniband interconnect prepend NCCL_IB_DISABLE=1.)

The same command with `--task gpt` pretrains a GPT-2 on a text file instead, the same way (DDP over gloo or NCCL,
torchrun-compatible); its own options and command lines are in playground/training/gpt_pretrain.py:
$ python -m playground.training.train --task gpt --workers 2 --max-steps 200 --run-dir runs/training/gpt

References: PyTorch's DDP tutorial and notes (https://pytorch.org/docs/stable/notes/ddp.html), nanoGPT's train.py.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import asdict, dataclass, fields
from datetime import timedelta
from pathlib import Path

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data.distributed import DistributedSampler

from playground.cpus import cpu_budget
from playground.training.data import DATASETS, load_dataset
from playground.training.flags import as_flags
from playground.training.simple_nn import SimpleNN

STRATEGIES = ("ddp", "single", "dataparallel")
TASKS = ("digits", "gpt")  # the lesson's SimpleNN on images, or GPT pretraining (playground/training/gpt_pretrain.py)
MAX_EPOCHS = 20
MAX_STEPS = 2000  # optimizer steps per epoch on each rank
MAX_BATCH = 1024
METRICS_FILE = "metrics.jsonl"


@dataclass
class TrainConfig:
    strategy: str = "ddp"  # ddp | single | dataparallel
    workers: int = 2  # processes for ddp; single and dataparallel always run one process
    dataset: str = "digits"
    data_dir: str = ""  # folder of IDX files for mnist / fashion-mnist
    download: bool = False  # fetch MNIST into data_dir first (needs the network)
    epochs: int = 1
    batch_size: int = 64  # per worker: DDP's global batch is workers * batch_size
    lr: float = 1e-3  # the lesson's Adam learning rate
    max_steps: int = 0  # cap on steps per epoch per rank; 0 = the whole epoch
    seed: int = 0
    log_every: int = 1  # write a step record every this many steps
    device: str = "cpu"  # cpu | cuda
    # Intra-op threads per process (0 = torch's default). One thread each means N workers use N cores, so comparing
    # 1 with N workers measures data parallelism alone; torchrun likewise sets OMP_NUM_THREADS=1.
    threads: int = 1
    crash_rank: int = -1  # fault injection for the lesson: this rank dies...
    crash_step: int = 0  # ...at this global step
    crash_how: str = "raise"  # raise an exception, or "kill" (SIGKILL, like the OOM killer)

    def to_args(self) -> list[str]:
        return as_flags(self)


def apply_caps(config: TrainConfig, cpu_count: int, gpu_count: int) -> tuple[TrainConfig, list[str]]:
    """Clamp what a learner can size to what this machine can run; each clamp comes with a note saying why."""
    notes = []
    values = asdict(config)
    if values["device"] == "cuda" and gpu_count == 0:
        values["device"] = "cpu"
        notes.append("No CUDA GPU is visible, so the job runs on CPU processes with the gloo backend.")
    if values["strategy"] != "ddp":
        values["workers"] = 1
    else:
        limit, what = (gpu_count, "GPUs") if values["device"] == "cuda" else (max(1, cpu_count), "CPU cores")
        if values["workers"] > limit:
            notes.append(
                f"Asked for {config.workers} workers but this machine has {limit} {what}; capped at {limit}. "
                f"More processes than {what} only take turns on the same hardware and run slower."
            )
            values["workers"] = limit
        values["workers"] = max(1, values["workers"])
    for name, cap in (("epochs", MAX_EPOCHS), ("max_steps", MAX_STEPS), ("batch_size", MAX_BATCH)):
        if values[name] > cap:
            notes.append(f"{name.replace('_', ' ')} {values[name]} is over the cap of {cap}; using {cap}.")
            values[name] = cap
    if values["max_steps"] == 0 and values["dataset"] != "digits":
        values["max_steps"] = MAX_STEPS  # 60,000 images at batch 64 is ~940 steps: stay under the cap anyway
    values["epochs"] = max(1, values["epochs"])
    values["batch_size"] = max(1, values["batch_size"])
    return TrainConfig(**values), notes


class MetricsWriter:
    """Appends one JSON object per line. One os.write per line on an O_APPEND file keeps ranks' lines whole."""

    def __init__(self, path: Path, rank: int):
        self.rank = rank
        self.start = time.time()
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def write(self, kind: str, **fields) -> None:
        now = time.time()
        record = {"kind": kind, "rank": self.rank, "time": round(now, 4), "elapsed": round(now - self.start, 4)}
        record.update(fields)
        os.write(self.fd, (json.dumps(record) + "\n").encode())


def param_checksum(model: nn.Module) -> tuple[str, float]:
    """A SHA-256 of every parameter's bytes (equal only if bit-identical) and their float64 sum, for the learner."""
    digest = hashlib.sha256()
    total = 0.0
    for p in model.parameters():
        data = p.detach().cpu().contiguous()
        digest.update(data.numpy().tobytes())
        total += data.double().sum().item()
    return digest.hexdigest()[:16], total


@torch.no_grad()
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, device: torch.device) -> float:
    """Held-out accuracy. Every rank scores the whole held-out split: same weights, so the same number."""
    model.eval()
    correct = 0
    for start in range(0, len(x), 1024):
        logits = model(x[start : start + 1024].to(device))
        correct += (logits.argmax(1).cpu() == y[start : start + 1024]).sum().item()
    model.train()
    return correct / len(x)


def epoch_batches(sampler: DistributedSampler, epoch: int, batch_size: int, max_steps: int = 0):
    """This rank's batches of one epoch, as indices into the training set. The sampler shuffles anew each epoch, the
    same way on every rank, and gives each rank a disjoint shard (padded so that all ranks take equal steps)."""
    sampler.set_epoch(epoch)
    order = torch.tensor(list(sampler))
    for batch_index, start in enumerate(range(0, len(order), batch_size)):
        if max_steps and batch_index >= max_steps:
            return
        yield order[start : start + batch_size]


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """One optimizer step on one batch. Under DDP, backward() all-reduces (averages) the gradients bucket by bucket,
    so every rank steps with the same gradient and the weights stay identical."""
    optimizer.zero_grad(set_to_none=True)
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return loss


def crash_if_told(config, rank: int, step: int) -> None:
    """The lesson's fault injection (both tasks): rank `crash_rank` dies at `crash_step`, by an exception or SIGKILL."""
    if config.crash_rank == rank and step == config.crash_step:
        if config.crash_how == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        raise RuntimeError(f"injected failure: rank {rank} was told to crash at step {step}")


def run_worker(config: TrainConfig, run_dir: Path) -> None:
    """One rank's training loop. Under DDP, RANK / WORLD_SIZE / LOCAL_RANK / MASTER_* come from the launcher."""
    distributed = config.strategy == "ddp"
    rank = int(os.environ.get("RANK", 0)) if distributed else 0
    world = int(os.environ.get("WORLD_SIZE", 1)) if distributed else 1
    local_rank = int(os.environ.get("LOCAL_RANK", 0)) if distributed else 0
    run_dir.mkdir(parents=True, exist_ok=True)
    log = MetricsWriter(run_dir / METRICS_FILE, rank)
    try:
        device = join_job(config, local_rank, distributed, timeout_s=120)
        data = load_dataset(config.dataset, config.data_dir or None, seed=config.seed, download=config.download)
        torch.manual_seed(config.seed)  # same seed on every rank; DDP also broadcasts rank 0's weights
        model = SimpleNN(data.input_size, data.num_classes).to(device)
        if distributed:
            model = DDP(model, device_ids=[local_rank] if device.type == "cuda" else None)
        elif config.strategy == "dataparallel":
            model = nn.DataParallel(model)  # with fewer than 2 GPUs this just calls the model
        optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
        sampler = DistributedSampler(data.x_train, num_replicas=world, rank=rank, shuffle=True, seed=config.seed)
        if rank == 0:
            log.write(
                "config",
                world_size=world,
                backend=dist.get_backend() if distributed else "none",
                device_used=str(device),
                torch_threads=torch.get_num_threads(),
                train_size=len(data.x_train),
                test_size=len(data.x_test),
                input_size=data.input_size,
                host=socket.gethostname(),
                **asdict(config),
            )
        step, samples_total, train_time = 0, 0, 0.0
        accuracy = 0.0
        for epoch in range(config.epochs):
            epoch_start = last_log = time.perf_counter()
            samples_since_log = epoch_samples = 0
            for idx in epoch_batches(sampler, epoch, config.batch_size, config.max_steps):
                loss = train_step(model, optimizer, data.x_train[idx].to(device), data.y_train[idx].to(device))
                step += 1
                samples_since_log += len(idx)
                epoch_samples += len(idx)
                crash_if_told(config, rank, step)
                if step % config.log_every == 0:
                    now = time.perf_counter()
                    extra = gpu_memory(device)
                    log.write(
                        "step",
                        step=step,
                        epoch=epoch,
                        loss=loss.item(),
                        samples_per_s=round(samples_since_log / max(now - last_log, 1e-9), 1),
                        **extra,
                    )
                    last_log, samples_since_log = now, 0
            epoch_time = time.perf_counter() - epoch_start
            train_time += epoch_time
            samples_total += epoch_samples
            accuracy = evaluate(model, data.x_test, data.y_test, device)
            checksum, param_sum = param_checksum(model)
            log.write(
                "epoch",
                step=step,
                epoch=epoch,
                accuracy=accuracy,
                checksum=checksum,
                param_sum=param_sum,
                epoch_time=round(epoch_time, 4),
                samples_per_s=round(epoch_samples / max(epoch_time, 1e-9), 1),
            )
        if distributed:
            dist.barrier()
        log.write(
            "done",
            step=step,
            accuracy=accuracy,
            train_time=round(train_time, 4),
            samples=samples_total,
            samples_per_s=round(samples_total / max(train_time, 1e-9), 1),
        )
        if distributed:
            dist.destroy_process_group()
    except BaseException as err:  # noqa: BLE001 - the page must learn why this rank died, whatever it was
        if isinstance(err, KeyboardInterrupt):
            log.write("error", error="stopped (KeyboardInterrupt)")
        else:
            log.write("error", error=f"{type(err).__name__}: {err}", traceback=traceback.format_exc(limit=4))
        raise


def job_command(config: TrainConfig, run_dir: Path, *flags: str) -> list[str]:
    """The command line of this module for `config`: how the launcher starts a rank, and the page starts the job."""
    return [sys.executable, "-m", "playground.training.train", *config.to_args(), "--run-dir", str(run_dir), *flags]


LOOPBACK_INTERFACE = "lo0" if sys.platform == "darwin" else "lo"


def loopback_rendezvous(timeout_s: float = 300) -> tuple[tuple, dict[str, str]]:
    """The store the ranks of a one-machine job meet at (with its socket: keep both while the ranks run), and the
    environment that sends them there.

    The launcher hosts it, as torchrun's agent does, on a socket it bound itself to 127.0.0.1 and never let go of:
    no other process can take the port between choosing it and using it, and nothing on a classroom's Wi-Fi can
    reach it (a store that rank 0 starts listens on every interface). Gloo's and NCCL's own connections are kept on
    the loopback interface too, unless the user chose another. A job across machines is started by torchrun, whose
    interface and port the user picks (README, "Training across machines")."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    store = dist.TCPStore(
        "127.0.0.1",
        port,
        is_master=True,
        master_listen_fd=listener.fileno(),
        wait_for_workers=False,
        timeout=timedelta(seconds=timeout_s),
    )
    env = dict(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), TORCHELASTIC_USE_AGENT_STORE="True")
    for name in ("GLOO_SOCKET_IFNAME", "NCCL_SOCKET_IFNAME"):
        env[name] = os.environ.get(name, LOOPBACK_INTERFACE)
    return (store, listener), env


def gpu_memory(device: torch.device) -> dict:
    """The peak memory a step record carries on a GPU; nothing on CPU, where the page draws no memory chart."""
    return {"gpu_mem_mb": round(torch.cuda.max_memory_allocated(device) / 2**20, 1)} if device.type == "cuda" else {}


SERVER_PID_ENV = "PLAYGROUND_SERVER_PID"  # set by the web server (jobs.py) for the jobs it starts


def die_with_server(run_dir: Path, poll_s: float = 0.5, grace_s: float = 10.0) -> None:
    """A job the page started ends when that server dies, however it dies: after a `kill -9` nothing runs the
    server's atexit stop, and the job would train on, reparented to init. So the job's first process watches its
    parent and, once the server is gone, records why and sends SIGTERM to its own process group: the launcher ends
    its ranks, a single worker stops at its next step. A job started from the command line has no server to outlive,
    and runs on after its terminal on purpose (nohup, tmux, a cluster's batch system)."""
    server = os.environ.get(SERVER_PID_ENV)
    if not server:
        return

    def watch() -> None:
        while os.getppid() == int(server):
            time.sleep(poll_s)
        MetricsWriter(run_dir / METRICS_FILE, -1).write(
            "stopped", reason=f"the web server that started this job (pid {server}) exited, so the job was stopped"
        )
        os.killpg(os.getpgrp(), signal.SIGTERM)
        time.sleep(grace_s)  # still here: something ignored the SIGTERM
        os.killpg(os.getpgrp(), signal.SIGKILL)

    threading.Thread(target=watch, name="die-with-server", daemon=True).start()


def join_job(config, local_rank: int, distributed: bool, timeout_s: float) -> torch.device:
    """This rank's device and threads, and its place in the process group: NCCL on one GPU per local rank when the
    job asked for CUDA and one is there, gloo on CPU processes otherwise."""
    use_cuda = config.device == "cuda" and torch.cuda.is_available()
    device = torch.device(f"cuda:{local_rank}" if use_cuda else "cpu")
    if use_cuda:
        torch.cuda.set_device(device)
    if config.threads:
        torch.set_num_threads(config.threads)
    if distributed:
        dist.init_process_group("nccl" if use_cuda else "gloo", timeout=timedelta(seconds=timeout_s))
    return device


def launch(config: TrainConfig, run_dir: Path) -> int:
    """Start `workers` ranks on this machine, like `torchrun --standalone`, and reap them all whatever happens.

    When one rank fails the others would wait forever in their next all-reduce, so we end them and record why.
    """
    store, rendezvous = loopback_rendezvous()
    procs = []

    def end_all(*_):
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    # Installed before the first rank starts: a Stop that lands mid-launch must still end the ranks already started.
    signal.signal(signal.SIGTERM, lambda *_: (end_all(), sys.exit(143)))
    try:
        for rank in range(config.workers):
            env = dict(
                os.environ,
                RANK=str(rank),
                WORLD_SIZE=str(config.workers),
                LOCAL_RANK=str(rank),
                LOCAL_WORLD_SIZE=str(config.workers),
                **rendezvous,
            )
            cmd = job_command(config, run_dir, "--worker")
            procs.append(subprocess.Popen(cmd, env=env))
        while any([p.poll() is None for p in procs]):  # a list, not a generator: every rank is polled each time
            failed = [(rank, p.returncode) for rank, p in enumerate(procs) if p.returncode not in (None, 0)]
            if failed:
                break
            time.sleep(0.1)
        failed = [(rank, p.returncode) for rank, p in enumerate(procs) if p.returncode not in (None, 0)]
        for rank, code in failed:
            if code < 0:  # killed by a signal: the rank could not say why, so the launcher does
                MetricsWriter(run_dir / METRICS_FILE, rank).write(
                    "error",
                    error=f"rank {rank} was killed by signal {signal.Signals(-code).name} "
                    f"(out of memory, or killed from outside)",
                    source="launcher",
                )
        return 1 if failed else 0
    finally:
        end_all()
        del store  # the ranks are gone: stop serving the rendezvous (and close its socket)


def parse_args(argv: list[str] | None = None) -> tuple[TrainConfig, Path, bool, bool]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    defaults = TrainConfig()
    for field in fields(TrainConfig):
        flag = "--" + field.name.replace("_", "-")
        default = getattr(defaults, field.name)
        if isinstance(default, bool):
            parser.add_argument(flag, action="store_true")
        else:
            parser.add_argument(flag, type=type(default), default=default)
    parser.add_argument("--task", choices=TASKS, default="digits", help="digits (this job) or gpt (see gpt_pretrain)")
    parser.add_argument("--run-dir", type=Path, required=True)
    parser.add_argument("--overwrite", action="store_true", help="empty the run folder's metrics first")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    config = TrainConfig(**{f.name: getattr(args, f.name) for f in fields(TrainConfig)})
    for name, allowed in (
        ("strategy", STRATEGIES),
        ("dataset", DATASETS),
        ("device", ("cpu", "cuda")),
        ("crash_how", ("raise", "kill")),
    ):
        if getattr(config, name) not in allowed:
            parser.error(f"--{name.replace('_', '-')} must be one of {', '.join(allowed)}")
    return config, args.run_dir, args.overwrite, args.worker


def task_of(argv: list[str]) -> str:
    """Which job a command line asks for; the rest of it is parsed by that job."""
    peek = argparse.ArgumentParser(add_help=False)
    peek.add_argument("--task", default="digits")
    return peek.parse_known_args(argv)[0].task


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if task_of(argv) == "gpt":
        from playground.training import gpt_pretrain  # transformers is imported only for the GPT job

        return gpt_pretrain.main(argv)
    config, run_dir, overwrite, is_worker = parse_args(argv)
    under_torchrun = "RANK" in os.environ and not is_worker
    if not is_worker and not (under_torchrun and int(os.environ["RANK"]) != 0):
        # Only the first process prepares the folder, before any rank can write to it.
        config, notes = apply_caps(config, cpu_budget().usable, torch.cuda.device_count())
        if under_torchrun:
            notes = [n for n in notes if "workers" not in n]  # torchrun decides the number of processes
        for note in notes:
            print(f"note: {note}", file=sys.stderr)
        metrics = run_dir / METRICS_FILE
        if metrics.exists() and metrics.stat().st_size and not overwrite:
            print(f"error: {metrics} already holds a run; pass --overwrite or pick a new --run-dir", file=sys.stderr)
            return 2
        run_dir.mkdir(parents=True, exist_ok=True)
        metrics.write_text("")
    if not is_worker and not under_torchrun:
        die_with_server(run_dir)
    if config.strategy == "ddp" and "RANK" not in os.environ:
        return launch(config, run_dir)
    run_worker(config, run_dir)
    return 0


def exit_rank(code: int) -> None:
    """A rank ends with os._exit once its records are written (os.write, unbuffered) and its process group is
    destroyed: the interpreter's own teardown sometimes aborted a rank after its done record ("terminate called without
    an active exception", SIGABRT from a C++ thread still joinable), and the launcher then reported a finished run as
    failed (about one 2-worker run in 70)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    code = main()
    if "RANK" in os.environ:  # a rank of a DDP job, ours or torchrun's
        exit_rank(code or 0)
    sys.exit(code)
