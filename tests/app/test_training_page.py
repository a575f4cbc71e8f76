"""The Training page as a learner uses it: start a job, poll until its `done` record, and every kind of bad input."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground.system import runtime_info
from playground.training import jobs as job_runner
from playground.training.train import TrainConfig
from tests.unit.training.test_records import CONFIG, finished_run, rec, write

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "training.py")


def page() -> AppTest:
    """The page on the lesson's SimpleNN task (tests/app/test_pretraining_page.py covers the GPT task)."""
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["task"] = "digits"
    at.run()
    assert not at.exception
    return at


def poll(at: AppTest, until, timeout: float = 240) -> AppTest:
    """AppTest does not fire run_every fragments: rerun the page like the browser's timer would."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        at.run()
        assert not at.exception
        if until(at):
            return at
        time.sleep(1)
    raise AssertionError(f"gave up after {timeout}s; captions: {[c.value for c in at.caption]}")


def texts(elements) -> str:
    return " | ".join(str(e.value) for e in elements)


def test_a_two_worker_run_is_polled_until_every_rank_is_done(runs):
    at = page()
    at.number_input(key="training.epochs").set_value(2).run()
    at.button[0].click().run()
    assert not at.exception
    folder = at.text_input(key="training.run").value
    assert folder.startswith(str(runs)) and job_runner.current_job().owner
    poll(at, lambda at: "Done" in texts(at.success) or at.error)
    assert "Done: every rank wrote its `done` record" in texts(at.success)
    assert " · done · 2 worker(s) · backend gloo · epoch 2 of 2" in texts(at.caption)
    charts = at.get("plotly_chart")
    assert len(charts) >= 3
    checksums = at.dataframe[0].value
    assert list(checksums.columns) == ["rank 0", "rank 1", "identical"] and checksums.identical.all()
    runs_table = at.dataframe[1].value
    assert runs_table.status.tolist() == ["done"] and runs_table.workers.tolist() == [2]
    assert "Finish a run with 1 worker" in texts(at.info)  # no baseline yet, so no speedup is invented
    assert job_runner.current_job().process.wait(timeout=60) == 0  # ranks destroy their group, launcher exits


def test_too_many_workers_and_epochs_are_capped_with_a_note(runs):
    at = page()
    at.number_input(key="training.workers").set_value(16).run()
    at.number_input(key="training.epochs").set_value(50).run()
    cores = runtime_info().cpu_count
    assert f"Asked for 16 workers but this machine has {cores} CPU cores; capped at {cores}" in texts(at.info)
    assert "epochs 50 is over the cap of 20; using 20" in texts(at.info)
    assert "--nproc_per_node=2" in at.code[0].value or cores != 2
    assert "epochs = 20" in at.code[0].value, "the code panel shows the capped run"


def test_a_missing_run_folder_says_so(runs):
    at = page()
    at.text_input(key="training.run").set_value(f"{runs}/no-such-run").run()
    assert f"There is no folder {runs}/no-such-run" in texts(at.error).replace("\\_", "_")


def test_a_run_folder_outside_the_allowed_roots_is_refused_without_saying_what_is_there(runs, monkeypatch):
    from playground.server_paths import ROOTS_ENV

    monkeypatch.setenv(ROOTS_ENV, str(runs / "allowed"))
    at = page()
    said = []
    for folder in ("/etc", "/no/such/run", "/proc/self"):
        at.text_input(key="training.run").set_value(folder).run()
        assert not at.exception and ROOTS_ENV in texts(at.error) and "metrics.jsonl" not in texts(at.error)
        said.append(texts(at.error).replace(f"`{folder}`", "PATH"))
    assert len(set(said)) == 1


def test_garbage_lines_in_a_watched_folder_are_skipped_with_a_message(runs, tmp_path):
    folder = tmp_path / "cluster-run"
    folder.mkdir()
    config = {
        "kind": "config",
        "rank": 0,
        "time": 1.0,
        "elapsed": 0.0,
        "world_size": 1,
        "strategy": "ddp",
        "dataset": "digits",
        "batch_size": 64,
        "epochs": 1,
    }
    step = {
        "kind": "step",
        "rank": 0,
        "time": 2.0,
        "elapsed": 1.0,
        "step": 1,
        "epoch": 0,
        "loss": 2.2,
        "samples_per_s": 100.0,
    }
    (folder / "metrics.jsonl").write_text(json.dumps(config) + "\nthis is not json\n" + json.dumps(step) + "\n")
    at = page()
    at.text_input(key="training.run").set_value(str(folder)).run()
    assert "Skipped 1 unreadable line(s) in metrics.jsonl, e.g. line 2: not JSON" in texts(at.warning)
    assert " · running · 1 worker(s)" in texts(at.caption)


def test_a_run_stopped_before_its_first_step_says_so_instead_of_drawing_empty_charts(runs, tmp_path):
    stopped = rec("stopped", rank=-1, t=2.0, reason="stopped by the learner")
    folder = write(tmp_path / "stopped-early", [dict(CONFIG, epochs=3), stopped])
    at = page()
    at.text_input(key="training.run").set_value(str(folder)).run()
    assert "Stopped: stopped by the learner" in texts(at.warning)
    assert "no curves to draw" in texts(at.info) and not at.get("plotly_chart")


def test_stop_pressed_as_a_run_finished_shows_it_done_not_crashed(runs, tmp_path, monkeypatch):
    """Every rank wrote `done`, then the Stop's SIGTERM reached the launcher as it exited: code 143, not a crash."""
    folder = finished_run(tmp_path / "finished-then-stopped", workers=2, rate_per_rank=100.0)
    with open(folder / "metrics.jsonl", "a") as metrics:
        metrics.write(json.dumps(rec("stopped", rank=-1, t=5.0, reason="stopped by the learner")) + "\n")
    launcher = subprocess.Popen([sys.executable, "-c", "raise SystemExit(143)"])
    launcher.wait()
    job = job_runner.Job(launcher, folder, owner="someone", config=TrainConfig(), stopped_by="stopped by the learner")
    monkeypatch.setattr(job_runner, "_job", job)
    at = page()
    at.text_input(key="training.run").set_value(str(folder)).run()
    assert "Done: every rank wrote its `done` record" in texts(at.success)
    assert not at.error


