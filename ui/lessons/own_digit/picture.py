"""A picture from outside MNIST, as Your own digit takes it: drawn on the pad
(``ui.lessons.own_digit.pad``), uploaded,
photographed or one of the bundled examples, read through the MNIST recipe (``vae.preprocess``).
An upload that cannot be read is said in the page and the last readable one stays on screen, so
nothing the learner did is lost. Widget keys start with ``own_``.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import streamlit as st

from ui.draw.style import MODEL_CACHE_ENTRIES
from ui.lessons.own_digit import pad
from ui.page import frame, link_values, links
from vae import preprocess
from vae.preprocess import PreprocessError, strokes_to_mnist

SOURCES = ("draw", "example", "upload", "camera")
SOURCE_LABELS = {
    "draw": "draw it",
    "example": "a bundled example",
    "upload": "upload a picture",
    "camera": "take a photo",
}
UPLOAD_TYPES = ["png", "jpg", "jpeg", "gif", "webp", "bmp"]
THUMB = 224  # px, longer side of the thumbnail of the picture
EXAMPLES = preprocess.example_paths()
DEFAULT_EXAMPLE = "3-ink-on-paper" if "3-ink-on-paper" in EXAMPLES else next(iter(EXAMPLES), "")


def example_label(stem: str) -> str:
    """'3-ink-on-paper' -> '3 · ink on paper'."""
    head, _, rest = stem.partition("-")
    return f"{head} · {rest.replace('-', ' ')}" if rest else stem


def source_input() -> tuple[str, Any, list[Any] | None]:
    """The source radio and its input (pad, uploader, camera or example list): (source, upload,
    strokes).
    The radio and the example list are bound to the URL parameters named by their keys
    (``links.url_widget``)."""
    ss = st.session_state
    source = links.captioned_radio(
        st, "Your digit", SOURCES, SOURCE_LABELS, "own_source", "draw", horizontal=True
    )
    upload = strokes = None
    if source == "draw":
        st.caption(
            "The pad needs a mouse, a finger or a pen. With the keyboard alone, choose *a bundled "
            "example* or *upload a picture* above."
        )
        try:
            drawn = pad.pad("own_pad", ss.get("own_strokes"))
        except PreprocessError as exc:  # a refused value (only a forged message sends one)
            drawn = None
            st.warning(
                f"The pad's drawing was not used: {exc} Your last drawing is shown.",
                icon=":material/draw:",
            )
        if drawn is not None:
            # checked and rounded by the pad (never the raw value the browser sent), and kept
            # outside the pad's own state: it survives leaving the page
            ss["own_strokes"] = drawn
        strokes = ss.get("own_strokes")
    elif source == "upload":
        upload = st.file_uploader(
            "A photo or scan of one handwritten digit (PNG or JPEG; GIF, WebP and BMP work too)",
            type=UPLOAD_TYPES,
            key="own_upload",
            help="Any size, dark ink on light paper or light on dark. One digit, filling most of "
            "the picture, "
            "works best. The picture stays in your browser session; nothing is stored.",
        )
    elif source == "camera":
        upload = st.camera_input(
            "A photo of one digit written on paper",
            key="own_camera",
            help="Dark ink on light paper, the digit filling most of the frame. The photo stays in "
            "your browser session; nothing is stored.",
        )
    elif EXAMPLES:
        links.url_widget(
            st.selectbox,
            "Example",
            list(EXAMPLES),
            index=list(EXAMPLES).index(DEFAULT_EXAMPLE),
            key="own_example",
            help="Real MNIST test digits, enlarged and dressed up like uploads (see "
            "scripts/make_examples.py).",
            parse=lambda raw: link_values.parse_choice(raw, list(EXAMPLES), DEFAULT_EXAMPLE),
        )
    else:
        st.warning(
            "The bundled examples (assets/examples/*.png) are missing: draw or upload a picture "
            "instead."
        )
    return source, upload, strokes


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def _drawing_as_mnist(strokes_json: str) -> np.ndarray:
    """``strokes_to_mnist`` of the pad's checked strokes (as JSON), once per drawing and shared:
    its robust background fit took a quarter of every run of the page (a repeat view, another
    model), and the drawing only changes when a pen lifts. -> (28, 28)"""
    return strokes_to_mnist(json.loads(strokes_json))


def _drawn(strokes: list[Any] | None, right: Any) -> dict[str, Any]:
    if not strokes:
        with right:
            st.info(
                "Draw a digit in the black square: the model answers when you lift the pen.",
                icon=":material/draw:",
            )
        frame.stop()
    try:
        x = _drawing_as_mnist(json.dumps(strokes, sort_keys=True))
    except PreprocessError as exc:
        with right:
            st.warning(f"{exc}", icon=":material/draw:")
        frame.stop()
    return {"name": "your drawing", "thumb": None, "x": x, "size": (pad.PAD_PX, pad.PAD_PX)}


def _uploaded(upload: Any) -> dict[str, Any]:
    picture = None
    last = st.session_state.get("own_last_good")
    if upload is not None:
        if last is not None and last["file_id"] == upload.file_id:
            picture = last
        else:
            try:
                thumb, x, size = preprocess.read_picture(upload.getvalue(), THUMB)
            except PreprocessError as exc:
                st.error(
                    f"{link_values.echo(upload.name)} could not be used: {exc}",
                    icon=":material/image:",
                )
            else:
                picture = {
                    "file_id": upload.file_id,
                    "name": upload.name,
                    "thumb": thumb,
                    "x": x,
                    "size": size,
                }
                st.session_state["own_last_good"] = picture
    if picture is None:
        if last is None:
            if upload is None:
                st.info(
                    "Choose a picture above (or switch to a bundled example) to see what the model "
                    "makes of it."
                )
            frame.stop()
        picture = last
        st.caption(
            f"Still showing your last readable picture, {link_values.echo(last['name'])}."
            if upload is not None
            else f"Showing your last picture, {link_values.echo(last['name'])}; upload another to "
            "replace it."
        )
    return picture


def _example(example: str) -> dict[str, Any]:
    if not EXAMPLES:
        frame.stop()
    path = EXAMPLES.get(example) or EXAMPLES[DEFAULT_EXAMPLE]
    try:
        thumb, x, size = preprocess.read_picture(path.read_bytes(), THUMB)
    except (OSError, PreprocessError) as exc:
        st.error(f"The bundled example {path.name} cannot be used: {exc}")
        frame.stop()
    return {
        "name": example_label(path.stem),
        "thumb": thumb,
        "x": x,
        "size": size,
        "source": preprocess.example_source(path),
    }


def read(
    source: str, upload: Any, strokes: list[Any] | None, example: str, right: Any
) -> dict[str, Any]:
    """The picture of ``source`` as a dict: name, thumb (PNG bytes or None), x (28, 28) in [0, 1],
    size (px) and, for an example, the test index it was made from (``source``). When there is
    nothing usable the page says why (in ``right`` for the pad) and stops."""
    picture = (
        _drawn(strokes, right)
        if source == "draw"
        else _uploaded(upload)
        if source in ("upload", "camera")
        else _example(example)
    )
    return {**picture, "x": np.array(picture["x"], dtype=np.float32)}  # (28, 28), a copy
