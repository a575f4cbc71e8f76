"""SimpleNet's one training step against backpropagation written out in numpy."""

import numpy as np
import pytest

from playground.autograd.simple_net import LEARNING_RATE, MAX_SEED, five_steps_markdown, one_training_step


def _sigmoid(v):
    return 1 / (1 + np.exp(-v))


@pytest.mark.parametrize("seed", [0, 1, 42])
def test_gradients_and_update_match_backprop_by_hand(seed):
    t = one_training_step(seed)
    x = t.inputs.astype(np.float64)  # (1, 10)
    W1, b1 = t.before["fc1.weight"].astype(np.float64), t.before["fc1.bias"].astype(np.float64)
    W2, b2 = t.before["fc2.weight"].astype(np.float64), t.before["fc2.bias"].astype(np.float64)
    z1 = x @ W1.T + b1
    h = np.maximum(z1, 0)
    out = _sigmoid(h @ W2.T + b2)
    loss = -np.log(out[0, 0])  # BCE with label 1
    dz2 = out - 1.0  # ∂L/∂(fc2 output) for sigmoid + BCE
    dW2, db2 = dz2.T @ h, dz2.sum(0)
    dz1 = (dz2 @ W2) * (z1 > 0)
    dW1, db1 = dz1.T @ x, dz1.sum(0)
    assert t.output == pytest.approx(out[0, 0], abs=1e-6)
    assert t.loss == pytest.approx(loss, abs=1e-6)
    for name, expected in {"fc1.weight": dW1, "fc1.bias": db1, "fc2.weight": dW2, "fc2.bias": db2}.items():
        np.testing.assert_allclose(t.grads[name], expected, atol=1e-6)
        np.testing.assert_allclose(t.after[name], t.before[name] - LEARNING_RATE * t.grads[name], atol=1e-7)
    assert t.loss_after < t.loss  # one small step downhill


def test_dead_relu_units_get_all_zero_gradient_rows():
    t = one_training_step(0)
    dead = np.flatnonzero(t.hidden[0] == 0)
    assert dead.size > 0  # seed 0 has a unit that is off: the page points at it
    assert np.all(t.grads["fc1.weight"][dead] == 0)


def test_same_seed_same_step_and_seeds_are_capped():
    assert one_training_step(7).loss == one_training_step(7).loss
    with pytest.raises(ValueError, match="seed"):
        one_training_step(MAX_SEED + 1)
    with pytest.raises(ValueError, match="seed"):
        one_training_step(-1)


def test_five_steps_text_carries_the_steps_own_numbers():
    t = one_training_step(0)
    text = five_steps_markdown(t)
    assert f"output **{t.output:.4f}**" in text and f"= **{t.loss:.4f}**" in text
    assert f"gives loss **{t.loss_after:.4f}**" in text and "here unit 2 is off" in text
