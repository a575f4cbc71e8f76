"""The baseline for bench/bench_pages.py: the least a Streamlit page can be, a title and one number input.

Served by the same Streamlit, from the same folder (so with the same .streamlit/config.toml), on the same machine as
the app, so whatever it costs is what Streamlit itself costs; a page of the playground is judged by its ratio to this.
"""

import streamlit as st

st.title("Bare page")
st.number_input("A number", value=0)
