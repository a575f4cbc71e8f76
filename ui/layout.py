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
