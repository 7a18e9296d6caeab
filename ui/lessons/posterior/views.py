"""The Posterior spread lesson's views (Streamlit): one image's column (the image, its decoded
mean code and samples, the pixels' spread, what the samples look like) and, for a 2-D VAE, both
posteriors among the test codes with their 1σ and 2σ rings. The page keeps its prose, widgets and
layout.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ui.draw import alt_text, altair_charts, png_figures, render, style
from ui.lessons.posterior import claims
from ui.lessons.posterior.pairs import shared_y
from ui.lessons.words import a_digit
from ui.page import frame, loaders, model_calls
from vae.latent import ellipse

SHOWN = 16  # decoded samples shown per image
MAP_PX = 420  # the map's side, in screen pixels
HALF_PX = style.column_px(0.5, 2, gap="large")  # an image's column (the page's, st.columns(2))


def column(col: Any, tag: str, p: dict, name: str, n: int, seed: int, x: np.ndarray) -> None:
    """Image ``tag``'s posterior (``computed.posterior``) in its column ``col``; ``x`` the test
    images."""
    col.markdown(
        f"**Image {tag}**: test #{p['i']}, {a_digit(p['label'])} · σ from "
        f"{p['sigma'].min():.3g} to {p['sigma'].max():.3g} · KL {p['kl'].sum():.1f} nats"
    )
    s1, s2 = col.columns([3, 2])
    render.show(
        render.png(
            png_figures.image_strip,
            np.stack([x[p["i"]], p["recon"], p["mean"]]),
            ["the image", "decoder(μ)", f"mean of {n}"],
            size=1.5,
            fontsize=10,
            column_px=style.column_px(0.6, 2, HALF_PX),
        ),
        s1,
        alt=f"Test #{p['i']}, {a_digit(p['label'])}; {name}'s decoder at its mean code μ; and "
        f"the pixel mean of {n} decoded samples of its posterior.",
    )
    render.show(
        render.png(png_figures.std_figure, p["std"], column_px=style.column_px(0.4, 2, HALF_PX)),
        s2,
        alt=png_figures.std_alt(p["std"], f"the {n} decoded samples of test #{p['i']}"),
    )
    render.show(
        render.png(
            png_figures.mosaic_figure, p["imgs"][:SHOWN], 2, SHOWN // 2, size=5.0, column_px=HALF_PX
        ),
        col,
        alt=f"The first {SHOWN} of {n} codes drawn from q(z|x) of test #{p['i']} (seed {seed}), "
        f"decoded by {name}, "
        f"in 2 rows. By the nearest test image, of all {n}: {alt_text.shares(p['shares'])}.",
    )
    looks = pd.DataFrame(
        {"digit": [str(k) for k in range(10)], "source": "samples", "share": p["shares"]}
    )
    looks_spec = altair_charts.mix_chart_filled(
        looks, ("samples",), ("ink",), f"What the {n} samples of {tag} look like", height=150
    )
    render.draw(
        shared_y(looks_spec),
        col,  # A's and B's side by side: one 0-100 % scale
        key=f"post_looks_{tag}",
        width="stretch",
        alt=alt_text.mix(
            f"What the {n} samples of {tag} (test #{p['i']}, {a_digit(p['label'])}) look "
            "like, by the "
            "nearest test image",
            ("samples",),
            [p["shares"]],
        ),
    )


def posterior_map(
    name: str,
    post: dict[str, dict],
    codes: np.ndarray,
    labels: np.ndarray,
    zoom: bool,
    pair: claims.PairFacts,
) -> None:
    """Both 2-D posteriors among the test codes (the scatter subset): μ, the 1σ and 2σ rings, the
    samples; zoomed to the two posteriors or the whole map; then how large the rings are drawn."""
    sub = loaders.scatter_subset()
    rings = pd.concat(
        [
            pd.DataFrame(
                {
                    "x": e[:, 0],
                    "y": e[:, 1],
                    "order": np.arange(len(e)),
                    "ring": f"{k}σ",
                    "key": f"{t}{k}",
                }
            )
            for t, p in post.items()
            for k in (1, 2)
            for e in [ellipse(p["mu"], p["lv"], k=float(k))]
        ]
    )
    around = np.vstack([rings[["x", "y"]].to_numpy(), *(p["mu"][None] for p in post.values())])
    domains = altair_charts.square_domains(
        around if zoom else np.vstack([codes[sub], around]), margin=0.15 if zoom else 0.05
    )
    chart = render.fill(
        render.spec(
            altair_charts.posterior_map,
            model_calls.subset_codes(name),
            domains,
            MAP_PX,
        ),
        posteriors=pd.DataFrame(
            {
                "x": [p["mu"][0] for p in post.values()],
                "y": [p["mu"][1] for p in post.values()],
                "label": list(post),
            }
        ),
        rings=rings,
        samples=pd.DataFrame(np.vstack([p["z"] for p in post.values()]), columns=["x", "y"]),
    )
    render.draw(
        chart,
        width="content",
        alt=alt_text.scatter(
            "Both posteriors among the test codes"
            + (", zoomed" if zoom else "")
            + ": "
            + "; ".join(
                f"{t}, test #{p['i']} ({a_digit(p['label'])}), μ = ({p['mu'][0]:.2f}, "
                f"{p['mu'][1]:.2f}), "
                f"σ = ({p['sigma'][0]:.2f}, {p['sigma'][1]:.2f}), with 1σ and 2σ rings and its "
                "samples"
                for t, p in post.items()
            ),
            codes[sub],
            labels[sub],
        ),
    )

    def ring_px(doms) -> dict[str, float]:  # each 2σ ring's size on screen on a map of ``doms``
        return {
            t: float(np.ptp(ellipse(p["mu"], p["lv"], k=2.0), axis=0).max())
            * MAP_PX
            / (doms[0][1] - doms[0][0])
            for t, p in post.items()
        }

    frame.secondary(
        "Solid ring: 1σ (39 % of the samples in 2-D); dashed: 2σ (86 %); dotted grey: the prior's "
        "1σ, the unit circle, the width the KL term pulls every posterior toward. Crosses: "
        "the samples decoded above."
        + claims.ring_sentence(
            ring_px(domains),
            bool(zoom),
            claims.width_sentence(pair)[0] == "points",
            # the zoom is suggested only where it would show the rings
            zoomed_px=ring_px(altair_charts.square_domains(around, margin=0.15)),
        )
    )
