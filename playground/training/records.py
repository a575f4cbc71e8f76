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
import math
import os
import threading
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from playground.url_values import plain

METRICS_FILE = "metrics.jsonl"
ERROR_LIMIT = 600  # characters of a rank's error the page repeats; the whole text is in the records
# What a page keeps of one run, however large its file grows: the newest KEEP records of each kind (the first KEEP
# configs: the first is the run's), lines of at most MAX_LINE bytes (a rank's error with its traceback is a few KB),
# and a few of the unreadable lines as examples. Step records are thinned instead, so a curve keeps the whole run:
# past KEEP, only every 2nd, 4th, ... step is kept, plus the newest RECENT records. A real run stays inside: the
# bundled GPT's wrote 10,000 step records (5,000 steps, 2 ranks); the page's largest, 80,000 (16 ranks). A record
# takes about 1.3 kB in memory.
KEEP = 20_000
RECENT = 64
MAX_LINE = 64 * 1024
KEEP_PROBLEMS = 20
CHUNK = 4 * 1024 * 1024  # bytes read at a time: a 50 MB file is parsed without holding it whole
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
    "epoch_time",
    "samples",
    "n_params",
    "grad_accum",
    "train_tokens",
    "tokens_per_step",
    "layers",
    "heads",
    "width",
    "vocab",
    "dropout",
}
# Numbers the page counts or divides by: a world size of -3 or 2.5 is no run's.
COUNTS = {"world_size", "batch_size", "context", "grad_accum", "layers", "heads", "width", "vocab"}
TEXTS = {"strategy", "dataset", "task", "text", "error", "checksum", "reason", "backend", "prompt"}
# A GPT run's config carries what the page's notes on it compute with (playground/training/text.py).
GPT_CONFIG = ("max_steps", "context", "layers", "heads", "width", "n_params", "grad_accum", "train_tokens")
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
    required = COMMON + REQUIRED[kind] + (GPT_CONFIG if kind == "config" and record.get("task") == "gpt" else ())
    missing = [name for name in required if name not in record]
    if missing:
        raise ValueError(f"{kind} record lacks {', '.join(missing)}")
    if not isinstance(record["rank"], int) or isinstance(record["rank"], bool):
        raise ValueError(f"rank must be an integer, got {plain(repr(record['rank']), limit=40)}")
    for name, value in record.items():
        if value is None:
            if name in required:
                raise ValueError(f"{kind} record's {name} is empty (null)")
            continue  # e.g. gpu_mem_mb on a CPU rank
        if name in NUMBERS and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ValueError(f"{kind} record's {name} must be a number, got {plain(repr(value), limit=40)}")
        if name in COUNTS and (not isinstance(value, int) or value < 1):
            raise ValueError(f"{kind} record's {name} must be a whole number of at least 1, got {plain(value, 40)}")
        if name in NUMBERS and name not in ("loss", "val_loss", "val_loss_per_char") and not math.isfinite(value):
            raise ValueError(f"{kind} record's {name} must be finite, got {value}")  # a diverged loss may be nan
        if name in TEXTS and not isinstance(value, str):
            raise ValueError(f"{kind} record's {name} must be text, got {plain(repr(value), limit=40)}")
    return record


@dataclass
class Run:
    """Everything one run folder says so far."""

    folder: Path
    records: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # the first few unreadable lines: "line 7: not JSON (...)"
    unreadable: int = 0  # how many lines could not be read, examples or not
    offset: int = 0  # bytes of metrics.jsonl read so far
    parsed_now: int = 0  # lines this read parsed: only those appended since the last read of the folder

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
        # Counted, not compared with set(range(world_size)): a record saying 10**12 ranks must not fill the memory.
        if self.world_size and sum(0 <= rank < self.world_size for rank in done_ranks) == self.world_size:
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


@dataclass
class _Reader:
    """What this process has read of one metrics.jsonl: where it stopped, and what it keeps."""

    identity: tuple = ()  # (device, inode) of the file read: another file at the same path is read again from 0
    head: bytes = b""  # its first bytes and the last ones read, to notice a file rewritten in place
    tail: bytes = b""
    offset: int = 0
    line: int = 0  # the number of the last whole line read
    skipping: bool = False  # inside a line longer than MAX_LINE, waiting for its end
    configs: list = field(default_factory=list)
    kept: dict = field(default_factory=dict)  # kind -> deque of (line number, record), the newest KEEP
    steps: list = field(default_factory=list)  # (line number, record) of every `stride`-th step
    stride: int = 1
    recent: deque = field(default_factory=lambda: deque(maxlen=RECENT))  # the newest step records, thinned or not
    problems: list = field(default_factory=list)
    unreadable: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def restart(self, identity: tuple) -> None:
        """Forget what was read: the path now holds another file, or this one was rewritten."""
        lock = self.lock
        self.__init__(identity=identity, lock=lock)

    def take(self, text: str) -> None:
        self.line += 1
        if not text.strip():
            return
        try:
            record = parse_line(text)
        except ValueError as err:
            self.problem(f"line {self.line}: {err}")
            return
        if record["kind"] == "config":
            if len(self.configs) < KEEP:
                self.configs.append((self.line, record))
        elif record["kind"] == "step":
            self.recent.append((self.line, record))
            if record["step"] % self.stride == 0:
                self.steps.append((self.line, record))
            if len(self.steps) > KEEP:  # keep every other kept step: the curve's shape, at half the points
                self.stride *= 2
                self.steps = [(line, r) for line, r in self.steps if r["step"] % self.stride == 0]
        else:
            self.kept.setdefault(record["kind"], deque(maxlen=KEEP)).append((self.line, record))

    def problem(self, text: str) -> None:
        self.unreadable += 1
        if len(self.problems) < KEEP_PROBLEMS:
            self.problems.append(text)


