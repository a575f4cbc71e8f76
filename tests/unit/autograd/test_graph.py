"""The hand-drawn graph and PyTorch's: the right nodes, micrograd records with computed values, honest walks."""

import math
import re

from playground.autograd.gradient_check import torch_neuron
from playground.autograd.graph import (
    STEP_COUNT,
    correspondence,
    neuron_dot,
    pass_steps,
    step_markdown,
    steps_table,
    torch_graph,
)
from playground.autograd.neuron import LESSON, check_point, format_number, forward_backward
from playground.autograd.text import TORCH_GRAPH

LESSON_PASS = forward_backward(check_point(**LESSON))


def _records(dot: str) -> dict[str, str]:
    """Each node's record as `name | data … | grad …`, whether data and grad sit side by side or stacked."""
    found = re.findall(r'^\s*(\w+) \[label="\{ (.*) \}" fillcolor', dot, flags=re.M)
    return {name: record.replace("{ ", "").replace(" }", "") for name, record in found}


def test_graph_has_the_four_leaves_and_four_operations_wired_like_the_formula():
    dot = neuron_dot(LESSON_PASS)
    assert set(_records(dot)) == {"x", "w", "b", "y", "mul", "add", "sigmoid", "bce"}
    edges = set(re.findall(r"^\s*(\w+) -> (\w+)", dot, flags=re.M))
    assert edges == {
        ("x", "mul"),
        ("w", "mul"),
        ("mul", "add"),
        ("b", "add"),
        ("add", "sigmoid"),
        ("sigmoid", "bce"),
        ("y", "bce"),
    }


def test_each_record_shows_data_and_grad_as_computed():
    records = _records(neuron_dot(LESSON_PASS))
    assert records["sigmoid"].endswith(f"data {format_number(LESSON_PASS.a)} | grad {format_number(LESSON_PASS.dL_da)}")
    assert records["w"].endswith("data 2.2000 | grad −0.0898")
    assert records["b"].endswith("data 0.0000 | grad −0.0817")
    assert records["bce"].endswith(f"data {format_number(LESSON_PASS.loss)} | grad 1.0000")
    assert records["x"].endswith("grad —")  # data: no gradient, as in PyTorch


def test_edges_carry_local_derivatives():
    dot = neuron_dot(LESSON_PASS)
    assert 'w -> mul [label="∂/∂w = x = 1.1000"]' in dot
    assert f'add -> sigmoid [label="∂a/∂z = a(1−a) = {format_number(LESSON_PASS.da_dz)}"]' in dot


def test_walk_reveals_values_in_order_and_multiplies_local_derivatives():
    steps = pass_steps(LESSON_PASS)
    assert len(steps) == STEP_COUNT
    assert [s.node for s in steps[:4]] == ["mul", "add", "sigmoid", "bce"]
    at_start = _records(neuron_dot(LESSON_PASS, 0))
    assert at_start["mul"].endswith("data ? | grad ?") and at_start["w"].endswith("grad ?")
    after_forward = _records(neuron_dot(LESSON_PASS, 4))
    assert "grad ?" in after_forward["sigmoid"] and "data 0.9183" in after_forward["sigmoid"]
    # Every backward value is the previous one times the local derivative (the chain rule).
    backward = [s for s in steps if s.direction == "backward"]
    upstream = {"sigmoid": "bce", "add": "sigmoid", "b": "add", "mul": "add", "w": "mul"}
    by_node = {s.node: s.value for s in backward}
    for s in backward[1:]:
        assert abs(by_node[upstream[s.node]] * s.local_value - s.value) <= 1e-12
    assert len(steps_table(LESSON_PASS)) == STEP_COUNT


def test_torch_graph_is_the_real_grad_fn_chain_and_maps_onto_ours():
    w, b, loss = torch_neuron(check_point(**LESSON))
    dot, names = torch_graph(loss, {"w": w, "b": b})
    assert names == [
        "BinaryCrossEntropyWithLogitsBackward0",
        "AddBackward0",
        "MulBackward0",
        "AccumulateGrad",
        "AccumulateGrad",
    ]
    assert dot.startswith("digraph") and "MulBackward0" in dot and 'label="w' in dot and 'label="L' in dot
    ours = {theirs: ours for theirs, ours, _ in correspondence(names)}
    assert ours["MulBackward0"] == "mul" and ours["AddBackward0"] == "add" and ours["AccumulateGrad"] == "w, b"
    assert ours["BinaryCrossEntropyWithLogitsBackward0"] == "sigmoid + BCE"


def test_the_walk_is_drawn_wide_and_the_copy_beside_pytorchs_narrow_with_the_same_records():
    walk, beside = neuron_dot(LESSON_PASS), neuron_dot(LESSON_PASS, highlight=False, beside_torch=True)
    assert "{ data 2.2000 | grad −0.0898 }" in walk  # data and grad side by side: two lines a box
    assert "| data 2.2000 | grad −0.0898 }" in beside and "{ data" not in beside  # three lines, narrower
    assert _records(walk) == _records(beside)
    assert 'label="∂' in walk and 'label="∂' not in beside  # the local derivatives are on the walk
    assert "gold" in walk and "gold" not in beside


def test_a_saturated_walk_says_so_where_sigmas_local_derivative_is_multiplied_in():
    saturated = forward_backward(check_point(1.1, 40.0, 0.0, 1.0))
    step = step_markdown(saturated, 7)
    assert f"∂a/∂z = a(1 − a) = {format_number(saturated.da_dz)} ≈ 0: σ has saturated" in step
    assert "saturated" not in step_markdown(LESSON_PASS, 7)


def test_past_float64s_range_the_graph_shows_infinity_times_zero_not_an_error():
    far = forward_backward(check_point(50.0, 50.0, 0.0, 0.0))  # z = 2500: e^(−z) underflows
    assert far.da_dz == 0.0 and far.dL_da == math.inf and far.dL_dz == 1.0
    assert 'sigmoid -> bce [label="∂L/∂a = ∞"]' in neuron_dot(far)
    assert "∞ × 0.0000 = a − y = **1.0000**" in step_markdown(far, 7)


def test_the_text_beside_pytorchs_graph_explains_its_shape_labels():
    assert "`w ()`" in TORCH_GRAPH and "shape of a scalar" in TORCH_GRAPH
    w, b, loss = torch_neuron(check_point(**LESSON))
    dot, _ = torch_graph(loss, {"w": w, "b": b})
    assert 'label="w\n ()"' in dot and tuple(w.shape) == ()  # torchviz's label is the name, then the shape
