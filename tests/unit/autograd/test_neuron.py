"""The sigmoid neuron by hand: the lesson's numbers, agreement with autograd and finite differences, saturation."""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.autograd import text
from playground.autograd.finite_differences import neuron_numeric_gradients
from playground.autograd.gradient_check import (
    compare_gradients,
    lesson_form_in_float32,
    torch_gradients,
    torch_neuron,
    unfused_goes_wrong,
)
from playground.autograd.neuron import (
    INPUT_LIMIT,
    LESSON,
    chain_rule_latex,
    check_point,
    format_number,
    forward_backward,
    is_saturated,
)


def test_lesson_example_gives_the_lessons_gradients_to_four_decimals():
    p = forward_backward(check_point(**LESSON))
    assert round(p.dL_dw, 4) == -0.0898
    assert round(p.dL_db, 4) == -0.0817
    assert format_number(p.dL_dw) == "−0.0898" and format_number(p.dL_db) == "−0.0817"
    assert round(p.z, 4) == 2.42 and round(p.a, 4) == 0.9183 and round(p.loss, 4) == 0.0852


def test_lesson_example_matches_the_lessons_own_unfused_pytorch_code():
    """The lesson computes torch.sigmoid then F.binary_cross_entropy in float32; the hand numbers must match it."""
    lesson = lesson_form_in_float32(check_point(**LESSON))
    p = forward_backward(check_point(**LESSON))
    assert lesson["w"] == pytest.approx(p.dL_dw, abs=1e-6)
    assert lesson["b"] == pytest.approx(p.dL_db, abs=1e-6)
    assert lesson["loss"] == pytest.approx(p.loss, abs=1e-6)


def test_each_intermediate_derivative_matches_autograd_on_the_unfused_graph():
    """∂L/∂a, ∂a/∂z and ∂L/∂z checked one edge at a time with retain_grad on sigmoid + BCE in float64."""
    pt = check_point(0.7, -1.2, 0.3, 0.25)
    p = forward_backward(pt)
    w = torch.tensor(pt.w, dtype=torch.float64, requires_grad=True)
    z = pt.x * w + pt.b
    z.retain_grad()
    a = torch.sigmoid(z)
    a.retain_grad()
    loss = F.binary_cross_entropy(a, torch.tensor(pt.y, dtype=torch.float64))
    loss.backward()
    assert a.grad.item() == pytest.approx(p.dL_da, rel=1e-12)
    assert z.grad.item() == pytest.approx(p.dL_dz, rel=1e-12)
    assert z.grad.item() / a.grad.item() == pytest.approx(p.da_dz, rel=1e-12)
    assert loss.item() == pytest.approx(p.loss, rel=1e-12)


finite = st.floats(min_value=-INPUT_LIMIT, max_value=INPUT_LIMIT, allow_nan=False)
label = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(x=finite, w=finite, b=finite, y=label)
def test_hand_autograd_and_finite_differences_agree_at_random_points(x, w, b, y):
    for row in compare_gradients(check_point(x, w, b, y)):
        assert row.agree, row
        assert math.isfinite(row.by_hand)


