"""Running one training job per server, from a web page, without leaving anything behind.

The job is `python -m playground.training.train` in a subprocess with its own session (start_new_session=True), so its
process group holds the launcher and every rank: Stop is one killpg that reaches them all. A background thread reaps the
process when it ends, and stops it when the page that started it has not polled for a while (its browser tab went
away). If the server itself dies, even by `kill -9`, the job notices and stops itself (train.die_with_server).
`multiprocessing` never runs inside the web server.

Only one job runs at a time per server: the machine's cores are what the lesson measures, and two jobs sharing them
would make each other's speedups meaningless. A second learner gets JobBusy and is told to wait.
"""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from playground import REPO
from playground.training.train import METRICS_FILE, SERVER_PID_ENV, MetricsWriter, TrainConfig, job_command

ROOT = REPO
ORPHAN_AFTER_S = 120.0  # a job whose page has not polled for this long is stopped


class JobBusy(RuntimeError):
    """Another learner's job is running on this server."""


@dataclass
class Job:
    process: subprocess.Popen
    run_dir: Path
    owner: str  # the session that started it: only it may stop it, and it alone keeps it alive
    config: TrainConfig
    started: float = field(default_factory=time.time)
    heartbeat: float = field(default_factory=time.monotonic)
    stopped_by: str | None = None
    stop_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)  # held from signal to record

    @property
    def running(self) -> bool:
        """True until the process has exited and, if it was stopped, until the stop is on record.

        Without the second half, a page polling between the exit and the record would see a job that exited with
        143 (or -15, if the Stop came before the launcher's handler was in place) and nothing in its metrics, and
        report a crash instead of the stop.
        """
        return self.process.poll() is None or self.stop_lock.locked()  # poll() also reaps a finished process

    @property
    def returncode(self) -> int | None:
        return self.process.poll()

    def log_tail(self, lines: int = 15) -> str:
        """The end of the job's stdout/stderr: why it failed when no rank could write an error record."""
        path = self.run_dir / "job.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


_lock = threading.Lock()
_job: Job | None = None
_reaper: threading.Thread | None = None


def current_job() -> Job | None:
    return _job


def start_job(config: TrainConfig, run_dir: Path, owner: str) -> Job:
    """Launch the job; JobBusy if one is already running (whoever started it)."""
    global _job
    with _lock:
        if _job is not None and _job.running:
            who = "You already have" if _job.owner == owner else "Another learner has"
            raise JobBusy(
                f"{who} a training job running ({_job.run_dir.name}); one job at a time per server. "
                "Wait for it to finish or stop it."
            )
        run_dir = Path(run_dir)
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / METRICS_FILE).write_text("")  # the page can show "waiting" while the processes import torch
        cmd = job_command(config, run_dir, "--overwrite")
        env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1", **{SERVER_PID_ENV: str(os.getpid())})
        with open(run_dir / "job.log", "wb") as log:
            process = subprocess.Popen(
                cmd,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        _job = Job(process, run_dir, owner, config)
        _ensure_reaper()
        return _job


def stop_job(job: Job, reason: str = "stopped by the learner", grace_s: float = 5.0) -> None:
    """SIGTERM the whole process group, SIGKILL what is left after `grace_s`, reap, and record why.

    The learner's Stop, the orphan reaper and server shutdown may call this together. The lock makes the later
    callers wait for the first and then find nothing to do, so a run is stopped, and recorded as stopped, once; and
    shutdown does not return while a stop it raced is still killing the group.
    """
    with job.stop_lock:
        if job.process.poll() is not None:
            return
        job.stopped_by = reason
        _signal_group(job, signal.SIGTERM)
        try:
            job.process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            _signal_group(job, signal.SIGKILL)
            job.process.wait()
        # Ranks are in the same group: none may outlive the launcher. The group id cannot be reused while any of
        # its members lives, so this reaches only our own processes.
        _signal_group(job, signal.SIGKILL)
        MetricsWriter(job.run_dir / METRICS_FILE, -1).write("stopped", reason=reason)


def heartbeat(job: Job) -> None:
    """Called by the page each time it polls: the learner is still watching."""
    job.heartbeat = time.monotonic()


def _signal_group(job: Job, sig: int) -> None:
    try:
        os.killpg(job.process.pid, sig)  # start_new_session made the job's pid its process-group id
    except (ProcessLookupError, PermissionError):
        pass


def _reap_forever() -> None:
    while True:
        job = _job
        if job is not None and job.running and time.monotonic() - job.heartbeat > ORPHAN_AFTER_S:
            stop_job(job, reason=f"nobody watched the job for {ORPHAN_AFTER_S:.0f} s (the page was closed)")
        time.sleep(1.0)


def _ensure_reaper() -> None:
    global _reaper
    if _reaper is None or not _reaper.is_alive():
        _reaper = threading.Thread(target=_reap_forever, name="training-job-reaper", daemon=True)
        _reaper.start()


@atexit.register
def _stop_on_exit() -> None:
    if _job is not None and _job.running:
        stop_job(_job, reason="the server shut down", grace_s=2.0)
