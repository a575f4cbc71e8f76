"""One place that turns a learner's model choice into a ready model and tokenizer.

A choice is "bundled" (the small Shakespeare models trained by scripts/train_bundled_models.py and shipped in
assets/models/, always there and offline), a Hugging Face hub id (from the local cache, else downloaded when online,
within a timeout), or a local folder in transformers' format. Everything is loaded the same way: float32, eval mode
and `attn_implementation="eager"`, because the pages show attention and the default SDPA kernel returns none.

Sharing one model between sessions (the UI caches it once per process): the pages only run forward passes under
`torch.no_grad()` in eval mode. A forward pass reads the weights and writes nothing into the module (no autograd
graph is kept, dropout is off, GPT-2/BERT have no running statistics), and `generate` keeps its key/value cache in
a per-call object, so concurrent calls from different threads don't interfere. What must not happen is a page
calling `.train()`, changing `config`, or editing weights of the shared object; pages that want to do that take a
`copy.deepcopy` first.
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import torch
import transformers

from playground import ASSETS, REPO
from playground.server_paths import PathRefused, allowed, resolve
from playground.url_values import plain, quoted

MODELS_DIR = ASSETS / "models"
GPT_DIR = MODELS_DIR / "shakespeare-gpt"
BERT_DIR = MODELS_DIR / "shakespeare-bert"

BUNDLED = "bundled"
BUNDLED_DIRS = {"gpt": GPT_DIR, "bert": BERT_DIR}
HUB_CHOICES = {"gpt": ["gpt2", "distilgpt2"], "bert": ["bert-base-uncased", "distilbert-base-uncased"]}
KINDS = ("gpt", "bert")

# Files worth fetching from the hub: weights as safetensors, configs and tokenizer files; never .bin/.h5/onnx.
HUB_FILES = ["*.json", "*.safetensors", "*.txt", "*.model"]
HUB_CACHE_DIR: str | None = None  # None = huggingface_hub's default cache; tests point it at a temporary folder
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}(/[\w.-]{1,96})?$")
_NSP_WEIGHT = "cls.seq_relationship.weight"
# What a tokenizer is read from: without any of them AutoTokenizer still returns one, with only its special tokens,
# and every word becomes [UNK] (a folder of weights alone once loaded with a 5-token vocabulary).
_VOCAB_FILES = (
    "tokenizer.json",
    "vocab.txt",
    "vocab.json",
    "tokenizer.model",
    "spiece.model",
    "sentencepiece.bpe.model",
)


def _typed(choice) -> str:
    """A typed hub id or folder as a message repeats it: a code span, so nothing in it is read as markdown, cut at
    160 characters (a path's tail is what tells two folders apart, so more than a link value's 60)."""
    return quoted(choice, limit=160)


class ModelLoadError(Exception):
    """str(err) is a message fit to show a learner: what went wrong and what to do."""


@dataclass
class LoadedTokenizer:
    tokenizer: transformers.PreTrainedTokenizerBase
    name: str  # e.g. "bundled shakespeare-gpt", "gpt2", "/path/to/dir"
    source: str  # "bundled" | "hub" | "local"
    path: str = ""  # the folder the files were read from

    @property
    def code_ref(self) -> str:
        """How "the code" names it for `from_pretrained`: a bundled folder relative to the repository (the panels
        run from its root), a local folder as it is, a hub id by its id."""
        if self.source == "bundled":
            return str(Path(self.path).relative_to(REPO))
        return self.path if self.source == "local" else self.name


@dataclass
class LoadedModel(LoadedTokenizer):
    model: transformers.PreTrainedModel | None = None  # eval mode, attn_implementation="eager", float32
    has_nsp: bool = False  # BERT only: whether the model has a next-sentence head (distilbert doesn't)


def load_model(kind: str, choice: str = BUNDLED, *, timeout: float = 20.0, typed: bool = True) -> LoadedModel:
    """kind: "gpt" or "bert". choice: "bundled", a hub id or a local directory. Raises ModelLoadError.

    A folder is what a learner typed unless `typed=False` (a script's own output folder): then it may lie anywhere,
    otherwise only under the server's allowed roots (playground/server_paths.py)."""
    if kind not in KINDS:
        raise ModelLoadError(f"Unknown model kind {kind!r}: use one of {', '.join(KINDS)}.")
    folder, name, source = _where(kind, choice, timeout, typed)
    return _load_folder(kind, folder, name=name, source=source)


def _where(kind: str, choice: str, timeout: float, typed: bool) -> tuple[Path, str, str]:
    """(the folder to read, the model's name, its source) for a choice, or ModelLoadError saying why none."""
    choice = (choice or BUNDLED).strip()
    if choice == BUNDLED:
        folder = BUNDLED_DIRS[kind]
        if not (folder / "config.json").is_file():
            raise ModelLoadError(
                f"The bundled {kind.upper()} model is missing from {folder}. It ships with the project; restore the "
                f"folder from git, or rebuild it with `python scripts/train_bundled_models.py --model {kind}`."
            )
        return folder, f"bundled {folder.name}", "bundled"
    if _looks_like_path(choice):
        folder = _local_folder(choice, typed)
        return folder, str(folder), "local"
    if not _HUB_ID.match(choice):
        raise ModelLoadError(
            f"{_typed(choice)} is neither a folder nor a Hugging Face model id (ids look like `gpt2` or `org/name`)."
        )
    return _hub_snapshot(choice, timeout), choice, "hub"


def _local_folder(choice: str, typed: bool) -> Path:
    """A typed folder, refused outside the allowed roots before anything is looked up (so a refusal says nothing
    about what exists there), and refused with a message when it is no folder."""
    try:
        folder = resolve(choice) if typed else Path(choice).expanduser()
    except PathRefused as err:
        raise ModelLoadError(f"{err} Or pick the bundled model.") from None
    try:
        if folder.is_dir():
            return folder
        is_file = folder.is_file()
    except (OSError, ValueError):  # e.g. a name longer than the file system allows
        is_file = False
    if is_file:
        raise ModelLoadError(
            f"{_typed(choice)} is a file, not a folder: give the folder that holds config.json, model.safetensors "
            f"and the tokenizer files, or pick the bundled model."
        )
    raise ModelLoadError(f"There is no folder at {_typed(choice)}. Check the path, or pick the bundled model.")


def _looks_like_path(choice: str) -> bool:
    """A path by its spelling, or `org/name` that is a folder under the allowed roots (never looked up elsewhere)."""
    if choice.startswith(("/", ".", "~")):
        return True
    if os.sep not in choice or (folder := allowed(choice)) is None:
        return False
    try:
        return folder.exists()
    except (OSError, ValueError):
        return False


def _offline() -> bool:
    flags = (os.environ.get("HF_HUB_OFFLINE", ""), os.environ.get("TRANSFORMERS_OFFLINE", ""))
    return any(f.strip().lower() in ("1", "true", "yes", "on") for f in flags)


def _hub_snapshot(repo_id: str, timeout: float) -> Path:
    """The local folder of a hub model: the cache first (no network), else a download bounded by `timeout`."""
    import huggingface_hub
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError, RevisionNotFoundError

    try:
        return Path(
            huggingface_hub.snapshot_download(
                repo_id, allow_patterns=HUB_FILES, cache_dir=HUB_CACHE_DIR, local_files_only=True
            )
        )
    except Exception:  # not cached (or cached incompletely): try the network below
        pass
    if _offline():
        raise ModelLoadError(
            f"{_typed(repo_id)} is not in this computer's Hugging Face cache, and the hub is switched off "
            f"(HF_HUB_OFFLINE). Check the spelling, download it once while online, or pick the bundled model."
        )
    result: dict = {}

    def download():
        try:
            result["path"] = huggingface_hub.snapshot_download(
                repo_id, allow_patterns=HUB_FILES, cache_dir=HUB_CACHE_DIR, etag_timeout=min(timeout, 10.0)
            )
        except BaseException as err:  # handed to the waiting thread
            result["error"] = err

    # A daemon thread: if the network hangs we stop waiting after `timeout`; the thread dies with the process.
    worker = threading.Thread(target=download, name=f"hub-download-{repo_id}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise ModelLoadError(
            f"Gave up on downloading {_typed(repo_id)} from the Hugging Face hub after {timeout:g} s: the network is "
            f"slow or blocked. Try again later, or pick the bundled model (it works offline)."
        )
    err = result.get("error")
    if isinstance(err, (RepositoryNotFoundError, GatedRepoError, RevisionNotFoundError)):
        raise ModelLoadError(
            f"There is no public model {_typed(repo_id)} on the Hugging Face hub. Check the spelling "
            f"(for example `gpt2` or `bert-base-uncased`), or pick the bundled model."
        )
    if err is not None:
        raise ModelLoadError(
            f"Could not download {_typed(repo_id)}: the Hugging Face hub can't be reached ({type(err).__name__}). "
            f"Check the internet connection, or pick the bundled model (it works offline)."
        )
    return Path(result["path"])


def _architectures(folder: Path) -> list[str]:
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelLoadError(
            f"{_typed(folder)} is not a transformers model folder: it has no config.json. Save a model there with "
            f"`model.save_pretrained(folder)` and `tokenizer.save_pretrained(folder)`."
        ) from None
    except (OSError, ValueError) as err:
        raise ModelLoadError(
            f"The config.json in {_typed(folder)} can't be read ({plain(err)}); the folder looks damaged."
        ) from None
    if not isinstance(config, dict):
        raise ModelLoadError(f"The config.json in {_typed(folder)} is not a JSON object; the folder looks damaged.")
    return list(config.get("architectures") or [])


def _has_nsp_weights(folder: Path, architectures: list[str]) -> bool:
    """A next-sentence head exists if the checkpoint holds its weights (bert-base-uncased does although its
    config says BertForMaskedLM); without safetensors to look into, trust the config."""
    index = folder / "model.safetensors.index.json"
    single = folder / "model.safetensors"
    try:
        if index.is_file():
            return _NSP_WEIGHT in json.loads(index.read_text())["weight_map"]
        if single.is_file():
            from safetensors import safe_open

            with safe_open(str(single), framework="pt") as f:
                return _NSP_WEIGHT in f.keys()
    except Exception as err:
        raise ModelLoadError(
            f"The weights in {_typed(folder)} can't be read ({type(err).__name__}: {plain(err)}); the file looks "
            f"damaged or incomplete. Save the model again, or pick the bundled model."
        ) from None
    return "BertForPreTraining" in architectures


def _check_kind(kind: str, folder: Path, architectures: list[str]) -> None:
    wanted = ("ForCausalLM", "LMHeadModel") if kind == "gpt" else ("ForMaskedLM", "ForPreTraining")
    if architectures and not any(a.endswith(wanted) for a in architectures):
        other = "a BERT-style (masked)" if kind == "gpt" else "a GPT-style (causal)"
        raise ModelLoadError(
            f"{_typed(folder)} holds a {plain(', '.join(architectures))}, not a model this page can use "
            f"({'a causal language model' if kind == 'gpt' else 'a masked language model'}). "
            f"It may be {other} model: pick it on the other page."
        )


def _check_tokenizer_files(folder: Path) -> None:
    """Refuse a folder whose tokenizer can't be read from it, saying what is missing."""
    try:
        present = {p.name for p in folder.iterdir()}
    except OSError:
        present = set()
    if "vocab.json" in present and "merges.txt" not in present and "tokenizer.json" not in present:
        raise ModelLoadError(
            f"{_typed(folder)} has a vocab.json but no merges.txt: a byte-level BPE tokenizer needs both (or a "
            f"tokenizer.json). Save the tokenizer there again with `tokenizer.save_pretrained(folder)`, or pick the "
            f"bundled model."
        )
    if not present.intersection(_VOCAB_FILES):
        raise ModelLoadError(
            f"{_typed(folder)} has no tokenizer files (tokenizer.json, or vocab.txt, or vocab.json with merges.txt): "
            f"without them every word would be an unknown token. Save the tokenizer beside the model with "
            f"`tokenizer.save_pretrained(folder)`, or pick the bundled model."
        )


def _load_folder(kind: str, folder: Path, *, name: str, source: str) -> LoadedModel:
    architectures = _architectures(folder)
    _check_kind(kind, folder, architectures)
    _check_tokenizer_files(folder)
    has_nsp = kind == "bert" and _has_nsp_weights(folder, architectures)
    if kind == "gpt":
        cls = transformers.AutoModelForCausalLM
    else:
        cls = transformers.BertForPreTraining if has_nsp else transformers.AutoModelForMaskedLM
    try:
        model, info = cls.from_pretrained(
            str(folder), attn_implementation="eager", dtype=torch.float32, output_loading_info=True
        )
        tokenizer = transformers.AutoTokenizer.from_pretrained(str(folder))
    except ModelLoadError:
        raise
    except Exception as err:
        raise ModelLoadError(
            f"Could not load the model in {_typed(folder)} "
            f"({type(err).__name__}: {plain((str(err).splitlines() or [''])[0], 300)}). "
            f"The folder looks damaged or incomplete: it needs config.json, model.safetensors and the tokenizer "
            f"files. Save it again, or pick the bundled model."
        ) from None
    _check_weights_loaded(model, info, folder)
    model.eval()
    return LoadedModel(tokenizer, name, source, str(folder), model=model, has_nsp=has_nsp)


def _check_weights_loaded(model, info: dict, folder: Path) -> None:
    """from_pretrained only warns when weights are missing and fills them randomly: a learner would then see
    noise presented as a trained model. Refuse when a real share of the parameters was not in the file."""
    missing = set(info.get("missing_keys") or [])
    if not missing:
        return
    params = dict(model.named_parameters(remove_duplicate=False))
    n_missing = sum(p.numel() for n, p in params.items() if n in missing)
    total = sum(p.numel() for p in model.parameters())
    if n_missing > 0.01 * total:
        raise ModelLoadError(
            f"The weights in {_typed(folder)} don't match its config: {len(missing)} tensors "
            f"({100 * n_missing / total:.0f}% of the parameters) are missing, e.g. {plain(sorted(missing)[0])}. "
            f"Save the model again, or pick the bundled model."
        )


def load_tokenizer(kind: str, choice: str = BUNDLED, *, timeout: float = 20.0, typed: bool = True) -> LoadedTokenizer:
    """Only the tokenizer of a choice (for the tokenizer page: no weights to read). Same choices and errors as
    load_model."""
    if kind not in KINDS:
        raise ModelLoadError(f"Unknown model kind {kind!r}: use one of {', '.join(KINDS)}.")
    folder, name, source = _where(kind, choice, timeout, typed)
    _check_tokenizer_files(folder)
    try:
        return LoadedTokenizer(transformers.AutoTokenizer.from_pretrained(str(folder)), name, source, str(folder))
    except Exception as err:
        raise ModelLoadError(
            f"Could not load the tokenizer in {_typed(folder)} ({type(err).__name__}). The folder needs tokenizer "
            f"files (tokenizer.json, or vocab.txt / vocab.json + merges.txt). Save it again, or pick the bundled model."
        ) from None
