"""One sigmoid neuron, three ways to its gradient: the chain rule by hand, torch.autograd, finite differences.

z = x·w + b, a = σ(z), L = BCE(a, y). PyTorch fuses sigmoid and BCE (`binary_cross_entropy_with_logits`): the
lesson's `F.binary_cross_entropy(torch.sigmoid(z), y)` is the same number while 0 < a < 1, but the fused form stays
finite and correct when σ saturates and a rounds to exactly 0 or 1.
"""

from playground.autograd.finite_differences import neuron_numeric_gradients
from playground.autograd.gradient_check import torch_neuron
from playground.autograd.neuron import NeuronPoint, forward_backward

x = 1.1  # the input: data, so no gradient
w = 2.2  # the weight: a parameter
b = 0.0  # the bias: a parameter
y = 1.0  # the label, in [0, 1]: data
point = NeuronPoint(x, w, b, y)

# PyTorch: the forward pass records every operation, loss.backward() walks them back to w and b
w_param, b_param, loss = torch_neuron(point)
autograd_w, autograd_b = w_param.grad.item(), b_param.grad.item()

# The chain rule by hand, in plain float64 Python: dL/dw = x(a - y), dL/db = a - y
by_hand = forward_backward(point)
hand_w, hand_b = by_hand.dL_dw, by_hand.dL_db

# Central finite differences: nudge each parameter up and down, no calculus at all
numeric = neuron_numeric_gradients(point)
numeric_w, numeric_b = numeric["w"], numeric["b"]

print(f"z = {by_hand.z:.4f}   a = {by_hand.a:.4f}   L = {loss.item():.4f}")
print(f"dL/dw: by hand {hand_w:.4f}   autograd {autograd_w:.4f}   numeric {numeric_w:.4f}")
print(f"dL/db: by hand {hand_b:.4f}   autograd {autograd_b:.4f}   numeric {numeric_b:.4f}")
