"""Matplotlib figures of the lessons (``matplotlib.figure.Figure`` objects, no global figure manager): traversals and 2-D
slices through a prototype, walks across an embedding, pairs of latent dimensions, and per-pixel
spread maps. Builders for ``charts.png``: pure functions of their arguments.
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from ui import charts
from ui.style import DIGIT_COLORS, DIGITS, ERROR_CMAP
from ui.style import MOSAIC_TILE as TILE


def traversal_figure(imgs: np.ndarray, order: np.ndarray, values: np.ndarray, base: np.ndarray, digit: int):
    """Rows of sweeps (one per dimension in ``order``); the tile nearest the prototype's value outlined."""
    fig = charts.mosaic_figure(imgs, len(order), len(values), xs=values, ys=np.arange(len(order), dtype=float),
                               xlabel="value of the swept dimension", ylabel="latent dimension",
                               title=f"Traversals around the prototype of {digit}", size=6.5)
    ax = fig.axes[0]
    ax.set_yticks([r * TILE + 13.5 for r in range(len(order))], [f"z{j}" for j in order], fontsize=8)
    for r, j in enumerate(order):
        if values[0] <= base[j] <= values[-1]:
            c = int(np.argmin(np.abs(values - base[j])))
            ax.add_patch(Rectangle((c * TILE - 0.5, r * TILE - 0.5), 28, 28, fill=False,
                                   edgecolor=DIGIT_COLORS[1], linewidth=1.5))
    return fig


def slice_figure(imgs: np.ndarray, xs: np.ndarray, base: np.ndarray, dx: int, dy: int, digit: int):
    """The decoded n x n grid ``imgs`` over dimensions dx (across) and dy (up) around ``base``; the
    prototype marked with a cross."""
    n, lo, hi = len(xs), float(xs[0]), float(xs[-1])
    fig = charts.mosaic_figure(imgs, n, n, xs=xs, ys=xs, xlabel=f"z{dx}", ylabel=f"z{dy}",
                               title=f"z{dx} × z{dy} around the prototype of {digit}", size=6.5)
    if lo <= base[dx] <= hi and lo <= base[dy] <= hi:
        px = (base[dx] - lo) / (hi - lo) * (n - 1) * TILE + 13.5
        py = (hi - base[dy]) / (hi - lo) * (n - 1) * TILE + 13.5
        fig.axes[0].plot([px], [py], marker="+", markersize=14, markeredgewidth=2.5, color=DIGIT_COLORS[1])
    return fig


def walk_figure(decoded: np.ndarray, originals: np.ndarray, idx: np.ndarray, digits: np.ndarray):
    """Two labelled rows (decoded codes over the test images they come from) in one image: fast to draw."""
    n = len(idx)
    fig = charts.mosaic_figure(np.concatenate([decoded, originals]), 2, n, size=max(3.0, 0.95 * n), left=1.4)
    ax = fig.axes[0]
    ax.axis("on")
    ax.set_xticks([c * 29 + 13.5 for c in range(n)],
                  [f"{k + 1}\n#{i}\ndigit {d}" for k, (i, d) in enumerate(zip(idx, digits))], fontsize=7)
    ax.set_yticks([13.5, 42.5], ["decoded code", "test image"], fontsize=9)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return fig


def pair_figure(values: np.ndarray, digits: np.ndarray, dims: list[int], lims: tuple[float, float] | None):
    """A pair plot of codes (n, k) in dimensions ``dims``: scatters off the diagonal, stacked
    per-digit histograms on it, coloured by digit; ``lims`` fixes every axis (a VAE's latent range).
    Drawn as one image: sixteen interactive charts of a cloud each were the slowest thing for a
    browser to draw in the whole app."""
    k = len(dims)
    colors = np.asarray(DIGIT_COLORS)[digits.astype(int)]  # (n,)
    fig = Figure(figsize=(1.9 * k + 0.9, 1.9 * k))
    axes = fig.subplots(k, k, squeeze=False)
    for r in range(k):
        for c in range(k):
            ax = axes[r, c]
            lo, hi = lims or (float(values[:, c].min()), float(values[:, c].max()) + 1e-3)
            if r == c:
                bins = np.linspace(lo, hi, 21)
                ax.hist([values[digits == g, c] for g in DIGITS], bins=bins, stacked=True, color=DIGIT_COLORS)
                ax.set_yticks([])
            else:
                ax.scatter(values[:, c], values[:, r], c=colors, s=3, alpha=0.5, linewidths=0, rasterized=True)
                if lims:
                    ax.set_ylim(*lims)
                    ax.set_yticks([-2, 0, 2])  # none at the edges, where neighbouring panels meet
            ax.set_xlim(lo, hi)
            if lims:
                ax.set_xticks([-2, 0, 2])
            ax.tick_params(labelsize=7)
            if r < k - 1:
                ax.set_xticklabels([])
            else:
                ax.set_xlabel(f"z{dims[c]}")
            if c > 0 and r != c:
                ax.set_yticklabels([])
            elif c == 0 and r > 0:
                ax.set_ylabel(f"z{dims[r]}")
    handles = [Line2D([], [], marker="o", linestyle="", color=DIGIT_COLORS[g], label=str(g)) for g in DIGITS]
    fig.legend(handles=handles, title="digit", loc="center right", frameon=False, fontsize=8)
    fig.subplots_adjust(left=0.1, bottom=0.08, right=1 - 0.9 / (1.9 * k + 0.9), top=0.98, wspace=0.08, hspace=0.08)
    return fig


def std_figure(std_img: np.ndarray, vmax: float):
    """The per-pixel standard deviation of the decoded samples, with its colour bar."""
    fig = charts.image_strip(std_img[None], [f"per-pixel std (mean {std_img.mean():.3f})"], size=2.3,
                             cmap=ERROR_CMAP, vmax=vmax)
    fig.colorbar(fig.axes[0].images[0], ax=fig.axes[0], fraction=0.046, pad=0.04)
    return fig
