""" "The code" of the Tensors page, run as a script, reproduces the page's numbers (and its errors) exactly."""

import numpy as np
import pytest
import torch

from playground.tensors.code_panel import tensor_code
from playground.tensors.lesson import TensorSettings, facts_markdown, run
from playground.tensors.source import TensorSource
from tests.helpers import assert_self_contained, run_panel

CASES = {
    "default reshape": TensorSettings(),
    "3D preset, permute": TensorSettings(
        source=TensorSource(preset="3D"), op="transpose", transpose_kind="permute", perm="2, 0, 1"
    ),
    "random float16 matmul": TensorSettings(
        source=TensorSource("random", shape="3, 4", seed=5),
        dtype="float32",
        requires_grad=True,
        op="matmul",
        matmul_other="[[1.5], [2.0], [-1.0], [0.5]]",
        row=2,
        col=0,
    ),
    "typed, int8 overflow, broadcast": TensorSettings(
        source=TensorSource("typed", literal="[[100, 200], [300, 4]]"),
        dtype="int8",
        op="elementwise",
        elementwise_other="[[2], [3]]",
        operator="*",
    ),
    "arange bfloat16 mean keepdim": TensorSettings(
        source=TensorSource("arange", shape="2, 3, 2"),
        dtype="bfloat16",
        requires_grad=True,
        op="reduce",
        reduction="mean",
        dim=1,
        keepdim=True,
    ),
    "ones sum all": TensorSettings(source=TensorSource("ones", shape="4"), op="reduce", dim=None),
    "zeros view after contiguous": TensorSettings(
        source=TensorSource("zeros", shape="2, 3"),
        op="reshape",
        method="view",
        new_shape="-1",
        transpose_first=True,
        contiguous=True,
    ),
    "0D transpose": TensorSettings(source=TensorSource(preset="0D"), op="transpose"),
    "3D batched matmul, B without batch dims": TensorSettings(
        source=TensorSource(preset="3D"), op="matmul", matmul_other="[[1, 0], [2, 1]]", batch=1, row=0, col=1
    ),
    "random batched matmul, a size-1 batch dim stretched": TensorSettings(
        source=TensorSource("random", shape="3, 2, 4", seed=2),
        requires_grad=True,
        op="matmul",
        matmul_other="[[[1.0], [0.5], [-1.0], [2.0]]]",
        batch=2,
        row=1,
        col=0,
    ),
    # 1e309 is no double: Python reads it as inf, and the page accepts it; "the code" must still run (issue 19).
    "typed beyond a double, elementwise": TensorSettings(
        source=TensorSource("typed", literal="[1e309, -1e309, 1]"),
        op="elementwise",
        elementwise_other="[1e309]",
        operator="*",
    ),
    "typed beyond a double, matmul": TensorSettings(
        source=TensorSource("typed", literal="[[1e309, 1], [2, -1e999]]"), op="matmul", matmul_other="[[1.0], [2.0]]"
    ),
}

ERRORS = {
    "view of a transpose": TensorSettings(op="reshape", method="view", transpose_first=True),
    "int mean": TensorSettings(op="reduce", reduction="mean"),
    "matmul shapes": TensorSettings(op="matmul", matmul_other="[[1, 2, 3]]"),
    "broadcast": TensorSettings(op="elementwise", elementwise_other="[1, 2, 3]"),
    "grad on ints": TensorSettings(requires_grad=True),
}


def _execute(code: str) -> tuple[dict, str]:
    assert_self_contained(code)
    return run_panel(code)


