"""Batched matmul: the picked cell of C, the row and column behind it, and the shape rule, all checked against torch."""

import itertools
import math

import pytest
import torch

from playground.tensors import lesson
from playground.tensors import ops as tensor_ops
from playground.tensors.figures import slice_heatmaps
from playground.tensors.source import TensorSource

# (A's shape, B's shape): batch dims equal, missing on one side, of size 1, two of them, and plain matrices.
SHAPES = [
    ((2, 2, 3), (2, 3, 2)),
    ((2, 2, 3), (3, 2)),
    ((2, 3), (4, 3, 2)),
    ((1, 2, 3), (3, 3, 4)),
    ((2, 1, 2, 3), (3, 3, 2)),
    ((3, 2), (2, 4)),
]


def _operands(a_shape, b_shape):
    generator = torch.Generator().manual_seed(math.prod(a_shape) + math.prod(b_shape))
    a = torch.randint(-5, 6, a_shape, generator=generator)
    b = torch.randint(-5, 6, b_shape, generator=generator)
    return a, b


@pytest.mark.parametrize("a_shape,b_shape", SHAPES, ids=[f"{a}@{b}" for a, b in SHAPES])
def test_every_cell_is_torchs_result_and_the_dot_product_of_the_row_and_column_outlined(a_shape, b_shape):
    a, b = _operands(a_shape, b_shape)
    expected = torch.matmul(a, b)
    batch_shape = tuple(expected.shape[:-2])
    # torch's own broadcasting of each operand to the result's batch dims, to find the row and column independently
    a_full = a.broadcast_to(batch_shape + tuple(a.shape[-2:]))
    b_full = b.broadcast_to(batch_shape + tuple(b.shape[-2:]))
    for number, lead in enumerate(itertools.product(*(range(n) for n in batch_shape))):
        for i, j in itertools.product(range(expected.shape[-2]), range(expected.shape[-1])):
            out = tensor_ops.matmul(a, str(b.tolist()), row=i, col=j, batch=number)
            assert torch.equal(out.result, expected)
            assert out.output.highlight == [(*lead, i, j)] and out.cell == (*lead, i, j)
            assert [a[c].item() for c in out.inputs[0].highlight] == a_full[lead][i].tolist()
            assert [b[c].item() for c in out.inputs[1].highlight] == b_full[lead][:, j].tolist()
            dot = out.notes[-1]
            name = "C[" + ", ".join(map(str, (*lead, i, j))) + "]"
            assert dot.startswith(f"**{name}**") and dot.endswith(f"= **{expected[lead][i, j].item()}**")
            terms = dot.split(" = ")[-2].split(" + ")
            assert sum(int(p) * int(q) for p, q in (t.split("·") for t in terms)) == expected[lead][i, j].item()


def test_the_shape_rule_names_the_batch_dims_and_how_they_broadcast():
    rule = tensor_ops.matmul_shape_rule
    assert rule((2, 2, 3), (2, 3, 2)).startswith("Shape rule: (2, 2×**3**) @ (2, **3**×2) → (2, 2×2) = (2, 2, 2)")
    assert "(2, 2×**3**) @ (**3**×2) → (2, 2×2) = (2, 2, 2)" in rule((2, 2, 3), (3, 2))
    assert "batch dims (1,) and (4,) → (4,) ✅" in rule((1, 2, 3), (4, 3, 2))
    assert "❌" in rule((2, 2, 3), (3, 3, 2)) and "don't broadcast" in rule((2, 2, 3), (3, 3, 2))
    assert rule((2, 2), (2, 2)) == "Shape rule: (2×**2**) @ (**2**×2) → (2×2) — inner sizes 2 and 2 ✅"  # unbatched
    assert torch.matmul(torch.zeros(1, 2, 3), torch.zeros(4, 3, 2)).shape == (4, 2, 2)


def test_batched_matmul_explains_the_batch_dims_with_a_table_and_says_what_is_reused():
    out = tensor_ops.matmul(torch.ones(1, 2, 3), str(torch.ones(4, 3, 2).tolist()))
    assert out.table == [{"dim": 0, "A": "1", "B": "4", "result": "4", "rule": "A is 1 → stretched"}]
    assert "C[b] = A[b] @ B[b]" in out.notes[1] and "A's batch dim 0 has size 1" in out.notes[1]
    missing = tensor_ops.matmul(torch.ones(2, 2, 3), str(torch.ones(3, 2).tolist()))
    assert "B has no batch dims, so the same B multiplies every matrix of A" in missing.notes[1]
    assert missing.table[0]["rule"] == "B has no such dim → 1, stretched"
    assert tensor_ops.matmul(torch.ones(2, 2), "[[1.0], [1.0]]").table is None  # no batch dims, no table


def test_a_cell_past_the_end_of_c_is_moved_inside_and_the_note_says_so():
    out = tensor_ops.matmul(torch.ones(2, 2, 3), str(torch.ones(3, 2).tolist()), row=7, col=0, batch=9)
    assert out.cell == (1, 1, 0)
    assert "batch 9 is out of range 0…1; showing batch 1" in out.notes[-1]
    assert "row 7 is out of range 0…1; showing row 1" in out.notes[-1]


def test_the_batch_control_shows_only_when_the_product_has_batch_dims():
    def fields(source, other):
        chosen = {"matmul_other": other}
        return [c.field for c in lesson.controls("matmul", chosen, source)]

    cube, square = TensorSource(preset="3D"), TensorSource(preset="2D")
    assert fields(cube, "[[1, 0], [0, 1]]") == ["matmul_other", "batch", "row", "col"]
    assert fields(square, "[[[1, 0], [0, 1]]]") == ["matmul_other", "batch", "row", "col"]
    assert fields(square, "[[1, 0], [0, 1]]") == ["matmul_other", "row", "col"]
    assert fields(cube, "[1, 2]") == ["matmul_other", "row", "col"]  # a 1D side: no matrix cell to pick
    assert fields(cube, "[[1, 2], [3") == ["matmul_other", "row", "col"]  # unreadable: the page says so below


def test_each_slice_outlines_the_cells_of_its_own_batch_and_the_picked_slice_is_always_drawn():
    t = torch.zeros(8, 2, 2)
    figures = slice_heatmaps(t, [(7, 1, 0)])
    assert [label for label, _ in figures][-1] == "[7, :, :]"  # past the six-slice cap, it takes the last place
    outlined = [(label, [(s.x0, s.y0) for s in fig.layout.shapes]) for label, fig in figures if fig.layout.shapes]
    assert outlined == [("[7, :, :]", [(-0.5, 0.5)])]  # column 0, row 1
    first = slice_heatmaps(t, [(0, 0, k) for k in range(2)])
    assert len(first[0][1].layout.shapes) == 2 and not first[1][1].layout.shapes
