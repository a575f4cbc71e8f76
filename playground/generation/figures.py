"""The GPT page's pictures, built from numbers computed elsewhere: coloured tokens, step distributions, entropy,
the temperature explorer. Plain plotly and HTML strings, so they are testable without streamlit."""

from __future__ import annotations

import html
from collections.abc import Sequence

import plotly.graph_objects as go
import torch

from playground.generation.filters import apply_temperature, cutoffs

STAGE_COLOURS = ["#636efa", "#ab63fa", "#ef553b", "#ffa15a", "#00cc96"]


def visible(token_text: str) -> str:
    """Make whitespace visible in labels: a leading space shows as ␣, a newline as ↵."""
    return token_text.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥") or "∅"


def token_namer(tokenizer):
    """id -> readable text. A byte-level BPE token can be part of one UTF-8 character ("�" when decoded alone);
    then show the token's own spelling (e.g. "âĢ") so different tokens never look the same."""

    def name(token_id: int) -> str:
        text = tokenizer.decode([int(token_id)])
        return text if "\ufffd" not in text else tokenizer.convert_ids_to_tokens(int(token_id))

    return name


def probability_colour(p: float) -> str:
    """Red for unlikely, yellow in between, green for likely; light enough to read black text on it."""
    p = min(max(p, 0.0), 1.0)
    hue = 120 * p  # 0 = red, 60 = yellow, 120 = green
    return f"hsl({hue:.0f}, 85%, 80%)"


def tokens_html(prompt_text: str, pieces: Sequence[str], probs: Sequence[float]) -> str:
    """The prompt in grey, then every generated token on a background coloured by the model's probability for it."""
    spans = [f'<span style="color:#666">{html.escape(prompt_text)}</span>']
    for piece, p in zip(pieces, probs, strict=True):
        text = html.escape(piece).replace("\n", "↵<br>")
        spans.append(
            f'<span title="p = {p:.3f}" style="background:{probability_colour(p)};color:#111;border-radius:3px;'
            f'padding:1px 0;margin:0 1px">{text}</span>'
        )
    body = "".join(spans)
    return (
        f'<div style="font-family:ui-monospace,Menlo,monospace;font-size:1.05rem;line-height:1.9;'
        f'white-space:pre-wrap;word-break:break-word">{body}</div>'
    )


STREAMING_CLASS = "gpt-streaming"  # marks the text being written, so a browser test can watch it arrive


def streaming_html(prompt_text: str, so_far: str) -> str:
    """The text while it streams in, laid out as the finished text will be: the prompt in grey, then the new text
    so far (a newline shown as ↵ too) and a cursor. Probabilities colour it once it is done."""
    body = (
        f'<span style="color:#666">{html.escape(prompt_text)}</span>'
        f'<span class="gpt-new">{html.escape(so_far).replace(chr(10), "↵<br>")}</span><span style="color:#999">▌</span>'
    )
    return (
        f'<div class="{STREAMING_CLASS}" style="font-family:ui-monospace,Menlo,monospace;font-size:1.05rem;'
        "line-height:1.9;white-space:pre-wrap;word-break:break-word;border:1px solid rgba(49,51,63,0.2);"
        f'border-radius:0.5rem;padding:calc(1rem - 1px)">{body}</div>'  # framed as the finished text's box is
    )


def legend_html() -> str:
    stops = "".join(
        f'<span style="background:{probability_colour(p)};color:#111;padding:1px 6px;border-radius:3px;'
        'margin-right:4px">'
        f"{p:.1f}</span>"
        for p in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    )
    return f'<div style="font-size:0.85rem">probability the model gave each token: {stops}</div>'


