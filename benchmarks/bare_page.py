"""The reference page of ``benchmarks/run.py``'s repeat-render ratio: a title and one line of text,
served with the app's own settings (``.streamlit/config.toml``), so that the ratio says what the
app's pages cost a browser beyond what Streamlit itself costs."""

import streamlit as st

st.title("A bare page")
st.write("A title and this line: what opening any Streamlit page costs, server and browser.")
