"""Reading metrics.jsonl: tolerant of garbage and half-written lines, strict about what a record must hold."""

import json

import pytest

from playground.training import records
from playground.training.figures import checksum_table, gpu_memory_figure, overall_by_step
from playground.training.records import KEEP, MAX_LINE, compare_runs, list_runs, parse_line, read_run, summarize


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


# ---- garbage a cluster or a bug could write (issue 19): skipped, counted, never a crash ------------------------
GARBAGE = {
    "world_size two": rec("config", world_size="two", strategy="ddp", dataset="digits", batch_size=64),
    "world_size -3": rec("config", world_size=-3, strategy="ddp", dataset="digits", batch_size=64),
    "world_size 2.5": rec("config", world_size=2.5, strategy="ddp", dataset="digits", batch_size=64),
    "epochs five": rec("config", world_size=2, strategy="ddp", dataset="digits", batch_size=64, epochs="five"),
    "integer error": rec("error", error=42),
    "time late": rec("error", t="late", error="RuntimeError"),
    "loss bad": rec("step", step=1, epoch=0, loss="bad", samples_per_s=1.0),
    "samples_per_s null": rec("step", step=1, epoch=0, loss=1.0, samples_per_s=None),
    "epoch list": rec("epoch", step=1, epoch=[0], accuracy=0.5, checksum="a", param_sum=1.0),
    "epoch dict": rec("epoch", step=1, epoch=0, accuracy={"a": 1}, checksum="a", param_sum=1.0),
    "epoch None": rec("epoch", step=1, epoch=0, accuracy=None, checksum="a", param_sum=1.0),
    "epoch_time list": rec("epoch", step=1, epoch=0, accuracy=0.5, checksum="a", param_sum=1.0, epoch_time=[]),
    "train_time x": rec("done", train_time="x", samples_per_s=1.0),
    "gpt config without its sizes": rec("config", world_size=1, strategy="ddp", dataset="d", batch_size=1, task="gpt"),
    "infinite time": rec("done", t=float("inf"), train_time=1.0, samples_per_s=1.0),
}


@pytest.mark.parametrize("name", GARBAGE)
def test_a_record_with_a_field_of_the_wrong_kind_is_skipped_and_counted(tmp_path, name):
    step = rec("step", step=1, epoch=0, loss=2.0, samples_per_s=5.0)
    run = read_run(write(tmp_path / "r", [CONFIG, GARBAGE[name], step]))
    assert run.unreadable == 1 and run.problems[0].startswith("line 2: ") and len(run.records) == 2
    assert run.status == "running" and run.steps().loss.tolist() == [2.0]
    summarize(run)  # the runs table can be drawn


def test_a_world_size_of_a_trillion_allocates_nothing_and_never_counts_as_done(tmp_path):
    import tracemalloc

    config = dict(CONFIG, world_size=10**12)
    folder = write(tmp_path / "r", [config, rec("done", 0, train_time=1.0, samples_per_s=1.0)])
    tracemalloc.start()
    run = read_run(folder)
    status = run.status
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert status == "running" and peak < 5e6  # set(range(10**12)) ate 4.9 GB before a MemoryError


def test_metrics_jsonl_that_is_a_folder_is_a_clear_error_and_the_runs_table_leaves_it_out(tmp_path):
    (tmp_path / "odd" / "metrics.jsonl").mkdir(parents=True)
    finished_run(tmp_path / "good", 1, 10.0)
    with pytest.raises(FileNotFoundError, match="is a folder, not a file of records"):
        read_run(tmp_path / "odd")
    assert [run.folder.name for run in list_runs(tmp_path)] == ["good"]


def test_a_line_too_long_to_be_a_record_is_counted_once_even_while_it_is_being_written(tmp_path):
    folder = write(tmp_path / "r", [CONFIG], tail='{"kind": "sample", "text": "' + "x" * (MAX_LINE + 10))
    assert read_run(folder).unreadable == 1
    with open(folder / "metrics.jsonl", "a") as f:
        f.write("y" * 1000 + '"}\n' + json.dumps(rec("step", step=1, epoch=0, loss=2.0, samples_per_s=5.0)) + "\n")
    run = read_run(folder)
    assert run.unreadable == 1 and run.problems == [f"line 2: longer than {MAX_LINE:,} bytes"]
    assert run.last_step == 1


# ---- a run read every second stays cheap: only the new lines are parsed, and what is kept is capped -------------
def append(folder, records):
    with open(folder / "metrics.jsonl", "a") as f:
        f.write("".join(json.dumps(r) + "\n" for r in records))


