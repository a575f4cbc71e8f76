"""'The code' panel: the generated script reproduces the job's numbers exactly (same split, seed, sampler order)."""

import json
import re

import pytest
import torch

from playground.training.code_panel import training_code
from playground.training.train import TrainConfig, run_worker
from tests.helpers import assert_self_contained, run_panel
from tests.unit.training.test_data import fake_mnist


def run_generated(source: str) -> list[tuple[float, float]]:
    assert_self_contained(source)
    _, printed = run_panel(source)
    found = re.findall(r"held-out accuracy ([\d.]+), parameter sum (-?[\d.]+)", printed)
    return [(float(a), float(s)) for a, s in found]


def job_epochs(config: TrainConfig, tmp_path) -> list[dict]:
    threads = torch.get_num_threads()
    try:
        run_worker(config, tmp_path)
    finally:
        torch.set_num_threads(threads)
    lines = (tmp_path / "metrics.jsonl").read_text().splitlines()
    return [r for r in map(json.loads, lines) if r["kind"] == "epoch"]


@pytest.mark.parametrize("max_steps", [0, 5])
def test_generated_script_reproduces_the_single_process_job_on_digits(tmp_path, max_steps):
    config = TrainConfig(strategy="single", epochs=2, batch_size=32, max_steps=max_steps, seed=3)
    expected = job_epochs(config, tmp_path)
    printed = run_generated(training_code(config))
    assert len(printed) == 2
    for (accuracy, param_sum), record in zip(printed, expected, strict=True):
        assert accuracy == pytest.approx(record["accuracy"], abs=5e-5)  # printed with 4 decimals
        assert param_sum == pytest.approx(record["param_sum"], abs=2e-6)


def test_generated_script_reads_idx_files_like_the_job(tmp_path):
    fake_mnist(tmp_path / "data", n_train=96, n_test=20)
    config = TrainConfig(strategy="single", dataset="mnist", data_dir=str(tmp_path / "data"), epochs=1, batch_size=16)
    expected = job_epochs(config, tmp_path)
    ((accuracy, param_sum),) = run_generated(training_code(config))
    assert param_sum == pytest.approx(expected[0]["param_sum"], abs=2e-6)
    assert accuracy == pytest.approx(expected[0]["accuracy"], abs=5e-5)


def test_ddp_and_dataparallel_scripts_run_as_one_process_without_torchrun(tmp_path):
    single = run_generated(training_code(TrainConfig(strategy="single", epochs=1)))
    for strategy in ("ddp", "dataparallel"):
        source = training_code(TrainConfig(strategy=strategy, workers=2, epochs=1))
        assert ("DDP(model)" in source) == (strategy == "ddp")
        assert ("nn.DataParallel(model)" in source) == (strategy == "dataparallel")
        assert run_generated(source) == single  # without torchrun: a world of one, the same numbers
