"""The playground's backend: every computation the pages show. Never imports streamlit, so it is tested with pytest."""
