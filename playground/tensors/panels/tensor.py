"""Build x, look inside it, change its dtype, operate on it, then the same operation in NumPy: the page's steps.

Each line below is the line the page shows; where PyTorch refuses, the script prints PyTorch's own message.
"""

import numpy as np
import torch

# Which steps the page's settings switch on: the panel keeps only those.
random_numbers = False  # x comes from torch.randn
converts = False  # x = x.to(another dtype)
asks_for_grad = False
grad_refused = False  # requires_grad on a tensor that can't have gradients
records_grad = False
operates = True
with_matrix = False  # matmul's B
with_cell = False  # matmul's output cell, written out as a dot product
with_other = False  # the elementwise operation's other tensor
refused = False  # PyTorch refuses the operation
numpy_refuses = False

if random_numbers:
    seed = 0
    torch.manual_seed(seed)  # the same seed gives the same numbers as the page
x = torch.tensor([[1, 2], [3, 4]])
print(x.shape, x.dtype, x.stride(), x.is_contiguous())
if converts:
    dtype = torch.float16
    before = x
    x = x.to(dtype)
    print((x.double() != before.double()).sum().item(), "of", x.numel(), "values changed by the cast")
if asks_for_grad:
    if grad_refused:
        try:
            x.requires_grad_()
        except RuntimeError as err:
            print(err)  # only floating-point tensors can have gradients
    else:
        x.requires_grad_()  # autograd now records every operation on x

if operates:
    if with_matrix:
        B = torch.tensor([[5, 6], [7, 8]])
    if with_other:
        other = torch.tensor([10, 20])
    if refused:
        try:
            y = x.reshape(4)
        except Exception as err:
            print(err)  # PyTorch refuses, as on the page
    else:
        y = x.reshape(4)
        print(y.shape, y.stride(), y.is_contiguous())
        print(y)
        if with_cell:
            cell = (0, 0)  # the cell of y the page outlines: the row of x times the column of B behind it
            x_row = x[0, :]
            B_column = B[:, 0]
            print(f"y{list(cell)} =", y[cell].item(), "= sum of x_row * B_column =", (x_row * B_column).sum().item())
        if records_grad:
            print(y.grad_fn)  # the backward node autograd recorded

    # The same in NumPy
    x_np = x.detach().numpy()
    if with_matrix:
        B_np = np.array([[5, 6], [7, 8]])
    if with_other:
        other_np = np.array([10, 20])
    if not numpy_refuses:
        y_np = x_np.reshape(4)
        print(y_np.shape, y_np.dtype, y_np, sep="\n")
    else:
        try:
            y_np = x_np.reshape(4)
        except (ValueError, IndexError, TypeError) as err:
            print("NumPy refuses too:", err)