def test_a_worker_that_dies_is_named_with_its_reason(runs):
    at = page()
    at.number_input(key="training.epochs").set_value(1).run()
    at.number_input(key="training.crash_rank").set_value(1).run()
    at.number_input(key="training.crash_step").set_value(2).run()
    at.button[0].click().run()
    poll(at, lambda at: at.error or at.success)
    assert "Rank 1 died: RuntimeError: injected failure: rank 1 was told to crash at step 2" in texts(at.error)
    assert job_runner.current_job().process.wait(timeout=60) != 0  # the launcher ended the other rank and failed


def test_a_second_learner_is_told_to_wait(runs):
    first, second = page(), page()
    first.number_input(key="training.epochs").set_value(20).run()
    first.button[0].click().run()
    second.button[0].click().run()
    assert "Another learner has a training job running" in texts(second.warning)
    first.button[1].click().run()  # Stop
    assert not job_runner.current_job().running
    assert "Stopped: stopped by the learner" in texts(first.warning)
    assert not first.error, "a stop is not a crash, though the launcher exits with 143"


def test_a_bad_link_falls_back_to_the_default_with_a_warning(runs):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["workers"] = "many"
    at.run()
    assert not at.exception
    assert "`workers=many` could not be used" in texts(at.warning)
    assert at.number_input(key="training.workers").value == 2


def test_data_parallel_on_cpu_is_explained_and_runs_one_process(runs):
    at = page()
    at.radio(key="training.strategy").set_value("dataparallel").run()
    assert "here it just runs the model once per batch" in texts(at.info)
    assert at.number_input(key="training.workers").disabled
    assert "nn.DataParallel(model)" in at.code[0].value and "DDP(" not in at.code[0].value


def test_mnist_needs_a_folder_before_it_can_start(runs):
    at = page()
    at.selectbox(key="training.dataset").set_value("mnist").run()
    assert "Give the folder that holds the four MNIST IDX files" in texts(at.warning)
    assert at.button[0].disabled
    at.text_input(key="training.data_dir").set_value("/data/mnist").run()  # not a folder the server allows
    assert at.button[0].disabled and "PLAYGROUND_PATH_ROOTS" in texts(at.warning)
    at.text_input(key="training.data_dir").set_value(f"{runs}/mnist").run()
    assert not at.button[0].disabled and f'"{runs}/mnist"' in at.code[0].value


def test_a_one_and_a_two_worker_run_give_the_speedup_and_why_it_may_fall_short(runs):
    from tests.unit.training.test_records import finished_run

    finished_run(runs / "one-worker", 1, 1000.0)
    finished_run(runs / "two-workers", 2, 300.0)  # 600 samples/s in all: slower than one worker
    at = page()
    comparison = at.dataframe[-1].value
    assert comparison.sort_values("workers").speedup.round(2).tolist() == [1.0, 0.6]
    assert "Why 2 workers may not be 2× faster" in texts(at.markdown)


def test_two_workers_that_learned_less_in_fewer_steps_are_explained_and_one_click_sets_either_fix(runs):
    from tests.unit.training.test_lesson import trained

    trained(runs / "one-worker", 1, 115, 0.925)
    trained(runs / "two-workers", 2, 60, 0.864)
    at = page()
    note = texts(at.info)
    assert "Why 2 workers reached a lower accuracy: 0.864, against 0.925" in note and "this run took 60" in note
    next(b for b in at.button if b.label == "Set 10 epochs").click().run()
    assert at.number_input(key="training.epochs").value == 10 and at.number_input(key="training.workers").value == 2
    next(b for b in at.button if b.label == "Set the learning rate to 0.002").click().run()
    assert at.number_input(key="training.lr").value == pytest.approx(2e-3)
    assert "lr=2" in str(at.query_params) or at.query_params.get("lr") in (["0.002"], "0.002")


def test_the_runs_table_is_redrawn_with_the_run_it_lists(runs, tmp_path):
    write(runs / "later", [CONFIG])  # a run that has started: its config record, no step yet
    at = page()
    at.text_input(key="training.run").set_value(str(runs / "later")).run()
    assert runs_table(at).status.tolist() == ["running"]
    finished_run(runs / "later", 2, 800.0)
    poll(at, lambda at: runs_table(at).status.tolist() == ["done"], timeout=30)
    assert runs_table(at).steps.tolist() == [1]


def runs_table(at: AppTest):
    return next(d.value for d in at.dataframe if "status" in d.value.columns)
