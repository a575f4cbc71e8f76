"""One job per server, stopped as a whole process group and always reaped."""

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from playground import REPO
from playground.training import jobs as job_runner
from playground.training.records import read_run
from playground.training.train import SERVER_PID_ENV, TrainConfig, die_with_server

LONG = TrainConfig(strategy="ddp", workers=2, epochs=20)  # long enough to still be running when we stop it


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def wait_until(condition, timeout: float = 120) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture
def cleanup():
    yield
    job = job_runner.current_job()
    if job is not None and job.running:
        job_runner.stop_job(job, grace_s=1)


def test_stop_kills_the_whole_group_reaps_it_and_records_why(tmp_path, cleanup):
    job = job_runner.start_job(LONG, tmp_path / "a", owner="alice")
    assert job.running and os.getpgid(job.process.pid) == job.process.pid  # its own process group
    with pytest.raises(job_runner.JobBusy, match="Another learner"):
        job_runner.start_job(LONG, tmp_path / "b", owner="bob")
    with pytest.raises(job_runner.JobBusy, match="You already have"):
        job_runner.start_job(LONG, tmp_path / "c", owner="alice")
    assert wait_until(lambda: read_run(tmp_path / "a").config), "rank 0 never wrote its config"  # the ranks are up
    job_runner.stop_job(job, grace_s=3)
    assert job.returncode is not None  # reaped: poll() has collected the exit status
    # A killed rank's pid lingers until init reaps it, so give the group a moment to vanish.
    assert wait_until(lambda: not group_alive(job.process.pid), timeout=5), "a rank outlived the launcher"
    run = read_run(tmp_path / "a")
    assert run.status == "stopped" and "stopped by the learner" in run.of_kind("stopped")[0]["reason"]
    assert not (tmp_path / "b").exists()


def test_a_job_nobody_watches_is_stopped(tmp_path, monkeypatch, cleanup):
    monkeypatch.setattr(job_runner, "ORPHAN_AFTER_S", 0.5)
    job = job_runner.start_job(LONG, tmp_path / "orphan", owner="gone")
    assert wait_until(lambda: not job.running, timeout=30)
    assert "nobody watched" in read_run(tmp_path / "orphan").of_kind("stopped")[0]["reason"]


class SlowToRecord(job_runner.MetricsWriter):
    """Widens the gap between the job's exit and its stop record, where a polling page could look."""

    def write(self, kind, **fields):
        time.sleep(1.0)
        super().write(kind, **fields)


def test_a_stopped_job_counts_as_running_until_its_stop_is_on_record(tmp_path, monkeypatch, cleanup):
    monkeypatch.setattr(job_runner, "MetricsWriter", SlowToRecord)
    monkeypatch.setattr(job_runner, "ORPHAN_AFTER_S", 0.5)
    job = job_runner.start_job(LONG, tmp_path / "slow", owner="gone")
    assert wait_until(lambda: not job.running, timeout=30)  # what the page does: poll, then read the finished run
    assert read_run(tmp_path / "slow").status == "stopped"


def test_two_stops_at_once_stop_and_record_the_job_once(tmp_path, monkeypatch, cleanup):
    monkeypatch.setattr(job_runner, "MetricsWriter", SlowToRecord)
    job = job_runner.start_job(LONG, tmp_path / "twice", owner="alice")
    time.sleep(1)
    stoppers = [
        threading.Thread(target=job_runner.stop_job, args=(job, why, 3))
        for why in ("stopped by the learner", "nobody watched")
    ]
    for thread in stoppers:
        thread.start()
    for thread in stoppers:
        thread.join(timeout=30)
    assert not job.running
    assert len(read_run(tmp_path / "twice").of_kind("stopped")) == 1


def test_a_finished_job_frees_the_server_for_the_next(tmp_path, cleanup):
    quick = TrainConfig(strategy="single", epochs=1)
    first = job_runner.start_job(quick, tmp_path / "first", owner="alice")
    first.process.wait(timeout=240)
    assert first.returncode == 0 and read_run(tmp_path / "first").status == "done"
    second = job_runner.start_job(quick, tmp_path / "second", owner="bob")
    assert second.running or second.returncode == 0


SERVER = """
import sys, time
from pathlib import Path
from playground.training import jobs
from playground.training.pretrain_config import PretrainConfig
tiny = PretrainConfig(workers=2, layers=1, heads=2, width=32, context=32, max_steps=5000, eval_every=2000,
                      eval_chars=1500, sample_tokens=8)
job = jobs.start_job(tiny, Path(sys.argv[1]), owner="teacher")
print(job.process.pid, flush=True)
time.sleep(600)
"""


def test_a_server_killed_with_sigkill_leaves_no_job_behind(tmp_path):
    """kill -9 runs no atexit: the job itself notices that the server that started it is gone, and stops."""
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(tmp_path)],
        cwd=REPO,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        stdout=subprocess.PIPE,
        text=True,
    )
    pgid = None
    try:
        pgid = int(server.stdout.readline())
        training = lambda: {r["rank"] for r in read_run(tmp_path).of_kind("step")} == {0, 1}  # noqa: E731
        assert wait_until(training, timeout=180), "both ranks train before the server dies"
        server.kill()
        server.wait()
        assert wait_until(lambda: not group_alive(pgid), timeout=30), "the launcher and both ranks are gone"
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        if pgid is not None and group_alive(pgid):
            os.killpg(pgid, signal.SIGKILL)
    run = read_run(tmp_path)
    assert not run.of_kind("done") and run.last_step < 5000
    reasons = [r["reason"] for r in run.of_kind("stopped")]
    assert any("web server that started this job" in reason for reason in reasons)


def test_a_job_started_from_the_command_line_does_not_watch_a_server(monkeypatch, tmp_path):
    monkeypatch.delenv(SERVER_PID_ENV, raising=False)
    before = threading.active_count()
    die_with_server(tmp_path)
    assert threading.active_count() == before, "no watcher: it outlives its terminal on purpose"