_READERS: OrderedDict[str, _Reader] = OrderedDict()
_READERS_LOCK = threading.Lock()
_MAX_READERS = 64  # run folders remembered per process (the runs table lists 60); the least recently read is forgotten


def _reader(key: str) -> _Reader:
    with _READERS_LOCK:
        reader = _READERS.pop(key, None) or _Reader()
        _READERS[key] = reader
        while len(_READERS) > _MAX_READERS:
            _READERS.popitem(last=False)
        return reader


def _metrics_file(folder: Path) -> Path:
    """The folder's metrics.jsonl, or a FileNotFoundError whose text says what to check."""
    try:
        is_dir = folder.is_dir()
        path = folder / METRICS_FILE
        exists, is_file = (path.exists(), path.is_file()) if is_dir else (False, False)
    except (OSError, ValueError):  # a name longer than the file system takes, a NUL in it
        raise FileNotFoundError(f"There is no folder {plain(folder)}: no folder can be named that here.") from None
    if not is_dir:
        raise FileNotFoundError(f"There is no folder {plain(folder)}.")
    if not exists:
        raise FileNotFoundError(
            f"{plain(folder)} has no {METRICS_FILE}: is it the --run-dir of a playground.training.train job?"
        )
    if not is_file:
        raise FileNotFoundError(f"The {METRICS_FILE} in {plain(folder)} is a folder, not a file of records.")
    return path


def read_run(folder: str | Path) -> Run:
    """What `folder/metrics.jsonl` says so far. A missing folder or file is a FileNotFoundError whose text says what
    to check.

    The page reads a live run every second, so each process remembers, per folder, how far it has read: a read
    parses only the lines appended since (a file that shrank or was replaced is read again from the start), and
    keeps what KEEP and MAX_LINE allow."""
    folder = Path(folder).expanduser()
    path = _metrics_file(folder)
    reader = _reader(str(Path(os.path.abspath(folder))))
    with reader.lock:
        parsed = _read_new_lines(reader, path)
        kept = dict(reader.configs + reader.steps + list(reader.recent))  # by line number: a recent step is also kept
        for kind in reader.kept.values():
            kept.update(kind)
        records = [kept[line] for line in sorted(kept)]
        return Run(folder, records, list(reader.problems), reader.unreadable, reader.offset, parsed)


def _read_new_lines(reader: _Reader, path: Path) -> int:
    """Parse what was appended to `path` since `reader` last read it; the number of lines parsed."""
    try:
        handle = path.open("rb")
    except OSError as err:
        raise FileNotFoundError(f"The {METRICS_FILE} in {plain(path.parent)} can't be read ({plain(err)}).") from None
    with handle:
        stat = os.fstat(handle.fileno())
        head = handle.read(256)
        known = reader.head[: len(head)] == head[: len(reader.head)]
        if reader.tail and known and stat.st_size >= reader.offset:
            handle.seek(reader.offset - len(reader.tail))
            known = handle.read(len(reader.tail)) == reader.tail
        if reader.identity != (stat.st_dev, stat.st_ino) or stat.st_size < reader.offset or not known:
            reader.restart((stat.st_dev, stat.st_ino))
        reader.head = head
        handle.seek(reader.offset)
        before, pending = reader.line, b""
        while chunk := handle.read(CHUNK):
            lines = (pending + chunk).split(b"\n")
            pending = lines.pop()  # a rank may be halfway through writing the last line: read it next time
            for raw in lines:
                reader.offset += len(raw) + 1
                if reader.skipping:  # the end of a line already counted as too long
                    reader.skipping = False
                    reader.line += 1
                elif len(raw) > MAX_LINE:
                    reader.line += 1
                    reader.problem(f"line {reader.line}: longer than {MAX_LINE:,} bytes")
                else:
                    reader.take(raw.decode("utf-8", errors="replace"))
            if len(pending) > MAX_LINE:  # no line is this long: count it once and skip to its end
                if not reader.skipping:
                    reader.problem(f"line {reader.line + 1}: longer than {MAX_LINE:,} bytes")
                    reader.skipping = True
                reader.offset += len(pending)
                pending = b""
        if reader.offset:
            handle.seek(max(0, reader.offset - 256))
            reader.tail = handle.read(reader.offset - handle.tell())
        return reader.line - before


def list_runs(root: str | Path, limit: int | None = None) -> list[Run]:
    """The newest `limit` run folders directly under `root` (all by default), newest first; a folder that can't be
    read is left out."""
    root = Path(root)
    if not root.is_dir():
        return []
    found = []
    for folder in root.iterdir():
        try:
            if (folder / METRICS_FILE).is_file():
                found.append(((folder / METRICS_FILE).stat().st_mtime, folder))
        except OSError:
            continue
    runs = []
    for _, folder in sorted(found, key=lambda pair: pair[0], reverse=True):
        if limit is not None and len(runs) >= limit:
            break
        try:
            runs.append(read_run(folder))
        except FileNotFoundError:
            continue
    return runs


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
