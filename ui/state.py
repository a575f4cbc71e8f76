"""Page settings that survive a page switch and live in the URL.

Streamlit forgets a widget's value as soon as the widget is not drawn, so visiting another page would reset every
control. We keep a copy of each bound value in `st.session_state` under a page-scoped name, and mirror it into the
query string so a teacher can share a link that opens the page exactly as they see it.

Precedence when a page opens: the URL, then what the learner last set on this page, then the default. A link value
the page can't use (see playground/url_values.py) falls back to the default with a warning that names it, quoted so
that nothing in it is read as markdown (a link's text must never become a link on the page). The widget
helpers (`select`, `number`, `toggle`, `text`) derive that check from the widget's own options or bounds, so a
bounded widget can never be handed a value it refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from playground.url_values import explained, one_of, parse_bool, quoted, within

_KEPT = "_kept_settings"


def _to_query(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


class PageState:
    """The settings of one page. `key()` hands out widget keys; `publish()` writes them to the URL."""

    def __init__(self, page: str):
        self.page = page
        self.warnings: list[str] = []
        self._names: list[str] = []
        kept = st.session_state.setdefault(_KEPT, {})
        self._kept: dict[str, Any] = kept.setdefault(page, {})
        # The URL is read once per page visit: later reruns must not undo what the learner just changed.
        self._fresh_visit = st.session_state.get("_last_page") != page
        st.session_state["_last_page"] = page
        self._warnings_slot = None

    def _widget_key(self, name: str) -> str:
        return f"{self.page}.{name}"

    def _initial(self, name: str, default: Any, cast: Callable[[str], Any]) -> Any:
        if self._fresh_visit and name in st.query_params:
            raw = st.query_params[name]
            try:
                return cast(raw)
            except (TypeError, ValueError) as err:
                self.warnings.append(
                    f"The link's {quoted(raw, prefix=f'{name}=')} could not be used ({explained(err, raw)}); "
                    f"showing the default {quoted(default)} instead."
                )
                return default
        return self._kept.get(name, default)

    def key(self, name: str, default: Any, cast: Callable[[str], Any] = str) -> str:
        """A widget key pre-filled from the URL or the learner's last choice. Create the widget with no value."""
        widget_key = self._widget_key(name)
        if widget_key not in st.session_state:
            st.session_state[widget_key] = self._initial(name, default, cast)
        if name not in self._names:  # a page may ask for a key early, then draw its widget further down
            self._names.append(name)
        return widget_key

    # ---- widgets bound to a link value, each checked against the widget's own options or bounds ----------------

    def select(self, label: str, name: str, options, default, *, where=st, widget: str = "selectbox", **kw):
        """A selectbox (or `widget="radio"`, `"segmented_control"`, ...) over `options`."""
        options = list(options)
        key = self.key(name, default, one_of(options))
        if st.session_state[key] not in options and st.session_state[key] is not None:
            st.session_state[key] = default  # kept for options that changed since (another model has fewer layers)
        return getattr(where, widget)(label, options, key=key, **kw)

    def number(self, label: str, name: str, default, low, high, *, where=st, widget: str = "number_input", **kw):
        """A number input (or `widget="slider"`) bounded by `low` and `high`; whole numbers if the default is."""
        key = self.key(name, default, within(low, high, float if isinstance(default, float) else int))
        if not low <= st.session_state[key] <= high:
            st.session_state[key] = default  # kept from bounds that changed since (a slider refuses it)
        return getattr(where, widget)(label, min_value=low, max_value=high, key=key, **kw)

    def toggle(self, label: str, name: str, default: bool = False, *, where=st, widget: str = "toggle", **kw):
        """A toggle (or `widget="checkbox"`)."""
        return getattr(where, widget)(label, key=self.key(name, default, parse_bool), **kw)

    def text(self, label: str, name: str, default: str = "", *, where=st, widget: str = "text_input", **kw):
        """A text input (or `widget="text_area"`): any text is a value, so nothing to check."""
        return getattr(where, widget)(label, key=self.key(name, default), **kw)

    # ---- what the page could not use, and the URL ----------------------------------------------------------------

    def reserve_warnings_slot(self) -> None:
        """Keep a place near the top of the page for a link's unusable values. Settings are read all down the page,
        so the last warning is only known at the end; `publish()` writes whatever is left into this place."""
        self._warnings_slot = st.container()

    def show_warnings(self) -> None:
        for message in self.warnings:
            st.warning(message)
        self.warnings.clear()

    def publish(self) -> None:
        """Remember every bound setting and mirror it into the query string."""
        if self.warnings:  # what no slot was kept for goes at the foot of the page, never nowhere
            with self._warnings_slot if self._warnings_slot is not None else st.container():
                self.show_warnings()
        query = {}
        for name in self._names:
            widget_key = self._widget_key(name)
            if widget_key in st.session_state:
                self._kept[name] = st.session_state[widget_key]
            if name in self._kept and self._kept[name] is not None:
                query[name] = _to_query(self._kept[name])
        if dict(st.query_params) != query:
            st.query_params.from_dict(query)


def sets(values: dict, event: str = "on_change") -> dict:
    """A widget's callback arguments that put `values` into the session when it fires: `st.button(..., **sets(v,
    "on_click"))`. A callback runs before the next script run, so the widgets it sets show the new values."""
    return {event: st.session_state.update, "args": (values,)}
