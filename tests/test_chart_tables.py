"""ui.draw.chart_tables: long tables for charts (here, which side of its point a label goes)."""

from __future__ import annotations

import numpy as np

from ui.draw import chart_tables


def test_label_sides_moves_crowded_labels_left():
    # beta = 1 at (6.3, 138.3) has beta = 0.5 just to its right: its label goes left
    x = np.array([52.8, 10.8, 7.2, 6.3, 5.4, 4.0, 2.5])
    y = np.array([135.6, 136.8, 138.4, 138.3, 141.2, 147.4, 161.2])
    assert chart_tables.label_sides(x, y).tolist() == [
        "right",
        "right",
        "right",
        "left",
        "right",
        "right",
        "right",
    ]
    assert chart_tables.label_sides(np.array([1.0]), np.array([2.0])).tolist() == ["right"]
    # the 2-D ladder on a log rate axis: beta = 0.5 has neighbours on both sides, so its label goes
    # below
    x = np.log([137.68, 10.85, 7.74, 6.85, 5.88, 4.41, 2.85])
    y = np.array([133.3, 134.6, 135.1, 134.5, 136.7, 141.8, 155.4])
    assert chart_tables.label_sides(x, y).tolist() == [
        "right",
        "right",
        "below",
        "left",
        "right",
        "right",
        "right",
    ]


def test_no_beta_label_reaches_the_chosen_rungs_ring():
    """KL weighting's ladder: wherever a point's β label goes (right, left or below), its box keeps
    2 px clear of the chosen rung's ring (centred on the point), at the normal and the presenter
    text sizes. A text box spans its font's ascent (0.8 em) above the baseline and its descent
    (0.25 em) below; a left or right label runs away from the point."""
    import math

    from ui.draw import altair_charts, render

    ring = math.sqrt(altair_charts.RD_RING_SIZE / math.pi) + altair_charts.RD_RING_STROKE / 2
    for px in (render.MIN_FONT_PX, 13 * render.PRESENT_TEXT_SCALE, 20):  # 20: a margin
        for side, (dx, dy, align) in altair_charts.RD_LABEL_PLACES.items():
            width = 4 * 0.6 * px  # "β=10" or so; only its near edge matters
            x0 = {"left": dx, "right": dx - width, "center": dx - width / 2}[align]
            y0, y1 = dy - 0.8 * px, dy + 0.25 * px
            near_x = min(max(0.0, x0), x0 + width)  # the box's point nearest the centre
            near_y = min(max(0.0, y0), y1)
            assert math.hypot(near_x, near_y) >= ring + 2, (side, px)


def test_latent_size_curves_differ_by_more_than_colour():
    """Latent size's KL-per-dimension chart: every offered size has its own colour, point shape
    and dash; the shapes share the colours' legend (same field and title)."""
    import numpy as np

    from ui.draw import altair_charts
    from vae import zoo

    kl_dims = {d: np.geomspace(3.0, 0.001, d) for d in zoo.LATENT_SIZES}
    spec = altair_charts.kl_dims_chart(kl_dims).to_dict()
    enc = next(layer["encoding"] for layer in spec["layer"] if "color" in layer.get("encoding", {}))
    sizes = [str(d) for d in zoo.LATENT_SIZES]
    for channel in ("color", "shape", "strokeDash"):
        scale = enc[channel]["scale"]
        assert scale["domain"] == sizes, channel
        assert len({str(r) for r in scale["range"]}) == len(sizes), channel
        assert enc[channel]["field"] == enc["color"]["field"]
    assert enc["shape"]["title"] == enc["color"]["title"]
