"""What a learner may set for a GPT pretraining run, and the caps a shared server puts on it.

The defaults are the bundled GPT's own size (assets/models/shakespeare-gpt/config.json: 4 layers, 4 heads, width 192,
256 positions), so "start" with nothing changed trains a model like the one the GPT pages use; and a run worth watching
in class: measured with 2 CPU workers, 200 such steps took 105 s, and the samples went from blank lines to speaker
names ("KING", "Nurse", "GLOUC…") with a held-out loss of 1.89 per character.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

from playground.training.flags import as_flags

TOKENIZERS = ("bundled", "train")  # the bundled GPT's byte-level BPE, or one trained on this run's text
DEVICES = ("cpu", "cuda")
CAPS = {
    "layers": 12,
    "heads": 16,
    "width": 768,
    "context": 1024,
    "batch_size": 64,
    "grad_accum": 32,
    "max_steps": 5000,
    "vocab_size": 16384,
    "sample_tokens": 400,
}
MAX_MINUTES = 60.0
# The page's form for a GPT run, in rows of 4, 4 and 2: (label, URL name, PretrainConfig field, lowest, highest, step)
FORM = (
    ("Layers", "layers", "layers", 1, CAPS["layers"], 1),
    ("Heads", "heads", "heads", 1, CAPS["heads"], 1),
    ("Embedding width", "width", "width", 8, CAPS["width"], 8),
    ("Context (tokens)", "context", "context", 8, CAPS["context"], 8),
    ("Windows per worker", "windows", "batch_size", 1, CAPS["batch_size"], 1),
    ("Accumulation steps", "accum", "grad_accum", 1, CAPS["grad_accum"], 1),
    ("Peak learning rate", "peak_lr", "lr", 1e-5, 0.05, 1e-4),
    ("Steps", "steps", "max_steps", 1, CAPS["max_steps"], 1),
    ("Evaluate and sample every … steps", "eval_every", "eval_every", 1, 5000, 1),
    ("Time budget (minutes, 0 = none)", "minutes", "minutes", 0.0, MAX_MINUTES, 0.5),
)
SIZE_FIELDS = ("layers", "heads", "width")  # a continued model keeps its own
MAX_TEXT_MB = 5.0  # a larger --text file is cut (at a line end) to its first 5 MB
MIN_CONTEXT = 8


@dataclass
class PretrainConfig:
    task: str = "gpt"  # the job train.py dispatches to; keeps `--task gpt` in the command line this config makes
    workers: int = 2  # processes; the global batch is workers * batch_size * grad_accum windows
    text: str = ""  # a UTF-8 text file; "" = the bundled corpus (../shared/data/tinyshakespeare.txt)
    init_from: str = ""  # "" = from scratch; a folder in transformers' format, or "bundled" for the bundled GPT
    tokenizer: str = "bundled"  # bundled | train (byte-level BPE trained on the training part); ignored with init_from
    vocab_size: int = 4096  # for --tokenizer train
    layers: int = 4
    heads: int = 4
    width: int = 192  # n_embd: the embedding width, split evenly over the heads
    context: int = 256  # n_positions, and the tokens of each training window
    dropout: float = 0.0  # a two-minute run from scratch learns faster without it; the bundled GPT trained with 0.1
    batch_size: int = 4  # windows per micro-batch, on each worker
    grad_accum: int = 1  # micro-batches per optimizer step: 1 worker at K steps = K workers at 1
    lr: float = 6e-3  # peak of the warmup + cosine schedule: high, so that a short run visibly learns
    max_steps: int = 240  # optimizer steps: about two minutes on 2 CPU workers (measured: 0.45 s a step)
    minutes: float = 0.0  # wall-clock budget; 0 = steps only (the cap still applies)
    eval_every: int = 20  # steps between held-out evaluations (and checkpoints); the last step always evaluates
    eval_chars: int = 20_000  # held-out characters scored at each evaluation; 0 = all of them
    keep_best: bool = False  # checkpoint only an evaluation that beat the saved one: a long run on 1 MB overfits
    prompt: str = "ROMEO:"  # the sample each evaluation writes starts from this...
    sample_seed: int = 0  # ...with this seed, so samples differ only because the weights did
    sample_tokens: int = 120
    seed: int = 0
    log_every: int = 1
    device: str = "cpu"  # cpu (gloo) | cuda (NCCL, one GPU per local rank)
    threads: int = 1  # torch intra-op threads per process, as torchrun's OMP_NUM_THREADS=1
    crash_rank: int = -1  # fault injection for the lesson: this rank dies...
    crash_step: int = 0  # ...at this step
    crash_how: str = "raise"  # raise an exception, or "kill" (SIGKILL, like the OOM killer)

    @property
    def strategy(self) -> str:
        """As the digits job names it, so run folders and tables read alike."""
        return "ddp" if self.workers > 1 or "RANK" in os.environ else "single"

    def to_args(self) -> list[str]:
        return as_flags(self)


def apply_caps(config: PretrainConfig, cpu_count: int, gpu_count: int) -> tuple[PretrainConfig, list[str]]:
    """Clamp what a learner can size to what a shared server can run; each clamp comes with a note saying why."""
    notes = []
    values = asdict(config)
    if values["device"] == "cuda" and gpu_count == 0:
        values["device"] = "cpu"
        notes.append("No CUDA GPU is visible, so the job runs on CPU processes with the gloo backend.")
    limit, what = (gpu_count, "GPUs") if values["device"] == "cuda" else (max(1, cpu_count), "CPU cores")
    if values["workers"] > limit:
        notes.append(
            f"Asked for {config.workers} workers but this machine has {limit} {what}; capped at {limit}. "
            f"More processes than {what} only take turns on the same hardware and run slower."
        )
        values["workers"] = limit
    for name, cap in CAPS.items():
        if values[name] > cap:
            notes.append(f"{name.replace('_', ' ')} {values[name]} is over the cap of {cap}; using {cap}.")
            values[name] = cap
    if values["minutes"] > MAX_MINUTES or values["minutes"] <= 0:
        if values["minutes"] > MAX_MINUTES:
            notes.append(f"minutes {values['minutes']:g} is over the cap of {MAX_MINUTES:g}; using {MAX_MINUTES:g}.")
        values["minutes"] = MAX_MINUTES  # a step-only run still ends within the cap
    if values["context"] < MIN_CONTEXT:
        notes.append(f"context {values['context']} is below {MIN_CONTEXT} tokens; using {MIN_CONTEXT}.")
        values["context"] = MIN_CONTEXT
    text = values["text"]
    if text and os.path.isfile(text) and os.path.getsize(text) > MAX_TEXT_MB * 1e6:
        notes.append(
            f"{Path(text).name} is {os.path.getsize(text) / 1e6:.1f} MB; only its first {MAX_TEXT_MB:g} MB are used."
        )
    for name in ("workers", "layers", "heads", "width", "batch_size", "grad_accum", "max_steps", "log_every"):
        values[name] = max(1, values[name])
    values["dropout"] = min(max(values["dropout"], 0.0), 0.9)
    values["eval_every"] = max(0, values["eval_every"])
    values["eval_chars"] = max(0, values["eval_chars"])
    return PretrainConfig(**values), notes


def size_problem(config: PretrainConfig) -> str | None:
    """A model size GPT2Config would accept but GPT-2's attention cannot split, in a sentence; None when fine."""
    if config.width % config.heads:
        fits = [h for h in range(1, min(config.width, CAPS["heads"]) + 1) if config.width % h == 0]
        return (
            f"An embedding width of {config.width} does not split into {config.heads} heads: each head gets "
            f"width / heads dimensions, so the width must be a multiple of the number of heads. "
            f"Pick a width like {config.heads * max(1, round(config.width / config.heads))}, or one of "
            f"{', '.join(map(str, fits[-4:]))} heads."
        )
    return None
