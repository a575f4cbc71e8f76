""" "The code" panels of the autograd page: runnable PyTorch generated from the page's own parameters.

Each generator returns source text that, run on its own, prints the numbers the page shows. A unit test executes
the text and compares; the page only displays it (user input reaches the text only as `repr` of a validated float
or int, never as code).
"""

from __future__ import annotations

from playground.autograd.finite_differences import STEP
from playground.autograd.neuron import NeuronPoint
from playground.autograd.simple_net import LEARNING_RATE


def neuron_code(point: NeuronPoint) -> str:
    x, w, b, y = (float(v) for v in (point.x, point.w, point.b, point.y))
    return f"""\
import math

import torch
import torch.nn.functional as F

x = torch.tensor({x!r}, dtype=torch.float64)  # input: data, so no gradient
y = torch.tensor({y!r}, dtype=torch.float64)  # label in [0, 1]: data
w = torch.tensor({w!r}, dtype=torch.float64, requires_grad=True)  # parameter
b = torch.tensor({b!r}, dtype=torch.float64, requires_grad=True)  # parameter

# Forward pass: mul, add, sigmoid, BCE
z = x * w + b
a = torch.sigmoid(z)
# BCE(sigmoid(z), y) fused into one op: the lesson's F.binary_cross_entropy(a, y) is the same number while
# 0 < a < 1, but this form stays finite and correct when sigmoid saturates (a rounds to exactly 0 or 1).
loss = F.binary_cross_entropy_with_logits(z, y)

# Backward pass: autograd walks loss.grad_fn back to w and b
loss.backward()
autograd_w, autograd_b = w.grad.item(), b.grad.item()

# The chain rule by hand: dL/da * da/dz = a - y, so dL/dw = x(a - y) and dL/db = a - y.
# a - y is computed as (1 - y)·σ(z) - y·σ(-z) so nothing cancels when a is within 1e-16 of y.
with torch.no_grad():
    a_minus_y = ((1 - y) * torch.sigmoid(z) - y * torch.sigmoid(-z)).item()
hand_w, hand_b = x.item() * a_minus_y, a_minus_y

# Central finite differences on the same loss, written out: max(z, 0) - y*z + log(1 + e^-|z|)
def L(w_, b_):
    z_ = x.item() * w_ + b_
    return max(z_, 0.0) - y.item() * z_ + math.log1p(math.exp(-abs(z_)))

h = {STEP!r}
numeric_w = (L(w.item() + h, b.item()) - L(w.item() - h, b.item())) / (2 * h)
numeric_b = (L(w.item(), b.item() + h) - L(w.item(), b.item() - h)) / (2 * h)

print(f"z = {{z.item():.4f}}   a = {{a.item():.4f}}   L = {{loss.item():.4f}}")
print(f"dL/dw: by hand {{hand_w:.4f}}   autograd {{autograd_w:.4f}}   numeric {{numeric_w:.4f}}")
print(f"dL/db: by hand {{hand_b:.4f}}   autograd {{autograd_b:.4f}}   numeric {{numeric_b:.4f}}")
"""


def descent_code(point: NeuronPoint, lr: float, steps: int) -> str:
    x, w, b, y = (float(v) for v in (point.x, point.w, point.b, point.y))
    return f"""\
import torch
import torch.nn.functional as F

x = torch.tensor({x!r}, dtype=torch.float64)
y = torch.tensor({y!r}, dtype=torch.float64)
w = torch.tensor({w!r}, dtype=torch.float64, requires_grad=True)
b = torch.tensor({b!r}, dtype=torch.float64, requires_grad=True)
optimizer = torch.optim.SGD([w, b], lr={float(lr)!r})  # w <- w - lr * dL/dw, the same for b

path = []  # (step, w, b, loss) before each update, and after the last one
for step in range({int(steps)} + 1):
    optimizer.zero_grad()
    loss = F.binary_cross_entropy_with_logits(x * w + b, y)
    path.append((step, w.item(), b.item(), loss.item()))
    if step == {int(steps)}:
        break
    loss.backward()
    optimizer.step()

for step, w_, b_, loss_ in path:
    print(f"step {{step:3d}}   w = {{w_:.4f}}   b = {{b_:.4f}}   L = {{loss_:.4f}}")
"""


def simple_net_code(seed: int) -> str:
    return f"""\
import torch
from torch import nn


class SimpleNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 5)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(5, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        return self.sigmoid(self.fc2(self.relu(self.fc1(x))))


torch.manual_seed({int(seed)})
model = SimpleNet()           # weights drawn from the seed
x = torch.randn(1, 10)        # one random input
y = torch.tensor([[1.0]])     # its label
criterion = nn.BCELoss()
optimizer = torch.optim.SGD(model.parameters(), lr={LEARNING_RATE!r})
before = {{name: p.detach().clone() for name, p in model.named_parameters()}}

optimizer.zero_grad()         # 1. clear old gradients (backward adds to .grad)
output = model(x)             # 2. forward pass
loss = criterion(output, y)   # 3. loss
loss.backward()               # 4. backward: the chain rule fills every p.grad
grads = {{name: p.grad.clone() for name, p in model.named_parameters()}}
optimizer.step()              # 5. update: p <- p - lr * p.grad

with torch.no_grad():
    loss_after = criterion(model(x), y).item()
print(f"output {{output.item():.4f}}   loss {{loss.item():.4f}}   loss after the step {{loss_after:.4f}}")
for name, p in model.named_parameters():
    print(name, "gradient:\\n", grads[name].numpy().round(4))
    print(name, "before -> after:\\n", before[name].numpy().round(4), "\\n", p.detach().numpy().round(4))
"""
