"""Link values: each cast takes the text of a link and gives the value, or says what is wrong with it."""

import math

import pytest

from playground.url_values import finite, one_of, parse_bool, positions, within


def test_booleans_are_read_the_ways_people_type_them():
    assert [parse_bool(t) for t in ("1", "true", "Yes", " on ")] == [True] * 4
    assert [parse_bool(t) for t in ("0", "false", "NO", "off")] == [False] * 4
    with pytest.raises(ValueError, match="true or false"):
        parse_bool("maybe")


def test_numbers_are_checked_against_the_widgets_bounds_not_clamped():
    assert within(0, 10, int)("7") == 7 and within(0.0, 2.0)("1.5") == 1.5
    with pytest.raises(ValueError, match="outside 1…16"):
        within(1, 16, int)("99")
    with pytest.raises(ValueError):
        within(1, 16, int)("many")
    assert finite("-2.5") == -2.5
    for text in ("nan", "inf", "-inf"):
        with pytest.raises(ValueError, match="not a finite number"):
            finite(text)
    assert not math.isnan(finite("0"))


def test_a_choice_is_one_of_the_options_written_as_they_are_shown():
    assert one_of(["greedy", "sampling"])("sampling") == "sampling"
    assert one_of(range(12))("3") == 3  # an option that is not text is named in the link as it is written
    with pytest.raises(ValueError, match="choose one of greedy, sampling"):
        one_of(["greedy", "sampling"])("beam")


def test_positions_are_comma_separated_and_may_be_none():
    assert positions("3,7, 9") == [3, 7, 9] and positions("") == []
    with pytest.raises(ValueError):
        positions("3,x")
