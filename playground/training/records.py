"""Reading a run folder's metrics.jsonl: the records every rank of playground/training/train.py appends while it trains.

Records (one JSON object per line; every one has kind, rank, time (unix seconds) and elapsed (seconds since the rank
started)):
- config: written once by rank 0: world_size, backend, strategy, dataset, batch_size, task (digits | gpt), epochs
          (digits) or max_steps, context, layers, heads, width (gpt), ...
- step:   step, epoch, loss (this rank's mini-batch), samples_per_s (since the previous step record); a GPT run adds
          lr and tokens_per_s (this rank's own throughput: the page adds the ranks up)
- epoch:  (digits) step, epoch, accuracy (held-out), checksum + param_sum of the parameters, epoch_time, samples_per_s
- eval:   (gpt, rank 0, every eval_every steps and at the last) step, val_loss (per token), val_loss_per_char
- sample: (gpt, rank 0, after each eval) step, text: what the model writes from the fixed prompt and seed
- checksum: (gpt, every rank, after each eval) step, checksum + param_sum: equal on every rank if the ranks agree
- done:   written by each rank after the final barrier(): train_time, samples, samples_per_s, accuracy (digits) or
          tokens_per_s and val_loss (gpt)
- error:  the failing rank's error text (or the launcher's, when a rank was killed by a signal)
- stopped: written by the job runner when it stopped the job: the learner's Stop, nobody watching, or the server
           shutting down. A Stop that comes as the processes exit can follow a full set of done records.

A folder written by a job elsewhere may be half-written or hold garbage: such lines are skipped with a message, never a
crash, because the page keeps polling the file while ranks are still appending to it. The messages here are shown as
markdown, so the folder's name and the text a record carries reach them through `plain`: never as links or HTML.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from playground.url_values import plain

METRICS_FILE = "metrics.jsonl"
ERROR_LIMIT = 600  # characters of a rank's error the page repeats; the whole text is in the records
REQUIRED = {
    "config": ("world_size", "strategy", "dataset", "batch_size"),
    "step": ("step", "epoch", "loss", "samples_per_s"),
    "epoch": ("step", "epoch", "accuracy", "checksum", "param_sum"),
    "eval": ("step", "val_loss", "val_loss_per_char"),
    "sample": ("step", "text"),
    "checksum": ("step", "checksum", "param_sum"),
    "done": ("train_time", "samples_per_s"),
    "error": ("error",),
    "stopped": (),
}
COMMON = ("kind", "rank", "time", "elapsed")
# What a field must hold wherever it appears: a record from a job elsewhere is data, and a string where the page
# expects a number would otherwise fail deep inside a chart instead of here, with the line's number.
NUMBERS = {
    "time",
    "elapsed",
    "world_size",
    "batch_size",
    "step",
    "epoch",
    "loss",
    "lr",
    "samples_per_s",
    "tokens_per_s",
    "accuracy",
    "param_sum",
    "train_time",
    "val_loss",
    "val_loss_per_char",
    "max_steps",
    "context",
    "epochs",
    "minutes",
    "gpu_mem_mb",
}
TEXTS = {"strategy", "dataset", "task", "text", "error", "checksum", "reason"}
# What gloo / NCCL say on a rank whose peer went away: a consequence, not a cause.
PEER_LOST = (
    "Connection closed by peer",
    "Connection reset by peer",
    "remote worker",
    "Broken pipe",
    "communicator was aborted",
)


def parse_line(line: str) -> dict:
    """One record, or a ValueError saying what is wrong with the line."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise ValueError(f"not JSON ({err.msg})") from None
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    kind = record.get("kind")
    if kind not in REQUIRED:
        raise ValueError(f"unknown kind {kind!r}")
    missing = [name for name in COMMON + REQUIRED[kind] if name not in record]
    if missing:
        raise ValueError(f"{kind} record lacks {', '.join(missing)}")
    if not isinstance(record["rank"], int) or isinstance(record["rank"], bool):
        raise ValueError(f"rank must be an integer, got {plain(repr(record['rank']), limit=40)}")
    for name, value in record.items():
        if value is None:
            continue  # e.g. gpu_mem_mb on a CPU rank
        if name in NUMBERS and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ValueError(f"{kind} record's {name} must be a number, got {plain(repr(value), limit=40)}")
        if name in TEXTS and not isinstance(value, str):
            raise ValueError(f"{kind} record's {name} must be text, got {plain(repr(value), limit=40)}")
    return record


