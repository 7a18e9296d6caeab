"""The prior p(z) = N(0, I_d) and the regions the lessons draw and count with it.

One home for the prior's radii and circles (the 50 / 90 / 99 % discs of the 2-D pictures), the
typical norm of a prior sample, and seeded samples: every seeded draw z ~ N(0, I) of the app (and
the eps of a posterior sample, ``vae.latent``) comes from :func:`samples`. Radii follow from
||z||^2 ~ chi-square(d) under the prior. The distribution functions come from ``scipy.special``
(``chdtri`` is the inverse chi-square tail): importing ``scipy.stats`` would add about 33 MB to
the server's memory for these few formulas; the tests pin them to ``scipy.stats``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from scipy import special

CONTOUR_QS = (0.5, 0.9, 0.99)  # prior mass inside the circles drawn on the 2-D pictures
CIRCLE_Q = 0.99  # the circle the arguments about "inside the prior" use


def radius(q: float, d: int = 2) -> float:
    """Radius of the ball holding a share q of N(0, I_d): sqrt(chi2.ppf(q, d))."""
    if not 0 < q < 1:
        raise ValueError("need 0 < q < 1")
    return float(np.sqrt(special.chdtri(d, 1 - q)))  # chi2.ppf(q, d)


def circle(r: float, n: int = 121) -> np.ndarray:
    """n points on a circle of radius r around the origin, first point repeated last. -> (n, 2)"""
    th = np.linspace(0.0, 2.0 * np.pi, n)
    return np.stack([r * np.cos(th), r * np.sin(th)], axis=1)


def contours(qs: Sequence[float] = CONTOUR_QS, n: int = 121) -> pd.DataFrame:
    """The 2-D prior's circles holding the shares qs of its mass, as rows for a line chart:
    x, y, order (position along the circle), q, label ("50 %"), radius."""
    frames = []
    for q in qs:
        r = radius(q)
        pts = circle(r, n)
        frames.append(
            pd.DataFrame(
                {
                    "x": pts[:, 0],
                    "y": pts[:, 1],
                    "order": np.arange(n),
                    "q": q,
                    "label": f"{q * 100:g} %",
                    "radius": r,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def inside(codes: np.ndarray, q: float = CIRCLE_Q) -> np.ndarray:
    """Which codes (N, d) lie in the ball holding a share q of the prior. -> (N,) bool"""
    codes = np.asarray(codes, float)
    return (codes**2).sum(axis=1) <= radius(q, codes.shape[1]) ** 2


def share_inside(codes: np.ndarray, q: float = CIRCLE_Q) -> float:
    """Share of the codes inside the ball that holds a share q of the prior's mass."""
    return float(inside(codes, q).mean())


def share_inside_by_class(
    codes: np.ndarray, labels: np.ndarray, q: float = CIRCLE_Q, n_classes: int = 10
) -> np.ndarray:
    """share_inside for the codes of each class (NaN for a class without codes). -> (n_classes,)"""
    ins = inside(codes, q)  # (N,)
    labels = np.asarray(labels)
    return np.array(
        [ins[labels == k].mean() if (labels == k).any() else np.nan for k in range(n_classes)]
    )


def typical_norm(d: int) -> float:
    """Mean distance from the origin of a prior sample in d dimensions: chi(d).mean()."""
    return float(np.sqrt(2.0) * np.exp(special.gammaln((d + 1) / 2) - special.gammaln(d / 2)))


def samples(n: int, d: int, seed: int | Sequence[int]) -> np.ndarray:
    """n draws from the prior N(0, I_d), reproducible by seed (an int, or a sequence of ints that
    ``np.random.default_rng`` mixes into one seed). -> (n, d)"""
    return np.random.default_rng(seed).standard_normal((n, d))
