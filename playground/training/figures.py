"""Figures for the Training page, built from a run's records (plotly only, no streamlit, so tests can inspect them).

"Overall" curves combine the ranks the way DDP does: the loss that drives the shared update is the mean of the ranks'
losses at a step (the gradients are averaged), and the job's throughput is the sum of the ranks' throughputs.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from playground.training.records import Run

_LAYOUT = dict(height=320, margin=dict(l=10, r=10, t=40, b=10), legend=dict(orientation="h", y=-0.25))


def overall_by_step(run: Run) -> pd.DataFrame:
    """Per step: the mean loss over ranks and the summed throughput (only steps every rank has logged)."""
    steps = run.steps()
    if steps.empty:
        return pd.DataFrame(columns=["step", "loss", "samples_per_s", "tokens_per_s", "ranks"])
    grouped = (
        steps.groupby("step")
        .agg(
            loss=("loss", "mean"),
            samples_per_s=("samples_per_s", "sum"),
            tokens_per_s=("tokens_per_s", lambda rates: rates.sum(min_count=1)),  # NaN for a digits run
            ranks=("rank", "nunique"),
        )
        .reset_index()
    )
    world = run.world_size or steps["rank"].nunique()
    return grouped[grouped.ranks == world].reset_index(drop=True)


_RANK_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf")


def _per_rank(fig: go.Figure, frame: pd.DataFrame, x: str, y: str, mode: str = "lines") -> None:
    """One colour per rank. Later ranks are dashed and thinner, so identical curves visibly lie on top of rank 0."""
    for rank, part in frame.groupby("rank"):
        fig.add_trace(
            go.Scatter(
                x=part[x],
                y=part[y],
                mode=mode,
                name=f"rank {rank}",
                opacity=0.75,
                line=dict(
                    color=_RANK_COLORS[rank % len(_RANK_COLORS)],
                    width=3 if rank == 0 else 2,
                    dash="solid" if rank == 0 else "dash",
                ),
                marker=dict(size=12 if rank == 0 else 7),
            )
        )


def _overall(fig: go.Figure, run: Run, column: str, name: str) -> None:
    """The job's own curve over the ranks', once there is more than one rank to combine."""
    overall = overall_by_step(run)
    if run.world_size and run.world_size > 1 and len(overall):
        fig.add_trace(go.Scatter(x=overall.step, y=overall[column], name=name, line=dict(width=4, color="black")))


def _per_step(run: Run, column: str, overall: str, title: str, unit: str) -> go.Figure:
    fig = go.Figure()
    _per_rank(fig, run.steps(), "step", column)
    _overall(fig, run, column, overall)
    fig.update_layout(title=title, xaxis_title="step", yaxis_title=unit, **_LAYOUT)
    return fig


def loss_figure(run: Run) -> go.Figure:
    if run.task != "gpt":
        return _per_step(run, "loss", "overall (mean of ranks)", "Training loss per step", "cross-entropy")
    fig = _per_step(run, "loss", "overall (mean of ranks)", "Training and held-out loss", "cross-entropy per token")
    evals = run.evals()
    if len(evals):  # text the model never trained on: the curve that says whether it learned or memorised
        fig.add_trace(
            go.Scatter(
                x=evals.step,
                y=evals.val_loss,
                mode="lines+markers",
                name="held-out (rank 0)",
                line=dict(width=4, color="#d62728"),
                marker=dict(size=12, symbol="diamond"),
            )
        )
    return fig


def accuracy_figure(run: Run) -> go.Figure:
    fig = go.Figure()
    _per_rank(fig, run.epochs().assign(epoch=lambda f: f.epoch + 1), "epoch", "accuracy", mode="lines+markers")
    fig.update_layout(
        title="Held-out accuracy after each epoch",
        xaxis_title="epoch",
        yaxis_title="accuracy",
        yaxis_range=[0, 1],
        xaxis=dict(dtick=1),
        **_LAYOUT,
    )
    return fig


def throughput_figure(run: Run) -> go.Figure:
    if run.task == "gpt":
        return _per_step(run, "tokens_per_s", "overall (sum of ranks)", "Throughput", "tokens / s")
    return _per_step(run, "samples_per_s", "overall (sum of ranks)", "Throughput", "samples / s")


def gpu_memory_figure(run: Run) -> go.Figure | None:
    """Peak CUDA memory per rank (torch.cuda.max_memory_allocated), or None for a CPU run, which records none.
    Under DDP every rank holds a full copy of the model, so the curves should lie on top of each other."""
    steps = run.steps().dropna(subset=["gpu_mem_mb"])
    if steps.empty:
        return None
    fig = go.Figure()
    _per_rank(fig, steps, "step", "gpu_mem_mb")
    fig.update_layout(title="Peak GPU memory per rank", xaxis_title="step", yaxis_title="MiB", **_LAYOUT)
    return fig


def checksum_table(run: Run) -> pd.DataFrame:
    """Epoch (digits) or evaluation step (GPT) x rank parameter checksums, and whether every rank holds
    bit-identical weights."""
    sums, at = (run.checksums(), "step") if run.task == "gpt" else (run.epochs(), "epoch")
    if sums.empty:
        return pd.DataFrame()
    table = sums.pivot_table(index=at, columns="rank", values="checksum", aggfunc="first")
    table.columns = [f"rank {c}" for c in table.columns]
    table["identical"] = table.nunique(axis=1).eq(1) & table.notna().all(axis=1)
    if at == "epoch":
        table.index = table.index + 1
    return table


def heldout_by_time_figure(runs: list[Run]) -> go.Figure:
    """Held-out loss against seconds since each run started: the race more workers should win, if the extra tokens
    per second buy more learning per second."""
    fig = go.Figure()
    for run in runs:
        evals = run.evals()
        if evals.empty:
            continue
        workers = run.world_size or 1
        fig.add_trace(
            go.Scatter(
                x=evals.elapsed,
                y=evals.val_loss,
                mode="lines+markers",
                name=f"{workers} worker{'s' if workers > 1 else ''} · {run.folder.name}",
                line=dict(width=3 if workers == 1 else 4),
            )
        )
    fig.update_layout(
        title="Held-out loss against time", xaxis_title="seconds", yaxis_title="cross-entropy per token", **_LAYOUT
    )
    return fig


def scaling_figure(comparison: pd.DataFrame) -> go.Figure:
    """Speedup and scaling efficiency against the number of workers; the dashed line is perfect scaling."""
    fig = go.Figure()
    if len(comparison):
        ordered = comparison.sort_values("workers")
        fig.add_trace(
            go.Scatter(x=ordered.workers, y=ordered.speedup, mode="markers+lines", name="speedup", text=ordered.run)
        )
        fig.add_trace(
            go.Scatter(
                x=ordered.workers,
                y=ordered.efficiency,
                mode="markers+lines",
                name="scaling efficiency",
                text=ordered.run,
            )
        )
        top = int(ordered.workers.max())
        fig.add_trace(
            go.Scatter(
                x=[1, top], y=[1, top], mode="lines", name="perfect speedup", line=dict(dash="dash", color="gray")
            )
        )
    fig.update_layout(
        title="Speedup over 1 worker (throughput ratio)", xaxis_title="workers", xaxis=dict(dtick=1), **_LAYOUT
    )
    return fig