@dataclass
class Run:
    """Everything one run folder says so far."""

    folder: Path
    records: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "line 7: not JSON (...)"

    def of_kind(self, kind: str) -> list[dict]:
        return [r for r in self.records if r["kind"] == kind]

    @property
    def config(self) -> dict | None:
        configs = self.of_kind("config")
        return configs[0] if configs else None

    @property
    def world_size(self) -> int | None:
        return self.config["world_size"] if self.config else None

    @property
    def errors(self) -> list[dict]:
        """Earliest first: the first error is the cause, later ones are usually peers losing their connection."""
        return sorted(self.of_kind("error"), key=lambda r: r["time"])

    @property
    def status(self) -> str:
        """waiting (no record yet), running, done (every rank wrote done, whatever came after), failed or stopped."""
        if self.errors:
            return "failed"
        done_ranks = {r["rank"] for r in self.of_kind("done")}
        if self.world_size and done_ranks >= set(range(self.world_size)):
            return "done"  # even if a Stop came while the processes were exiting: the run had finished
        if self.of_kind("stopped"):
            return "stopped"
        return "running" if self.records else "waiting"

    @property
    def task(self) -> str:
        """gpt or digits: a run written before the GPT task existed is a digits run."""
        return (self.config or {}).get("task", "digits")

    def steps(self) -> pd.DataFrame:
        return _frame(
            self.of_kind("step"),
            ["rank", "step", "epoch", "loss", "samples_per_s", "tokens_per_s", "lr", "elapsed", "gpu_mem_mb"],
        )

    def evals(self) -> pd.DataFrame:
        """A GPT run's held-out evaluations, by step (rank 0 writes them)."""
        return _frame(self.of_kind("eval"), ["rank", "step", "val_loss", "val_loss_per_char", "elapsed"])

    def checksums(self) -> pd.DataFrame:
        """A GPT run's parameter checksums after each evaluation, one per rank."""
        return _frame(self.of_kind("checksum"), ["rank", "step", "checksum", "param_sum"])

    def samples(self) -> list[dict]:
        """What the model wrote at each evaluation, newest first."""
        return sorted(self.of_kind("sample"), key=lambda r: r["step"], reverse=True)

    @property
    def last_step(self) -> int:
        steps = self.of_kind("step")
        return max((r["step"] for r in steps), default=0)

    def progress(self) -> float:
        """How far through its budget the run is: epochs for digits; steps or minutes, whichever is further, for a
        GPT (its loop stops at whichever runs out first)."""
        config = self.config or {}
        if self.task != "gpt":
            return min(1.0, self.epochs().epoch.nunique() / max(1, config.get("epochs") or 1))
        by_steps = self.last_step / max(1, config.get("max_steps") or 1)
        steps = self.of_kind("step")
        minutes = config.get("minutes") or 0
        by_time = max((r["elapsed"] for r in steps), default=0.0) / (minutes * 60) if minutes else 0.0
        return min(1.0, max(by_steps, by_time))

    def epochs(self) -> pd.DataFrame:
        return _frame(
            self.of_kind("epoch"),
            ["rank", "epoch", "step", "accuracy", "checksum", "param_sum", "epoch_time", "samples_per_s"],
        )

    @property
    def culprit(self) -> dict | None:
        """The error that caused the failure. When one rank dies its peers fail too, in their next all-reduce, and
        may even write first (the launcher only notices a killed rank a moment later), so those don't count."""
        if not self.errors:
            return None
        causes = [e for e in self.errors if not any(sign in e["error"] for sign in PEER_LOST)]
        return (causes or self.errors)[0]

    def failure_message(self) -> str | None:
        culprit = self.culprit
        if culprit is None:
            return None
        others = sorted({e["rank"] for e in self.errors} - {culprit["rank"]})
        tail = f" (then rank {', '.join(map(str, others))} lost its connection to it)" if others else ""
        return f"Rank {culprit['rank']} died: {plain(culprit['error'], limit=ERROR_LIMIT)}{tail}"


def _frame(records: list[dict], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=columns)
    return frame.sort_values(["rank"] + [c for c in ("step", "epoch") if c in columns][:1], kind="stable").reset_index(
        drop=True
    )


def read_run(folder: str | Path) -> Run:
    """Parse `folder/metrics.jsonl`. A missing folder or file is a FileNotFoundError whose text says what to check."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise FileNotFoundError(f"There is no folder {plain(folder)}.")
    path = folder / METRICS_FILE
    if not path.exists():
        raise FileNotFoundError(
            f"{plain(folder)} has no {METRICS_FILE}: is it the --run-dir of a playground.training.train job?"
        )
    run = Run(folder)
    text = path.read_text(errors="replace")
    lines = text.split("\n")
    if not text.endswith("\n"):
        lines = lines[:-1]  # a rank may be halfway through writing the last line: read it next time
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            run.records.append(parse_line(line))
        except ValueError as err:
            run.problems.append(f"line {number}: {err}")
    return run


def list_runs(root: str | Path) -> list[Run]:
    """Every run folder directly under `root`, newest first."""
    root = Path(root)
    if not root.is_dir():
        return []
    folders = [p for p in root.iterdir() if (p / METRICS_FILE).exists()]
    folders.sort(key=lambda p: (p / METRICS_FILE).stat().st_mtime, reverse=True)
    return [read_run(p) for p in folders]


def summarize(run: Run) -> dict:
    """One row of the runs table, in the columns of the run's task."""
    return summarize_gpt(run) if run.task == "gpt" else summarize_digits(run)


