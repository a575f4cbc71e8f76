"""Streamlit helpers shared by the pages. Unlike `playground/`, these may import streamlit."""

from ui.navigation_guard import ensure_app_navigation

ensure_app_navigation()
