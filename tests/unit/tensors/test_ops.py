"""Each operation's result, shape rule and NumPy twin, and PyTorch's own refusals explained."""

import numpy as np
import pytest
import torch

from playground.tensors import ops as tensor_ops
from playground.tensors.literal import TensorInputError

X = torch.tensor([[1, 2], [3, 4]])


def test_reshape_with_minus_one_infers_the_size_and_is_a_view_of_contiguous_memory():
    out = tensor_ops.reshape(X, "-1, 1")
    assert out.result.shape == (4, 1) and out.error is None
    assert tensor_ops.shares_memory(X, out.result)
    assert "view" in out.notes[0]
    np.testing.assert_array_equal(out.numpy_result, X.numpy().reshape(-1, 1))


def test_view_of_a_transpose_fails_with_pytorchs_message_and_contiguous_fixes_it():
    out = tensor_ops.reshape(X, "4", method="view", transpose_first=True)
    with pytest.raises(RuntimeError) as real:
        X.T.view(4)
    assert out.error == str(real.value)
    assert ".contiguous()" in out.explanation and ".contiguous()" in out.fix
    fixed = tensor_ops.reshape(X, "4", method="view", transpose_first=True, contiguous=True)
    assert fixed.result.tolist() == [1, 3, 2, 4]
    assert not tensor_ops.shares_memory(X, fixed.result)  # contiguous() had to copy
    assert fixed.numpy_result.tolist() == [1, 3, 2, 4]


def test_reshape_to_the_wrong_number_of_elements_is_explained():
    out = tensor_ops.reshape(X, "3, 3")
    assert out.error == "shape '[3, 3]' is invalid for input of size 4"
    assert "as many elements" in out.explanation
    assert out.numpy_result is None and "NumPy refuses too" in out.numpy_note


def test_transpose_and_permute_swap_strides_not_data():
    t = tensor_ops.transpose(X, "T")
    assert t.result.tolist() == [[1, 3], [2, 4]] and t.result.stride() == (1, 2)
    cube = torch.arange(24).reshape(2, 3, 4)
    p = tensor_ops.transpose(cube, "permute", perm_text="2, 0, 1")
    assert p.result.shape == (4, 2, 3)
    assert torch.equal(p.result, cube.permute(2, 0, 1))
    np.testing.assert_array_equal(p.numpy_result, np.transpose(cube.numpy(), (2, 0, 1)))
    s = tensor_ops.transpose(cube, "transpose", 0, 2)
    np.testing.assert_array_equal(s.numpy_result, np.swapaxes(cube.numpy(), 0, 2))
    assert tensor_ops.transpose(cube, "permute").result.shape == (4, 3, 2)  # empty order: reversed


def test_bad_permutation_and_dimension_are_explained():
    assert "exactly once" in tensor_ops.transpose(X, "permute", perm_text="0, 0").explanation
    assert "exactly once" in tensor_ops.transpose(X, "permute", perm_text="0").explanation
    assert "rank" in tensor_ops.transpose(X, "transpose", 0, 3).explanation


def test_matmul_dot_product_of_the_chosen_cell_matches_the_result():
    out = tensor_ops.matmul(X, "[[5, 6], [7, 8]]", row=1, col=0)
    assert out.result.tolist() == [[19, 22], [43, 50]]
    assert "3·5 + 4·7 = **43**" in out.notes[1]
    assert out.inputs[0].highlight == [(1, 0), (1, 1)]  # row 1 of A
    assert out.inputs[1].highlight == [(0, 0), (1, 0)]  # column 0 of B
    assert out.output.highlight == [(1, 0)]
    assert "(2×**2**) @ (**2**×2) → (2×2)" in out.notes[0]


def test_matmul_long_dot_products_are_shortened_but_still_total_right():
    a = torch.arange(20.0).reshape(1, 20)
    out = tensor_ops.matmul(a, str([[1.0]] * 20), 0, 0)
    assert "…" in out.notes[1] and f"**{190}**" in out.notes[1]


