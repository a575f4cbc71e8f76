"""The GPT task's decisions without Streamlit: a learner's upload is checked before anything starts, a run's
records are read as a GPT's (steps, evaluations, samples, checksums), and its checkpoint is handed on."""

import json

import pytest

from playground.training import lesson, text
from playground.training.pretrain_config import MAX_TEXT_MB, PretrainConfig
from playground.training.records import parse_line, read_run, summarize
from tests.unit.training.test_records import rec, write

GPT_CONFIG = rec(
    "config",
    world_size=2,
    strategy="ddp",
    dataset="play.txt",
    batch_size=4,
    task="gpt",
    layers=4,
    heads=4,
    width=192,
    context=256,
    grad_accum=1,
    max_steps=40,
    lr=0.006,
    tokens_per_step=2048,
    n_params=2_615_424,
    train_tokens=307_609,
    vocab=4096,
    dropout=0.0,
    prompt="ROMEO:",
)


@pytest.fixture
def runs(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_RUNS_DIR", str(tmp_path / "runs"))
    return tmp_path / "runs"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"   \n\n", "is empty"),
        (b"PK\x03\x04\x00\x00binary", "looks like a binary file"),
        ("Ünïcödé in Latin-1".encode("latin-1"), "is not UTF-8 text"),
        (b"x" * int(MAX_TEXT_MB * 1e6 + 1), f"the limit is {MAX_TEXT_MB:g} MB"),
    ],
)
def test_an_upload_that_is_not_text_is_refused_with_what_to_do_and_not_kept(runs, data, message):
    path, problem = lesson.save_upload("notes.txt", data)
    assert path is None and message in problem and "notes.txt" in problem
    assert not any((runs / lesson.UPLOADS).glob("*")) if (runs / lesson.UPLOADS).exists() else True


def test_a_good_upload_is_kept_once_by_its_content_and_starts_a_run_that_reads_it(runs):
    play = "".join(f"FIRST CITIZEN:\nSpeak, speak, line {n}.\n\n" for n in range(400)).encode()
    path, problem = lesson.save_upload("my play.txt", play)
    again, _ = lesson.save_upload("my play.txt", play)
    assert problem is None and path == again and open(path, "rb").read() == play
    assert path.endswith("my_play.txt")  # no spaces or slashes from a learner's file name reach the disk


def test_a_text_too_short_for_one_window_starts_nothing_and_says_why(runs, tmp_path):
    short = tmp_path / "haiku.txt"
    short.write_text("An old silent pond\nA frog jumps into the pond\nSplash! Silence again.\n" * 3)
    folder, message = lesson.start(PretrainConfig(text=str(short), workers=1), owner="me")
    assert folder is None and message.startswith("Nothing started: haiku.txt")
    assert not runs.exists() or not any(runs.iterdir())


def test_heads_that_do_not_divide_the_width_start_nothing(runs):
    folder, message = lesson.start(PretrainConfig(width=100, heads=3, workers=1), owner="me")
    assert folder is None and "does not split into 3 heads" in message


def gpt_records(tmp_path, done=True):
    records = [GPT_CONFIG]
    for step in (1, 2, 3, 4):
        for rank in (0, 1):
            records.append(
                rec(
                    "step",
                    rank,
                    t=step,
                    step=step,
                    epoch=0,
                    loss=7.0 - step,
                    samples_per_s=4.0,
                    tokens_per_s=2000.0 + rank,
                    lr=0.006,
                )
            )
        if step % 2 == 0:
            records.append(
                rec("eval", 0, t=step, step=step, val_loss=6.0 - step / 4, val_loss_per_char=2.0 - step / 10)
            )
            records.append(rec("sample", 0, step=step, text=f"ROMEO: sample at {step}"))
            records += [rec("checksum", rank, step=step, checksum=f"sum{step}", param_sum=1.0) for rank in (0, 1)]
    if done:
        records += [rec("done", rank, train_time=4.0, samples_per_s=4.0, tokens_per_s=2000.0 + rank) for rank in (0, 1)]
    return read_run(write(tmp_path / "gpt-run", records))


