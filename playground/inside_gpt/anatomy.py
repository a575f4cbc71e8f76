"""Where each step's parameters live: a link to the matching row of the GPT-2 anatomy page's parameter table.

The link carries the model's own configuration, so the anatomy page opens on this model's shapes and counts, and
its label repeats the row as that table writes it (e.g. "QKV: 768 x 2,304 + bias 2,304").
"""

from __future__ import annotations

from urllib.parse import urlencode

from playground.gpt2.config import GPTConfig
from playground.gpt2.params import components

ANATOMY_PAGE = "gpt2_config"  # the anatomy page's url path
# the pass's steps -> the rows of the anatomy table whose parameters they use
ROWS = {
    "embed": ("Token embedding", "Position embedding"),
    "ln1": ("LN1",),
    "qkv": ("QKV",),
    "merge": ("Attention out",),
    "ln2": ("LN2",),
    "mlp": ("MLP up", "MLP down"),
    "ln_f": ("Final LN",),
    "logits": ("LM head",),
}


def anatomy_config(config) -> GPTConfig:
    """A transformers GPT2Config as the anatomy page's configuration (GPT-2 always has a QKV bias)."""
    return GPTConfig(
        vocab_size=config.vocab_size,
        context_length=config.n_positions,
        emb_dim=config.n_embd,
        n_heads=config.n_head,
        n_layers=config.n_layer,
        qkv_bias=True,
        tied=bool(getattr(config, "tie_word_embeddings", True)),
    )


ANATOMY_SEQ = 1024  # the anatomy page's default sequence length for its memory estimate


def url(config: GPTConfig) -> str:
    """Relative, so it works wherever the app is served; the anatomy page reads these names from its link. Its
    memory estimate's sequence length is kept within the model's context, or that page would open on a warning."""
    query = {name: getattr(config, name) for name in ("vocab_size", "context_length", "emb_dim", "n_heads", "n_layers")}
    query |= {"qkv_bias": str(config.qkv_bias).lower(), "tied": str(config.tied).lower()}
    query |= {"seq": min(ANATOMY_SEQ, config.context_length)}
    return f"{ANATOMY_PAGE}?{urlencode(query)}"


def links(config) -> dict[str, list[tuple[str, str]]]:
    """step -> [(label, url)]. The anatomy page counts a 4 x d MLP; a model with another inner width gets no MLP
    link rather than a row that does not describe it."""
    anatomy = anatomy_config(config)
    rows = {c.name: c for c in components(anatomy)}
    inner = getattr(config, "n_inner", None) or 4 * config.n_embd
    target = url(anatomy)
    found = {}
    for step, names in ROWS.items():
        if step == "mlp" and inner != anatomy.hidden_dim:
            continue
        found[step] = [(f"{name}: {rows[name].shape} in GPT-2 anatomy", target) for name in names]
    return found
