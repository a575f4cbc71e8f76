"""What the Training page says about a run folder, decided without Streamlit: live or not, and which message."""

from dataclasses import dataclass
from pathlib import Path

from playground.training import lesson, text
from tests.unit.training.test_records import CONFIG, finished_run, rec, write


@dataclass
class FakeJob:
    """This server's job as the page sees it: its folder, whether it runs, how it exited, who stopped it."""

    run_dir: Path
    running: bool
    returncode: int | None = None
    owner: str = "me"
    stopped_by: str | None = None

    def log_tail(self) -> str:
        return "Traceback: the launcher died"


def test_a_folder_that_is_not_there_says_so_and_is_not_polled(tmp_path):
    shown = lesson.watch(str(tmp_path / "nowhere"), None)
    assert not shown.live and "There is no folder" in shown.missing and "start a run above" in shown.missing


def test_a_run_written_elsewhere_is_live_while_its_records_say_it_runs(tmp_path):
    folder = write(tmp_path / "elsewhere", [CONFIG, rec("step", step=1, epoch=0, loss=2.0, samples_per_s=5.0)])
    shown = lesson.watch(str(folder), None)
    assert shown.live and not shown.mine and shown.curves and shown.progress == 0.0
    finished_run(folder, 2, 100.0)
    done = lesson.watch(str(folder), None)
    assert not done.live and done.messages[-1][0] == "success" and "Held-out accuracy 0.500" in done.messages[-1][1]


def test_this_servers_job_is_live_by_its_process_and_done_waits_for_it_to_exit(tmp_path):
    folder = finished_run(tmp_path / "mine", 2, 100.0)
    exiting = lesson.watch(str(folder), FakeJob(folder, running=True))
    assert exiting.live and exiting.mine and exiting.messages == [("info", text.SHUTTING_DOWN)]
    exited = lesson.watch(str(folder), FakeJob(folder, running=False, returncode=0))
    assert not exited.live and exited.messages[0][0] == "success"


def test_an_exit_before_any_rank_said_why_is_a_crash_but_a_stop_is_not(tmp_path):
    folder = write(tmp_path / "crashed", [CONFIG])
    crashed = lesson.watch(str(folder), FakeJob(folder, running=False, returncode=1))
    assert ("error", "The job exited with code 1 before any rank reported why:") in crashed.messages
    assert crashed.crashed_log == "Traceback: the launcher died"
    assert not crashed.curves  # no step was recorded and nothing is coming: no empty charts
    write(folder, [CONFIG, rec("stopped", rank=-1, reason="stopped by the learner")])
    stopped = lesson.watch(str(folder), FakeJob(folder, False, returncode=143, stopped_by="stopped by the learner"))
    assert stopped.messages == [("warning", "Stopped: stopped by the learner")] and stopped.crashed_log is None


def test_a_failed_rank_is_named_and_unreadable_lines_are_counted(tmp_path):
    folder = write(tmp_path / "failed", [CONFIG, "garbage", rec("error", rank=1, error="RuntimeError: boom")])
    kinds = dict(lesson.watch(str(folder), None).messages)
    assert kinds["error"].startswith("Rank 1 died: RuntimeError: boom")
    assert kinds["warning"].startswith("Skipped 1 unreadable line(s)")


def test_only_the_learner_who_started_the_job_may_stop_it(monkeypatch):
    from playground.training import jobs

    job = FakeJob(Path("/tmp/run"), running=True, owner="someone else")
    monkeypatch.setattr(jobs, "_job", job)
    assert lesson.stop("me") == text.NOT_YOURS


def test_a_run_needs_its_data_first():
    assert lesson.missing_data("mnist", " ") == text.GIVE_THE_FOLDER
    assert lesson.missing_data("mnist", "/data/mnist") is None and lesson.missing_data("digits", "") is None
