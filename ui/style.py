"""The few style rules every page needs to read on a phone (390 px) as well as on a projector (1280 px).

Streamlit's widgets already reflow; what doesn't is what other libraries draw inside them: Plotly's toolbar sits on a
chart's title where no mouse can hover it away, and a static table or an inline code span wider than the screen is
clipped rather than scrolled.
"""

from __future__ import annotations

import streamlit as st

PHONE = "(max-width: 640px)"

CLASSROOM_CSS = f"""
<style>
/* Plotly's toolbar shows only while the pointer is on the chart ... */
.js-plotly-plot .modebar-container {{ opacity: 0; transition: opacity 0.15s; }}
.js-plotly-plot:hover .modebar-container {{ opacity: 1; }}
/* ... and never on a phone or a touch screen, where it would cover the title for good. */
@media {PHONE}, (hover: none) {{
  .js-plotly-plot .modebar-container {{ display: none !important; }}
}}
/* A wide static table scrolls sideways instead of losing its last columns. */
[data-testid="stTable"] {{ overflow-x: auto !important; }}
/* A picture drawn twice, for each kind of screen (ui.layout.per_screen), shows only its own. */
@media not {PHONE} {{ [class*="st-key-phone-only-"] {{ display: none !important; }} }}
@media {PHONE} {{
  [class*="st-key-projector-only-"] {{ display: none !important; }}
  /* Inline code (a long call, a command line) wraps instead of running off the screen. */
  [data-testid="stMarkdownContainer"] code {{ white-space: pre-wrap; overflow-wrap: anywhere; }}
  /* Code blocks and interactive tables scroll sideways: show the scrollbar, so a learner sees there is more. */
  [data-testid="stCode"] pre {{ overflow-x: auto; scrollbar-width: thin; }}
  [data-testid="stDataFrame"] .dvn-scroller {{ scrollbar-width: thin; scrollbar-color: #999 transparent; }}
}}
</style>
"""


def classroom_style() -> None:
    """Called once per run by app.py, before the page: a style-only st.html takes no room on the page."""
    st.html(CLASSROOM_CSS)
