"""Grid vs ppf's warm-up job (``ui.lessons.grid.mosaics._warm``, queued by ``ui.server.warmup`` at
the server's start): every mosaic the grid-size and p controls reach at the default range is
decoded once (the three mosaics at the default p, the ppf and AE mosaics at every other p), so a
move of either decodes nothing; another range is decoded when asked for."""

from __future__ import annotations

import pytest

from tests.pageutil import need
from ui.draw.style import GRID_RANGE_DEFAULT, PPF_P_DEFAULT, PPF_P_OPTIONS
from ui.lessons.grid import mosaics as grids
from ui.page import model_calls
from ui.server import warmup

pytestmark = pytest.mark.usefixtures("fresh_caches")


def test_the_grid_lesson_registers_its_warm_up():
    assert "ui.lessons.grid.mosaics" in warmup.MODULES and grids._warm in warmup._jobs


def test_warm_grids_are_cache_hits(monkeypatch):
    need(grids.VAE, grids.AE)
    monkeypatch.setattr(grids, "GRID_N_RANGE", (5, 6))  # two sizes: the same job, less CPU
    monkeypatch.setattr(grids, "PPF_P_OPTIONS", (PPF_P_DEFAULT, 0.05))  # and two values of p
    decoded = []
    decode = model_calls.decode
    monkeypatch.setattr(
        model_calls, "decode", lambda name, z, y=None: decoded.append(len(z)) or decode(name, z, y)
    )
    grids._warm()
    # per size: three mosaics at the default p, the ppf and AE ones at the other p; each once
    assert sorted(decoded) == [25] * 5 + [36] * 5
    decoded.clear()
    for n in (5, 6):
        for p in (PPF_P_DEFAULT, 0.05):
            for tag in grids.MOSAICS:
                png, xs, ys, _ = grids.grid_view(n, *GRID_RANGE_DEFAULT, p, tag)
                assert png.startswith(b"\x89PNG") and len(xs) == len(ys) == n
    assert decoded == []  # what the page asks for at these sizes and p: all warm
    grids.grid_view(5, -2.0, 2.0, PPF_P_DEFAULT, "lin")  # another range: decoded when asked for
    assert decoded == [25]


def test_the_grid_cache_holds_every_warm_mosaic():
    from ui.draw.style import GRID_CACHE_ENTRIES, GRID_N_RANGE

    sizes = GRID_N_RANGE[1] - GRID_N_RANGE[0] + 1
    warm = sizes * len(grids.MOSAICS) + sizes * 2 * (len(PPF_P_OPTIONS) - 1)
    assert warm < GRID_CACHE_ENTRIES  # with room left for the ranges students pick
