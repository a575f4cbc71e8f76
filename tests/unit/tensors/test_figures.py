"""Heatmaps show every value of the tensor in its cell, slice 3D+ tensors, and outline the highlighted cells."""

import torch

from playground.tensors.figures import MAX_SLICES, heatmap, slice_heatmaps


def test_a_matrix_is_one_heatmap_with_its_values_in_the_cells():
    fig = heatmap(torch.tensor([[1, 2], [3, 4]]))
    assert len(fig.data) == 1
    assert (
        fig.data[0].text.tolist() == [["1", "2"], ["3", "4"]]
        if hasattr(fig.data[0].text, "tolist")
        else [list(r) for r in fig.data[0].text] == [["1", "2"], ["3", "4"]]
    )
    assert [list(r) for r in fig.data[0].z] == [[1.0, 2.0], [3.0, 4.0]]


def test_0d_and_1d_tensors_are_one_row():
    assert [list(r) for r in heatmap(torch.tensor(7)).data[0].z] == [[7.0]]
    assert [list(r) for r in heatmap(torch.tensor([1.5, 2.5, 3.5])).data[0].z] == [[1.5, 2.5, 3.5]]


def test_3d_is_cut_into_slices_along_the_first_dims_and_capped():
    cube = torch.arange(8).reshape(2, 2, 2)
    fig = heatmap(cube)
    assert len(fig.data) == 2
    assert [list(r) for r in fig.data[1].z] == [[4.0, 5.0], [6.0, 7.0]]  # x[1]
    assert [a.text for a in fig.layout.annotations] == ["[0, :, :]", "[1, :, :]"]
    assert len(heatmap(torch.zeros(3, 4, 2, 2)).data) == MAX_SLICES


def test_slices_drawn_separately_share_the_tensors_colour_scale():
    cube = torch.stack([torch.zeros(2, 2), torch.full((2, 2), 10.0)])  # each slice alone would be one flat colour
    figures = slice_heatmaps(cube)
    assert [label for label, _ in figures] == ["[0, :, :]", "[1, :, :]"]
    assert [(fig.data[0].zmin, fig.data[0].zmax) for _, fig in figures] == [(0.0, 10.0), (0.0, 10.0)]
    assert [fig.layout.title.text for _, fig in figures] == ["[0, :, :]", "[1, :, :]"]
    assert len(slice_heatmaps(torch.zeros(3, 4, 2, 2))) == MAX_SLICES
    signed = slice_heatmaps(torch.stack([torch.full((2, 2), -1.0), torch.full((2, 2), 4.0)]))
    assert [(fig.data[0].zmin, fig.data[0].zmax) for _, fig in signed] == [(-4.0, 4.0), (-4.0, 4.0)]  # 0 is white


def test_infinities_are_written_not_plotted():
    fig = heatmap(torch.tensor([1.0, float("inf")], dtype=torch.float16))
    assert list(fig.data[0].text[0]) == ["1", "inf"]
    assert fig.data[0].z[0][1] != fig.data[0].z[0][1]  # NaN: JSON has no inf


def test_highlighted_cells_are_outlined():
    fig = heatmap(torch.zeros(2, 3), highlight=[(1, 2)])
    (shape,) = fig.layout.shapes
    assert (shape.x0, shape.x1, shape.y0, shape.y1) == (1.5, 2.5, 0.5, 1.5)
