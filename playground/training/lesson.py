"""The Training page's decisions, without Streamlit: where runs go, who may start and stop the job, and what a run
folder says right now (whether it is worth polling, and which messages the page shows about it)."""

from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from playground import REPO
from playground.server_paths import PathRefused, resolve
from playground.training import gpt_pretrain, jobs, text
from playground.training.checkpoints import MODEL_DIR, checkpoint_step
from playground.training.code_panel import pretraining_code, training_code
from playground.training.data import available_datasets, fashion_mnist_folder
from playground.training.gpt_corpus import bundled_corpus, read_text
from playground.training.pretrain_config import MAX_TEXT_MB, PretrainConfig
from playground.training.records import Run, read_run, summarize
from playground.training.train import TrainConfig
from playground.url_values import plain, quoted

UPLOADS = "uploads"  # under the runs folder: the learners' text files


def runs_root() -> Path:
    """Where the page's runs go: runs/training in the checkout, or PLAYGROUND_RUNS_DIR."""
    return Path(os.environ.get("PLAYGROUND_RUNS_DIR", REPO / "runs" / "training"))


def missing_data(dataset: str, data_dir: str) -> str | None:
    """What to do before a run of `dataset` can start, or None when its data is there."""
    if dataset == "fashion-mnist" and fashion_mnist_folder() is None:
        return f"{available_datasets()[dataset]}."
    if dataset == "mnist" and not data_dir.strip():
        return text.GIVE_THE_FOLDER
    if dataset == "mnist":
        try:
            resolve(data_dir)  # read, or with download created, only under the server's allowed roots
        except PathRefused as err:
            return str(err)
    return None


def start(config: TrainConfig | PretrainConfig, owner: str) -> tuple[str | None, str | None]:
    """Start the job in a new run folder: (the folder, None), or (None, why it could not start).

    A GPT run is checked first (the text, the model's size, the windows), so a bad upload or a width the heads don't
    divide is a message on the page and no process starts."""
    if isinstance(config, PretrainConfig):
        try:
            config = gpt_pretrain.check(config).config
        except ValueError as err:
            return None, f"Nothing started: {plain(str(err), limit=600)}"
    elif problem := missing_data(config.dataset, config.data_dir):
        return None, f"Nothing started: {problem}"
    name = "gpt" if isinstance(config, PretrainConfig) else config.strategy
    run_dir = runs_root() / f"{time.strftime('%Y%m%d-%H%M%S')}-{name}-{config.workers}w"
    try:
        jobs.start_job(config, run_dir, owner)
    except (jobs.JobBusy, OSError) as err:
        return None, str(err)
    return str(run_dir), None


def save_upload(name: str, data: bytes) -> tuple[str | None, str | None]:
    """A learner's text file kept under the runs folder, named by its content (a class uploading the same file
    shares one copy): (its path, None), or (None, what is wrong with it). The job reads it again, with the same
    checks, when it starts."""
    if len(data) > MAX_TEXT_MB * 1e6:
        return None, f"{plain(name, limit=60)} is {len(data) / 1e6:.1f} MB; the limit is {MAX_TEXT_MB:g} MB of text."
    folder = runs_root() / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{hashlib.sha256(data).hexdigest()[:16]}-{re.sub(r'[^A-Za-z0-9_.-]', '_', name)[-60:]}"
    if not path.exists():
        path.write_bytes(data)
    try:
        read_text(path)
    except ValueError as err:
        path.unlink(missing_ok=True)
        return None, plain(str(err).replace(path.name, name), limit=400)
    return str(path), None


def missing_corpus(config: PretrainConfig) -> str | None:
    """What to do when the run would read the bundled corpus and this machine has none."""
    return None if config.text or bundled_corpus().is_file() else text.GPT_NO_CORPUS


def corpus_path(config: PretrainConfig) -> str:
    """The text file the run reads, as "the code" names it."""
    return config.text or str(bundled_corpus())


def code(config: TrainConfig | PretrainConfig) -> str:
    """ "The code" for the task on screen: the GPT job's own loop on its text, or the digits job's on its data."""
    if isinstance(config, PretrainConfig):
        return pretraining_code(config, corpus_path(config))
    fashion = fashion_mnist_folder()
    folder = str(fashion or "") if config.dataset == "fashion-mnist" else config.data_dir
    return training_code(config, data_folder=folder)


def running_folder() -> str:
    """The folder of the job running on this server, whoever started it: a class opening the page watches the
    teacher's run without pasting anything. "" when none runs."""
    job = jobs.current_job()
    return str(job.run_dir) if job is not None and job.running else ""


def checkpoint_links(run: Run) -> dict[str, dict[str, str]] | None:
    """The links that hand a GPT run's checkpoint on: GPT generation with RUN/model picked as a local folder, and
    GPT-2 anatomy with its configuration. None before the first checkpoint (or for a digits run)."""
    if run.task != "gpt" or checkpoint_step(run.folder) is None:
        return None
    config = run.config or {}
    anatomy = {
        "vocab_size": config.get("vocab"),
        "context_length": config.get("context"),
        "emb_dim": config.get("width"),
        "n_heads": config.get("heads"),
        "n_layers": config.get("layers"),
        "drop_rate": config.get("dropout"),
        "qkv_bias": "true",  # GPT2LMHeadModel: biased attention projections, embeddings tied to the output
        "tied": "true",
    }
    return {
        "generate": {"model": "local", "model_dir": str(run.folder / MODEL_DIR), "prompt": config.get("prompt", "")},
        "anatomy": {name: str(value) for name, value in anatomy.items() if value is not None},
    }


