"""The Autograd page, section by section: settings in, everything each section shows out.

The neuron section needs a valid point; the descent section also a learning rate and a number of steps; SimpleNet
only its seed. Each section is computed on its own, so a bad value in one leaves the others on screen.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from playground.autograd import code_panel, figures, graph, text
from playground.autograd.descent import check_descent, descend
from playground.autograd.gradient_check import compare_gradients, gradient_table, torch_neuron, unfused_goes_wrong
from playground.autograd.neuron import LESSON, NeuronPoint, chain_rule_latex, forward_backward, is_saturated
from playground.autograd.neuron import format_number as fmt
from playground.autograd.simple_net import check_seed, five_steps_markdown, one_training_step


@dataclass(frozen=True)
class AutogradSettings:
    """What the learner sets, with the lesson's values as defaults (the point x, w, b, y is the lesson's)."""

    x: float = LESSON["x"]
    w: float = LESSON["w"]
    b: float = LESSON["b"]
    y: float = LESSON["y"]
    step: int = graph.STEP_COUNT  # how far the walk through both passes has gone
    lr: float = 1.0
    steps: int = 30
    seed: int = 0


@dataclass
class NeuronSection:
    graph_dot: str  # the graph at this step of the walk
    phone_graph_dot: str  # the same, stacked and without edge labels, to stay legible 358 px wide
    step_text: str
    steps_table: pd.DataFrame
    saturation: str | None  # why the gradient through σ is ~0 here, where σ has saturated
    formulas: list[str]  # LaTeX
    saturated: str | None  # what the lesson's unfused float32 code gets wrong here, if anything
    gradients: pd.DataFrame
    agree: bool
    full_dot: str  # our whole graph, beside PyTorch's
    torch_dot: str
    correspondence: str
    code: str


@dataclass
class DescentSection:
    landscape: go.Figure
    loss_curve: go.Figure
    result: str
    code: str


@dataclass
class SimpleNetSection:
    five_steps: str
    gradients: go.Figure
    parameters: list[str]
    code: str
    step: object  # the TrainingStep, for the before/after picture of one parameter

    def before_after(self, name: str) -> go.Figure:
        return figures.before_after_heatmaps(self.step, name)


def neuron(p: NeuronPoint, step: int) -> NeuronSection:
    values = forward_backward(p)
    rows = compare_gradients(p)
    naive = unfused_goes_wrong(p)
    w, b, loss = torch_neuron(p)
    torch_dot, names = graph.torch_graph(loss, {"w": w, "b": b})
    return NeuronSection(
        graph_dot=graph.neuron_dot(values, step),
        phone_graph_dot=graph.neuron_dot(values, step, beside_torch=True),
        step_text=graph.step_markdown(values, step),
        steps_table=graph.steps_table(values),
        saturation=text.saturation(values, fmt) if is_saturated(values) else None,
        formulas=chain_rule_latex(values),
        saturated=text.saturated(fmt(values.z), {k: fmt(v) for k, v in naive.items()}) if naive else None,
        gradients=gradient_table(rows),
        agree=all(r.agree for r in rows),
        full_dot=graph.neuron_dot(values, highlight=False, beside_torch=True),
        torch_dot=torch_dot,
        correspondence=graph.correspondence_markdown(names),
        code=code_panel.neuron_code(p),
    )


def descent(p: NeuronPoint, lr: float, steps: int) -> DescentSection:
    """A ValueError says which of the two is out of range."""
    check_descent(steps, lr)
    path = descend(p, lr, steps)
    start = forward_backward(p)
    stall = f"\n\n{text.descent_stall(start, fmt)}" if is_saturated(start) else ""
    return DescentSection(
        landscape=figures.landscape_figure(p, path),
        loss_curve=figures.loss_curve_figure(path),
        result=text.descent_result(steps, path[0], path[-1], fmt) + stall,
        code=code_panel.descent_code(p, lr, steps),
    )


def simple_net(seed: int) -> SimpleNetSection:
    check_seed(seed)
    step = one_training_step(seed)
    return SimpleNetSection(
        five_steps=five_steps_markdown(step),
        gradients=figures.gradient_heatmaps(step),
        parameters=list(step.grads),
        code=code_panel.simple_net_code(seed),
        step=step,
    )
