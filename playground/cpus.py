"""How many CPUs this process may really use, and torch's threads set to match, once, at start-up.

`os.cpu_count()` counts the host's cores. A container sees the same number, however few CPUs it is given: a Hugging
Face Space on CPU Basic reports the host's cores but is allowed 2 vCPUs. torch sizes its thread pools from the host's
count, so there it runs many more threads than it has CPUs, and they preempt each other. Two limits are real: the
CPU affinity (which cores the scheduler may put us on) and the cgroup's CPU quota (how much CPU time per period).
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup")
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")  # read by torch's OpenMP and MKL pools when imported


@dataclass(frozen=True)
class CpuBudget:
    usable: int  # what torch's pools are sized to
    affinity: int  # cores this process may be scheduled on
    quota: float | None  # the cgroup's CPUs per period, or None when unlimited
    host: int  # os.cpu_count(): the host's cores

    @property
    def summary(self) -> str:
        quota = f"a cgroup quota of {self.quota:g} CPUs" if self.quota is not None else "no cgroup CPU quota"
        return (
            f"{self.usable} usable: affinity allows {self.affinity} of the host's {self.host} cores, and {quota}. "
            f"torch runs {self.usable} thread{'s' if self.usable != 1 else ''}."
        )


def quota_from_cgroup_v2(cpu_max: str) -> float | None:
    """`cpu.max` holds "QUOTA PERIOD" in microseconds, or "max PERIOD" when unlimited."""
    quota, _, period = cpu_max.strip().partition(" ")
    if quota == "max" or not period:
        return None
    return int(quota) / int(period)


def quota_from_cgroup_v1(quota_us: str, period_us: str) -> float | None:
    """cgroup v1 splits the same two numbers over two files; a quota of -1 means unlimited."""
    quota, period = int(quota_us.strip()), int(period_us.strip())
    return None if quota <= 0 or period <= 0 else quota / period


def cgroup_quota(root: Path = CGROUP) -> float | None:
    try:
        if (root / "cpu.max").exists():
            return quota_from_cgroup_v2((root / "cpu.max").read_text())
        v1 = root / "cpu"
        if (v1 / "cpu.cfs_quota_us").exists():
            return quota_from_cgroup_v1((v1 / "cpu.cfs_quota_us").read_text(), (v1 / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None  # an unreadable or odd cgroup file: fall back to the affinity alone
    return None


def cpu_budget(root: Path = CGROUP) -> CpuBudget:
    host = os.cpu_count() or 1
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else host
    quota = cgroup_quota(root)
    usable = min(affinity, math.ceil(quota)) if quota is not None else affinity
    return CpuBudget(max(1, usable), affinity, quota, host)


def limit_threads(budget: CpuBudget, environ=os.environ) -> dict[str, str]:
    """Before torch is imported: its pools read these variables. An operator's own setting wins."""
    chosen = {name: environ.setdefault(name, str(budget.usable)) for name in THREAD_VARIABLES}
    if "torch" in sys.modules:  # imported already (a test, or a page before this ran): set the pool directly
        apply_to_torch(budget)
    return chosen


_applied = False


def apply_to_torch_once(budget: CpuBudget) -> None:
    """After a page imported torch: size the pools once per process (the inter-op pool can't be resized later)."""
    global _applied
    if not _applied and "torch" in sys.modules:
        apply_to_torch(budget)
        _applied = True


def apply_to_torch(budget: CpuBudget) -> None:
    import torch

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", budget.usable)))
    try:
        torch.set_num_interop_threads(budget.usable)
    except RuntimeError:
        pass  # the inter-op pool exists once any parallel work started; it can only be sized before
