"""The hand-drawn graph and PyTorch's: the right nodes, micrograd records with computed values, honest walks."""

import re

from playground.autograd.gradient_check import torch_neuron
from playground.autograd.graph import STEP_COUNT, correspondence, neuron_dot, pass_steps, steps_table, torch_graph
from playground.autograd.neuron import LESSON, check_point, format_number, forward_backward

LESSON_PASS = forward_backward(check_point(**LESSON))


def _records(dot: str) -> dict[str, str]:
    return dict(re.findall(r'^\s*(\w+) \[label="\{ (.*?) \}"', dot, flags=re.M))


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
