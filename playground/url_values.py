"""Link values: a shared link carries every setting as text, and people edit links by hand.

Each function here is a *cast*: text in, the value out, or a ValueError saying what is wrong with the text. A page
never casts a link value itself; it hands a cast to `ui.state.PageState`, which falls back to the setting's default
and shows a warning naming the parameter and the value. That is the one policy: nothing clamps silently, nothing
crashes on a hand-edited link.
"""

from __future__ import annotations

import math


def parse_bool(text: str) -> bool:
    lowered = str(text).strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected true or false, got {text!r}")


def finite(text: str) -> float:
    """Any ordinary number; nan and inf are refused."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is not a finite number")
    return value


def within(low, high, kind=float):
    """A number between `low` and `high`, as a widget bounded by them would take it: out of range, the page warns
    and uses its default instead of the widget refusing the value with an exception."""

    def cast(text: str):
        value = kind(text)
        if not low <= value <= high:
            raise ValueError(f"{value} is outside {low}…{high}")
        return value

    return cast


def one_of(options):
    """One of `options`, named in the link as it is written (`str(option)`)."""
    by_text = {str(option): option for option in options}

    def cast(text: str):
        if text not in by_text:
            raise ValueError(f"choose one of {', '.join(by_text)}")
        return by_text[text]

    return cast


def positions(text: str) -> list[int]:
    """Token positions, comma-separated (`3,7`); an empty text is no position."""
    return [int(p) for p in str(text).split(",") if p.strip()]