def test_a_50_mb_metrics_file_is_parsed_once_then_only_its_new_lines(tmp_path):
    padding = "x" * 400
    step = json.dumps(rec("step", step=-1234567, epoch=0, loss=2.0, samples_per_s=5.0, note=padding))
    lines = 52_000_000 // len(step)  # a little over 50 MB, the step numbers being shorter than the template
    folder = tmp_path / "big"
    folder.mkdir()
    (folder / "metrics.jsonl").write_text(json.dumps(CONFIG) + "\n" + "".join(rec_line(step, s) for s in range(lines)))
    size = (folder / "metrics.jsonl").stat().st_size
    first = read_run(folder)
    assert size > 50e6 and first.parsed_now == lines + 1 and first.offset == size
    kept = [r["step"] for r in first.of_kind("step")]
    assert KEEP // 2 <= len(kept) <= KEEP + records.RECENT and kept[-1] == lines - 1  # thinned, to the newest
    assert kept[0] == 0 and first.config["world_size"] == 2  # from the first step on, and the first config
    append(folder, [rec("step", step=s, epoch=0, loss=1.0, samples_per_s=5.0) for s in (lines, lines + 1, lines + 2)])
    second = read_run(folder)
    assert second.parsed_now == 3 and second.offset == (folder / "metrics.jsonl").stat().st_size
    assert second.last_step == lines + 2
    assert read_run(folder).parsed_now == 0  # nothing new: nothing parsed


def rec_line(template: str, step: int) -> str:
    return template.replace("-1234567", str(step)) + "\n"


def test_a_file_that_shrank_or_was_replaced_is_read_again_from_the_start(tmp_path):
    one = rec("step", step=1, epoch=0, loss=2.0, samples_per_s=5.0)
    folder = write(tmp_path / "r", [CONFIG, one, one, one])
    assert read_run(folder).parsed_now == 4
    write(folder, [CONFIG])  # rewritten shorter
    run = read_run(folder)
    assert run.parsed_now == 1 and run.of_kind("step") == []
    replacement = tmp_path / "replacement.jsonl"
    replacement.write_text(json.dumps(dict(CONFIG, world_size=3)) + "\n" + json.dumps(one) + "\n")
    replacement.replace(folder / "metrics.jsonl")  # another file at the same path, longer than the last
    run = read_run(folder)
    assert run.parsed_now == 2 and run.world_size == 3
    write(folder, [dict(CONFIG, world_size=4), one])  # rewritten in place, the same length: a different tail
    assert read_run(folder).world_size == 4


def test_the_same_folder_read_from_many_threads_while_it_grows_loses_and_repeats_nothing(tmp_path):
    import threading

    folder = write(tmp_path / "r", [CONFIG])
    seen, stop = [], threading.Event()

    def watch():
        while not stop.is_set():
            seen.append(read_run(folder).last_step)

    watchers = [threading.Thread(target=watch) for _ in range(4)]
    for t in watchers:
        t.start()
    for s in range(1, 301):
        append(folder, [rec("step", step=s, epoch=0, loss=1.0, samples_per_s=5.0)])
    stop.set()
    for t in watchers:
        t.join()
    run = read_run(folder)
    assert [r["step"] for r in run.of_kind("step")] == list(range(1, 301)) and run.unreadable == 0
    assert len(seen) > 0


def test_what_a_page_keeps_of_each_kind_is_capped_and_steps_are_thinned_over_the_whole_run(tmp_path, monkeypatch):
    monkeypatch.setattr(records, "KEEP", 5)
    monkeypatch.setattr(records, "RECENT", 2)
    steps = [rec("step", step=s, epoch=0, loss=1.0, samples_per_s=5.0) for s in range(1, 12)]
    evals = [rec("eval", step=s, val_loss=1.0, val_loss_per_char=0.3) for s in range(1, 12)]
    garbage = ["oops"] * (records.KEEP_PROBLEMS + 7)
    run = read_run(write(tmp_path / "r", [CONFIG, *steps, *evals, *garbage]))
    assert [r["step"] for r in run.of_kind("step")] == [2, 4, 6, 8, 10, 11]  # every 2nd, and the newest
    assert run.last_step == 11 and [r["step"] for r in run.of_kind("eval")] == [7, 8, 9, 10, 11]
    assert run.unreadable == records.KEEP_PROBLEMS + 7 and len(run.problems) == records.KEEP_PROBLEMS
