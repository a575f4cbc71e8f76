"""The model picker every model page shares, and the per-process caches behind it.

Models are cached once per server process with `st.cache_resource`, so every session shares the same objects.
That is safe because pages only run them in eval mode under `torch.no_grad()` (see playground/models.py).
A failed load raises, and `st.cache_resource` doesn't cache exceptions: picking the model again retries.
"""

from __future__ import annotations

import streamlit as st

from playground.models import (
    BUNDLED,
    BUNDLED_DIRS,
    HUB_CHOICES,
    LoadedModel,
    LoadedTokenizer,
    ModelLoadError,
    load_model,
    load_tokenizer,
)
from playground.url_values import quoted
from ui.serving import load_in_turn, queued

OTHER_HUB, LOCAL = "other-hub", "local"


@st.cache_resource(show_spinner="Loading model…", max_entries=6)
def cached_model(kind: str, choice: str) -> LoadedModel:
    return load_model(kind, choice)


@st.cache_resource(show_spinner="Loading tokenizer…", max_entries=8)
def cached_tokenizer(kind: str, choice: str) -> LoadedTokenizer:
    return load_tokenizer(kind, choice)


def _label(kind: str):
    def label(option: str) -> str:
        if option == BUNDLED:
            return f"bundled {BUNDLED_DIRS[kind].name} (small, offline)"
        if option == OTHER_HUB:
            return "another Hugging Face hub id…"
        if option == LOCAL:
            return "a local folder…"
        return f"{option} (Hugging Face hub)"

    return label


def model_picker(kind: str, ps, *, name: str = "model", label: str = "Model", tokenizer_only: bool = False):
    """A selectbox bound to the URL parameter `name` (plus `name_id` / `name_dir` for the free-text choices). On a
    load error: the message, then the bundled one as a fallback; None only if even that fails."""
    load = cached_tokenizer if tokenizer_only else cached_model
    options = [BUNDLED, *HUB_CHOICES[kind], OTHER_HUB, LOCAL]
    help_text = "The bundled model works offline. Hub models come from the local Hugging Face cache, or are downloaded "
    help_text += "when this computer is online."
    option = ps.select(label, name, options, BUNDLED, format_func=_label(kind), help=help_text)
    choice = option
    if option == OTHER_HUB:
        choice = ps.text("Hub id", f"{name}_id", placeholder="org/name").strip()
    elif option == LOCAL:
        folder = "Folder (transformers format: config.json, model.safetensors, tokenizer files)"
        choice = ps.text(folder, f"{name}_dir", placeholder="/path/to/model").strip()
    if not choice:
        st.info("Type a model above; meanwhile the bundled model is shown.")
        choice = BUNDLED
    try:
        what = f"Loading {quoted(choice, limit=60)}"  # a learner's text: shown as text, never as markdown
        loaded = load_in_turn(what, (kind, choice, tokenizer_only), lambda: load(kind, choice))
    except ModelLoadError as err:
        st.error(str(err))
        if choice == BUNDLED:
            return None
        try:
            loaded = load(kind, BUNDLED)
        except ModelLoadError as bundled_err:
            st.error(str(bundled_err))
            return None
        st.warning(f"Showing the bundled {'tokenizer' if tokenizer_only else BUNDLED_DIRS[kind].name} instead.")
    if not tokenizer_only:
        n_params = sum(p.numel() for p in loaded.model.parameters())
        st.caption(
            f"Model: {quoted(loaded.name, limit=160)} ({loaded.source}), {n_params / 1e6:.1f} M parameters, "
            f"{len(loaded.tokenizer):,} tokens in its vocabulary."
        )
    return loaded


def require_model(kind: str, ps) -> LoadedModel:
    """The picker for a model page; without a usable model the page says why and stops there."""
    loaded = model_picker(kind, ps)
    ps.show_warnings()
    if loaded is None:
        ps.publish()
        st.stop()
    return loaded


@st.cache_data(max_entries=64, show_spinner=False)  # underscored arguments are not hashed
def _per_model_data(function: str, model: str, args: tuple, _function, _loaded):
    return _function(_loaded.model, _loaded.tokenizer, *args)


@st.cache_resource(max_entries=4, show_spinner=False)  # gpt2's attention over 250 tokens is ~36 MB an entry
def _per_model_resource(function: str, model: str, args: tuple, _function, _loaded):
    return _function(_loaded.model, _loaded.tokenizer, *args)


@st.cache_resource(max_entries=256, show_spinner=False)  # figures of tens of kB: a class's worth of knob settings
def _per_model_many(function: str, model: str, args: tuple, _function, _loaded):
    return _function(_loaded.model, _loaded.tokenizer, *args)


def per_model(function, loaded: LoadedModel, *args, shared: bool = False, many: bool = False):
    """`function(model, tokenizer, *args)`, cached by the function's name, the model's name and `args`, so another
    section's rerun does not recompute it; the model itself is never hashed. A `shared` result is one object for every
    session (it must be read-only, like tensors or figures only drawn); otherwise each session gets its own copy.
    `many` keeps many small shared results (a figure for every knob setting a class tries) apart from the few large
    ones (attention over a long text), so those can't push the figures out."""
    cache = (_per_model_many if many else _per_model_resource) if shared else _per_model_data
    return cache(f"{function.__module__}.{function.__qualname__}", loaded.name, args, function, loaded)


def per_model_in_turn(what: str, function, loaded: LoadedModel, *args):
    """`per_model`, for work heavy enough to queue for (scoring a model on many lines): computed once for everyone
    asking at the same time, in line behind the other heavy work, with the learner told their place."""
    key = (f"{function.__module__}.{function.__qualname__}", loaded.name, args)
    return queued(what, key, lambda: per_model(function, loaded, *args))