@settings(max_examples=100, deadline=None)
@given(x=st.floats(-3, 3), w=st.floats(-3, 3), b=st.floats(-3, 3), y=label)
def test_hand_gradients_equal_autograd_tightly_where_nothing_saturates(x, w, b, y):
    p = forward_backward(check_point(x, w, b, y))
    auto = torch_gradients(p.point)
    assert p.dL_dw == pytest.approx(auto["w"], rel=1e-12, abs=1e-15)
    assert p.dL_db == pytest.approx(auto["b"], rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("w_times_x", [50.0, -50.0])
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_saturated_neuron_gives_finite_correct_numbers(w_times_x, y):
    pt = check_point(5.0, w_times_x / 5.0, 0.0, y)
    p = forward_backward(pt)
    wrong_side = (w_times_x > 0) != (y == 1.0)  # confidently wrong: loss ≈ |z|, gradient ≈ ±x
    expected_loss = 50.0 if wrong_side else math.exp(-50.0)
    assert p.loss == pytest.approx(expected_loss, rel=1e-12)
    expected_dz = (1.0 if y == 0 else -1.0) * (1.0 if wrong_side else math.exp(-50.0))
    assert p.dL_dz == pytest.approx(expected_dz, rel=1e-9)
    assert p.dL_dw == pytest.approx(5.0 * expected_dz, rel=1e-9)
    for value in (p.loss, p.dL_da, p.da_dz, p.dL_dz, p.dL_dw, p.dL_db):
        assert math.isfinite(value)
    numeric = neuron_numeric_gradients(pt)
    assert numeric["w"] == pytest.approx(p.dL_dw, abs=1e-6)


def test_the_unfused_float32_form_is_wrong_at_saturation_which_is_why_the_page_uses_logits():
    pt = check_point(5.0, 10.0, 0.0, 0.0)
    naive = lesson_form_in_float32(pt)
    assert naive["loss"] == 100.0  # BCELoss clamps log(0) at −100
    assert naive["w"] == 0.0
    _, _, loss = torch_neuron(pt)
    assert loss.item() == pytest.approx(50.0) and forward_backward(pt).dL_dw == pytest.approx(5.0)


@pytest.mark.parametrize(
    "bad,message",
    [
        (dict(y=1.5), "outside [0, 1]"),
        (dict(y=-0.1), "outside [0, 1]"),
        (dict(x=float("nan")), "not a finite number"),
        (dict(w=float("inf")), "not a finite number"),
        (dict(b=-float("inf")), "not a finite number"),
        (dict(x=INPUT_LIMIT + 1), "outside"),
    ],
)
def test_bad_points_are_refused_with_a_message_saying_what_to_change(bad, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        check_point(**{**LESSON, **bad})


def test_format_number_keeps_tiny_and_huge_numbers_visible():
    assert format_number(-9.6437e-22) == "−9.6437e−22"
    assert format_number(5.1847e21) == "5.1847e+21"
    assert format_number(-0.0) == "0.0000"


def test_page_flags_the_unfused_form_only_where_it_actually_goes_wrong():
    assert unfused_goes_wrong(check_point(**LESSON)) is None
    assert unfused_goes_wrong(check_point(5.0, 10.0, 0.0, 0.0))["loss"] == 100.0  # log(1 − 1) clamped
    # z = −50 with y = 1: the loss is still right in float32, but the gradient is not (−9.6e−10 instead of −5).
    naive = unfused_goes_wrong(check_point(5.0, -10.0, 0.0, 1.0))
    assert naive["loss"] == pytest.approx(50.0, rel=1e-5) and abs(naive["w"]) < 1e-6


def test_a_large_weight_is_a_point_like_any_other_with_gradients_that_agree_with_torch():
    pt = check_point(1.1, 40.0, 0.0, 1.0)  # z = 44: σ has saturated, on the right side
    p = forward_backward(pt)
    assert is_saturated(p) and not is_saturated(forward_backward(check_point(**LESSON)))
    auto = torch_gradients(pt)
    assert p.dL_dw == pytest.approx(auto["w"], rel=1e-9) and p.dL_dw == pytest.approx(-1.1 * math.exp(-44.0), rel=1e-9)
    assert all(row.agree for row in compare_gradients(pt))


@pytest.mark.parametrize("y", [0.0, 0.3, 1.0])
def test_past_float64s_range_only_sigmas_two_edges_give_out_and_say_so(y):
    p = forward_backward(check_point(INPUT_LIMIT, INPUT_LIMIT, INPUT_LIMIT, y))  # z = 2550
    assert p.da_dz == 0.0  # e^(−2550) underflows
    assert p.dL_da == (math.inf if y < 1 else -1.0)  # (1 − y)/(1 − a) overflows unless y = 1 removes that term
    auto = torch_gradients(p.point)
    assert p.dL_dw == pytest.approx(auto["w"], rel=1e-12) and p.dL_db == pytest.approx(auto["b"], rel=1e-12)
    assert p.loss == pytest.approx(
        F.binary_cross_entropy_with_logits(torch.tensor(2550.0).double(), torch.tensor(y).double()).item()
    )
    if y < 1:
        assert format_number(p.dL_da) == "∞" and r"= \infty" in chain_rule_latex(p)[0]


def test_saturation_is_explained_by_whether_the_prediction_is_right():
    right = forward_backward(check_point(1.1, 40.0, 0.0, 1.0))
    said = text.saturation(right, format_number)
    assert "σ has saturated" in said and "∂a/∂z = a(1 − a) = **7.7811e−20** ≈ 0" in said
    assert "already matches the label" in said and "barely moves" in said
    assert "barely" not in text.saturation(forward_backward(check_point(1.1, 40.0, 0.0, 0.0)), format_number)
    wrong = text.saturation(forward_backward(check_point(1.1, 40.0, 0.0, 0.0)), format_number)
    assert "keeps the gradient alive" in wrong and "a − y = **1.0000**" in wrong
    far = text.saturation(forward_backward(check_point(50.0, 50.0, 0.0, 0.0)), format_number)
    assert "∞ × 0 has no value" in far and "∞ × 0" not in wrong
    assert "stand still" in text.descent_stall(right, format_number)
    assert "move fast" in text.descent_stall(forward_backward(check_point(1.1, 40.0, 0.0, 0.0)), format_number)


def test_format_number_writes_infinity_as_a_sign():
    assert format_number(math.inf) == "∞" and format_number(-math.inf) == "−∞"
