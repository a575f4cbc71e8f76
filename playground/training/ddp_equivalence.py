"""The central claim of data parallelism, checked: one DDP step with N workers at per-worker batch B leaves the same
parameters as one process taking one step at batch N*B.

Why it holds: the loss is a mean over the batch, so the big batch's gradient is the mean of the N shards' gradients,
and DDP's all-reduce averages exactly those. Same gradient, same optimizer state, same step. Only the order of the
floating-point additions differs, hence "equal up to float tolerance".

Run it yourself (2 gloo processes on CPU):
$ python -m playground.training.ddp_equivalence --workers 2 --batch 8
"""

from __future__ import annotations

import argparse
import os
import socket
import tempfile
from pathlib import Path

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP

from playground.training.data import load_digits
from playground.training.simple_nn import SimpleNN


def _batch(total: int) -> tuple[torch.Tensor, torch.Tensor]:
    data = load_digits()
    return data.x_train[:total], data.y_train[:total]


def one_step(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, lr: float) -> None:
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    optimizer.zero_grad()
    F.cross_entropy(model(x), y).backward()
    optimizer.step()


def big_batch_step(workers: int, batch: int, seed: int = 0, lr: float = 1e-3) -> dict[str, torch.Tensor]:
    """One process, one step on all workers*batch samples."""
    x, y = _batch(workers * batch)
    torch.manual_seed(seed)
    model = SimpleNN(x.shape[1])
    one_step(model, x, y, lr)
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _ddp_rank(rank: int, workers: int, batch: int, seed: int, lr: float, port: int, out: str) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=workers)
    torch.set_num_threads(1)
    x, y = _batch(workers * batch)
    torch.manual_seed(seed + 1000 * rank)  # different seeds on purpose: DDP broadcasts rank 0's initial weights
    model = DDP(SimpleNN(x.shape[1]))
    shard = slice(rank * batch, (rank + 1) * batch)  # this worker sees only its B samples
    one_step(model, x[shard], y[shard], lr)
    if rank == 0:
        torch.save(model.module.state_dict(), out)
    dist.barrier()
    dist.destroy_process_group()


def ddp_step(workers: int, batch: int, seed: int = 0, lr: float = 1e-3) -> dict[str, torch.Tensor]:
    """One DDP step with `workers` gloo processes at `batch` each; rank 0's parameters afterwards.

    For tests and this module's command line only: a web page must never spawn processes itself.
    """
    if seed != 0:
        raise ValueError("rank 0 is seeded with `seed`; keep 0 so big_batch_step starts from the same weights")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "rank0.pt")
        mp.spawn(_ddp_rank, args=(workers, batch, seed, lr, port, out), nprocs=workers, join=True)
        return torch.load(out)


def max_difference(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> float:
    return max((a[k] - b[k]).abs().max().item() for k in a)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=8)
    args = parser.parse_args()
    reference = big_batch_step(args.workers, args.batch)
    distributed = ddp_step(args.workers, args.batch)
    print(
        f"max |DDP({args.workers} x {args.batch}) - single({args.workers * args.batch})| "
        f"= {max_difference(reference, distributed):.3g}"
    )
