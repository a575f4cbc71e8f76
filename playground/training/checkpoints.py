"""Saving the model and tokenizer in transformers' format so that a stopped run keeps a checkpoint that loads.

A Stop (SIGTERM) or the OOM killer (SIGKILL) may land in the middle of a save. So each checkpoint is written into a
new folder and only then swapped in by two renames: RUN/model is the previous complete checkpoint or the new one (for
the instant between the renames, RUN/model.previous holds the previous one), and never half a file.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

MODEL_DIR = "model"


def save_checkpoint(model, tokenizer, run_dir: Path, step: int) -> Path:
    """Write `model` (float32, safetensors) and `tokenizer` to run_dir/model; returns that folder."""
    final = run_dir / MODEL_DIR
    fresh = run_dir / f"{MODEL_DIR}.writing"
    old = run_dir / f"{MODEL_DIR}.previous"
    for leftover in (fresh, old):  # from a run killed mid-save
        shutil.rmtree(leftover, ignore_errors=True)
    model.save_pretrained(fresh)
    tokenizer.save_pretrained(fresh)
    (fresh / "training_step.json").write_text(json.dumps({"step": step}))
    if final.exists():
        final.rename(old)
    fresh.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    return final


def checkpoint_step(run_dir: Path) -> int | None:
    """The optimizer step the run folder's checkpoint was saved at, or None when it has none yet."""
    marker = run_dir / MODEL_DIR / "training_step.json"
    return json.loads(marker.read_text())["step"] if marker.is_file() else None
