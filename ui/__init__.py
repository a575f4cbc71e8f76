"""Streamlit helpers shared by the pages. Unlike `playground/`, these may import streamlit."""
