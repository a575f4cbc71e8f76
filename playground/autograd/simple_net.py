"""Backpropagation in a bigger network: the lesson's SimpleNet, one training step, every gradient kept.

SimpleNet is 10 → 5 (ReLU) → 1 (sigmoid), trained with BCELoss and SGD at lr 0.01 on one seeded random input with
label 1. The five steps of a training step are the five steps of backpropagation:
  1. optimizer.zero_grad()  – clear .grad, because backward() adds to it
  2. forward               – every layer computes its output and autograd records how
  3. loss                  – one number that says how wrong the output is
  4. loss.backward()       – the chain rule from the loss back to every weight, filling each .grad
  5. optimizer.step()      – every weight moves against its gradient: θ ← θ − lr·∂L/∂θ
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

LEARNING_RATE = 0.01
MAX_SEED = 10_000


class SimpleNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 5)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(5, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        return self.sigmoid(self.fc2(self.relu(self.fc1(x))))


def check_seed(seed: int) -> None:
    if not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed = {seed} is outside 0…{MAX_SEED}: pick a whole number in that range.")


@dataclass(frozen=True)
class TrainingStep:
    """Everything one step of training touched, as numpy arrays keyed by parameter name (fc1.weight, ...)."""

    seed: int
    inputs: np.ndarray  # shape (1, 10)
    hidden: np.ndarray  # ReLU(fc1(x)), shape (1, 5): zeros here block the gradient to that unit
    output: float  # the prediction before the step
    loss: float
    loss_after: float  # the same input through the updated network
    grads: dict[str, np.ndarray]
    before: dict[str, np.ndarray]
    after: dict[str, np.ndarray]


def one_training_step(seed: int) -> TrainingStep:
    """Seed, build the net, draw the input, then zero_grad → forward → loss → backward → step."""
    check_seed(seed)
    torch.manual_seed(seed)
    model = SimpleNet()
    x = torch.randn(1, 10)
    y = torch.tensor([[1.0]])
    criterion = nn.BCELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)

    before = {name: p.detach().numpy().copy() for name, p in model.named_parameters()}
    with torch.no_grad():
        hidden = model.relu(model.fc1(x))  # only to show which hidden units are active
    optimizer.zero_grad()
    output = model(x)
    loss = criterion(output, y)
    loss.backward()
    grads = {name: p.grad.numpy().copy() for name, p in model.named_parameters()}
    optimizer.step()
    after = {name: p.detach().numpy().copy() for name, p in model.named_parameters()}
    with torch.no_grad():
        loss_after = criterion(model(x), y).item()
    return TrainingStep(
        seed=seed,
        inputs=x.numpy().copy(),
        hidden=hidden.numpy().copy(),
        output=output.item(),
        loss=loss.item(),
        loss_after=loss_after,
        grads=grads,
        before=before,
        after=after,
    )


def as_matrix(array: np.ndarray) -> np.ndarray:
    """Biases are vectors; show them as one row so every parameter is a heatmap."""
    return array.reshape(1, -1) if array.ndim == 1 else array


def five_steps_markdown(t: TrainingStep) -> str:
    """The five steps of backpropagation, each tied to the number it produced on screen."""
    dead = [int(i) for i in (t.hidden[0] == 0).nonzero()[0]]
    if not dead:
        off = "here every unit is on"
    elif len(dead) == 1:
        off = f"here unit {dead[0]} is off, so its row of ∂L/∂fc1.weight is all zeros"
    else:
        off = f"here units {', '.join(map(str, dead))} are off, so their rows of ∂L/∂fc1.weight are all zeros"
    return (
        "1. `optimizer.zero_grad()`: every `.grad` is cleared, because `backward()` adds to it.\n"
        f"2. **Forward**: x → fc1 → ReLU ({5 - len(dead)} of 5 hidden units active) → fc2 → σ gives "
        f"output **{t.output:.4f}**; autograd records each operation.\n"
        f"3. **Loss**: BCE(output, 1) = **{t.loss:.4f}**.\n"
        "4. **`loss.backward()`**: the chain rule from the loss back through σ, fc2, ReLU and fc1 fills "
        f"every `.grad` (heatmaps below). A ReLU unit that is off passes no gradient: {off}.\n"
        f"5. **`optimizer.step()`**: every weight moves by −{LEARNING_RATE} × its gradient. The same input now "
        f"gives loss **{t.loss_after:.4f}**."
    )
