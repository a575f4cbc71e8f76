"""What the Training page says about a run folder, decided without Streamlit: live or not, and which message."""

import json
from dataclasses import dataclass
from pathlib import Path

from playground.server_paths import ROOTS_ENV
from playground.training import lesson, text
from playground.training.records import compare_runs, list_runs, summarize
from playground.training.train import TrainConfig
from playground.url_values import quoted
from tests.unit.test_url_values import ISSUE_PAYLOAD, PAYLOAD, code_spans, injected, rendered_text
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


def test_a_run_needs_its_data_first(monkeypatch):
    monkeypatch.setenv(ROOTS_ENV, "/data")
    assert lesson.missing_data("mnist", " ") == text.GIVE_THE_FOLDER
    assert lesson.missing_data("mnist", "/data/mnist") is None and lesson.missing_data("digits", "") is None


def test_an_mnist_folder_outside_the_allowed_roots_is_refused_and_nothing_starts(tmp_path, monkeypatch):
    monkeypatch.setenv(ROOTS_ENV, str(tmp_path / "allowed"))
    outside = tmp_path / "elsewhere" / "mnist"
    refused = lesson.missing_data("mnist", str(outside))
    assert ROOTS_ENV in refused and "is outside the folders this server lets its pages read" in refused
    config = TrainConfig(dataset="mnist", data_dir=str(outside), download=True)
    folder, why = lesson.start(config, "me")
    assert folder is None and ROOTS_ENV in why
    assert not (tmp_path / "elsewhere").exists()  # download=true made no folder outside the roots
    assert lesson.missing_data("mnist", str(tmp_path / "allowed" / "mnist")) is None


def test_a_run_folder_outside_the_roots_is_refused_alike_whether_it_exists_or_not(tmp_path, monkeypatch):
    monkeypatch.setenv(ROOTS_ENV, str(tmp_path / "allowed"))
    there = write(tmp_path / "secret" / "run", [CONFIG])
    folders = [str(there), str(tmp_path / "secret" / "nowhere"), "/etc"]
    seen = [lesson.watch(folder, None) for folder in folders]
    assert all(s.run is None and not s.live and ROOTS_ENV in s.missing for s in seen)
    # The same words whether the folder holds a run, nothing, or is the system's: only the path quoted differs.
    assert len({s.missing.replace(quoted(f, limit=160), "PATH") for s, f in zip(seen, folders, strict=True)}) == 1
    linked = write(tmp_path / "allowed" / "link-target", [CONFIG])
    (tmp_path / "allowed" / "escape").symlink_to(tmp_path / "secret")
    assert lesson.watch(str(tmp_path / "allowed" / "escape" / "run"), None).run is None  # a symlink out is out
    assert lesson.watch(str(tmp_path / "allowed" / ".." / "secret" / "run"), None).run is None  # so is ..
    assert lesson.watch(str(linked), None).run.config["world_size"] == 2


def test_a_run_folder_path_too_long_for_the_file_system_is_a_message(tmp_path):
    for folder in (str(tmp_path / ("x" * 300)), str(tmp_path) + "/" + "y" * 100_000, str(tmp_path / "a\x00b")):
        shown = lesson.watch(folder, None)
        assert shown.run is None and not shown.live and shown.missing


def trained(folder, workers, steps, accuracy, lr=1e-3, epochs=5):
    """A finished run whose last epoch ended at global step `steps` with held-out `accuracy`."""
    records = [dict(CONFIG, world_size=workers, lr=lr, epochs=epochs)]
    for r in range(workers):
        records += [
            rec("epoch", r, step=steps, epoch=epochs - 1, accuracy=accuracy, checksum="abc", param_sum=1.0),
            rec("done", r, train_time=2.0, samples_per_s=1000.0),
        ]
    return write(folder, records)


def compared(tmp_path):
    rows = [summarize(run) for run in list_runs(tmp_path)]
    return compare_runs(rows), rows


def test_the_runs_table_counts_optimizer_steps_and_shows_the_learning_rate(tmp_path):
    trained(tmp_path / "one", 1, 115, 0.925, lr=2e-3)
    (row,) = [summarize(run) for run in list_runs(tmp_path)]
    assert row["steps"] == 115 and row["lr"] == 2e-3 and row["accuracy"] == 0.925


def test_more_workers_with_fewer_steps_and_lower_accuracy_are_explained_with_both_fixes(tmp_path):
    trained(tmp_path / "one", 1, 115, 0.925)
    trained(tmp_path / "two", 2, 60, 0.864)
    comparison, rows = compared(tmp_path)
    fix = lesson.fewer_steps(comparison, rows)
    assert fix is not None
    for said in ("0.864", "0.925", "2 x 64 = 128", "this run took 60", "1-worker run 115", "train as many steps"):
        assert said in fix.note
    assert fix.same_steps == {"workers": 2, "epochs": 10}
    assert fix.scaled_lr == {"workers": 2, "lr": 2e-3}


def test_no_explanation_when_more_workers_did_as_well(tmp_path):
    trained(tmp_path / "one", 1, 115, 0.925)
    trained(tmp_path / "two", 2, 120, 0.930)
    assert lesson.fewer_steps(*compared(tmp_path)) is None


def test_the_measured_fewer_steps_figures_show_both_fixes_recover_accuracy():
    measured = text.MEASURED_FEWER_STEPS
    one, two = measured["1 worker"][0], measured["2 workers"][0]
    assert two < one and measured["2 workers, lr x 2"][0] > two and measured["2 workers, 10 epochs"][0] >= one


def test_what_a_run_folder_or_its_records_say_reaches_the_page_as_text_never_as_markdown(tmp_path):
    """The folder is typed by a learner and the records may be anyone's: neither may put a link on the page."""
    missing = lesson.watch(str(tmp_path / PAYLOAD), None).missing
    assert injected(missing) == [] and "There is no folder" in missing
    folder = tmp_path / "r"
    write(folder, [CONFIG, json.dumps({"kind": PAYLOAD}), rec("stopped", rank=-1, reason=PAYLOAD)])
    shown = lesson.watch(str(folder), None)
    assert injected(shown.caption) == [] and code_spans(shown.caption)[0] == str(folder)  # the folder, as typed
    messages = dict(shown.messages)
    assert "unknown kind" in messages["warning"] or "Stopped" in messages["warning"]
    for _, message in shown.messages:
        assert injected(message) == [], message
    write(folder, [CONFIG, rec("error", rank=1, error=f"ValueError: {ISSUE_PAYLOAD}")])
    failed = dict(lesson.watch(str(folder), None).messages)["error"]
    assert injected(failed) == [] and rendered_text(failed).startswith(f"Rank 1 died: ValueError: {ISSUE_PAYLOAD[:30]}")


def test_a_long_run_folder_is_named_in_the_caption_cut_short_with_its_length(tmp_path):
    folder = write(tmp_path / ("x" * 200), [CONFIG])
    caption = lesson.watch(str(folder), None).caption
    assert code_spans(caption) == [str(folder)[:160] + "…"] and f"…` ({len(str(folder)):,} characters)" in caption