def stages_chart(
    stages: Sequence[tuple[str, torch.Tensor]], token_text, chosen_id: int | None, top: int = 20
) -> go.Figure:
    """Grouped bars: the top tokens of the model's own distribution, and their probability after each knob."""
    ranked = torch.topk(stages[0][1], min(top, stages[0][1].shape[-1])).indices.tolist()
    if chosen_id is not None and chosen_id not in ranked:
        ranked.append(chosen_id)  # always show the token that was actually picked
    # Numbered, so that two tokens that look alike stay two bars (plotly merges equal category labels).
    labels = [f"{rank + 1}. {visible(token_text(i))}{' ◀' if i == chosen_id else ''}" for rank, i in enumerate(ranked)]
    figure = go.Figure()
    for (name, probs), colour in zip(stages, STAGE_COLOURS, strict=False):
        figure.add_bar(
            x=labels,
            y=[float(probs[i]) for i in ranked],
            name=name,
            marker_color=colour,
            hovertemplate="%{x}: %{y:.4f}<extra>" + name + "</extra>",
        )
    figure.update_layout(
        barmode="group",
        yaxis_title="probability",
        xaxis=dict(type="category", tickangle=-50),
        height=420,
        margin=dict(l=10, r=10, t=30, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
    )
    return figure


def entropy_chart(entropies: Sequence[float], chosen_probs: Sequence[float], pieces: Sequence[str]) -> go.Figure:
    steps = list(range(1, len(entropies) + 1))
    labels = [visible(p) for p in pieces]
    figure = go.Figure()
    figure.add_scatter(
        x=steps,
        y=list(entropies),
        mode="lines+markers",
        name="entropy (bits)",
        customdata=labels,
        hovertemplate="step %{x} → %{customdata}<br>entropy %{y:.2f} bits<extra></extra>",
    )
    figure.add_scatter(
        x=steps,
        y=list(chosen_probs),
        mode="lines",
        name="p(chosen token)",
        yaxis="y2",
        line=dict(dash="dot"),
        customdata=labels,
        hovertemplate="step %{x} → %{customdata}<br>p = %{y:.3f}<extra></extra>",
    )
    figure.update_layout(
        xaxis_title="step (generated token)",
        yaxis=dict(title="entropy (bits)", rangemode="tozero"),
        yaxis2=dict(
            title="p(chosen)",
            overlaying="y",
            side="right",
            range=[0, 1],
            tickmode="linear",
            tick0=0,
            dtick=0.2,
            showgrid=False,
        ),
        height=340,
        margin=dict(l=10, r=10, t=30, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
    )
    return figure


FATES = {  # what happened to a bar in the temperature explorer: (legend name, colour); a cut bar wears its line's hue
    "kept": ("survives both: can be sampled", "#636efa"),
    "top-p": ("cut by top-p", "#9fd8c6"),
    "top-k": ("cut by top-k", "#f6b5a8"),
}
TOP_K_LINE, TOP_P_LINE = "#ef553b", "#00a884"


def temperature_chart(logits: torch.Tensor, token_text, temperature: float, top_k: int, top_p: float, top: int = 30):
    """The step's distribution at one temperature, its `top` likeliest tokens ranked, each bar coloured by its fate
    (kept, cut by top-p, cut by top-k), with a dashed line where each filter cuts. Top-p's line is drawn where it
    really cuts: after top-k, among top-k's survivors. Returns (figure, Cutoffs, fates of the bars drawn)."""
    probs = apply_temperature(logits, temperature).softmax(-1)
    values, ids = torch.topk(probs, min(top, probs.shape[-1]))
    cut = cutoffs(logits, temperature, top_k, top_p)
    labels = [f"{rank + 1}. {visible(token_text(int(i)))}" for rank, i in enumerate(ids)]
    fates = [cut.fate(int(i)) for i in ids]
    figure = go.Figure()
    for fate, (name, colour) in FATES.items():
        ranks = [rank for rank, f in enumerate(fates) if f == fate]
        figure.add_bar(
            x=[labels[r] for r in ranks],
            y=[float(values[r]) for r in ranks],
            name=name,
            marker_color=colour,
            hovertemplate="%{x}: %{y:.4f}<extra>" + name + "</extra>",
        )
    lines = []
    if 0 < top_k < probs.shape[-1]:
        lines.append((cut.top_k_kept, f"top-k {top_k}", TOP_K_LINE))
    if top_p < 1.0:
        lines.append((cut.both_kept, f"top-p {top_p:g}", TOP_P_LINE))
    for kept, name, colour in lines:
        if kept < len(ids):
            same = len(lines) == 2 and lines[0][0] == lines[1][0]  # both cut at one place: one label each side
            side = "top left" if same and colour == TOP_P_LINE else "top right"
            figure.add_vline(
                x=kept - 0.5,
                line_dash="dash",
                line_color=colour,
                annotation=dict(text=name, font=dict(size=15, color=colour)),
                annotation_position=side,
            )
    figure.update_layout(
        barmode="overlay",
        xaxis=dict(type="category", tickangle=-50, categoryorder="array", categoryarray=labels),
        height=420,
        yaxis=dict(title="probability", range=[0, max(0.05, float(values[0]) * 1.15)]),
        margin=dict(l=10, r=10, t=40, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.08, x=0),
    )
    return figure, cut, fates
