"""'The code' of GPT pretraining: the script the page renders, run the way a learner runs it (`python pretrain_gpt.py`,
or under torchrun), prints the very losses the page's job records for the same settings."""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import replace

import pytest
import torch

from playground import REPO
from playground.training.code_panel import pretraining_code
from playground.training.gpt_pretrain import run_worker
from playground.training.pretrain_config import PretrainConfig
from tests.helpers import assert_self_contained, run_panel
from tests.unit.training.test_gpt_pretrain import play

TINY = dict(layers=1, heads=2, width=32, context=32, dropout=0.1, eval_every=2, eval_chars=1500, sample_tokens=16)
LOSS = re.compile(r"^rank (\d+) step (\d+): loss ([\d.]+)", re.MULTILINE)
HELD_OUT = re.compile(r"^step (\d+): held-out loss ([\d.]+) per token, ([\d.]+) per char", re.MULTILINE)
PRINTED = 1e-5  # the script prints 6 decimals


@pytest.fixture(scope="module")
def text_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("text") / "play.txt"
    path.write_text(play(300), encoding="utf-8")
    return path


def records(run_dir, kind: str) -> list[dict]:
    lines = (run_dir / "metrics.jsonl").read_text().splitlines()
    return [r for r in map(json.loads, lines) if r["kind"] == kind]


def job_in_process(config: PretrainConfig, run_dir) -> None:
    threads = torch.get_num_threads()
    try:
        assert run_worker(config, run_dir) == 0
    finally:
        torch.set_num_threads(threads)


def run_script(source: str, tmp_path) -> str:
    """The script saved as pretrain_gpt.py and started from the checkout's root by the command it prints for the
    page's workers (torchrun), or by plain python. No PYTHONPATH: the script must need nothing from `playground`."""
    script = tmp_path / "pretrain_gpt.py"
    script.write_text(source, encoding="utf-8")
    found = re.search(r'^command = "(.+)"', source, re.MULTILINE)
    if found:
        command = shlex.split(found.group(1))
        assert command[0] == "torchrun" and command[-1] == script.name
        found = shutil.which("torchrun")
        torchrun = [found] if found else [sys.executable, "-m", "torch.distributed.run"]  # the same launcher
        # Each rank's output to its own file: through one shared pipe, a whole rank's lines went missing in 2 suite
        # runs of 4 on the loaded 2-core machine.
        logs = tmp_path / "torchrun-logs"
        command = [*torchrun, "--log-dir", str(logs), "--redirects", "3", *command[1:-1], str(script)]
    else:
        command, logs = [sys.executable, str(script)], None
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "RANK", "WORLD_SIZE")}
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    if logs is None:
        return result.stdout
    ranks = sorted(logs.rglob("stdout.log"), key=lambda path: int(path.parent.name))
    assert len(ranks) == int(re.search(r"--nproc_per_node=(\d+)", " ".join(command)).group(1))
    return "".join(path.read_text(encoding="utf-8") for path in ranks)


def printed_losses(stdout: str) -> dict[tuple[int, int], float]:
    return {(int(rank), int(step)): float(loss) for rank, step, loss in LOSS.findall(stdout)}


def printed_held_out(stdout: str) -> dict[int, tuple[float, float]]:
    return {int(step): (float(token), float(char)) for step, token, char in HELD_OUT.findall(stdout)}


def assert_same_run(stdout: str, run_dir, steps: int, ranks: int) -> None:
    """Every rank's loss at every step, and the held-out loss at every evaluation, as the job recorded them."""
    losses = printed_losses(stdout)
    assert sorted(losses) == [(rank, step) for rank in range(ranks) for step in range(1, steps + 1)]
    for record in records(run_dir, "step"):
        assert losses[record["rank"], record["step"]] == pytest.approx(record["loss"], abs=PRINTED)
    held_out = printed_held_out(stdout)
    evals = records(run_dir, "eval")
    assert sorted(held_out) == [r["step"] for r in evals] and evals[-1]["step"] == steps
    for record in evals:
        per_token, per_char = held_out[record["step"]]
        assert per_token == pytest.approx(record["val_loss"], abs=PRINTED)
        assert per_char == pytest.approx(record["val_loss_per_char"], abs=PRINTED)


