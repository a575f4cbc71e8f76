"""The parameter breakdown as a treemap: area is parameters, so a learner sees at a glance that the MLPs and the
vocabulary matrices dominate, and that LayerNorms and biases are specks."""

from __future__ import annotations

import plotly.graph_objects as go

from playground.gpt2 import params as param_count
from playground.gpt2.config import GPTConfig

COLORS = {"Embeddings": "#4C78A8", "Each block": "#F58518", "Output": "#54A24B"}


def treemap(config: GPTConfig) -> go.Figure:
    parts = [c for c in param_count.components(config) if c.total > 0]
    total = param_count.total(config)
    blocks_label = f"{config.n_layers:,} blocks"
    group_label = {"Embeddings": "Embeddings", "Each block": blocks_label, "Output": "Output"}
    ids, labels, parents, values, colors = ["model"], [f"GPT: {total:,}"], [""], [total], ["#dddddd"]
    for group, label in group_label.items():
        value = sum(c.total for c in parts if c.group == group)
        if value:
            ids.append(group)
            labels.append(label)
            parents.append("model")
            values.append(value)
            colors.append(COLORS[group])
    for c in parts:
        ids.append(c.name)
        labels.append(c.name if c.copies == 1 else f"{c.name} (x{c.copies:,})")
        parents.append(c.group)
        values.append(c.total)
        colors.append(COLORS[c.group])
    if total >= 2**53:  # past what JavaScript numbers hold exactly; plotly sends floats anyway
        values = [float(v) for v in values]
    figure = go.Figure(
        go.Treemap(
            ids=ids,
            labels=labels,
            parents=parents,
            values=values,
            branchvalues="total",
            marker=dict(colors=colors),
            texttemplate="<b>%{label}</b><br>%{value:,}<br>%{percentRoot:.1%}",
            hovertemplate="<b>%{label}</b><br>%{value:,} parameters<br>%{percentRoot:.2%} of the model<extra></extra>",
            tiling=dict(pad=2),
        )
    )
    figure.update_layout(margin=dict(t=30, l=0, r=0, b=0), height=460, uniformtext=dict(minsize=11, mode="hide"))
    return figure
