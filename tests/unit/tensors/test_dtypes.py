"""`.to(dtype)` reports every value it changed, with the right reason, against values worked out by hand."""

import pytest
import torch

from playground.tensors.dtypes import DTYPES, convert, lookup
from playground.tensors.literal import TensorInputError


def test_small_ints_survive_every_dtype_that_can_hold_them():
    x = torch.tensor([0, 1, 2, 100])
    for name in ("float64", "float32", "float16", "bfloat16", "int32", "int16", "int8", "uint8"):
        assert convert(x, DTYPES[name]).lossless, name


def test_float16_rounds_a_tenth_and_overflows_past_65504():
    c = convert(torch.tensor([0.1, 70000.0, 1.0]), torch.float16)
    assert c.counts == {"rounding": 1, "overflow": 1}
    rounded = next(e for e in c.examples if e.reason == "rounding")
    assert rounded.index == (0,) and rounded.after == 0.0999755859375  # the nearest float16 to 0.1
    assert next(e for e in c.examples if e.reason == "overflow").after == float("inf")


def test_just_above_float16_max_rounds_down_and_is_not_called_overflow():
    c = convert(torch.tensor([65519.0]), torch.float16)
    assert c.counts == {"rounding": 1} and c.examples[0].after == 65504.0


def test_bfloat16_keeps_the_range_but_only_about_three_digits():
    c = convert(torch.tensor([70000.0, 1.2345678]), torch.bfloat16)
    assert c.counts == {"rounding": 2}
    assert c.examples[1].after == 1.234375


def test_float_to_int_truncates_towards_zero_and_int8_wraps_around():
    c = convert(torch.tensor([2.7, -2.7, 300.0]), torch.int8)
    assert [e.after for e in c.examples] == [2, -2, 44]  # 300 - 256 = 44
    assert [e.reason for e in c.examples] == ["truncation", "truncation", "overflow"]


def test_int64_to_int8_overflow_wraps_modulo_256():
    c = convert(torch.tensor([127, 128, -129]), torch.int8)
    assert c.changed == 2 and [e.after for e in c.examples] == [-128, 127]


def test_bool_collapses_every_nonzero_to_true():
    c = convert(torch.tensor([0, 1, 5, -3]), torch.bool)
    assert c.after.tolist() == [False, True, True, True]
    assert c.counts == {"collapsed to bool": 2}


def test_examples_give_the_index_in_the_original_shape():
    c = convert(torch.tensor([[1.5, 2.0], [3.0, 4.5]]), torch.int64)
    assert [e.index for e in c.examples] == [(0, 0), (1, 1)]


def test_unknown_dtype_is_a_clear_error():
    with pytest.raises(TensorInputError, match="Unknown dtype"):
        lookup("float8")


def test_summary_counts_the_changes_and_names_the_reasons():
    from playground.tensors.dtypes import example_rows, summary

    lossy = convert(torch.tensor([0.5, 1.5, 2.0]), torch.int64)
    assert summary(lossy).startswith("`.to(torch.int64)` changed **2 of 3** values: **2 truncation**")
    assert [row["after"] for row in example_rows(lossy)] == [0, 1]
    assert "kept every value exactly (int64 → float32)" in summary(convert(torch.tensor([1, 2]), torch.float32))
