"""The pass as the page shows it: one step after another, each with its tensors, their named shapes, and the row
(or cell) the learner follows outlined.

Every tensor here is a view into the cached `Pass`, never a copy or a recomputation: picking another layer, head
or token only chooses which tensors to show.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from playground.generation.figures import visible
from playground.inside_gpt.forward import Pass

TOP_LOGITS = 20  # the logits' columns shown: the followed token's most likely next tokens (all V won't fit a screen)


@dataclass(frozen=True)
class View:
    """What the learner follows through the pass; none of it changes the pass itself."""

    layer: int = 0
    head: int = 0
    row: int = 0  # the token whose row is followed (and whose next-token distribution is shown)
    key: int = 0  # the key (column) of the one score written out as a dot product
    temperature: float = 1.0


@dataclass
class Panel:
    title: str
    tensor: torch.Tensor  # 2D: rows are tokens (or one row)
    rows: list[str]  # a label per row
    columns: list[str] | None = None  # a label per column; None numbers them
    row: int | None = None  # the followed row, outlined
    cell: tuple[int, int] | None = None  # one cell, outlined


@dataclass
class Step:
    anchor: str  # the overview links here
    title: str
    shape: str  # the shapes, every dimension named
    panels: list[Panel] = field(default_factory=list)


def dims(config, T: int) -> dict[str, int]:
    """The named dimensions. The MLP is 4d wide in every GPT-2; a config's `n_inner` may say otherwise (d_mlp)."""
    d, h, inner = config.n_embd, config.n_head, getattr(config, "n_inner", None) or 4 * config.n_embd
    return {"T": T, "d": d, "h": h, "d/h": d // h, "3d": 3 * d, "V": config.vocab_size, mlp_name(config): inner}


def mlp_name(config) -> str:
    return "4d" if (getattr(config, "n_inner", None) or 4 * config.n_embd) == 4 * config.n_embd else "d_mlp"


def shape(t: torch.Tensor, *names: str, sizes: dict[str, int]) -> str:
    """`(T=6, d=192)`; refuses a name whose size is not the tensor's, so no label can drift from its tensor."""
    if len(names) != t.dim() or any(sizes[n] != s for n, s in zip(names, t.shape, strict=False)):
        raise ValueError(f"a tensor of shape {tuple(t.shape)} is not {names}")
    return "(" + ", ".join(f"{n}={s:,}" for n, s in zip(names, t.shape, strict=True)) + ")"


def overview(layer: int) -> list[tuple[str, str]]:
    """(anchor, short label) for every step, in the order of the pass."""
    block = [
        ("ln1", "LayerNorm 1"),
        ("qkv", "Q, K, V"),
        ("scores", "Q·Kᵀ/√(d/h)"),
        ("mask", "causal mask"),
        ("softmax", "softmax"),
        ("weighted", "weights · V"),
        ("merge", "merge + project"),
        ("resid1", "residual add"),
        ("ln2", "LayerNorm 2"),
        ("mlp", "MLP"),
        ("resid2", "residual add"),
    ]
    return [
        ("ids", "token ids"),
        ("embed", "embeddings"),
        *((anchor, f"block {layer}: {label}") for anchor, label in block),
        ("ln_f", "final LayerNorm"),
        ("logits", "logits"),
        ("probs", "next token"),
    ]


def steps(p: Pass, config, view: View, tokens: list[str], name) -> list[Step]:
    """Every step of the pass for the followed layer, head and token. `tokens`: a label per position;
    `name`: token id -> its text, for the logits' columns."""
    T = p.ids.shape[0]
    n = dims(config, T)
    b, h, r = p.blocks[view.layer], view.head, view.row
    L, m = f"block {view.layer}", mlp_name(config)

    def rows(title, t, cell=None):
        return Panel(title, t, tokens, row=r, cell=cell)

    def s(t, *names):
        return shape(t, *names, sizes=n)

    top = p.logits[r].topk(min(TOP_LOGITS, p.logits.shape[-1])).indices
    tied = bool(getattr(config, "tie_word_embeddings", True))
    head_name = "wte" if tied else "W_head"
    return [
        Step("ids", "Token ids", f"ids {s(p.ids, 'T')}", [Panel("token ids", p.ids[None], ["ids"], tokens)]),
        Step(
            "embed",
            "Token embeddings + position embeddings",
            f"wte[ids] {s(p.tok_emb, 'T', 'd')} + wpe[0…T-1] {s(p.pos_emb, 'T', 'd')} = x {s(p.x0, 'T', 'd')}",
            [rows("wte[ids]", p.tok_emb), rows("wpe[:T]", p.pos_emb), rows("x = wte[ids] + wpe[:T]", p.x0)],
        ),
        Step("ln1", f"{L} · LayerNorm 1", f"LN1(x) {s(b.ln1, 'T', 'd')}", [rows("LN1(x)", b.ln1)]),
        Step(
            "qkv",
            f"{L} · Q, K and V, split into heads",
            f"LN1(x) @ W_qkv + b {s(b.qkv, 'T', '3d')} → Q, K, V {s(b.q, 'h', 'T', 'd/h')} each; head {h} shown",
            [rows(f"Q, head {h}", b.q[h]), rows(f"K, head {h}", b.k[h]), rows(f"V, head {h}", b.v[h])],
        ),
        Step(
            "scores",
            f"{L} · scores Q·Kᵀ/√(d/h)",
            f"Q Kᵀ / √{n['d/h']} {s(b.scores, 'h', 'T', 'T')}; head {h} shown (rows: queries, columns: keys)",
            [Panel(f"scores, head {h}", b.scores[h], tokens, tokens, row=r, cell=(r, view.key))],
        ),
        Step(
            "mask",
            f"{L} · the causal mask",
            f"scores.masked_fill(future, -inf) {s(b.masked, 'h', 'T', 'T')}",
            [Panel(f"masked scores, head {h}", b.masked[h], tokens, tokens, row=r, cell=(r, view.key))],
        ),
        Step(
            "softmax",
            f"{L} · softmax: the attention weights",
            f"softmax over each row {s(b.weights, 'h', 'T', 'T')}; each row sums to 1",
            [Panel(f"attention weights, head {h}", b.weights[h], tokens, tokens, row=r, cell=(r, view.key))],
        ),
        Step(
            "weighted",
            f"{L} · the weighted sum of V",
            f"weights @ V {s(b.heads, 'h', 'T', 'd/h')}; head {h} shown",
            [rows(f"weights @ V, head {h}", b.heads[h])],
        ),
        Step(
            "merge",
            f"{L} · heads merged, then the output projection",
            f"merge {s(b.heads, 'h', 'T', 'd/h')} → {s(b.merged, 'T', 'd')}; @ W_out + b → {s(b.attn, 'T', 'd')}",
            [rows("heads merged", b.merged), rows("attention out = merged @ W_out + b", b.attn)],
        ),
        Step(
            "resid1", f"{L} · residual add", f"x + attention out {s(b.resid1, 'T', 'd')}", [rows("x + attn", b.resid1)]
        ),
        Step("ln2", f"{L} · LayerNorm 2", f"LN2 {s(b.ln2, 'T', 'd')}", [rows("LN2", b.ln2)]),
        Step(
            "mlp",
            f"{L} · MLP: up-projection, GELU, down-projection",
            f"@ W_up + b {s(b.up, 'T', m)} → GELU {s(b.act, 'T', m)} → @ W_down + b {s(b.down, 'T', 'd')}",
            [rows("up-projection", b.up), rows("GELU", b.act), rows("down-projection", b.down)],
        ),
        Step("resid2", f"{L} · residual add", f"+ MLP out {s(b.x_out, 'T', 'd')}", [rows("x out", b.x_out)]),
        Step("ln_f", "Final LayerNorm", f"LN_f {s(p.ln_f, 'T', 'd')}", [rows("LN_f", p.ln_f)]),
        Step(
            "logits",
            f"Logits from the {'(tied) ' if tied else ''}output head",
            f"LN_f @ {head_name}ᵀ {s(p.logits, 'T', 'V')}; the {len(top)} columns most likely after token {r} shown",
            [Panel("logits", p.logits[:, top], tokens, [visible(name(int(i))) for i in top], row=r)],
        ),
    ]
