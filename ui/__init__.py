"""Streamlit glue shared by every page: cached loading, page layout, charts, shareable links.

The teaching computations live in :mod:`vae`; this package only turns them into widgets.
"""
