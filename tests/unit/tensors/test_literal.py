"""Typed text becomes a tensor only if it is a rectangular grid of numbers within the caps; otherwise one clear
sentence."""

import pytest
import torch

from playground.tensors.literal import MAX_ELEMENTS, TensorInputError, parse_dims, parse_literal, parse_shape
from playground.tensors.source import PRESETS, TensorSource, build_expression, build_tensor
from tests.unit.test_url_values import ISSUE_PAYLOAD, PAYLOAD, injected, rendered_text


@pytest.mark.parametrize("name,rank", [("0D", 0), ("1D", 1), ("2D", 2), ("3D", 3)])
def test_the_lessons_presets_have_the_rank_in_their_name(name, rank):
    assert parse_literal(PRESETS[name]).dim() == rank


def test_python_ints_become_int64_floats_float32_and_bools_bool_like_torch_tensor():
    assert parse_literal("[1, 2, 3]").dtype == torch.int64
    assert parse_literal("[1, 2.5]").dtype == torch.float32
    assert parse_literal("[True, False]").dtype == torch.bool
    assert torch.equal(parse_literal("[[1, 2], [3, 4]]"), torch.tensor([[1, 2], [3, 4]]))


@pytest.mark.parametrize(
    "text,expected",
    [
        ("[[1, 2], [3]]", "Ragged input"),
        ("[[1, 2], 3]", "Ragged input"),
        ("[1, 'a']", "is not a number"),
        ("[1, 2", "Could not read"),
        ("__import__('os').system('true')", "Could not read"),  # code is data to literal_eval, and it is not data
        ("", "empty"),
        ("[]", "is empty"),
        ("[1j]", "complex"),
        ("[[[[[1]]]]]", "rank"),
        ("[" + ",".join(["1"] * (MAX_ELEMENTS + 1)) + "]", "caps a tensor"),
        ("[99999999999999999999]", "does not fit in int64"),
        ("{1: 2}", "is not a number"),
    ],
)
def test_bad_literals_say_what_is_wrong(text, expected):
    with pytest.raises(TensorInputError, match=expected):
        parse_literal(text)


def test_ragged_message_points_at_the_row():
    with pytest.raises(TensorInputError) as err:
        parse_literal("[[1, 2], [3, 4], [5]]")
    assert "item 2 has shape []" not in str(err.value)  # rows are compared as rows, not numbers
    assert "item 2 has shape [1]" in str(err.value) and "item 0 has shape [2]" in str(err.value)


def test_shapes_accept_commas_and_brackets_and_one_minus_one_only_where_allowed():
    assert parse_shape("2, 3") == (2, 3)
    assert parse_shape("(4,)") == (4,)
    assert parse_shape("5") == (5,)
    assert parse_shape("4, -1", allow_infer=True) == (4, -1)
    for text, expected in [
        ("4, -1", "only makes sense"),
        ("-1, -1", "Only one"),
        ("0, 2", "positive"),
        ("a", "Could not read"),
        ("2.5", "whole numbers"),
        ("1,1,1,1,1", "cap"),
        ("100, 101", "caps a tensor"),
    ]:
        with pytest.raises(TensorInputError, match=expected):
            parse_shape(text, allow_infer=text.startswith("-1"))


def test_dims_for_permute_may_be_zero_or_negative():
    assert parse_dims("2, 0, 1") == (2, 0, 1)
    assert parse_dims("-1, 0") == (-1, 0)
    with pytest.raises(TensorInputError):
        parse_dims("x")


def test_factories_build_what_their_expression_says():
    for kind in ("random", "arange", "zeros", "ones"):
        source = TensorSource(kind=kind, shape="2, 3", seed=7)
        tensor = build_tensor(source)
        torch.manual_seed(7)
        assert torch.equal(tensor, eval(build_expression(source), {"torch": torch}))  # our own text, not the user's
        assert tensor.shape == (2, 3)


def test_random_depends_on_the_seed_only():
    a, b = (
        build_tensor(TensorSource("random", shape="3", seed=1)),
        build_tensor(TensorSource("random", shape="3", seed=1)),
    )
    assert torch.equal(a, b)
    assert not torch.equal(a, build_tensor(TensorSource("random", shape="3", seed=2)))


@pytest.mark.parametrize(
    "parse, text",
    [
        (parse_literal, ISSUE_PAYLOAD),  # unreadable: "Could not read …"
        (parse_literal, f"[1, {PAYLOAD!r}]"),  # readable, but a string where a number belongs
        (parse_shape, ISSUE_PAYLOAD),
        (parse_shape, f"[{PAYLOAD!r}]"),
        (parse_dims, PAYLOAD),
    ],
    ids=["literal", "literal-string", "shape", "shape-string", "dims"],
)
def test_what_was_typed_comes_back_as_text_never_as_markdown(parse, text):
    with pytest.raises(TensorInputError) as err:
        parse(text)
    assert injected(str(err.value)) == []
    assert PAYLOAD[:12] in rendered_text(str(err.value)) or ISSUE_PAYLOAD[:30] in rendered_text(str(err.value))


def test_a_long_literal_is_quoted_once_cut_short_with_its_length():
    with pytest.raises(TensorInputError) as err:
        parse_literal("[" * 100_000)
    assert "(100,000 characters)" in str(err.value) and len(str(err.value)) < 300


def test_an_int_too_big_even_for_a_float_gets_a_message_not_an_overflow():
    with pytest.raises(TensorInputError, match="too big even for a float32"):
        parse_literal("[" + "9" * 400 + "]")
    with pytest.raises(TensorInputError, match=r"Write it as a float, e\.g\. 1e\+20"):
        parse_literal("[99999999999999999999]")
