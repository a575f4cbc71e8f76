"""Reading metrics.jsonl: tolerant of garbage and half-written lines, strict about what a record must hold."""

import json

import pytest

from playground.training.figures import checksum_table, gpu_memory_figure, overall_by_step
from playground.training.records import compare_runs, list_runs, parse_line, read_run, summarize


def rec(kind, rank=0, t=0.0, **fields):
    return {"kind": kind, "rank": rank, "time": t, "elapsed": t, **fields}


CONFIG = rec("config", world_size=2, strategy="ddp", dataset="digits", batch_size=64, epochs=1)


def write(folder, records, tail=""):
    folder.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(r) + "\n" if isinstance(r, dict) else r + "\n" for r in records)
    (folder / "metrics.jsonl").write_text(text + tail)
    return folder


def test_parse_line_names_the_problem():
    assert parse_line(json.dumps(rec("step", step=1, epoch=0, loss=2.3, samples_per_s=10.0)))["loss"] == 2.3
    for line, message in [
        ("{oops", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        (json.dumps(rec("party")), "unknown kind"),
        (json.dumps(rec("step", step=1)), "step record lacks epoch, loss, samples_per_s"),
        (json.dumps(rec("done", rank="zero", train_time=1, samples_per_s=1)), "rank must be"),
    ]:
        with pytest.raises(ValueError, match=message):
            parse_line(line)


def test_garbage_lines_are_skipped_with_a_message_and_a_half_written_line_waits(tmp_path):
    folder = write(
        tmp_path / "r",
        [CONFIG, "garbage!", rec("step", step=1, epoch=0, loss=2.0, samples_per_s=5.0)],
        tail='{"kind": "step", "ra',
    )
    run = read_run(folder)
    assert len(run.records) == 2
    assert run.problems == ["line 2: not JSON (Expecting value)"]
    assert run.status == "running"


def test_missing_folder_or_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="There is no folder"):
        read_run(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="has no metrics.jsonl"):
        read_run(tmp_path)


def test_status_done_needs_every_rank_and_the_first_error_names_the_culprit(tmp_path):
    done = [rec("done", r, train_time=1.0, samples_per_s=100.0) for r in (0, 1)]
    assert read_run(write(tmp_path / "a", [CONFIG, done[0]])).status == "running"
    assert read_run(write(tmp_path / "b", [CONFIG, *done])).status == "done"
    failed = read_run(
        write(
            tmp_path / "c",
            [
                CONFIG,
                rec("error", 0, t=9, error="RuntimeError: connection closed"),
                rec("error", 1, t=5, error="RuntimeError: injected failure"),
            ],
        )
    )
    assert failed.status == "failed"
    assert failed.failure_message() == (
        "Rank 1 died: RuntimeError: injected failure (then rank 0 lost its connection to it)"
    )
    # A peer's lost connection may be written before the launcher reports the rank that was killed.
    killed = read_run(
        write(
            tmp_path / "k",
            [
                CONFIG,
                rec("error", 1, t=1, error="RuntimeError: [pair.cc:537] Read error: Connection reset by peer."),
                rec("error", 0, t=2, error="rank 0 was killed by signal SIGKILL", source="launcher"),
            ],
        )
    )
    assert killed.failure_message().startswith("Rank 0 died: rank 0 was killed by signal SIGKILL")
    assert read_run(write(tmp_path / "d", [CONFIG, rec("stopped", -1, reason="x")])).status == "stopped"
    assert read_run(write(tmp_path / "e", [])).status == "waiting"
    # Stop pressed while a finished run's processes were exiting: the run had finished, and counts as done.
    assert read_run(write(tmp_path / "f", [CONFIG, *done, rec("stopped", -1, reason="x")])).status == "done"


def finished_run(folder, workers, rate_per_rank, checksums=("abc", "abc")):
    config = dict(CONFIG, world_size=workers)
    records = [config]
    for r in range(workers):
        records += [
            rec("step", r, step=1, epoch=0, loss=2.0 + r, samples_per_s=rate_per_rank),
            rec(
                "epoch",
                r,
                step=1,
                epoch=0,
                accuracy=0.5,
                checksum=checksums[r % len(checksums)],
                param_sum=1.0,
                epoch_time=1.0,
                samples_per_s=rate_per_rank,
            ),
            rec("done", r, train_time=2.0, samples_per_s=rate_per_rank),
        ]
    return write(folder, records)


def test_summary_adds_ranks_throughput_and_comparison_gives_speedup_and_efficiency(tmp_path):
    finished_run(tmp_path / "one", 1, 1000.0)
    finished_run(tmp_path / "two", 2, 800.0)
    rows = [summarize(run) for run in list_runs(tmp_path)]
    two = next(r for r in rows if r["run"] == "two")
    assert two["samples/s"] == 1600.0 and two["weights identical"] is True and two["status"] == "done"
    table = compare_runs(rows).set_index("run")
    assert table.loc["two", "speedup"] == pytest.approx(1.6)
    assert table.loc["two", "efficiency"] == pytest.approx(0.8)
    assert table.loc["one", "speedup"] == pytest.approx(1.0)


def test_no_baseline_means_no_comparison(tmp_path):
    finished_run(tmp_path / "two", 2, 800.0)
    assert compare_runs([summarize(r) for r in list_runs(tmp_path)]).empty


def test_overall_curves_average_the_loss_and_add_the_throughput(tmp_path):
    run = read_run(finished_run(tmp_path / "two", 2, 800.0, checksums=("abc", "abd")))
    overall = overall_by_step(run)
    assert overall.loss.tolist() == [2.5] and overall.samples_per_s.tolist() == [1600.0]
    assert checksum_table(run)["identical"].tolist() == [False]


def test_gpu_memory_is_drawn_per_rank_for_cuda_runs_and_left_out_for_cpu_runs(tmp_path):
    steps = [
        rec("step", rank, step=s, epoch=0, loss=1.0, samples_per_s=10.0, gpu_mem_mb=100.0 + s + rank)
        for rank in (0, 1)
        for s in (1, 2)
    ]
    fig = gpu_memory_figure(read_run(write(tmp_path / "cuda", [CONFIG, *steps])))
    assert [trace.name for trace in fig.data] == ["rank 0", "rank 1"]
    assert list(fig.data[1].y) == [102.0, 103.0]
    cpu_steps = [rec("step", 0, step=1, epoch=0, loss=1.0, samples_per_s=10.0)]
    assert gpu_memory_figure(read_run(write(tmp_path / "cpu", [CONFIG, *cpu_steps]))) is None
