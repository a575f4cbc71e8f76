"""Gradient descent on (w, b): the same path as torch.optim.SGD, a loss surface that matches the neuron, caps."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from playground.autograd.descent import MAX_LEARNING_RATE, MAX_STEPS, descend, loss_surface, surface_window
from playground.autograd.neuron import LESSON, check_point, loss_at


@pytest.mark.parametrize(
    "point,lr,steps",
    [(LESSON, 1.0, 30), (dict(x=0.5, w=-1.3, b=0.7, y=0.0), 3.0, 50), (dict(x=5.0, w=10.0, b=0.0, y=0.0), 0.1, 20)],
)
def test_path_is_what_torch_sgd_does(point, lr, steps):
    pt = check_point(**point)
    path = descend(pt, lr, steps)
    w = torch.tensor(pt.w, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(pt.b, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w, b], lr=lr)
    x, y = torch.tensor(pt.x, dtype=torch.float64), torch.tensor(pt.y, dtype=torch.float64)
    assert len(path) == steps + 1
    for s in path:
        optimizer.zero_grad()
        loss = F.binary_cross_entropy_with_logits(x * w + b, y)
        assert (s.w, s.b) == pytest.approx((w.item(), b.item()), abs=1e-9)
        assert s.loss == pytest.approx(loss.item(), abs=1e-9)
        loss.backward()
        optimizer.step()


def test_loss_goes_down_with_a_sensible_learning_rate():
    losses = [s.loss for s in descend(check_point(**LESSON), 1.0, 30)]
    assert all(later < earlier for earlier, later in zip(losses, losses[1:], strict=False))


def test_surface_is_the_neurons_loss_on_a_grid_around_the_path():
    pt = check_point(0.5, -1.3, 0.7, 0.0)
    path = descend(pt, 2.0, 10)
    (w_lo, w_hi), (b_lo, b_hi) = surface_window(path)
    assert all(w_lo < s.w < w_hi and b_lo < s.b < b_hi for s in path)
    ws, bs, L = loss_surface(pt, (w_lo, w_hi), (b_lo, b_hi), n=11)
    assert L.shape == (11, 11)
    assert L[3, 7] == pytest.approx(loss_at(pt.x, ws[7], bs[3], pt.y), rel=1e-12)
    assert np.isfinite(L).all()


@pytest.mark.parametrize(
    "lr,steps,message",
    [
        (0.5, 0, "steps"),
        (0.5, MAX_STEPS + 1, "steps"),
        (0.0, 10, "learning rate"),
        (-1.0, 10, "learning rate"),
        (MAX_LEARNING_RATE * 2, 10, "learning rate"),
        (float("nan"), 10, "learning rate"),
        (float("inf"), 10, "learning rate"),
    ],
)
def test_caps_on_steps_and_learning_rate(lr, steps, message):
    with pytest.raises(ValueError, match=message):
        descend(check_point(**LESSON), lr, steps)
