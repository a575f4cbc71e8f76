"""The training job as a learner or a cluster runs it: `python -m playground.training.train` with 2 gloo processes."""

import os
import signal
import subprocess
import sys

from playground import REPO
from playground.training import train as train_module
from playground.training.records import read_run
from playground.training.train import MAX_EPOCHS, MAX_STEPS, TrainConfig, apply_caps

ROOT = REPO


def train(run_dir, *args, timeout=240):
    cmd = [sys.executable, "-m", "playground.training.train", "--epochs", "1", "--run-dir", str(run_dir), *args]
    return subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=dict(os.environ, PYTHONPATH=str(ROOT))
    )


def test_two_gloo_workers_train_with_different_losses_but_identical_weights(tmp_path):
    result = train(tmp_path, "--workers", "2")
    assert result.returncode == 0, result.stderr[-2000:]
    run = read_run(tmp_path)
    assert run.status == "done" and not run.problems
    assert run.config["backend"] == "gloo" and run.world_size == 2
    steps = run.steps()
    # 1,438 training images over 2 ranks = 719 each, at 64 a step: 12 steps per rank, the last one short.
    assert steps.groupby("rank").step.max().tolist() == [12, 12]
    by_rank = steps.pivot(index="step", columns="rank", values="loss")
    assert (by_rank[0] != by_rank[1]).all(), "each rank sees different images, so its loss differs"
    epochs = run.epochs()
    assert epochs.checksum.nunique() == 1 and epochs.param_sum.nunique() == 1, "DDP keeps the weights identical"
    assert epochs.accuracy.nunique() == 1 and epochs.accuracy.iloc[0] > 0.2  # chance is 0.1
    assert sorted(r["samples"] for r in run.of_kind("done")) == [719, 719]


def test_a_worker_that_raises_is_named_with_its_error_and_the_job_fails(tmp_path):
    result = train(tmp_path, "--workers", "2", "--crash-rank", "1", "--crash-step", "2")
    assert result.returncode != 0
    run = read_run(tmp_path)
    assert run.status == "failed"
    assert run.failure_message().startswith(
        "Rank 1 died: RuntimeError: injected failure: rank 1 was told to crash at step 2"
    )


def test_a_worker_killed_by_a_signal_is_reported_by_the_launcher(tmp_path):
    result = train(tmp_path, "--workers", "2", "--crash-rank", "0", "--crash-step", "1", "--crash-how", "kill")
    assert result.returncode != 0
    message = read_run(tmp_path).failure_message()
    assert message.startswith("Rank 0 died: rank 0 was killed by signal SIGKILL"), message


def test_the_launcher_notices_a_later_rank_dying_while_rank_0_still_runs(tmp_path, monkeypatch):
    """Rank 1 dies before it ever joins, so rank 0 would wait for it until the rendezvous timed out."""
    stand_in = "import os, sys, time; sys.exit(3) if os.environ['RANK'] == '1' else time.sleep(120)"
    started, real_popen = [], subprocess.Popen

    def popen(cmd, env):
        started.append(real_popen([sys.executable, "-c", stand_in], env=env))
        return started[-1]

    monkeypatch.setattr(train_module.subprocess, "Popen", popen)
    previous = signal.getsignal(signal.SIGTERM)
    try:
        assert train_module.launch(TrainConfig(workers=2), tmp_path) == 1
    finally:
        signal.signal(signal.SIGTERM, previous)  # launch() installs its own handler
    rank0, rank1 = started
    assert rank1.returncode == 3
    assert rank0.returncode == -signal.SIGTERM, "rank 0 was ended by the launcher, not left to finish its sleep"


def listening_sockets(pids) -> list[tuple[str, int]]:
    """(address, port) of every TCP socket these processes listen on, read from /proc as `ss -ltnp` would."""
    inodes = set()
    for pid in pids:
        try:
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:  # the process ended meanwhile
            continue
        inodes |= {link[len("socket:[") : -1] for link in links if link.startswith("socket:[")}
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in open(table).read().splitlines()[1:]:
            local, state, inode = line.split()[1], line.split()[3], line.split()[9]
            if state == "0A" and inode in inodes:  # 0A: LISTEN
                address, port = local.rsplit(":", 1)
                loopback = address in ("0100007F", "00000000000000000000000001000000")  # 127.0.0.1 and ::1
                found.append(("loopback" if loopback else address, int(port, 16)))
    return found


def test_a_one_machine_job_listens_on_loopback_only_so_a_classroom_network_cant_reach_it(tmp_path):
    job = subprocess.Popen(
        [sys.executable, "-m", "playground.training.train", "--workers", "2", "--epochs", "20"]
        + ["--run-dir", str(tmp_path), "--overwrite"],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        start_new_session=True,
    )
    try:
        seen, ranks = [], []
        for _ in range(240):  # until both ranks train (their all-reduce connections are up), or 2 minutes
            group = subprocess.run(["pgrep", "-g", str(job.pid)], capture_output=True, text=True).stdout.split()
            ranks = [pid for pid in group if int(pid) != job.pid]
            seen = listening_sockets(group)
            if job.poll() is not None or (len(ranks) == 2 and any('"step"' in line for line in open_records(tmp_path))):
                break
            subprocess.run(["sleep", "0.5"])
        assert len(ranks) == 2 and seen, "the job should have two ranks and a rendezvous by now"
        assert {address for address, _ in seen} == {"loopback"}, seen
        for pid in ranks:
            environ = open(f"/proc/{pid}/environ", "rb").read().split(b"\0")
            assert b"GLOO_SOCKET_IFNAME=lo" in environ and b"TORCHELASTIC_USE_AGENT_STORE=True" in environ
    finally:
        os.killpg(job.pid, signal.SIGTERM)
        job.wait(30)


def open_records(run_dir):
    path = run_dir / "metrics.jsonl"
    return path.read_text().splitlines() if path.exists() else []


def test_a_used_run_folder_is_refused_without_overwrite(tmp_path):
    (tmp_path / "metrics.jsonl").write_text('{"kind": "config"}\n')
    result = train(tmp_path, "--strategy", "single")
    assert result.returncode == 2 and "already holds a run" in result.stderr


def test_caps_clamp_with_a_note_each():
    config, notes = apply_caps(
        TrainConfig(workers=8, epochs=500, max_steps=10**6, batch_size=10**5), cpu_count=2, gpu_count=0
    )
    assert (config.workers, config.epochs, config.max_steps, config.batch_size) == (2, MAX_EPOCHS, MAX_STEPS, 1024)
    assert len(notes) == 4 and "this machine has 2 CPU cores" in notes[0]
    gpu, gpu_notes = apply_caps(TrainConfig(workers=3, device="cuda"), cpu_count=64, gpu_count=0)
    assert gpu.device == "cpu" and gpu.workers == 3 and "No CUDA GPU" in gpu_notes[0]
    single, _ = apply_caps(TrainConfig(strategy="dataparallel", workers=4), cpu_count=8, gpu_count=0)
    assert single.workers == 1
    fine, none = apply_caps(TrainConfig(), cpu_count=2, gpu_count=0)
    assert fine == TrainConfig() and none == []


def test_the_docstring_documents_the_torchrun_command_lines():
    import playground.training.train as train_module

    doc = train_module.__doc__
    assert "python -m playground.training.train --workers 2 --epochs 1 --run-dir" in doc
    assert "torchrun --standalone --nproc_per_node=4 -m playground.training.train" in doc
    assert doc.count("--nnodes=2") == 2 and "--node_rank=1" in doc
