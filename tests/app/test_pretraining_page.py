"""The Training page's first task, as a class meets it: pretrain a GPT, watch its curves and samples arrive, hand its
checkpoint on, and compare 1 against N workers."""

import base64
import json
import time
from pathlib import Path
from urllib.parse import parse_qs

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from playground.training import jobs as job_runner
from playground.training.pretrain_config import PretrainConfig
from tests.app.test_training_page import poll, texts
from tests.unit.training.test_jobs import group_alive
from tests.unit.training.test_pretraining_lesson import GPT_CONFIG
from tests.unit.training.test_records import rec, write

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/training.py"
TINY = {"layers": "1", "heads": "2", "width": "32", "context": "32", "windows": "2", "steps": "6", "eval_every": "3"}


def page(**params) -> AppTest:
    """The page inside the app's navigation, as a browser opens it: its links to other pages need the table."""
    at = AppTest.from_file(APP, default_timeout=120)
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    return at


def numbers(values) -> list[float]:
    """A trace's values as the browser gets them: Plotly sends numpy arrays as base64 bytes and their dtype."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def page_links(at: AppTest) -> dict[str, dict]:
    """label -> the page link's proto fields (AppTest has no page_link accessor)."""
    return {link.proto.label: link.proto for link in at.get("page_link")}


def test_the_page_opens_on_pretraining_a_gpt_the_size_of_the_bundled_one(runs):
    at = page()
    assert at.radio(key="training.task").value == "gpt"
    default = PretrainConfig()
    sizes = {name: at.number_input(key=f"training.{name}").value for name in ("layers", "heads", "width", "context")}
    assert sizes == {"layers": default.layers, "heads": default.heads, "width": default.width, "context": 256}
    assert "Pretraining" in texts(at.markdown) and "held out" in texts(at.markdown)
    code = at.code[-1].value
    assert "GPT2LMHeadModel" in code and "torchrun --standalone --nproc_per_node=2 pretrain_gpt.py" in code
    assert not at.error


def test_a_tiny_gpt_trains_to_the_end_with_curves_samples_checksums_and_a_checkpoint_to_hand_on(runs):
    at = page(**TINY)
    at.button[0].click().run()
    assert not at.exception and not at.error, texts(at.error)
    folder = Path(at.text_input(key="training.run").value)
    assert folder.parent == runs and folder.name.endswith("-gpt-2w")
    poll(at, lambda at: "Done" in texts(at.success) or at.error, timeout=300)
    assert "Done: every rank wrote its `done` record. Held-out loss" in texts(at.success)
    assert " · done · 2 worker(s) · backend gloo · step 6 of 6" in texts(at.caption)
    loss, throughput = at.get("plotly_chart")[:2]
    loss_traces = {trace["name"] for trace in json.loads(loss.proto.spec)["data"]}
    assert {"rank 0", "rank 1", "overall (mean of ranks)", "held-out (rank 0)"} <= loss_traces
    assert json.loads(throughput.proto.spec)["layout"]["yaxis"]["title"]["text"] == "tokens / s"
    samples = [code.value for code in at.code if code.value.startswith("ROMEO:")]
    assert len(samples) == 2  # steps 6 and 3, newest first
    written = sorted((json.loads(line) for line in (folder / "metrics.jsonl").read_text().splitlines()), key=str)
    assert samples == [r["text"] for r in sorted(written, key=lambda r: -r.get("step", 0)) if r["kind"] == "sample"]
    checksums = at.dataframe[0].value
    assert list(checksums.index) == [3, 6] and checksums.identical.all()
    assert "tokens per step" in texts(at.markdown) and "MB** of gradients" in texts(at.markdown)
    links = page_links(at)
    write_link = links["✍️ Write with this model"]
    assert write_link.page.endswith("gpt") and parse_qs(write_link.query_string) == {
        "model": ["local"],
        "model_dir": [str(folder / "model")],
        "prompt": ["ROMEO:"],
    }
    anatomy = parse_qs(links["🧮 Its configuration in GPT-2 anatomy"].query_string)
    assert (anatomy["n_layers"], anatomy["n_heads"], anatomy["emb_dim"], anatomy["context_length"]) == (
        ["1"],
        ["2"],
        ["32"],
        ["32"],
    )
    runs_table = at.dataframe[1].value
    assert runs_table.status.tolist() == ["done"] and runs_table["model"].tolist() == ["1L · 2H · 32"]
    assert job_runner.current_job().process.wait(timeout=60) == 0


