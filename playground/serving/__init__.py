"""Serving a class on one small server: heavy work in a fair queue, and results shared by value."""
