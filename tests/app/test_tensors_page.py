"""The Tensors page, driven like a learner would: every control, the values it shows, the URL, and bad input."""

import json

import pytest
import torch
from streamlit.testing.v1 import AppTest

from app import ROOT
from playground.tensors.source import PRESETS
from tests.helpers import run_panel

PAGE = str(ROOT / "pages" / "tensors.py")
PRESET_3D = json.loads(PRESETS["3D"])


def _open(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = str(value)
    return at.run()


def _text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def _chart(at: AppTest, title_start: str) -> dict:
    (match,) = [c for c in _charts(at) if c["layout"]["title"]["text"].startswith(title_start)]
    return match


def _code(at: AppTest) -> str:
    return at.code[-1].value  # "the code" is the last code block on the page


def _w(at, kind, name):
    return getattr(at, kind)(key=f"tensors.{name}")


def test_default_page_shows_the_2d_preset_its_facts_and_a_reshape():
    at = _open()
    assert not at.exception
    text = _text(at)
    for fact in (
        "| shape | **(2, 2) · rank 2** |",
        "| dtype | **int64 · 8 bytes each** |",
        "| numel | **4 · 32 bytes in all** |",
        "| strides | **(2, 1)** |",
        "| contiguous | **True** |",
        "| device | **cpu** |",
    ):
        assert fact in text
    x_chart, before, after = _charts(at)
    assert x_chart["data"][0]["z"] == [[1, 2], [3, 4]]
    assert after["data"][0]["z"] == [[1, 2, 3, 4]]
    assert "y = x.reshape(4)" in _code(at)
    assert at.query_params["op"] == ["reshape"] or at.query_params["op"] == "reshape"


@pytest.mark.parametrize("preset,shape", [("0D", "()"), ("1D", "(3,)"), ("2D", "(2, 2)"), ("3D", "(2, 2, 2)")])
def test_each_preset_of_the_lesson(preset, shape):
    at = _open()
    _w(at, "selectbox", "preset").select(preset).run()
    assert not at.exception
    assert f"| shape | **{shape} · rank {preset[0]}** |" in _text(at)
    assert f"x = torch.tensor({PRESETS[preset]})" in _code(at)


def test_typed_list_random_arange_zeros_ones_and_seed():
    at = _open()
    _w(at, "selectbox", "source").select("typed").run()
    _w(at, "text_area", "literal").input("[[1.5, 2], [3, 4], [5, 6]]").run()
    assert "| dtype | **float32 · 4 bytes each** |" in _text(at) and "| shape | **(3, 2) · rank 2** |" in _text(at)
    _w(at, "selectbox", "source").select("random").run()
    _w(at, "text_input", "shape").input("2, 5").run()
    _w(at, "number_input", "seed").set_value(3).run()
    torch.manual_seed(3)
    assert _charts(at)[0]["data"][0]["z"] == torch.randn(2, 5).double().tolist()  # exactly the seeded numbers
    assert "seed = 3" in _code(at) and "torch.manual_seed(seed)" in _code(at)
    for kind, value in (
        ("arange", [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]),
        ("zeros", [[0.0] * 5] * 2),
        ("ones", [[1.0] * 5] * 2),
    ):
        _w(at, "selectbox", "source").select(kind).run()
        assert _charts(at)[0]["data"][0]["z"] == value, kind
    assert not at.exception


def test_dtype_conversion_shows_what_was_lost():
    at = _open(source="typed", literal="[0.1, 70000.0, 2.5]")
    _w(at, "selectbox", "dtype").select("float16").run()
    assert "| dtype | **float16 · 2 bytes each** |" in _text(at) and "| numel | **3 · 6 bytes in all** |" in _text(at)
    warning = at.warning[0].value
    assert "changed **2 of 3**" in warning and "1 rounding" in warning and "1 overflow" in warning
    table = at.dataframe[0].value
    assert table["after"].tolist() == [0.0999755859375, float("inf")]
    _w(at, "selectbox", "dtype").select("int8").run()
    assert "truncation" in at.warning[0].value and "overflow" in at.warning[0].value
    _w(at, "selectbox", "dtype").select("float64").run()
    assert "kept every value exactly" in at.success[0].value
    assert "dtype = torch.float64" in _code(at) and "x = x.to(dtype)" in _code(at)


def test_requires_grad_shows_grad_fn_or_pytorchs_refusal_for_ints():
    at = _open()
    _w(at, "toggle", "grad").set_value(True).run()
    assert "only Tensors of floating point dtype can require gradients" in at.error[0].value
    _w(at, "selectbox", "dtype").select("float32").run()
    assert not at.error
    assert "grad_fn: **ViewBackward0**" in _text(at) and "| requires_grad | **True** |" in _text(at)
    assert "print(y.grad_fn)" in _code(at)


def test_view_after_transpose_fails_with_pytorchs_message_and_contiguous_fixes_it():
    at = _open()
    _w(at, "selectbox", "method").select("view").run()
    _w(at, "checkbox", "t_first").check().run()
    error = at.error[0].value
    assert "view size is not compatible with input tensor's size and stride" in error
    assert ".contiguous()" in error and "Fix:" in error
    at.button[0].click().run()  # the page offers .contiguous() as a button
    assert _w(at, "checkbox", "contiguous").value is True
    assert not at.error
    assert _charts(at)[-1]["data"][0]["z"] == [[1, 3, 2, 4]]
    assert "y = x.T.contiguous().view(4)" in _code(at)
    _w(at, "text_input", "new_shape").input("3, 3").run()
    assert "shape '[3, 3]' is invalid for input of size 4" in at.error[0].value


def test_transpose_kinds_and_their_dims():
    at = _open(op="transpose")
    assert _charts(at)[-1]["data"][0]["z"] == [[1, 3], [2, 4]]
    assert "Strides (2, 1) → (1, 2)" in _text(at)
    _w(at, "selectbox", "t_kind").select("transpose").run()
    _w(at, "number_input", "dim0").set_value(1).run()
    _w(at, "number_input", "dim1").set_value(0).run()
    assert "y = x.transpose(1, 0)" in _code(at)
    _w(at, "selectbox", "preset").select("3D").run()
    _w(at, "selectbox", "t_kind").select("permute").run()
    _w(at, "text_input", "perm").input("2, 0, 1").run()
    assert "(2, 2, 2) → (2, 2, 2). Strides (4, 2, 1) → (1, 4, 2)" in _text(at)
    _w(at, "text_input", "perm").input("0, 0, 1").run()
    assert "duplicate dims" in at.error[0].value
    assert not at.exception


def test_matmul_shape_rule_and_the_dot_product_of_the_chosen_cell():
    at = _open(op="matmul")
    _w(at, "number_input", "row").set_value(1).run()
    _w(at, "number_input", "col").set_value(1).run()
    text = _text(at)
    assert "(2×**2**) @ (**2**×2) → (2×2)" in text
    assert "**C[1, 1]**" in text and "3·6 + 4·8 = **50**" in text
    assert _charts(at)[-1]["data"][0]["z"] == [[19, 22], [43, 50]]
    _w(at, "text_input", "B").input("[[1, 2, 3]]").run()
    assert "mat1 and mat2 shapes cannot be multiplied (2x2 and 1x3)" in at.error[0].value
    _w(at, "text_input", "B").input("[[1, 2], [3").run()
    assert "Could not read" in at.error[0].value
    assert not at.exception


def test_elementwise_broadcasting_table_and_operators():
    at = _open(op="elementwise")
    _w(at, "selectbox", "operator").select("*").run()
    _w(at, "text_input", "other").input("[[10], [100]]").run()
    assert _chart(at, "y = x * other")["data"][0]["z"] == [[10, 20], [300, 400]]
    assert _chart(at, "other stretched")["data"][0]["z"] == [[10, 10], [100, 100]]
    table = at.dataframe[0].value
    assert table["rule"].tolist() == ["equal", "other is 1 → stretched"]
    _w(at, "text_input", "other").input("[1, 2, 3]").run()
    assert "must match the size of tensor" in at.error[0].value
    assert "NumPy refuses too" in at.caption[0].value


def test_sum_and_mean_over_a_dim_with_keepdim():
    at = _open(op="reduce")
    assert _charts(at)[-1]["data"][0]["z"] == [[4, 6]]
    _w(at, "selectbox", "dim").select("all").run()
    assert "y = x.sum()" in _code(at)
    _w(at, "selectbox", "reduction").select("mean").run()
    assert "could not infer output dtype" in at.error[0].value and "NumPy silently returns float64" in at.error[0].value
    _w(at, "selectbox", "dtype").select("float32").run()
    _w(at, "selectbox", "dim").select("1").run()
    _w(at, "checkbox", "keepdim").check().run()
    assert _charts(at)[-1]["data"][0]["z"] == [[1.5], [3.5]]
    _w(at, "selectbox", "dim").select("3").run()
    assert "out of range" in at.error[0].value
    assert not at.exception


def test_the_url_opens_the_page_in_the_linked_state_and_follows_changes():
    at = _open(source="arange", shape="2, 3", dtype="float32", op="reduce", reduction="mean", dim="0", keepdim="true")
    assert "| shape | **(2, 3) · rank 2** |" in _text(at)
    assert _charts(at)[-1]["data"][0]["z"] == [[1.5, 2.5, 3.5]]
    _w(at, "selectbox", "dim").select("1").run()
    assert at.query_params["dim"] in ("1", ["1"])


def test_a_bad_link_falls_back_to_defaults_with_a_warning():
    at = _open(op="divide", source="random", seed="x")
    assert not at.exception
    assert any("op=divide" in w.value for w in at.warning)
    assert any("seed=x" in w.value for w in at.warning)
    assert "y = x.reshape(4)" in _code(at)


@pytest.mark.parametrize(
    "literal,message",
    [
        ("[[1, 2], [3]]", "Ragged input"),
        ("[1, 'two']", "is not a number"),
        ("[[[[[1]]]]]", "caps the rank at 4"),
        ("[" + ", ".join(["1"] * 10_001) + "]", "caps a tensor at 10,000"),
        ("print('hi')", "Could not read"),
    ],
)
def test_bad_typed_input_gets_a_message_not_a_traceback(literal, message):
    at = _open(source="typed", literal=literal)
    assert not at.exception
    assert message in at.error[0].value


def test_oversized_factory_shape_is_capped():
    at = _open(source="zeros", shape="200, 200")
    assert "caps a tensor at 10,000" in at.error[0].value and not at.exception


def test_batched_matmul_picks_a_batch_row_and_column_and_outlines_that_cell():
    b = [[[1, 0], [2, 1]], [[0, 3], [1, 1]]]
    at = _open(preset="3D", op="matmul", B=str(b))
    assert not at.exception and not at.error
    _w(at, "number_input", "batch").set_value(1).run()
    _w(at, "number_input", "col").set_value(1).run()
    expected = torch.tensor(PRESET_3D) @ torch.tensor(b)
    text = _text(at)
    assert "(2, 2×**2**) @ (2, **2**×2) → (2, 2×2) = (2, 2, 2)" in text and "**Batch dims.**" in text
    assert (
        f"**C[1, 0, 1]** = row 0 of A[1] · column 1 of B[1] = Σₖ A[1, 0, k]·B[1, k, 1] = 5·3 + 6·1 = **{21}**" in text
    )
    assert expected[1, 0, 1].item() == 21
    outlined = [c["layout"]["title"]["text"] for c in _charts(at) if c["layout"].get("shapes")]
    assert outlined == ["[1, :, :]", "[1, :, :]", "[1, :, :]"]  # A's row, B's column and C's cell, in batch 1
    cell = [c for c in _charts(at) if c["data"][0]["z"] == expected[1].tolist()][-1]
    (shape,) = cell["layout"]["shapes"]
    assert (shape["x0"], shape["y0"]) == (0.5, -0.5)  # column 1, row 0
    assert at.dataframe[0].value["rule"].tolist() == ["equal"]
    assert "cell = (1, 0, 1)" in _code(at) and "B_column = B[1, :, 1]" in _code(at)
    assert at.query_params["batch"] in ("1", ["1"])


def test_a_batch_link_opens_that_batch_and_a_plain_product_has_no_batch_control():
    at = _open(preset="3D", op="matmul", B="[[1, 0], [2, 1]]", batch=1, row=1, col=0)
    assert "**C[1, 1, 0]** = row 1 of A[1] · column 0 of B = Σₖ A[1, 1, k]·B[k, 0] = 7·1 + 8·2 = **23**" in _text(at)
    assert "B has no batch dims, so the same B multiplies every matrix of A" in _text(at)
    assert at.dataframe[0].value["rule"].tolist() == ["B has no such dim → 1, stretched"]
    plain = _open(op="matmul")
    assert not [n for n in plain.number_input if n.key == "tensors.batch"]


def test_the_facts_table_has_a_header_over_each_column():
    assert "| property of x | value |" in _text(_open())


@pytest.mark.parametrize(
    "link",
    [
        {"source": "typed", "literal": "[[1e309, -1e309], [1, 2]]"},
        {"source": "typed", "literal": "[[1e309, 2], [3, 4]]", "op": "elementwise", "other": "[-1e400]"},
        {"source": "typed", "literal": "[[1e309, 2], [3, 4]]", "op": "matmul", "B": "[[1.0], [1e309]]"},
    ],
    ids=["inf-literal", "inf-elementwise", "inf-matmul"],
)
def test_the_code_runs_for_a_number_beyond_a_double_which_the_page_reads_as_inf(link):
    """1e309 is no double, so Python reads it as inf; "the code" once printed a bare `inf` that failed to run."""
    at = _open(**link)
    assert not at.exception and not at.error
    namespace, _ = run_panel(_code(at))
    assert torch.isinf(namespace["x"]).any() and 'float("inf")' in _code(at)