def test_the_script_prints_the_single_process_jobs_losses_step_by_step_and_its_held_out_loss(text_file, tmp_path):
    # Dropout on and two accumulated micro-batches: the script must draw the same masks from the same seed.
    config = PretrainConfig(workers=1, text=str(text_file), batch_size=2, grad_accum=2, max_steps=4, seed=3, **TINY)
    job_in_process(config, tmp_path / "job")
    source = pretraining_code(config)
    stdout = run_script(source, tmp_path)
    assert_same_run(stdout, tmp_path / "job", steps=4, ranks=1)
    for sample in records(tmp_path / "job", "sample"):  # write_sample's text, token for token
        assert sample["text"] in stdout
    # The check can fail: another seed's script starts from other weights and prints other losses.
    other = printed_losses(run_script(pretraining_code(replace(config, seed=4)), tmp_path))
    job = {r["step"]: r["loss"] for r in records(tmp_path / "job", "step")}
    assert max(abs(other[0, step] - loss) for step, loss in job.items()) > 1e-3


def test_with_two_workers_the_script_under_torchrun_matches_the_two_worker_job(text_file, tmp_path):
    config = PretrainConfig(workers=2, text=str(text_file), batch_size=2, max_steps=3, **TINY)
    run_dir = tmp_path / "job"
    job = subprocess.run(
        [sys.executable, "-m", "playground.training.train", *config.to_args(), "--run-dir", str(run_dir)],
        cwd=REPO,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert job.returncode == 0, job.stderr[-3000:]
    assert {r["rank"] for r in records(run_dir, "step")} == {0, 1}
    source = pretraining_code(config)
    assert "torchrun --standalone --nproc_per_node=2 pretrain_gpt.py" in source
    stdout = run_script(source, tmp_path)
    assert_same_run(stdout, run_dir, steps=3, ranks=2)
    # Disjoint windows: the two ranks read different text, so their losses differ at every step.
    losses = printed_losses(stdout)
    assert all(abs(losses[0, step] - losses[1, step]) > 1e-4 for step in (1, 2, 3))


@pytest.mark.parametrize("changes", [{"tokenizer": "train", "vocab_size": 400}, {"init_from": "bundled"}])
def test_pasted_into_a_notebook_it_trains_a_tokenizer_or_continues_the_bundled_gpt_like_the_job(
    text_file, tmp_path, changes
):
    config = PretrainConfig(workers=1, text=str(text_file), batch_size=2, max_steps=2, **{**TINY, **changes})
    job_in_process(config, tmp_path / "job")
    source = pretraining_code(config)
    assert_self_contained(source)
    _, stdout = run_panel(source, cwd=REPO)  # exec'd as a notebook cell: no __file__, no torch.distributed
    assert_same_run(stdout, tmp_path / "job", steps=2, ranks=1)  # another vocabulary or start is far off


CONFIGS = {
    "one worker": PretrainConfig(workers=1),
    "two workers": PretrainConfig(workers=2, text="/data/notes.txt"),
    "a trained tokenizer on 4 GPUs": PretrainConfig(workers=4, tokenizer="train", device="cuda", threads=0),
    "continued": PretrainConfig(workers=3, init_from="bundled", prompt='JULIET: "O Romeo"'),
}


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_the_rendered_code_is_valid_python_that_ruff_accepts(config):
    source = pretraining_code(config)
    compile(source, "pretrain_gpt.py", "exec")
    assert not re.search(r"^\s*(from|import) playground", source, re.MULTILINE)  # spliced in, not imported
    assert_self_contained(source)
    for check in (["check"], ["format", "--check"]):  # the project's own rules and layout, as for every module
        ruff = [sys.executable, "-m", "ruff", *check, "--stdin-filename", "pretrain_gpt.py", "-"]
        result = subprocess.run(ruff, cwd=REPO, input=source, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_pages_settings_become_the_scripts_variables_with_the_jobs_caps():
    config = PretrainConfig(workers=3, layers=20, heads=3, width=96, context=64, dropout=0.2, batch_size=5)
    config = replace(config, grad_accum=4, lr=3e-4, max_steps=77, seed=9)
    source = pretraining_code(config, corpus_path="/data/my notes.txt")
    for line in [
        "layers = 12",  # over the cap of 12, as the job caps it
        "heads = 3",
        "width = 96",
        "context = 64",
        "dropout = 0.2",
        "batch_size = 5",
        "grad_accum = 4",
        "lr = 0.0003",
        "max_steps = 77",
        "minutes = 60.0",  # steps only: the job still stops at its 60-minute cap
        "seed = 9",
        'text_file = "/data/my notes.txt"',
        'command = "torchrun --standalone --nproc_per_node=3 pretrain_gpt.py"',
    ]:
        assert re.search(rf"^{re.escape(line)}(  #.*)?$", source, re.MULTILINE), line
    assert "model = DDP(module" in source
    single = pretraining_code(PretrainConfig(workers=1))
    assert 'text_file = "../shared/data/tinyshakespeare.txt"' in single  # the bundled corpus, from the checkout
    assert "command =" not in single and "model = DDP(" in single  # one worker; yet under torchrun, DDP as the job
    assert "no_sync()" in single  # the job's train_step, spliced in whole
