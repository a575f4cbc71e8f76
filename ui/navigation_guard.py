"""Keep a deep link on the app's own navigation.

Streamlit still carries the old "pages/ folder" multipage mode. A server decides once, at its first session, whether a
`pages/` folder exists next to the main script, and if the very first request is a deep link (a teacher's shared
`/autograd?x=…`), it runs that page file directly in the old mode: raw file names in the sidebar, no groups, no
`layout="wide"`, and it stays that way for every later visitor. `st.navigation` is what turns the old mode off, but in
that run app.py never executes. So every page, which imports `ui`, turns it off and reruns once; the rerun goes
through app.py and lands on the same page, since both modes name a page by its url path.
"""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def ensure_app_navigation() -> None:
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
