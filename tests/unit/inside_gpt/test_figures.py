"""The heatmaps carry the tensors' own numbers: the values plotly draws are the tensor's, masked cells are empty
and written −∞, ids are written whole, and the followed row and the picked cell are outlined."""

import numpy as np
import torch

from playground.inside_gpt.figures import distribution_chart, heatmap
from playground.inside_gpt.steps import Panel
from playground.tensors.figures import HIGHLIGHT


def test_the_drawn_values_are_the_tensors_and_a_masked_cell_is_empty_and_written_minus_infinity():
    t = torch.tensor([[0.5, float("-inf")], [-1.25, 2.0]])
    figure = heatmap(Panel("masked", t, ["0 a", "1 b"], ["0 a", "1 b"], row=1, cell=(1, 0)))
    z = np.asarray(figure.data[0].z, dtype=float)
    assert np.isnan(z[0, 1]) and z[1, 0] == -1.25 and z[1, 1] == 2.0
    assert figure.data[0].text[0][1] == "−∞" and figure.data[0].text[0][0] == "0.5"
    assert figure.data[0].colorscale[0][1] != figure.data[0].colorscale[-1][1]  # a diverging scale…
    assert figure.data[0].zmin == -2.0 and figure.data[0].zmax == 2.0  # …centred on zero
    outlines = [(s.y0, s.x0, s.x1, s.line.color) for s in figure.layout.shapes]
    assert (0.5, -0.5, 1.5, HIGHLIGHT) in outlines  # the followed row, all its columns
    assert (0.5, -0.5, 0.5, HIGHLIGHT) in outlines  # the picked cell
    assert list(figure.layout.yaxis.ticktext) == ["0 a", "1 b"] and figure.layout.yaxis.autorange == "reversed"


def test_token_ids_are_written_whole_and_wide_tensors_go_without_text():
    ids = heatmap(Panel("ids", torch.tensor([[814, 2330]]), ["ids"], ["a", "b"]))
    assert list(ids.data[0].text[0]) == ["814", "2330"]
    wide = torch.randn(8, 300)
    figure = heatmap(Panel("wide", wide, [str(i) for i in range(8)]))
    assert figure.data[0].text is None
    np.testing.assert_allclose(np.asarray(figure.data[0].z, dtype=np.float32), wide.numpy())


def test_the_distribution_chart_puts_the_likeliest_token_on_top():
    rows = [{"token": "a", "probability": 0.6}, {"token": "b", "probability": 0.3}, {"token": "c", "probability": 0.1}]
    figure = distribution_chart(rows, 0.7)
    bars = figure.data[0]
    assert list(bars.x) == [0.1, 0.3, 0.6] and list(figure.layout.yaxis.ticktext)[-1] == "'a'"
    assert "temperature 0.7" in figure.layout.xaxis.title.text


def test_a_token_that_looks_like_html_is_shown_as_typed():
    figure = heatmap(Panel("t", torch.zeros(2, 2), ["0 <br>", "1 <b>x"], ["<a href='x'>", "&"]))
    assert list(figure.layout.yaxis.ticktext) == ["0 &lt;br&gt;", "1 &lt;b&gt;x"]
    assert list(figure.layout.xaxis.ticktext) == ["&lt;a href='x'&gt;", "&amp;"]