def stop(owner: str) -> str | None:
    """Stop this server's job if `owner` started it; else say why not."""
    job = jobs.current_job()
    if job is not None and job.running and job.owner != owner:
        return text.NOT_YOURS
    if job is not None:
        jobs.stop_job(job)
    return None


def alive(job: jobs.Job | None, folder: str) -> bool | None:
    """Whether this server's job writing `folder` still runs; None for a folder written by a job elsewhere."""
    return job.running if job is not None and str(job.run_dir) == folder else None


def is_live(run: Run | None, job_alive: bool | None) -> bool:
    """Still worth polling: this server's job by its process, a job elsewhere by its records."""
    return job_alive if job_alive is not None else run is not None and run.status in ("waiting", "running")


@dataclass
class Watch:
    """What one look at a run folder shows."""

    run: Run | None
    live: bool  # poll again
    mine: bool = False  # written by this server's job, which the page keeps alive by watching it
    missing: str | None = None  # the folder or its records are not there
    caption: str = ""
    progress: float | None = None  # while the run waits or trains
    messages: list[tuple[str, str]] = field(default_factory=list)  # (kind, text)
    crashed_log: str | None = None  # the job's last output, when it exited before any rank said why
    curves: bool = False  # whether there are (or soon will be) curves to draw


def watch(folder: str, job: jobs.Job | None) -> Watch:
    """Read the run, and decide what the page says about it. The job's state is read before its records: a record
    written after this read can only add to what the page shows, whereas the other order could pair an old
    "running" record with a job that has since ended."""
    job_alive = alive(job, folder)
    exit_code = job.returncode if job_alive is not None else None
    try:
        run = read_run(resolve(folder))  # a typed folder is read only under the server's allowed roots
    except PathRefused as err:
        return Watch(None, False, False, missing=str(err))
    except FileNotFoundError as err:
        return Watch(None, False, job_alive is not None, missing=f"{err} Check the path, or start a run above.")
    shown = Watch(run, is_live(run, job_alive), job_alive is not None)
    config = run.config or {}
    if run.task == "gpt":
        where = f"step {run.last_step} of {config.get('max_steps', '?')}"
    else:
        where = f"epoch {run.epochs().epoch.nunique()} of {config.get('epochs', '?')}"
    shown.caption = (
        f"{quoted(folder, limit=160)} · {run.status} · {config.get('world_size', '?')} worker(s) · backend "
        f"{config.get('backend', '?')} · {where}"
    )
    if run.status in ("waiting", "running"):
        shown.progress = run.progress()
    if run.unreadable:
        skipped = f"Skipped {run.unreadable} unreadable line(s) in metrics.jsonl, e.g. {plain(run.problems[0])}"
        shown.messages.append(("warning", skipped))
    if run.status == "failed":
        shown.messages.append(("error", run.failure_message()))
    elif run.status == "stopped":
        shown.messages.append(("warning", f"Stopped: {plain(run.of_kind('stopped')[0].get('reason', ''))}"))
    elif run.status == "done" and job_alive:  # "Done" waits for the processes to exit, so that Start works again
        shown.messages.append(("info", text.SHUTTING_DOWN))
    elif run.status == "done":
        shown.messages.append(("success", f"Done: every rank wrote its `done` record. {_result(run)}"))
    stopped = job is not None and job.stopped_by is not None  # a Stop's 143 is no crash
    if job_alive is False and exit_code and run.status != "failed" and not stopped:
        shown.messages.append(("error", f"The job exited with code {exit_code} before any rank reported why:"))
        shown.crashed_log = job.log_tail()
    shown.curves = not run.steps().empty or shown.live  # while a run starts, empty charts mark where curves will come
    return shown


def _result(run: Run) -> str:
    row = summarize(run)
    if run.task != "gpt":
        return f"Held-out accuracy {row['accuracy']:.3f}."
    per_char = row["held-out loss/char"]
    loss = f"Held-out loss {per_char:.3f} per character" if per_char is not None else "No evaluation"
    return f"{loss}, {row['tokens/s']:,.0f} tokens/s over all ranks."


@dataclass
class FewerSteps:
    """An N-worker run that learned less than its 1-worker baseline because it took fewer optimizer steps, and the
    two settings that would compare like with like."""

    note: str
    same_steps: dict  # the page's settings for as many steps: N x the epochs
    scaled_lr: dict  # ... or the learning rate scaled with the global batch


def fewer_steps(comparison, rows: list[dict]) -> FewerSteps | None:
    """The newest compared run with more workers, fewer steps and a lower accuracy than its baseline, if any."""
    by_name = {row["run"]: row for row in rows}
    for _, row in comparison.iterrows():
        if any(pd.isna(row[c]) for c in ("steps", "baseline steps", "accuracy", "baseline accuracy")):
            continue
        if row.workers > 1 and row.steps < row["baseline steps"] and row.accuracy < row["baseline accuracy"]:
            run, workers = by_name[row.run], int(row.workers)
            steps, base_steps = int(row.steps), int(row["baseline steps"])
            note = text.fewer_steps(
                workers, int(run["batch/worker"]), row.accuracy, steps, row["baseline accuracy"], base_steps
            )
            epochs, lr = int(run["epochs"]), float(run["lr"] or TrainConfig.lr)
            return FewerSteps(
                note, {"workers": workers, "epochs": epochs * workers}, {"workers": workers, "lr": lr * workers}
            )
    return None
