"""What the Training page's AppTests share: a runs folder of their own, and no job left running after a test."""

import pytest

from playground.training import jobs as job_runner


@pytest.fixture
def runs(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_RUNS_DIR", str(tmp_path / "runs"))
    yield tmp_path / "runs"
    job = job_runner.current_job()
    if job is not None and job.running:
        job_runner.stop_job(job, grace_s=1)