def test_matmul_with_mismatched_inner_sizes_or_dtypes_is_explained():
    shapes = tensor_ops.matmul(X, "[[1, 2, 3]]")
    assert shapes.error == "mat1 and mat2 shapes cannot be multiplied (2x2 and 1x3)"
    assert "inner sizes" in shapes.explanation and "❌" in shapes.notes[0]
    dtypes = tensor_ops.matmul(X, "[[1.0], [2.0]]")
    assert "same dtype" in dtypes.error and "promote" in dtypes.explanation
    assert dtypes.numpy_result.tolist() == [[5.0], [11.0]]  # NumPy promotes


def test_broadcasting_table_lines_shapes_up_from_the_right():
    rows = tensor_ops.broadcast_table((2, 3), (3,))
    assert [(r["x"], r["other"], r["result"]) for r in rows] == [("2", "·", "2"), ("3", "3", "3")]
    assert "stretched" in rows[0]["rule"]
    rows = tensor_ops.broadcast_table((2, 1), (1, 3))
    assert [r["result"] for r in rows] == ["2", "3"]
    assert "❌" in tensor_ops.broadcast_table((2, 2), (3,))[1]["rule"]


def test_elementwise_broadcasts_and_draws_the_stretched_operand():
    out = tensor_ops.elementwise(X, "[10, 20]", "+")
    assert out.result.tolist() == [[11, 22], [13, 24]]
    stretched = out.inputs[2].tensor
    assert stretched.shape == (2, 2) and stretched.stride() == (0, 1)
    np.testing.assert_array_equal(out.numpy_result, X.numpy() + np.array([10, 20]))
    bad = tensor_ops.elementwise(X, "[1, 2, 3]", "*")
    assert "must match the size" in bad.error and "from the right" in bad.explanation
    with pytest.raises(TensorInputError):
        tensor_ops.elementwise(X, "[1]", "%")


def test_sum_and_mean_over_a_dim_and_the_integer_mean_refusal():
    assert tensor_ops.reduce(X, "sum", 0).result.tolist() == [4, 6]
    assert tensor_ops.reduce(X, "sum", None).result.item() == 10
    keep = tensor_ops.reduce(X.float(), "mean", 1, keepdim=True)
    assert keep.result.tolist() == [[1.5], [3.5]] and "size 1" in keep.notes[0]
    refused = tensor_ops.reduce(X, "mean", 1)
    assert "could not infer output dtype" in refused.error
    assert refused.numpy_result.tolist() == [1.5, 3.5] and "float64" in refused.numpy_note


def test_autograd_records_the_operation_in_grad_fn():
    x = X.float().requires_grad_()
    assert type(tensor_ops.matmul(x, "[[1.0], [1.0]]").result.grad_fn).__name__ == "MmBackward0"
    assert type(tensor_ops.reduce(x, "sum", 0).result.grad_fn).__name__ == "SumBackward1"


def test_bfloat16_goes_to_numpy_through_float32():
    out = tensor_ops.transpose(X.to(torch.bfloat16), "T")
    assert out.numpy_result.dtype == np.float32 and "no bfloat16" in out.numpy_expression


def test_results_over_the_cap_are_refused_before_any_memory_is_used():
    column = torch.ones(10_000, 1)
    row = "[" + ", ".join(["1.0"] * 10_000) + "]"
    out = tensor_ops.elementwise(column, row, "+")
    assert out.result is None and "100,000,000 elements" in out.error
    out = tensor_ops.matmul(torch.ones(200, 1), "[[" + ", ".join(["1.0"] * 200) + "]]")  # (200, 1) @ (1, 200)
    assert out.result is None and "40,000 elements" in out.error
    assert tensor_ops.matmul(X, "[[1, 2, 3]]").error.startswith("mat1 and mat2")  # refusals still PyTorch's own