def test_a_class_opening_the_page_watches_the_running_job_but_cannot_stop_it(runs):
    teacher = page(**TINY | {"steps": "400", "eval_every": "100"})
    teacher.button[0].click().run()
    assert not teacher.error, texts(teacher.error)
    learner = page()
    assert "running" in texts(learner.caption) or "waiting" in texts(learner.caption)
    assert Path(job_runner.current_job().run_dir).name in texts(learner.caption)
    learner.button[1].click().run()  # Stop
    assert "Only the learner who started the running job can stop it." in texts(learner.warning)
    assert job_runner.current_job().running
    teacher.button[1].click().run()
    assert not job_runner.current_job().running


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"heads": "5"}, "does not split into 5 heads"),
        ({"prompt": " "}, "Nothing started: The sample prompt is empty"),
    ],
)
def test_a_run_that_cannot_work_gets_a_message_and_starts_nothing(runs, params, message):
    at = page(**TINY | params)
    at.button[0].click().run()
    assert message in texts(at.warning)
    assert job_runner.current_job() is None or not job_runner.current_job().running


def gpt_run(folder, workers, tokens_per_rank, val_losses):
    """A finished GPT run's records: evaluations at steps 10, 20, ... taking 10 s each."""
    config = dict(
        GPT_CONFIG,
        world_size=workers,
        dataset="tinyshakespeare.txt",
        max_steps=10 * len(val_losses),
        tokens_per_step=workers * 1024,
    )
    records = [config]
    for n, loss in enumerate(val_losses, start=1):
        for rank in range(workers):
            records.append(
                rec(
                    "step",
                    rank,
                    t=10.0 * n,
                    step=10 * n,
                    epoch=0,
                    loss=loss + 0.1,
                    samples_per_s=1.0,
                    tokens_per_s=tokens_per_rank,
                    lr=0.006,
                )
            )
        records.append(rec("eval", 0, t=10.0 * n, step=10 * n, val_loss=loss, val_loss_per_char=loss / 3))
        records += [rec("checksum", rank, step=10 * n, checksum="same", param_sum=1.0) for rank in range(workers)]
    records += [
        rec("done", rank, train_time=10.0 * len(val_losses), samples_per_s=1.0, tokens_per_s=tokens_per_rank)
        for rank in range(workers)
    ]
    return write(folder, records)


def test_one_against_two_workers_gives_speedup_efficiency_and_the_race_of_held_out_loss(runs):
    gpt_run(runs / "gpt-1w", 1, 2000.0, [6.0, 5.8])
    gpt_run(runs / "gpt-2w", 2, 1800.0, [6.0, 5.7, 5.5, 5.4])
    at = page()
    comparison = at.dataframe[-1].value
    assert list(comparison.columns[:3]) == ["run", "workers", "tokens/s"]
    row = comparison.set_index("workers").loc[2]
    assert (row.speedup, row.efficiency, row.baseline) == (1.8, 0.9, "gpt-1w")
    race = json.loads(at.get("plotly_chart")[-1].proto.spec)
    assert race["layout"]["title"]["text"] == "Held-out loss against time"
    curves = {trace["name"]: (numbers(trace["x"]), numbers(trace["y"])) for trace in race["data"]}
    assert curves == {
        "1 worker · gpt-1w": ([10.0, 20.0], [6.0, 5.8]),
        "2 workers · gpt-2w": ([10.0, 20.0, 30.0, 40.0], [6.0, 5.7, 5.5, 5.4]),
    }


def test_a_gpt_worker_that_dies_is_named_with_its_reason_and_no_process_is_left(runs):
    at = page(**TINY | {"crash_rank": "1", "crash_step": "2"})
    at.button[0].click().run()
    poll(at, lambda at: at.error, timeout=300)
    assert "Rank 1 died: RuntimeError: injected failure: rank 1 was told to crash at step 2" in texts(at.error)
    job = job_runner.current_job()
    assert job.process.wait(timeout=60) != 0
    deadline = time.monotonic() + 30
    while group_alive(job.process.pid) and time.monotonic() < deadline:  # the launcher reaps its other rank
        time.sleep(0.5)
    assert not group_alive(job.process.pid), "a rank outlived the failed job"
