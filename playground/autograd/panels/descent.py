"""Gradient descent on the neuron's w and b with torch.optim.SGD: the path the page draws on the loss landscape.

x and y stay fixed (one training example), so the loss is a surface L(w, b); each step moves (w, b) against its
gradient, w <- w - lr * dL/dw and the same for b. The page walks it by hand; PyTorch's SGD takes the same steps.
"""

import torch
import torch.nn.functional as F

x = 1.1  # the input
y = 1.0  # the label
w = 2.2  # where the walk starts
b = 0.0
lr = 1.0  # the learning rate
steps = 30

x, y = torch.tensor(x, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
w = torch.tensor(w, dtype=torch.float64, requires_grad=True)
b = torch.tensor(b, dtype=torch.float64, requires_grad=True)
optimizer = torch.optim.SGD([w, b], lr=lr)  # no momentum: exactly w <- w - lr * w.grad

path = []  # (step, w, b, loss) before each update, and after the last one
for step in range(steps + 1):
    optimizer.zero_grad()
    loss = F.binary_cross_entropy_with_logits(x * w + b, y)
    path.append((step, w.item(), b.item(), loss.item()))
    if step == steps:
        break
    loss.backward()
    optimizer.step()

for step, w_, b_, loss_ in path:
    print(f"step {step:3d}   w = {w_:.4f}   b = {b_:.4f}   L = {loss_:.4f}")
