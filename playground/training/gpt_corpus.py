"""The run's text and tokenizer: a checked, capped UTF-8 file, its last 10% held out, and the tokens of the rest.

Any file a learner names is read here, so this is where a binary, empty or non-UTF-8 file is turned into a sentence
the page can show. The split and the BPE training are the bundled models' own (playground/pretraining), so a run
with the defaults sees exactly the training and held-out text the bundled GPT saw.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

import torch

from playground import REPO
from playground.pretraining.corpus import split_holdout
from playground.pretraining.tokenizer_training import train_byte_level_bpe
from playground.training.pretrain_config import MAX_TEXT_MB, PretrainConfig

# The bundled corpus (Shakespeare's plays, 1.1 MB) is not in the repository: `make corpus` (and the Docker image) put
# it in data/, and a checkout beside ../shared/data finds it there, as scripts/train_bundled_models.py does.
CORPUS_PLACES = (REPO / "data" / "tinyshakespeare.txt", REPO.parent / "shared" / "data" / "tinyshakespeare.txt")


def bundled_corpus() -> Path:
    """The first place that holds the corpus (the first place at all when none does, for the message)."""
    return next((place for place in CORPUS_PLACES if place.is_file()), CORPUS_PLACES[0])


DEFAULT_TEXT = bundled_corpus()
BUNDLED_GPT = REPO / "assets" / "models" / "shakespeare-gpt"
HOLDOUT = 0.1
TOKENIZER_DIR = "tokenizer"  # inside the run folder: the tokenizer every rank loads


@dataclass
class Corpus:
    name: str  # the file's name, for records and messages
    tokenizer: object  # a transformers tokenizer with an end-of-text token
    train_ids: torch.Tensor  # the first 90%, as one token stream
    train_chars: int
    val_text: str  # the last 10%, scored by playground.pretraining.gpt_metrics


def text_path(config: PretrainConfig) -> Path:
    """The run's text file; a ValueError that says where the bundled corpus is looked for when it is missing."""
    if config.text:
        return Path(config.text).expanduser()
    path = bundled_corpus()
    if not path.is_file():
        raise ValueError(
            f"The bundled corpus {path.name} is not on this machine (it is looked for in "
            f"{' and '.join(str(place.parent) for place in CORPUS_PLACES)}; `make corpus` fetches it). "
            "Give a text file of your own."
        )
    return path


def init_folder(config: PretrainConfig) -> Path | None:
    if not config.init_from:
        return None
    return BUNDLED_GPT if config.init_from == "bundled" else Path(config.init_from).expanduser()


def read_text(path: Path, max_bytes: int = int(MAX_TEXT_MB * 1e6)) -> str:
    """The file's text (at most `max_bytes`, cut at a line end), or a ValueError that says what is wrong with it."""
    if not path.is_file():
        raise ValueError(f"There is no file {path}. Check the path.")
    with open(path, "rb") as f:
        data = f.read(max_bytes + 1)
    cut = len(data) > max_bytes
    if cut:
        data = data[:max_bytes]
        data = data[: data.rfind(b"\n") + 1] or data
    if b"\x00" in data:
        raise ValueError(
            f"{path.name} looks like a binary file (it holds NUL bytes), not text: give a UTF-8 text file."
        )
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        text = decoder.decode(data, final=not cut)  # a cut file may end inside a character: drop its first bytes
    except UnicodeDecodeError as err:
        raise ValueError(
            f"{path.name} is not UTF-8 text (byte {err.start:,} is not valid UTF-8): save it as UTF-8 and try again."
        ) from None
    if not text.strip():
        raise ValueError(f"{path.name} is empty: give a text file with at least a few thousand characters.")
    return text


def load_tokenizer(config: PretrainConfig, train_text: str, run_dir: Path | None = None):
    """The init_from model's tokenizer, the bundled GPT's, or one trained on `train_text` (once: rank 0 saves it in
    the run folder and the other ranks load that, so all ranks share one vocabulary)."""
    from transformers import AutoTokenizer

    folder = init_folder(config)
    if folder is None and config.tokenizer == "train":
        saved = run_dir / TOKENIZER_DIR if run_dir else None
        if saved is not None and (saved / "tokenizer.json").is_file():
            return AutoTokenizer.from_pretrained(saved)
        return train_byte_level_bpe(train_text, config.vocab_size)
    folder = folder or BUNDLED_GPT
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder)
    except (OSError, ValueError) as err:
        raise ValueError(f"No tokenizer could be loaded from {folder}: {str(err).splitlines()[0]}") from None
    if tokenizer.eos_token_id is None:
        raise ValueError(f"The tokenizer in {folder} has no end-of-text token, which a GPT's held-out loss needs.")
    return tokenizer


def prepare_corpus(config: PretrainConfig, run_dir: Path | None = None) -> Corpus:
    """Read, split and tokenize; every problem is a ValueError with a sentence for the learner."""
    if config.init_from and config.tokenizer == "train":
        raise ValueError(
            "A model continued with --init-from keeps the tokenizer it was trained with (its embeddings are "
            "indexed by that vocabulary): leave the tokenizer at 'bundled'."
        )
    path = text_path(config)
    text = read_text(path)
    if len(text) < 2:
        raise ValueError(f"{path.name} is too short to hold out its last 10%: give a longer text.")
    train_text, val_text = split_holdout(text, HOLDOUT)
    tokenizer = load_tokenizer(config, train_text, run_dir)
    ids = tokenizer(train_text, add_special_tokens=False, verbose=False)["input_ids"]  # longer than 1024: meant
    return Corpus(path.name, tokenizer, torch.tensor(ids, dtype=torch.long), len(train_text), val_text)
