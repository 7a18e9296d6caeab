"""What the Blurry samples lesson computes once per server: the test images' mean own entropy, the
BCE floor no reconstruction can go below.
"""

from __future__ import annotations

import streamlit as st

from ui.page import loaders
from vae.pixels import image_entropy


@st.cache_data(show_spinner=False, max_entries=1)
def test_floor() -> float:
    """The test images' mean own entropy (nats): the same for every model and run, so once per
    server."""
    return float(image_entropy(loaders.test_images_float()).mean())
