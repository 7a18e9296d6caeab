"""Download buttons of the lessons: a picture as PNG, a figure drawn on demand, a table as CSV."""

from __future__ import annotations

import io
from typing import Any, Callable

import numpy as np
import streamlit as st

from ui.draw import render
from ui.draw.style import PAPER

# --- images and downloads -----------------------------------------------------------------------


def upscale(img: np.ndarray, factor: int = 4) -> np.ndarray:
    """Nearest-neighbour enlargement of a (28, 28) image so browsers don't blur it."""
    return np.kron(np.clip(img, 0, 1), np.ones((factor, factor), dtype=np.float32))


def png_bytes(png_or_array: bytes | np.ndarray) -> bytes:
    """PNG bytes as they are (a figure from ``render.png``), or the PNG of a [0, 1] grayscale
    array."""
    if isinstance(png_or_array, bytes):
        return png_or_array
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray((np.clip(png_or_array, 0, 1) * 255).astype(np.uint8)).save(buf, format="png")
    return buf.getvalue()


def download_png(
    png_or_array: bytes | np.ndarray, filename: str, key: str, label: str = "Download PNG"
) -> None:
    """A download of a figure shown on the page (or of a grayscale image), on an opaque background:
    the page's figures are drawn on a transparent one in the theme's ink, which would vanish on a
    slide of the other colour. Filled when clicked, with this theme's page colour."""
    if not isinstance(png_or_array, bytes):
        data = png_bytes(png_or_array)  # grayscale: opaque already
        st.download_button(
            label, data, file_name=filename, mime="image/png", key=key, on_click="ignore"
        )
        return
    paper = render.paper()
    st.download_button(
        label,
        lambda: render.opaque(png_or_array, paper),
        file_name=filename,
        mime="image/png",
        key=key,
        on_click="ignore",
    )


def download_figure(
    filename: str,
    key: str,
    build: Callable[..., Any],
    *args: Any,
    label: str = "Download PNG",
    **kwargs: Any,
) -> None:
    """A download of the Matplotlib figure ``build(*args, **kwargs)``, drawn only when the button is
    clicked, for a slide whatever the page's theme: dark ink on opaque white, with presenter mode's
    large text."""

    def slide() -> bytes:
        with render.as_theme("light"), render.as_present(True):
            return render.opaque(render.png(build, *args, **kwargs), PAPER["light"])

    st.download_button(
        label, slide, file_name=filename, mime="image/png", key=key, on_click="ignore"
    )


def download_csv(df: Any, filename: str, key: str, label: str = "Download CSV") -> None:
    # deferred: the CSV is written when the button is clicked, not on every run
    st.download_button(
        label,
        lambda: df.to_csv(index=False).encode(),
        file_name=filename,
        mime="text/csv",
        key=key,
        on_click="ignore",
    )
