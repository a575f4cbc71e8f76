""" "The code" of the Training page: `panels/train_simple_nn.py`, a standalone script made from the page's settings.

It trains exactly like playground/training/train.py, whose data, model and step it splices in, so running it prints
the held-out accuracies and parameter sums the page shows; tests/unit/training/test_code_panel.py checks that.
"""

from __future__ import annotations

from pathlib import Path

from playground.code_panels import render
from playground.training.pretrain_config import PretrainConfig, apply_caps
from playground.training.train import TrainConfig

TEMPLATE = Path(__file__).with_name("panels") / "train_simple_nn.py"
GPT_TEMPLATE = Path(__file__).with_name("panels") / "pretrain_gpt.py"


def training_code(config: TrainConfig, data_folder: str = "") -> str:
    """The script for `config`; `data_folder` is where the IDX files are for MNIST-like data sets."""
    settings = {"epochs": config.epochs, "batch_size": config.batch_size, "lr": config.lr}
    settings |= {"max_steps": config.max_steps, "seed": config.seed}
    idx_files = config.dataset != "digits"
    if idx_files:
        settings["data_folder"] = data_folder or config.data_dir
    if config.strategy == "ddp":
        settings["command"] = f"torchrun --standalone --nproc_per_node={config.workers} train_simple_nn.py"
    if config.threads:
        settings["threads"] = config.threads
    switches = {"ddp": config.strategy == "ddp", "dataparallel": config.strategy == "dataparallel"}
    switches |= {"idx_files": idx_files, "pins_threads": bool(config.threads)}
    return render(TEMPLATE, settings, switches)


def pretraining_code(config: PretrainConfig, corpus_path: str = "") -> str:
    """The GPT pretraining script for `config`, with the caps the job puts on it (but not this machine's: the
    script is for wherever the learner runs it); `corpus_path` is the text file, by default the config's own."""
    gpus = config.workers if config.device == "cuda" else 0
    config, _ = apply_caps(config, cpu_count=config.workers, gpu_count=gpus)
    settings = {name: getattr(config, name) for name in SCRIPT_SETTINGS}
    settings |= {"tokenizer_kind": config.tokenizer, "device_type": config.device}
    if corpus_path or config.text:
        settings["text_file"] = corpus_path or config.text
    ddp = config.workers > 1
    if ddp:
        settings["command"] = f"torchrun --standalone --nproc_per_node={config.workers} {GPT_TEMPLATE.name}"
    return render(GPT_TEMPLATE, settings, {"ddp": ddp})


SCRIPT_SETTINGS = (  # the script's top-level variables named as PretrainConfig's fields
    "init_from",
    "vocab_size",
    "layers",
    "heads",
    "width",
    "context",
    "dropout",
    "batch_size",
    "grad_accum",
    "lr",
    "max_steps",
    "minutes",
    "eval_every",
    "eval_chars",
    "prompt",
    "sample_seed",
    "sample_tokens",
    "seed",
    "threads",
)