def test_a_gpt_run_is_summarised_by_its_model_held_out_loss_and_summed_tokens_per_second(tmp_path):
    run = gpt_records(tmp_path)
    assert run.task == "gpt" and run.last_step == 4 and run.progress() == pytest.approx(4 / 40)
    assert [sample["step"] for sample in run.samples()] == [4, 2]  # newest first
    row = summarize(run)
    assert (row["model"], row["steps"], row["tokens/s"], row["weights identical"]) == ("4L · 4H · 192", 4, 4001.0, True)
    assert row["held-out loss/char"] == pytest.approx(1.6)


def test_the_caption_counts_steps_and_the_done_message_gives_the_held_out_loss(tmp_path):
    shown = lesson.watch(str(gpt_records(tmp_path).folder), None)
    assert shown.caption.endswith("· step 4 of 40")
    assert (
        "success",
        "Done: every rank wrote its `done` record. Held-out loss 1.600 per character, 4,001 tokens/s over all ranks.",
    ) in shown.messages
    running = lesson.watch(str(gpt_records(tmp_path / "live", done=False).folder), None)
    assert running.live and running.progress == pytest.approx(0.1)


def test_the_checkpoint_is_handed_on_only_once_there_is_one(tmp_path):
    run = gpt_records(tmp_path)
    assert lesson.checkpoint_links(run) is None
    (run.folder / "model").mkdir()
    (run.folder / "model" / "training_step.json").write_text(json.dumps({"step": 4}))
    links = lesson.checkpoint_links(run)
    assert links["generate"] == {"model": "local", "model_dir": str(run.folder / "model"), "prompt": "ROMEO:"}
    assert links["anatomy"] | {} == {
        "vocab_size": "4096",
        "context_length": "256",
        "emb_dim": "192",
        "n_heads": "4",
        "n_layers": "4",
        "drop_rate": "0.0",
        "qkv_bias": "true",
        "tied": "true",
    }


def test_a_records_fields_must_have_their_types_or_the_line_is_named_and_skipped():
    good = rec("eval", step=2, val_loss=5.0, val_loss_per_char=1.7)
    assert parse_line(json.dumps(good))["val_loss"] == 5.0
    for bad, message in [
        (dict(good, val_loss="low"), "eval record's val_loss must be a number, got 'low'"),
        (dict(good, step=True), "eval record's step must be a number"),
        (rec("sample", step=1, text=["not", "text"]), "sample record's text must be text"),
        (dict(good, rank=False), "rank must be an integer"),
    ]:
        with pytest.raises(ValueError, match=message):
            parse_line(json.dumps(bad))


def test_the_page_explains_tokens_per_step_and_what_the_all_reduce_costs_from_the_runs_own_numbers(tmp_path):
    run = gpt_records(tmp_path)
    note = text.steps_per_pass_note(run.config)
    assert "2 worker(s) × 4 windows × 256 tokens × 1 = **2,048 tokens per step**" in note
    assert "takes 150 steps" in note  # 307,609 training tokens // 2,048
    figures = text.ddp_figures(run.config, run.steps())
    assert "2.62 M parameters" in figures and "**10.5 MB** of gradients" in figures
    # 6 x 2,615,424 parameters x 1,024 tokens; 1,024 tokens at the ranks' median 2,000.5 tokens/s
    assert "**16.1 GFLOP** on its 1,024 tokens, which took this run's workers 0.51 s a step" in figures


def test_the_run_is_summed_up_in_one_line_while_its_settings_box_is_closed():
    config = PretrainConfig(layers=1, heads=2, width=64, context=64, batch_size=4, grad_accum=2, max_steps=30)
    assert text.run_summary(config).startswith(
        "The run: 1 layer · 2 heads · width 64 · context 64 · 2 worker(s) × 4 windows × 2 accumulated = 1,024 tokens "
        "per step · 30 steps"
    )
    assert "the bundled GPT's size" in text.run_summary(PretrainConfig(init_from="bundled"))
