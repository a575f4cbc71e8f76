"""Small drawing helpers every page shares."""

from __future__ import annotations

import streamlit as st


def say(messages) -> None:
    """A lesson's messages, each `(kind, text)` with kind one of "error", "warning", "info", "success"."""
    for kind, message in messages:
        getattr(st, kind)(message)


def metrics(*items, per_row: int = 2) -> None:
    """`(label, value)` or `(label, value, help)` metrics, `per_row` to a row, so a phone keeps each row's pair in
    order."""
    for start in range(0, len(items), per_row):
        for column, (label, value, *help_text) in zip(
            st.columns(per_row), items[start : start + per_row], strict=False
        ):
            column.metric(label, value, help=help_text[0] if help_text else None)


def charts(figures, per_row: int = 2, key: str = "chart", **kw) -> None:
    """Plotly figures `per_row` abreast, a row of columns at a time: a phone stacks them in order ([0] [1] [2])."""
    for start in range(0, len(figures), per_row):
        for n, column in enumerate(st.columns(per_row), start=start):
            if n < len(figures):
                column.plotly_chart(figures[n], key=f"{key}-{n}", **kw)


def per_screen(name: str):
    """(projector, phone) containers: a picture whose text can't both fill 820 px and stay legible at 358 px (a
    graphviz drawing shrinks as a whole) is drawn once for each, and ui/style.py shows only the one that fits."""
    return st.container(key=f"projector-only-{name}"), st.container(key=f"phone-only-{name}")