def summarize_gpt(run: Run) -> dict:
    """What a class compares first (workers, held-out loss, tokens/s) comes first: a phone shows only a few columns."""
    config = run.config or {}
    done = run.of_kind("done")
    evals, checksums = run.evals(), run.checksums()
    last_eval = evals.iloc[-1] if len(evals) else None
    last_sums = checksums[checksums.step == checksums.step.max()] if len(checksums) else checksums
    return {
        "run": run.folder.name,
        "status": run.status,
        "workers": config.get("world_size"),
        "steps": run.last_step or None,
        "held-out loss/char": round(float(last_eval.val_loss_per_char), 4) if last_eval is not None else None,
        # Throughput of the whole job: the ranks work at the same time, so their rates add up.
        "tokens/s": round(sum(r.get("tokens_per_s", 0) for r in done), 1) if done else None,
        "train time (s)": max(r["train_time"] for r in done) if done else None,
        "model": _model_size(config),
        "context": config.get("context"),
        "batch/worker": config.get("batch_size"),
        "grad accum": config.get("grad_accum"),
        "tokens/step": config.get("tokens_per_step"),
        "lr": config.get("lr"),
        "dataset": config.get("dataset"),
        "weights identical": bool(last_sums.checksum.nunique() == 1) if len(last_sums) else None,
    }


def _model_size(config: dict) -> str | None:
    if not all(name in config for name in ("layers", "heads", "width")):
        return None
    return f"{config['layers']}L · {config['heads']}H · {config['width']}"


def summarize_digits(run: Run) -> dict:
    config = run.config or {}
    done = run.of_kind("done")
    epochs = run.epochs()
    last = epochs[epochs.epoch == epochs.epoch.max()] if len(epochs) else epochs
    return {
        "run": run.folder.name,
        "status": run.status,
        "strategy": config.get("strategy"),
        "workers": config.get("world_size"),
        "dataset": config.get("dataset"),
        "batch/worker": config.get("batch_size"),
        "epochs": config.get("epochs"),
        "lr": config.get("lr"),
        # Optimizer steps: N workers share each step's batch, so an epoch takes N times fewer of them.
        "steps": int(last.step.max()) if len(last) else None,
        "accuracy": float(last.accuracy.iloc[0]) if len(last) else None,
        # Throughput of the whole job: the ranks work at the same time, so their rates add up.
        "samples/s": round(sum(r["samples_per_s"] for r in done), 1) if done else None,
        "train time (s)": max(r["train_time"] for r in done) if done else None,
        "weights identical": bool(last.checksum.nunique() == 1) if len(last) else None,
    }


# Per task: the throughput column, what must match for a 1-worker run to be a fair baseline, and the quality column.
COMPARED = {
    "digits": ("samples/s", ("dataset", "batch/worker"), "accuracy"),
    "gpt": ("tokens/s", ("dataset", "model", "context", "batch/worker"), "held-out loss/char"),
}


def comparison_columns(task: str = "digits") -> list[str]:
    rate, _, quality = COMPARED[task]
    return [
        "run",
        "workers",
        rate,
        "baseline",
        "speedup",
        "efficiency",
        "steps",
        "baseline steps",
        quality,
        f"baseline {quality}",
    ]


COMPARISON_COLUMNS = comparison_columns("digits")


def compare_runs(rows: list[dict], task: str = "digits") -> pd.DataFrame:
    """Speedup and scaling efficiency of finished runs against a 1-worker run of the same shape.

    speedup = throughput(N workers) / throughput(1 worker); efficiency = speedup / N (1.0 = perfect scaling).
    The baseline is the newest finished 1-worker run on the same data with the same per-worker batch (and, for a
    GPT, the same model size and context): then each process does the same work per micro-batch, and only the
    number of processes differs.
    """
    rate, same_shape, quality = COMPARED[task]
    columns = comparison_columns(task)
    frame = pd.DataFrame([r for r in rows if r["status"] == "done" and rate in r and r[rate]])
    if frame.empty:
        return pd.DataFrame(columns=columns)
    out = []
    for _, row in frame.iterrows():
        same = frame[(frame.workers == 1) & (frame[list(same_shape)] == row[list(same_shape)]).all(axis=1)]
        if same.empty:
            continue
        base = same.iloc[0]  # rows come newest first
        speedup = row[rate] / base[rate]
        out.append(
            {
                "run": row.run,
                "workers": int(row.workers),
                rate: row[rate],
                "baseline": base.run,
                "speedup": round(speedup, 3),
                "efficiency": round(speedup / row.workers, 3),
                "steps": row.steps,
                "baseline steps": base.steps,
                quality: row[quality],
                f"baseline {quality}": base[quality],
            }
        )
    return pd.DataFrame(out, columns=columns)
