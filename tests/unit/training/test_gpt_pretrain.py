"""GPT pretraining with data parallelism, as a learner or a cluster runs it: `python -m playground.training.train
--task gpt` with 2 gloo processes on a tiny GPT, checked against one process on the same windows."""

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from dataclasses import replace

import pytest
import torch
from safetensors.torch import load_file
from transformers import AutoTokenizer, GPT2LMHeadModel

from playground import REPO
from playground.training import gpt_pretrain, train
from playground.training.checkpoints import checkpoint_step
from playground.training.gpt_corpus import read_text
from playground.training.gpt_pretrain import SAMPLING, check, run_worker
from playground.training.pretrain_config import CAPS, MAX_MINUTES, MAX_TEXT_MB, PretrainConfig, apply_caps

NAMES = ["ROMEO", "JULIET", "NURSE", "MERCUTIO", "TYBALT"]
WORDS = "the king my lord good sweet love death night day heart speak come go hath thou thee art not what".split()
TINY = dict(layers=2, heads=2, width=32, context=32, dropout=0.0, eval_chars=1500, sample_tokens=24)
STEPS, BATCH = 3, 4


def play(lines: int = 500) -> str:
    """Play-shaped text, made up so the tests need no corpus."""
    rng = random.Random(0)
    return "".join(f"{rng.choice(NAMES)}:\n{' '.join(rng.choice(WORDS) for _ in range(9))}.\n\n" for _ in range(lines))


def cli_args(config: PretrainConfig) -> list[str]:
    return [sys.executable, "-m", "playground.training.train", *config.to_args()]


def run_cli(config: PretrainConfig, run_dir, timeout=240, **popen):
    return subprocess.run(
        [*cli_args(config), "--run-dir", str(run_dir)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
    )


def records(run_dir) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]


def of_kind(recs, kind):
    return [r for r in recs if r["kind"] == kind]


def weights(run_dir) -> dict[str, torch.Tensor]:
    return load_file(run_dir / "model" / "model.safetensors")


def max_difference(a, b) -> float:
    assert a.keys() == b.keys()
    return max((a[k] - b[k]).abs().max().item() for k in a)


