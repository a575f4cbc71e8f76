"""The playground's backend: every computation the pages show, one package per lesson. Never imports streamlit, so it
is tested with pytest."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent  # the checkout: assets/ and runs/ are found from here
ASSETS = REPO / "assets"
