"""The drawing-pad trial (docs/drawing/README.md): streamlit-drawable-canvas 0.13 beside
ui.lessons.own_digit.pad.

pip install streamlit-drawable-canvas==0.13.0      # not a dependency of the app
python -m streamlit run docs/drawing/pad_trial_app.py --server.port 8630 --server.headless true
python docs/drawing/pad_trial_drive.py             # strokes a large and a small 7 on both, in
Chromium
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas
from ui.lessons.own_digit import pad
from vae.preprocess import preprocess, strokes_to_mnist, PreprocessError

st.session_state.setdefault("runs", 0)
st.session_state["runs"] += 1
st.write(f"runs: {st.session_state['runs']}")
a, b = st.columns(2)
with a:
    st.write("streamlit-drawable-canvas 0.13")
    res = st_canvas(
        stroke_width=28,
        stroke_color="#ffffff",
        background_color="#000000",
        height=280,
        width=280,
        drawing_mode="freedraw",
        return_image_data=True,
        update_streamlit=True,
        key="sdc",
    )
    img = res.image_bytes if res is not None else None
    st.write(
        f"canvas result: {None if res is None else ('image' if img else 'no image')}; objects: "
        f"{len((res.json_data or {}).get('objects', [])) if res is not None else '-'}"
    )
    if img:
        try:
            x = preprocess(img)
            st.image(
                np.kron(x, np.ones((6, 6))), clamp=True, caption=f"sdc -> MNIST, ink {x.sum():.0f}"
            )
        except PreprocessError as e:
            st.write(f"sdc: {e}")
with b:
    st.write("ui.lessons.own_digit.pad")
    strokes = pad.pad("own", None)
    if strokes:
        x = strokes_to_mnist(strokes)
        st.image(
            np.kron(x, np.ones((6, 6))), clamp=True, caption=f"pad -> MNIST, ink {x.sum():.0f}"
        )
