"""Grid vs ppf's warm-up job (``ui.lessons.grid.mosaics._warm``, queued by ``ui.server.warmup`` at
the server's start):
every grid size's three mosaics at the default range and p are decoded once, so a move of the
grid-size slider decodes nothing."""

from __future__ import annotations

import pytest
import streamlit as st

from tests.pageutil import need
from ui.draw.style import GRID_RANGE_DEFAULT, PPF_P_DEFAULT
from ui.lessons.grid import mosaics as grids
from ui.page import model_calls
from ui.server import warmup


@pytest.fixture(autouse=True)
def fresh_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def test_the_grid_lesson_registers_its_warm_up():
    assert "ui.lessons.grid.mosaics" in warmup.MODULES and grids._warm in warmup._jobs


def test_warm_grids_are_cache_hits(monkeypatch):
    need(grids.VAE, grids.AE)
    monkeypatch.setattr(grids, "GRID_N_RANGE", (5, 6))  # two sizes: the same job, less CPU
    decoded = []
    decode = model_calls.decode
    monkeypatch.setattr(
        model_calls, "decode", lambda name, z, y=None: decoded.append(len(z)) or decode(name, z, y)
    )
    grids._warm()
    assert sorted(decoded) == [25, 25, 25, 36, 36, 36]  # three mosaics per size, each decoded once
    decoded.clear()
    for n in (5, 6):
        for tag in grids.MOSAICS:
            png, xs, ys, _ = grids.grid_view(n, *GRID_RANGE_DEFAULT, PPF_P_DEFAULT, tag)
            assert png.startswith(b"\x89PNG") and len(xs) == len(ys) == n
    assert decoded == []  # what the page asks for at these sizes: all warm
    grids.grid_view(5, *GRID_RANGE_DEFAULT, 0.05, "ppf")  # another p: decoded when asked for
    assert decoded == [25]
