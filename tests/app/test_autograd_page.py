"""The autograd page driven like a learner would: inputs, shared links, bad input and caps."""

import json
import math
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground.autograd.descent import MAX_STEPS, descend
from playground.autograd.figures import cell_text
from playground.autograd.neuron import check_point, format_number, forward_backward
from playground.autograd.simple_net import one_training_step

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "autograd.py")


def _page(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for name, value in query.items():
        at.query_params[name] = str(value)
    return at.run()


def _gradients(at: AppTest):
    """The 'three ways to the same gradient' table, as shown."""
    table = next(t.value for t in at.table if "torch.autograd" in t.value.columns)
    return table


def _text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    return "\n".join(parts)


def test_opens_at_the_lesson_example_with_the_lessons_gradients():
    at = _page()
    assert not at.exception
    table = _gradients(at)
    assert list(table.loc["∂L/∂w", ["by hand", "torch.autograd", "finite diff."]]) == ["−0.0898"] * 3
    assert list(table.loc["∂L/∂b", ["by hand", "torch.autograd", "finite diff."]]) == ["−0.0817"] * 3
    assert "agree to 1e-6" in at.success[0].value
    assert len(at.get("graphviz_chart")) == 4 and len(at.get("plotly_chart")) == 4  # the walk twice (projector, phone)
    assert not at.error and not at.warning


def test_url_parameters_open_the_page_at_that_point_and_the_url_follows_the_inputs():
    at = _page(x=0.5, w=-1.3, b=0.7, y=0)
    assert not at.exception
    expected = forward_backward(check_point(0.5, -1.3, 0.7, 0.0))
    table = _gradients(at)
    assert table.loc["∂L/∂w", "by hand"] == format_number(expected.dL_dw)
    assert table.loc["∂L/∂b", "torch.autograd"] == format_number(expected.dL_db)
    assert at.number_input(key="autograd.w").value == -1.3
    at.number_input(key="autograd.b").set_value(-0.25).run()
    assert at.query_params["b"] == ["-0.25"] or at.query_params["b"] == "-0.25"
    moved = forward_backward(check_point(0.5, -1.3, -0.25, 0.0))
    assert _gradients(at).loc["∂L/∂b", "finite diff."] == format_number(moved.dL_db)


def test_changing_an_input_updates_graph_walk_and_descent():
    at = _page()
    at.number_input(key="autograd.x").set_value(2.0).run()
    at.number_input(key="autograd.y").set_value(0.0).run()
    expected = forward_backward(check_point(2.0, 2.2, 0.0, 0.0))
    assert _gradients(at).loc["∂L/∂w", "by hand"] == format_number(expected.dL_dw)
    dot = at.get("graphviz_chart")[0].proto.spec
    assert f"data {format_number(expected.loss)} | grad 1.0000" in dot
    last = descend(expected.point, 1.0, 30)[-1]
    assert f"L {format_number(expected.loss)} → **{format_number(last.loss)}**" in _text(at)


def test_walking_the_passes_one_step_at_a_time():
    at = _page(step=4)
    assert not at.exception
    assert "**Step 4, forward pass, node `bce`:**" in _text(at)
    dot = at.get("graphviz_chart")[0].proto.spec
    assert "data 0.9183 | grad ?" in dot  # the forward pass is done, the backward pass is not
    at.slider(key="autograd.step").set_value(7).run()
    assert "∂L/∂a · ∂a/∂z = −1.0889 × 0.0750 = a − y = **−0.0817**" in _text(at)


@pytest.mark.parametrize("y", [1.5, -0.2])
def test_label_outside_zero_one_gets_a_clear_message_not_numbers(y):
    at = _page()
    at.number_input(key="autograd.y").set_value(y).run()
    assert not at.exception
    assert "outside [0, 1]" in at.error[0].value
    assert not any("torch.autograd" in t.value.columns for t in at.table)
    assert at.get("plotly_chart")  # SimpleNet does not depend on the neuron and still shows


def test_non_finite_values_are_refused_with_a_message():
    at = _page(x="nan", w="inf")
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "`x=nan` could not be used" in warnings and "`w=inf` could not be used" in warnings
    assert at.number_input(key="autograd.x").value == 1.1  # fell back to the lesson's value
    # The number box itself cannot hold inf or nan: Streamlit keeps the last finite value.
    at.number_input(key="autograd.b").set_value(math.inf).run()
    assert not at.exception and math.isfinite(at.number_input(key="autograd.b").value)
    assert "nan" not in _text(at).lower().split()


@pytest.mark.parametrize("w,y,dw", [(10.0, 0.0, "5.0000"), (-10.0, 1.0, "−5.0000")])
def test_saturation_gives_finite_correct_numbers_and_explains_why(w, y, dw):
    at = _page(x=5, w=w, b=0, y=y)
    assert not at.exception and not at.error
    table = _gradients(at)
    assert table.loc["∂L/∂w", "by hand"] == dw  # x·(a − y) with a − y = ±1: confidently wrong
    assert table.loc["∂L/∂w", "torch.autograd"] == dw
    (info,) = [i.value for i in at.info if "unfused" in i.value]  # what the unfused float32 code would say instead
    assert "σ has saturated" in info and ("L = 100.0000" in info or "∂L/∂w = −9.6" in info)
    assert "L 50.0000 →" in _text(at)  # BCE of a confident mistake is |z|, not the clamped 100
    assert "nan" not in _text(at).lower().split()


def test_caps_on_learning_rate_and_steps():
    at = _page()
    at.number_input(key="autograd.lr").set_value(50.0).run()
    assert not at.exception and "learning rate η = 50 is outside (0, 10]" in at.error[0].value
    at.number_input(key="autograd.lr").set_value(0.0).run()
    assert "outside (0, 10]" in at.error[0].value
    at = _page(steps=10_000)
    assert not at.exception
    assert "`steps=10000` could not be used" in at.warning[0].value
    assert at.slider(key="autograd.steps").value == 30
    assert at.slider(key="autograd.steps").max == MAX_STEPS


def test_simple_net_shows_the_step_for_the_chosen_seed():
    at = _page(seed=3)
    assert not at.exception
    t = one_training_step(3)
    text = _text(at)
    assert f"BCE(output, 1) = **{format_number(t.loss)}**" in text
    assert f"gives loss **{format_number(t.loss_after)}**" in text
    at.selectbox(key="autograd.param").set_value("fc1.weight").run()
    assert not at.exception
    at = _page(seed=999_999)
    assert "`seed=999999` could not be used" in at.warning[0].value


def _sections(at: AppTest) -> list[str]:
    return [h.value for h in at.header]


def test_a_large_weight_shows_every_section_and_says_why_the_gradient_is_zero():
    at = _page(w=40)  # z = 44 at the lesson's x = 1.1: σ has saturated on the right side
    assert not at.exception and not at.error and not at.warning
    assert _sections(at)[:5] == [
        "The computational graph",
        "The chain rule, formula by formula",
        "Three ways to the same gradient",
        "PyTorch's own graph",
        "Learning from the gradient",
    ]
    p = forward_backward(check_point(1.1, 40.0, 0.0, 1.0))
    assert f"data {format_number(p.loss)} | grad 1.0000" in at.get("graphviz_chart")[0].proto.spec
    assert len(at.get("graphviz_chart")) == 4 and len(at.get("plotly_chart")) == 4  # the walk twice (projector, phone)
    (saturation,) = [i.value for i in at.info if "σ has saturated" in i.value]
    assert f"∂a/∂z = a(1 − a) = **{format_number(p.da_dz)}** ≈ 0" in saturation and "barely moves" in saturation
    assert any(rf"{format_number(p.a)} - 1.0000 = -7.7811 \times 10^{{-20}}" in f.value for f in at.get("latex"))
    table = _gradients(at)
    assert table.loc["∂L/∂w", "by hand"] == format_number(p.dL_dw) == "−8.5592e−20"
    assert table.loc["∂L/∂w", "torch.autograd"] == "0.0000"  # σ(44) rounds to 1 in float64, so its a − y is 0
    assert "agree to 1e-6" in at.success[0].value
    text = _text(at)
    assert "the gradient is ~0" in text and "stand still" in text  # said where descent stalls
    at.slider(key="autograd.step").set_value(7).run()  # the step of the walk that multiplies by ∂a/∂z
    assert f"∂a/∂z = a(1 − a) = {format_number(p.da_dz)} ≈ 0: σ has saturated" in _text(at)


def test_a_large_weight_on_the_wrong_side_explains_why_the_gradient_survives():
    at = _page(w=40, y=0)
    assert not at.exception and not at.error
    (saturation,) = [i.value for i in at.info if "σ has saturated" in i.value and "unfused" not in i.value]
    assert "keeps the gradient alive" in saturation and "a − y = **1.0000**" in saturation
    assert _gradients(at).loc["∂L/∂w", "by hand"] == "1.1000"
    assert "move fast" in _text(at)


def test_far_past_float64s_range_the_page_still_shows_every_number_it_can():
    at = _page(x=50, w=50, b=0, y=0)  # z = 2500: a(1 − a) underflows to 0 and ∂L/∂a overflows
    assert not at.exception and not at.error
    assert 'sigmoid -> bce [label="∂L/∂a = ∞"]' in at.get("graphviz_chart")[0].proto.spec
    assert any("∞ × 0 has no value" in i.value for i in at.info)
    assert _gradients(at).loc["∂L/∂w", "torch.autograd"] == "50.0000"
    assert "nan" not in _text(at).lower().split()


def test_the_gradient_heatmaps_carry_their_numbers_and_a_colour_bar():
    at = _page(seed=0)
    t = one_training_step(0)
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    (grads,) = [
        c for c in charts if any(a["text"].startswith("∂L/∂fc1.weight") for a in c["layout"].get("annotations", []))
    ]
    fc1 = grads["data"][0]
    assert fc1["texttemplate"] == "%{text}" and fc1.get("showscale", True) and "colorbar" in fc1
    assert fc1["text"][0][2] == cell_text(t.grads["fc1.weight"][0, 2])
    assert len(fc1["text"]) == 5 and len(fc1["text"][0]) == 10
