"""The pictures and charts of *The ELBO is a bound*, each a view the page calls in its place: the
test image beside its decoded mean, the exact posterior with q and the refined q, the refinement's
ELBO against log p(x), the gap's two parts, the importance-weighted bound against k, and the zoo's
bound for the larger latents; and the wait in the server-wide queue for a new image's numbers.
Widget keys start with ``elbo_``.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, altair_charts, png_figures, render
from ui.lessons.elbo import claims
from ui.lessons.elbo.computed import KS
from ui.lessons.words import a_digit
from ui.page import downloads, frame, loaders, model_calls
from ui.server import heavy_queue
from vae import bound
from vae.likelihood import IWAE_CURVE_K, IWAE_K


def queued(
    fn: Callable[..., Any], key: tuple[str, str, int], idx: int, note: Any, doing: str
) -> Any:
    """``fn(key, idx)`` in its turn in the server-wide queue, the placeholder ``note`` saying what
    is being done (``doing``) and how many are ahead while it waits, then emptied."""
    out = heavy_queue.call(
        fn,
        key,
        idx,
        on_wait=lambda ahead: note.info(
            f"{doing} for test #{idx}: {ahead} ahead of you on this server.",
            icon=":material/hourglass_top:",
        ),
    )
    note.empty()
    return out


def image_and_mean(
    images: np.ndarray, codes: dict[str, np.ndarray], labels: np.ndarray, idx: int, name: str
) -> None:
    """Test image ``idx`` beside the decoder's picture at its mean code μ."""
    st.image(
        downloads.upscale(
            np.concatenate(
                [images[idx], model_calls.decode(name, codes["mu"][idx][None])[0]], axis=1
            ),
            5,
        ),
        caption=f"test #{idx}, {a_digit(labels[idx])}, and decoder(μ)",
        width=280,
        alt=f"Test #{idx}, {a_digit(labels[idx])}, and beside it {name}'s decoder at its mean "
        "code μ.",
    )


def posterior(
    b: bound.ImageBound,
    codes: dict[str, np.ndarray],
    labels: np.ndarray,
    idx: int,
    name: str,
    step: int,
    has_path: bool,
    more_words: str = "",
) -> None:
    """The exact posterior p(z|x) on the fine grid, the test codes, the encoder's q and the q
    refined for this image after ``step`` steps (or the best Gaussian, when there is no path);
    ``more_words`` end its text alternative (a class question's answer)."""
    mu_t = b.path_mu[step] if has_path else b.mu_best
    lv_t = b.path_logvar[step] if has_path else b.logvar_best
    shown = mu_t if (step > 0 or not has_path) else None
    # the density on the grid, the encoder's q, the refined q: the same for the figure and its words
    drawn = png_figures.PosteriorDrawn(
        b.post / b.grid.area,
        b.grid.xs,
        b.grid.ys,
        codes["mu"][idx],
        codes["logvar"][idx],
        shown,
        lv_t,
    )
    fig = render.png(
        png_figures.posterior_figure, drawn, codes["mu"], labels, f"p(z|x) of test #{idx}, {name}"
    )
    render.show(
        fig,
        alt=png_figures.posterior_alt(
            drawn, f"test #{idx}, {a_digit(labels[idx])}, under {name}", step if has_path else None
        )
        + (f" {more_words}" if more_words else ""),
    )


def refinement(b: bound.ImageBound, idx: int, step: int) -> None:
    """The ELBO along the refinement from the encoder's q (step ``step`` marked) against log p(x),
    and, when it ends short of the best Gaussian, why."""
    g = b.gap
    trace = pd.DataFrame({"step": np.arange(bound.REFINE_STEPS + 1), "ELBO": b.path_elbo})
    render.draw(
        render.spec(altair_charts.refine_chart, trace, g.log_px, int(step)),
        width="stretch",
        key="elbo_refine",
        alt=alt_text.curve(
            f"The ELBO of test #{idx} while q(z|x) is refined for it alone, step {int(step)} "
            f"marked, log p(x) = {g.log_px:.2f} as a line",
            trace["step"],
            trace["ELBO"],
            "step",
            "ELBO (nats)",
            ".2f",
        ),
    )
    stopped = claims.refine_caveat(claims.RefineFacts(tuple(b.path_elbo), g.elbo_best))
    if stopped:
        frame.caveat(stopped)


def gap_parts(g: bound.Gap) -> None:
    """The gap as one bar of two parts: amortization, then approximation."""
    render.draw(
        render.spec(altair_charts.gap_chart, g.amortization, g.approximation),
        width="stretch",
        key="elbo_gap",
        alt=f"The gap KL(q ‖ p(z|x)) of {g.gap:.2f} nats as one bar of two parts: amortization "
        f"{g.amortization:.2f}, then approximation {g.approximation:.2f}.",
    )


def iwae_curve(curve: dict[int, float], k: int, g: bound.Gap, idx: int) -> None:
    """The importance-weighted bound against k (``curve``: k -> L_k), k marked, below log p(x) and
    above the ELBO as lines."""
    lines = pd.DataFrame({"what": ["log p(x)", "ELBO"], "nats": [g.log_px, g.elbo]})
    render.draw(
        render.spec(
            altair_charts.iwae_chart,
            pd.DataFrame({"k": KS, "bound": [curve[j] for j in KS]}),
            k,
            lines,
        ),
        width="stretch",
        key="elbo_iwae",
        alt=alt_text.curve(
            f"The importance-weighted bound of test #{idx} against k, samples per estimate "
            f"(k = {k} marked), below log p(x) = {g.log_px:.2f}; the ELBO is {g.elbo:.2f}",
            KS,
            [curve[j] for j in KS],
            "k",
            "nats",
            ".2f",
        ),
    )


def zoo_bounds() -> None:
    """The zoo's importance-weighted bound against k for the larger latents (mean over 500 test
    images), or a note that it is not measured yet."""
    rows = []
    for n in ("vae-10d", "vae-20d"):
        m = loaders.info(n)["metrics"] if loaders.built(n) else {}
        if all(f"subset_iwae_k{j}" in m for j in IWAE_CURVE_K):
            rows += [
                {"model": n, "k": j, "L_k (nats)": -m[f"subset_iwae_k{j}"]} for j in IWAE_CURVE_K
            ]
            rows.append({"model": n, "k": IWAE_K, "L_k (nats)": -m["subset_iwae"]})
    if not rows:
        st.caption("Not measured for these models yet: `python -m vae.build` stores it.")
        return
    render.draw(
        render.spec(altair_charts.iwae_models_chart, pd.DataFrame(rows)),
        width="stretch",
        key="elbo_iwae_zoo",
        alt=alt_text.listing_sentence(
            "The importance-weighted bound L_k (nats, mean over 500 test images) against k, per "
            "model",
            (f"{r['model']} at k = {r['k']}: {r['L_k (nats)']:.2f}" for r in rows),
        ),
    )
    st.caption(
        "Averaged over the 500 images; every k uses the same 1,000 draws per image, in groups of "
        "k. Without an exact log p(x) nobody knows how much gap is left at k = 1,000."
    )
