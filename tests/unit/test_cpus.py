"""torch's threads follow the CPUs this process may use, not the host's core count a container reports."""

import os

import pytest

from playground import cpus


def test_cgroup_v2_quota_is_cpus_per_period_and_max_is_unlimited():
    assert cpus.quota_from_cgroup_v2("200000 100000\n") == 2.0
    assert cpus.quota_from_cgroup_v2("150000 100000") == 1.5
    assert cpus.quota_from_cgroup_v2("max 100000") is None


def test_cgroup_v1_quota_of_minus_one_is_unlimited():
    assert cpus.quota_from_cgroup_v1("200000\n", "100000\n") == 2.0
    assert cpus.quota_from_cgroup_v1("-1", "100000") is None


def space_like(root, cpu_max: str):
    root.mkdir(parents=True, exist_ok=True)
    (root / "cpu.max").write_text(cpu_max)
    return root


def test_a_quota_below_the_affinity_decides_and_is_rounded_up(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 64)  # a Space's host
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)))
    budget = cpus.cpu_budget(space_like(tmp_path / "v2", "150000 100000"))
    assert (budget.usable, budget.affinity, budget.quota, budget.host) == (2, 64, 1.5, 64)
    assert "2 usable" in budget.summary and "64 cores" in budget.summary and "1.5 CPUs" in budget.summary


def test_without_a_quota_the_affinity_decides(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2})
    budget = cpus.cpu_budget(space_like(tmp_path / "v2", "max 100000"))
    assert (budget.usable, budget.quota) == (3, None) and "no cgroup CPU quota" in budget.summary


def test_a_v1_cgroup_is_read_and_an_odd_file_falls_back_to_the_affinity(tmp_path):
    v1 = tmp_path / "v1" / "cpu"
    v1.mkdir(parents=True)
    (v1 / "cpu.cfs_quota_us").write_text("300000")
    (v1 / "cpu.cfs_period_us").write_text("100000")
    assert cpus.cgroup_quota(tmp_path / "v1") == 3.0
    assert cpus.cgroup_quota(space_like(tmp_path / "odd", "lots 100000")) is None
    assert cpus.cgroup_quota(tmp_path / "none") is None


def test_this_machines_budget_matches_its_affinity():
    budget = cpus.cpu_budget()
    assert 1 <= budget.usable <= len(os.sched_getaffinity(0)) <= budget.host


def test_threads_are_set_for_torch_before_it_is_imported_and_an_operators_setting_wins():
    budget = cpus.CpuBudget(usable=2, affinity=64, quota=2.0, host=64)
    environ = {"MKL_NUM_THREADS": "1"}
    assert cpus.limit_threads(budget, environ) == {"OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "1"}
    assert environ["OMP_NUM_THREADS"] == "2"


@pytest.mark.parametrize("usable", [1, 2])
def test_a_fresh_torch_gets_the_budgets_threads(usable):
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in cpus.THREAD_VARIABLES}
    script = (
        "from playground import cpus\n"
        f"budget = cpus.CpuBudget({usable}, 64, None, 64)\n"
        "cpus.limit_threads(budget)\n"
        "import torch\n"
        "cpus.apply_to_torch_once(budget)\n"
        "print(torch.get_num_threads(), torch.get_num_interop_threads())\n"
    )
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == [str(usable), str(usable)]
