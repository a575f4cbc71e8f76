"""One number of the attention scores, written out: the dot product of a query row and a key row, over √(d/h).

Dividing by √(d/h) keeps the scores' spread near 1 whatever the head width: a dot product of d/h terms of unit
variance has variance d/h, and softmax over scores that spread would give almost all weight to one key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from playground.inside_gpt.forward import Pass
from playground.inside_gpt.text import as_text

SHOWN_TERMS = 6  # a dot product longer than this is written with "…" (the table beside it has every term)


@dataclass(frozen=True)
class ScoreCell:
    layer: int
    head: int
    row: int  # the query's position
    key: int  # the key's position
    q: list[float]  # the query row, d/h numbers
    k: list[float]  # the key row
    dot: float  # Σ q·k
    scale: float  # √(d/h)
    score: float  # the pass's own scores[head, row, key]
    weight: float  # the attention weight it becomes after the mask and softmax
    masked: bool  # the key comes after the query: the mask sets this score to -inf

    @property
    def terms(self) -> list[float]:
        return [a * b for a, b in zip(self.q, self.k, strict=True)]


def score_cell(p: Pass, layer: int, head: int, row: int, key: int) -> ScoreCell:
    b = p.blocks[layer]
    q, k = b.q[head, row], b.k[head, key]
    return ScoreCell(
        layer,
        head,
        row,
        key,
        q.tolist(),
        k.tolist(),
        float(q @ k),
        math.sqrt(q.shape[-1]),
        float(b.scores[head, row, key]),
        float(b.weights[head, row, key]),
        key > row,
    )


def _fmt(v: float) -> str:
    return f"{v:.4g}"


def written_out(c: ScoreCell, tokens: list[str]) -> str:
    """The cell as a sum a learner can check term by term, ending in the number the heatmap shows."""
    terms = [f"({_fmt(a)})·({_fmt(b)})" for a, b in zip(c.q, c.k, strict=True)]
    if len(terms) > SHOWN_TERMS:
        terms = [*terms[:3], "…", *terms[-2:]]
    n = len(c.q)
    text = (
        f"**scores[head {c.head}][{c.row}, {c.key}]** = Q[{c.row}] · K[{c.key}] / √{n} "
        f"(query ‘{as_text(tokens[c.row])}’, key ‘{as_text(tokens[c.key])}’) = ({' + '.join(terms)}) / √{n} "
        f"= {_fmt(c.dot)} / {_fmt(c.scale)} = **{_fmt(c.score)}**"
    )
    if c.masked:
        return text + (
            f"\n\nToken {c.key} comes after token {c.row}, so the causal mask turns this score into −∞ and its "
            f"attention weight is exactly 0: a token may only look at itself and the tokens before it."
        )
    return text + f"\n\nAfter the mask and softmax it becomes the attention weight **{_fmt(c.weight)}**."


def term_rows(c: ScoreCell) -> list[dict]:
    return [
        {"i": i, "Q[row, i]": a, "K[key, i]": b, "product": a * b}
        for i, (a, b) in enumerate(zip(c.q, c.k, strict=True))
    ]
