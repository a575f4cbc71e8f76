"""The "the code" panel every page ends with."""

import streamlit as st


def show_code(source: str, *, expanded: bool = False, title: str = "The code") -> None:
    """Runnable PyTorch that reproduces what is on screen; `source` is generated from the page's own parameters."""
    with st.expander(f"🧑‍💻 {title}: runnable PyTorch for exactly what is on screen", expanded=expanded):
        st.code(source, language="python")
