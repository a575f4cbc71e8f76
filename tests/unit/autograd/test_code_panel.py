"""'The code' panels, executed: each reproduces the numbers the page shows for the same parameters."""

import numpy as np
import pytest

from playground.autograd.code_panel import descent_code, neuron_code, simple_net_code
from playground.autograd.descent import descend
from playground.autograd.gradient_check import compare_gradients
from playground.autograd.neuron import LESSON, check_point, forward_backward
from playground.autograd.simple_net import one_training_step
from tests.helpers import assert_self_contained, run_panel


def _run(source: str) -> tuple[dict, str]:
    assert_self_contained(source)
    return run_panel(source)


@pytest.mark.parametrize(
    "point",
    [
        LESSON,
        dict(x=0.5, w=-1.3, b=0.7, y=0.0),
        dict(x=5.0, w=10.0, b=0.0, y=0.0),
        dict(x=-5.0, w=10.0, b=0.0, y=1.0),
        dict(x=2.0, w=0.3, b=-1.0, y=0.3),
        dict(x=1.1, w=40.0, b=0.0, y=1.0),  # σ saturated, the gradient ~0
        dict(x=50.0, w=50.0, b=0.0, y=0.0),  # z = 2500: ∂L/∂a overflows, ∂a/∂z underflows
    ],
)
def test_neuron_code_prints_the_three_gradients_on_screen(point):
    pt = check_point(**point)
    ns, printed = _run(neuron_code(pt))
    for row in compare_gradients(pt):
        assert ns[f"hand_{row.parameter}"] == pytest.approx(row.by_hand, rel=1e-9, abs=1e-30)
        assert ns[f"autograd_{row.parameter}"] == row.autograd
        assert ns[f"numeric_{row.parameter}"] == row.numeric
    p = forward_backward(pt)
    assert ns["loss"].item() == pytest.approx(p.loss, rel=1e-12, abs=1e-30)
    assert f"L = {p.loss:.4f}" in printed


def test_lesson_code_prints_the_lessons_numbers():
    _, printed = _run(neuron_code(check_point(**LESSON)))
    assert "dL/dw: by hand -0.0898   autograd -0.0898   numeric -0.0898" in printed
    assert "dL/db: by hand -0.0817   autograd -0.0817   numeric -0.0817" in printed


def test_descent_code_walks_the_same_path():
    pt = check_point(0.5, -1.3, 0.7, 0.0)
    path = descend(pt, 2.5, 40)
    ns, printed = _run(descent_code(pt, 2.5, 40))
    assert len(ns["path"]) == len(path)
    for (step, w, b, loss), s in zip(ns["path"], path, strict=True):
        assert step == s.step and (w, b, loss) == pytest.approx((s.w, s.b, s.loss), abs=1e-9)
    last = path[-1]
    assert f"w = {last.w:.4f}   b = {last.b:.4f}   L = {last.loss:.4f}" in printed


@pytest.mark.parametrize("seed", [0, 3])
def test_simple_net_code_reproduces_the_step_exactly(seed):
    t = one_training_step(seed)
    ns, printed = _run(simple_net_code(seed))
    step = ns["step"]  # the panel runs the page's own one_training_step, spliced in from its source
    assert step.loss == t.loss and step.loss_after == t.loss_after
    for name in t.after:
        np.testing.assert_array_equal(step.grads[name], t.grads[name])
        np.testing.assert_array_equal(step.after[name], t.after[name])
    assert f"loss {t.loss:.4f}" in printed