def _same(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and torch.equal(a.detach(), b.detach())


@pytest.mark.parametrize("settings", CASES.values(), ids=CASES.keys())
def test_the_code_reproduces_x_y_and_numpys_answer(settings):
    lesson = run(settings)
    assert lesson.error is None and lesson.outcome.error is None
    ns, printed = _execute(tensor_code(lesson))
    assert _same(ns["x"], lesson.x)
    assert _same(ns["y"], lesson.y)
    assert ns["x"].requires_grad == lesson.x.requires_grad
    assert (ns["y"].grad_fn is None) == (lesson.y.grad_fn is None)
    assert ns["y_np"].dtype == lesson.outcome.numpy_result.dtype
    np.testing.assert_array_equal(ns["y_np"], lesson.outcome.numpy_result)
    assert str(tuple(lesson.y.stride())) in printed  # the strides the page shows


@pytest.mark.parametrize("settings", ERRORS.values(), ids=ERRORS.keys())
def test_the_code_prints_the_same_error_the_page_shows(settings):
    lesson = run(settings)
    shown = lesson.grad_error or lesson.outcome.error
    assert shown
    _, printed = _execute(tensor_code(lesson))
    assert shown in printed.splitlines()


def test_random_code_uses_the_seed_so_numbers_match():
    lesson = run(TensorSettings(source=TensorSource("random", shape="2, 2", seed=42)))
    code = tensor_code(lesson)
    assert "seed = 42" in code and "torch.manual_seed(seed)" in code
    assert _same(_execute(code)[0]["x"], lesson.x)


def test_the_code_follows_the_settings_live():
    a = tensor_code(run(TensorSettings(new_shape="4, 1")))
    b = tensor_code(run(TensorSettings(new_shape="1, 4")))
    assert "x.reshape(4, 1)" in a and "x.reshape(1, 4)" in b


def test_facts_table_shows_the_strides_and_contiguity_of_x():
    lesson = run(TensorSettings(source=TensorSource("arange", shape="2, 3, 4")))
    table = facts_markdown(lesson)
    assert "| strides | **(12, 4, 1)** |" in table and "| contiguous | **True** |" in table
    assert "| dtype | **int64 · 8 bytes each** |" in table and "| numel | **24 · 192 bytes in all** |" in table


def test_bad_input_is_reported_not_raised():
    assert "Ragged" in run(TensorSettings(source=TensorSource("typed", literal="[[1], [2, 3]]"))).error
    assert "shape" in run(TensorSettings(new_shape="two")).op_error
    assert "Transpose first" in run(TensorSettings(source=TensorSource(preset="1D"), transpose_first=True)).op_error


def test_a_comment_or_line_breaks_in_the_typed_text_do_not_break_the_code():
    lesson = run(
        TensorSettings(
            source=TensorSource("typed", literal="[[1, 2],  # first row\n [3, 4]]"),
            op="matmul",
            matmul_other="((1,), (2,))  # a column",
        )
    )
    code = tensor_code(lesson)
    assert "x = torch.tensor([[1, 2], [3, 4]])" in code and "B = torch.tensor([[1], [2]])" in code
    namespace, _ = _execute(code)
    assert _same(namespace["y"], lesson.y) and lesson.y.tolist() == [[5], [11]]


@pytest.mark.parametrize(
    "settings",
    [s for s in CASES.values() if s.op == "matmul"],
    ids=[name for name, s in CASES.items() if s.op == "matmul"],
)
def test_the_code_prints_the_picked_cell_as_the_page_writes_it_out(settings):
    lesson = run(settings)
    cell = lesson.outcome.cell
    ns, printed = _execute(tensor_code(lesson))
    assert ns["cell"] == cell and lesson.outcome.output.highlight == [cell]
    assert ns["y"][cell].item() == lesson.y[cell].item()
    by_hand = (ns["x_row"] * ns["B_column"]).sum().item()  # float32 sums in another order: equal to rounding
    assert by_hand == pytest.approx(lesson.y[cell].item(), rel=1e-5, abs=1e-6)
    assert f"y{list(cell)} = {lesson.y[cell].item()}" in printed
    shown = lesson.outcome.notes[-1]  # the dot product on the page, ending in the cell's value
    assert shown.startswith("**C[" + ", ".join(map(str, cell)) + "]**")


def test_the_facts_table_has_a_header_on_both_columns():
    header = facts_markdown(run(TensorSettings())).splitlines()[0]
    assert header == "| property of x | value |"


def test_a_float_beyond_a_double_is_written_so_the_code_runs():
    lesson = run(TensorSettings(source=TensorSource("typed", literal="[1e309, -1e309, 1]")))
    code = tensor_code(lesson)
    assert 'x = torch.tensor([float("inf"), float("-inf"), 1])' in code
    namespace, _ = _execute(code)
    assert namespace["x"].tolist() == [float("inf"), float("-inf"), 1.0]