@pytest.fixture(scope="module")
def text_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("text") / "play.txt"
    path.write_text(play(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def two_workers(text_file, tmp_path_factory):
    """One 2-worker job of 3 steps at batch 4 per worker, evaluated at steps 2 and 3."""
    run_dir = tmp_path_factory.mktemp("two-workers")
    config = PretrainConfig(workers=2, text=str(text_file), batch_size=BATCH, max_steps=STEPS, eval_every=2, **TINY)
    result = run_cli(config, run_dir)
    assert result.returncode == 0, result.stderr[-3000:]
    return run_dir


def one_process(run_dir, text_file, **changes) -> dict[str, torch.Tensor]:
    """The same job in this process, without torch.distributed; its final weights."""
    threads = torch.get_num_threads()
    settings = dict(workers=1, text=str(text_file), batch_size=2 * BATCH, max_steps=STEPS, eval_every=2, **TINY)
    config = PretrainConfig(**{**settings, **changes})
    try:
        assert run_worker(check(config, cpu_count=2, gpu_count=0).config, run_dir) == 0
    finally:
        torch.set_num_threads(threads)
    return weights(run_dir)


def test_two_workers_at_batch_b_train_the_same_gpt_as_one_process_at_batch_2b(two_workers, text_file, tmp_path):
    ddp = weights(two_workers)
    big_batch = one_process(tmp_path / "one-2b", text_file)
    assert max_difference(ddp, big_batch) < 1e-5
    # Gradient accumulation: one process taking 2 micro-batches of B per step is the same job again.
    accumulated = one_process(tmp_path / "one-b-x2", text_file, batch_size=BATCH, grad_accum=2)
    assert max_difference(ddp, accumulated) < 1e-5
    # The check can fail: one process that reads only rank 0's windows ends measurably elsewhere...
    half = one_process(tmp_path / "one-b", text_file, batch_size=BATCH)
    assert max_difference(half, big_batch) > 1e-4
    # ...and three steps moved the weights far beyond the tolerance.
    torch.manual_seed(0)
    start = gpt_pretrain.build_model(PretrainConfig(**TINY), AutoTokenizer.from_pretrained(two_workers / "model"))
    assert max_difference({k: v for k, v in start.state_dict().items() if k in ddp}, ddp) > 1e-3


def test_every_record_has_its_fields_with_their_types(two_workers):
    recs = records(two_workers)
    for r in recs:
        assert isinstance(r["rank"], int) and isinstance(r["time"], float) and isinstance(r["elapsed"], float)
    config = recs[0]
    assert config["kind"] == "config" and config["rank"] == 0
    assert (config["task"], config["world_size"], config["backend"], config["strategy"]) == ("gpt", 2, "gloo", "ddp")
    assert config["global_batch"] == 2 * BATCH and config["tokens_per_step"] == 2 * BATCH * TINY["context"]
    assert config["dataset"] == "play.txt" and config["n_params"] > 0 and config["batch_size"] == BATCH

    steps = of_kind(recs, "step")
    assert sorted((r["rank"], r["step"]) for r in steps) == [(rank, s) for rank in (0, 1) for s in (1, 2, 3)]
    for r in steps:
        assert isinstance(r["loss"], float) and 0 < r["loss"] < 20
        assert isinstance(r["lr"], float) and 0 < r["lr"] <= PretrainConfig.lr  # never above the schedule's peak
        assert isinstance(r["tokens_per_s"], float) and r["tokens_per_s"] > 0
    by_step = {(r["rank"], r["step"]): r for r in steps}
    for s in (1, 2, 3):
        assert by_step[0, s]["lr"] == by_step[1, s]["lr"], "the ranks follow one schedule"
        assert by_step[0, s]["loss"] != by_step[1, s]["loss"], "each rank reads different windows"

    evals = of_kind(recs, "eval")
    assert [(r["rank"], r["step"]) for r in evals] == [(0, 2), (0, 3)]
    for r in evals:
        assert isinstance(r["val_loss"], float) and isinstance(r["val_loss_per_char"], float)
        assert r["val_loss_per_char"] < r["val_loss"], "a token is longer than a character"
        assert r["val_chars"] == TINY["eval_chars"]
    samples = of_kind(recs, "sample")
    assert [(r["rank"], r["step"]) for r in samples] == [(0, 2), (0, 3)]
    assert all(r["text"].startswith("ROMEO:") and len(r["text"]) > len("ROMEO:") for r in samples)

    checksums = of_kind(recs, "checksum")
    assert sorted((r["step"], r["rank"]) for r in checksums) == [(2, 0), (2, 1), (3, 0), (3, 1)]
    for s in (2, 3):
        pair = [r for r in checksums if r["step"] == s]
        assert pair[0]["checksum"] == pair[1]["checksum"] and pair[0]["param_sum"] == pair[1]["param_sum"]
    assert checksums[0]["checksum"] != checksums[-1]["checksum"]

    done = of_kind(recs, "done")
    assert sorted(r["rank"] for r in done) == [0, 1]
    for r in done:
        assert r["step"] == STEPS and r["tokens"] == STEPS * BATCH * TINY["context"]
        assert isinstance(r["train_time"], float) and r["tokens_per_s"] > 0
    assert not of_kind(recs, "error") and not of_kind(recs, "stopped")


def test_the_checkpoint_loads_with_from_pretrained_and_writes_the_last_sample(two_workers):
    model = GPT2LMHeadModel.from_pretrained(two_workers / "model").eval()
    tokenizer = AutoTokenizer.from_pretrained(two_workers / "model")
    assert checkpoint_step(two_workers) == STEPS
    assert model.config.n_layer == TINY["layers"] and model.config.n_embd == TINY["width"]
    prompt = tokenizer("ROMEO:", return_tensors="pt")
    torch.manual_seed(0)
    out = model.generate(
        **prompt, max_new_tokens=TINY["sample_tokens"], pad_token_id=tokenizer.eos_token_id, **SAMPLING
    )
    assert out.shape[1] == prompt["input_ids"].shape[1] + TINY["sample_tokens"]
    assert tokenizer.decode(out[0]) == of_kind(records(two_workers), "sample")[-1]["text"]


def test_a_stopped_run_keeps_its_last_checkpoint(text_file, tmp_path):
    config = PretrainConfig(workers=2, text=str(text_file), batch_size=BATCH, max_steps=5000, eval_every=2, **TINY)
    job = subprocess.Popen(
        [*cli_args(config), "--run-dir", str(tmp_path)],
        cwd=REPO,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # as the page's job runner: Stop is one SIGTERM to the whole group
    )
    try:
        deadline = time.time() + 120
        while (checkpoint_step(tmp_path) or 0) < 4 and time.time() < deadline:
            time.sleep(0.2)
        os.killpg(job.pid, signal.SIGTERM)
        job.wait(timeout=60)
    finally:
        if job.poll() is None:
            os.killpg(job.pid, signal.SIGKILL)
            job.wait()
    recs = records(tmp_path)
    assert not of_kind(recs, "error") and not of_kind(recs, "done")
    last_eval = of_kind(recs, "eval")[-1]["step"]
    assert checkpoint_step(tmp_path) == last_eval >= 4
    GPT2LMHeadModel.from_pretrained(tmp_path / "model")  # whole, after a stop
    assert not (tmp_path / "model.writing").exists()


def test_keep_best_replaces_the_checkpoint_only_with_a_better_one(text_file, tmp_path):
    """The bundled GPT trains long on 1 MB, past its best held-out loss: keep_best hands on the best weights."""
    config = PretrainConfig(workers=1, text=str(text_file), keep_best=True, **TINY)
    corpus = check(config, cpu_count=1, gpu_count=0).corpus
    model = gpt_pretrain.build_model(config, corpus.tokenizer)
    log = train.MetricsWriter(tmp_path / train.METRICS_FILE, 0)
    device = torch.device("cpu")
    held, saved = gpt_pretrain.evaluate(model, corpus, config, device, tmp_path, 3, log, float("inf"))
    assert saved == held.loss_per_token and checkpoint_step(tmp_path) == 3
    with torch.no_grad():
        model.transformer.wte.weight.mul_(50.0)  # far worse predictions
    worse, still = gpt_pretrain.evaluate(model, corpus, config, device, tmp_path, 6, log, saved)
    assert worse.loss_per_token > held.loss_per_token and still == saved
    assert checkpoint_step(tmp_path) == 3, "the worse step-6 weights were not saved"
    assert [e["saved"] for e in of_kind(records(tmp_path), "eval")] == [True, False]
    every_time = replace(config, keep_best=False)
    every, latest = gpt_pretrain.evaluate(model, corpus, every_time, device, tmp_path, 9, log, saved)
    assert checkpoint_step(tmp_path) == 9 and latest == every.loss_per_token, "without keep_best, every one saves"
    assert "--keep-best" in config.to_args()
    assert gpt_pretrain.parse_args([*config.to_args(), "--run-dir", "x"])[0] == config


def test_the_bundled_gpts_script_trains_it_with_this_job_and_its_card_says_how(text_file, tmp_path):
    """scripts/train_bundled_models.py --model gpt runs this job (the class's loop) and cards what it measured."""
    out, run = tmp_path / "model", tmp_path / "run"
    size = ["--vocab-size", "300", "--layers", "1", "--heads", "2", "--d-model", "32", "--block-size", "32"]
    budget = ["--workers", "2", "--batch-size", "2", "--max-steps", "6", "--eval-every", "3", "--minutes", "3"]
    command = [sys.executable, "scripts/train_bundled_models.py", "--model", "gpt", "--data", str(text_file)]
    subprocess.run(
        [*command, *size, *budget, "--out", str(out), "--run-dir", str(run)], cwd=REPO, check=True, timeout=300
    )
    card = (out / "README.md").read_text()
    assert "python -m playground.training.train --task gpt --workers 2 " in card
    assert "2 worker processes with data parallelism (DDP over gloo" in card and "6 steps, 768 training tokens" in card
    assert [(e["step"], e["saved"]) for e in of_kind(records(run), "eval")][-1][0] == 6
    model = GPT2LMHeadModel.from_pretrained(out)
    assert next(model.parameters()).dtype == torch.float16 and model.config.n_embd == 32  # fp16 on disk
    assert checkpoint_step(run) == int(re.search(r"kept weights are from step\s+(\d+) of 6", card).group(1))


@pytest.fixture
def tiny(text_file):
    return dict(text=str(text_file), **TINY)


def message(config: PretrainConfig) -> str:
    with pytest.raises(ValueError) as err:
        check(config, cpu_count=2, gpu_count=0)
    return str(err.value)


def test_bad_configurations_are_refused_with_a_sentence_before_anything_starts(tiny, tmp_path):
    assert "width of 190 does not split into 4 heads" in message(PretrainConfig(width=190, heads=4))
    assert "Pick a width like 192" in message(PretrainConfig(width=190, heads=4))
    short = tmp_path / "short.txt"
    short.write_text("ROMEO: hi.\n" * 5)
    assert "too short for one window of 33 tokens" in message(PretrainConfig(**{**tiny, "text": str(short)}))
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n\n")
    assert "empty.txt is empty" in message(PretrainConfig(**{**tiny, "text": str(empty)}))
    binary = tmp_path / "weights.bin"
    binary.write_bytes(bytes(range(256)) * 10)
    assert "weights.bin looks like a binary file" in message(PretrainConfig(**{**tiny, "text": str(binary)}))
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("ROMEO: café\n".encode("latin-1") * 50)
    assert "latin1.txt is not UTF-8 text (byte 10 is not valid UTF-8)" in message(
        PretrainConfig(**{**tiny, "text": str(latin)})
    )
    assert "There is no file" in message(PretrainConfig(**{**tiny, "text": str(tmp_path / "nowhere.txt")}))
    crowded = message(PretrainConfig(**{**tiny, "batch_size": 64, "grad_accum": 32}))
    assert "fewer than one step reads" in crowded
    assert "keeps the tokenizer" in message(PretrainConfig(init_from="bundled", tokenizer="train"))
    assert "at most 256 tokens, not 512" in message(PretrainConfig(init_from="bundled", context=512))
    assert "no config.json" in message(PretrainConfig(init_from=str(tmp_path)))
    assert "prompt is empty" in message(PretrainConfig(**{**tiny, "prompt": "  "}))


def test_the_command_line_prints_the_message_and_exits_2(tmp_path):
    result = run_cli(PretrainConfig(width=190), tmp_path / "run")
    assert result.returncode == 2
    assert "error: An embedding width of 190 does not split into 4 heads" in result.stderr
    assert not (tmp_path / "run").exists(), "nothing was started or written"


def test_a_large_file_is_cut_at_a_line_end_to_the_cap_with_a_note(tmp_path):
    big = tmp_path / "big.txt"
    chunk = play()
    big.write_text(chunk * (int(MAX_TEXT_MB * 1e6) // len(chunk) + 2), encoding="utf-8")
    text = read_text(big)
    assert len(text.encode()) <= MAX_TEXT_MB * 1e6 and text.endswith("\n") and big.read_text().startswith(text)
    _, notes = apply_caps(PretrainConfig(text=str(big)), cpu_count=2, gpu_count=0)
    assert notes == [f"big.txt is {big.stat().st_size / 1e6:.1f} MB; only its first 5 MB are used."]


def test_continuing_from_the_bundled_gpt_keeps_its_size_and_tokenizer(tiny):
    checked = check(
        PretrainConfig(init_from="bundled", text=tiny["text"], layers=2, width=64), cpu_count=2, gpu_count=0
    )
    assert (checked.config.layers, checked.config.heads, checked.config.width) == (4, 4, 192)
    assert "its size is kept (4 layers, 4 heads, width 192)" in checked.notes[0]
    assert len(checked.corpus.tokenizer) == 4096


def test_a_tokenizer_trained_on_the_runs_text(tiny):
    checked = check(PretrainConfig(tokenizer="train", vocab_size=300, **tiny), cpu_count=2, gpu_count=0)
    corpus = checked.corpus
    assert len(corpus.tokenizer) <= 300
    assert corpus.tokenizer.decode(corpus.train_ids) == play()[: corpus.train_chars], "byte-level BPE loses nothing"


def test_the_defaults_are_the_bundled_gpts_configuration():
    bundled = json.loads((REPO / "assets" / "models" / "shakespeare-gpt" / "config.json").read_text())
    default = PretrainConfig()
    assert (default.layers, default.heads, default.width, default.context) == (
        bundled["n_layer"],
        bundled["n_head"],
        bundled["n_embd"],
        bundled["n_positions"],
    )
    assert default.vocab_size == bundled["vocab_size"]
    # ...but not its dropout: the bundled GPT trained for 25 minutes with 0.1; a two-minute class run learns faster
    # without it.
    assert (default.dropout, bundled["resid_pdrop"]) == (0.0, 0.1)


def test_caps_clamp_with_a_note_each():
    big = PretrainConfig(workers=8, layers=99, heads=99, width=9999, context=99999, batch_size=999, max_steps=10**6)
    config, notes = apply_caps(big, cpu_count=2, gpu_count=0)
    assert config.workers == 2 and "this machine has 2 CPU cores" in notes[0]
    for name in ("layers", "heads", "width", "context", "batch_size", "max_steps"):
        assert getattr(config, name) == CAPS[name]
    assert len(notes) == 7
    slow, slow_notes = apply_caps(PretrainConfig(minutes=600), cpu_count=2, gpu_count=0)
    assert slow.minutes == MAX_MINUTES and "over the cap of 60" in slow_notes[0]
    fine, none = apply_caps(PretrainConfig(), cpu_count=2, gpu_count=0)
    assert none == [] and fine.minutes == MAX_MINUTES, "a step-only run still ends within the cap"


def test_digits_stays_the_default_task_and_gpt_is_one_flag_away():
    assert train.task_of([]) == "digits" and train.task_of(["--epochs", "1"]) == "digits"
    assert train.task_of(["--task", "gpt", "--workers", "2"]) == "gpt"
    assert PretrainConfig().to_args()[:2] == ["--task", "gpt"], "the launcher's and the page's commands keep it"
    assert train.job_command(PretrainConfig(), REPO / "runs")[3:5] == ["--task", "gpt"]


def test_the_docstring_documents_the_command_lines():
    doc = gpt_pretrain.__doc__
    assert "python -m playground.training.train --task gpt --workers 2 --max-steps 200 --run-dir" in doc
    assert "torchrun --standalone --nproc_per_node=4 -m playground.training.train --task gpt" in doc
    assert doc.count("--nnodes=2") == 2 and "--node_rank=1" in doc
