"""The model picker every model page shares, and the per-process model cache behind it.

Models are cached once per server process with `st.cache_resource`, so every session shares the same objects.
That is safe because pages only run them in eval mode under `torch.no_grad()` (see playground/models.py).
A failed load raises, and `st.cache_resource` doesn't cache exceptions: picking the model again retries.
"""

from __future__ import annotations

import streamlit as st

from playground.models import BUNDLED, BUNDLED_DIRS, HUB_CHOICES, LoadedModel, ModelLoadError, load_model
from playground.url_values import one_of

OTHER_HUB, LOCAL = "other-hub", "local"


@st.cache_resource(show_spinner="Loading model…", max_entries=6)
def cached_model(kind: str, choice: str) -> LoadedModel:
    return load_model(kind, choice)


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


def model_picker(kind: str, ps) -> LoadedModel | None:
    """Selectbox bound to the URL param `model` (plus `model_id` / `model_dir` for the free-text choices).
    On a load error: the message, then the bundled model as a fallback; None only if even that fails."""
    options = [BUNDLED, *HUB_CHOICES[kind], OTHER_HUB, LOCAL]

    option = st.selectbox(
        "Model",
        options,
        format_func=_label(kind),
        key=ps.key("model", BUNDLED, one_of(options)),
        help="The bundled model works offline. Hub models come from the local Hugging Face cache, "
        "or are downloaded when this computer is online.",
    )
    choice = option
    if option == OTHER_HUB:
        choice = st.text_input("Hub id", key=ps.key("model_id", ""), placeholder="org/name").strip()
    elif option == LOCAL:
        choice = st.text_input(
            "Folder (transformers format: config.json, model.safetensors, tokenizer files)",
            key=ps.key("model_dir", ""),
            placeholder="/path/to/model",
        ).strip()
    if not choice:
        st.info("Type a model above; meanwhile the bundled model is shown.")
        choice = BUNDLED
    try:
        loaded = cached_model(kind, choice)
    except ModelLoadError as err:
        st.error(str(err))
        if choice == BUNDLED:
            return None
        try:
            loaded = cached_model(kind, BUNDLED)
        except ModelLoadError as bundled_err:
            st.error(str(bundled_err))
            return None
        st.warning(f"Showing the bundled {BUNDLED_DIRS[kind].name} instead.")
    n_params = sum(p.numel() for p in loaded.model.parameters())
    st.caption(
        f"Model: **{loaded.name}** ({loaded.source}), {n_params / 1e6:.1f} M parameters, "
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
