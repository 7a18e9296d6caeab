"""Matplotlib figures of the lessons (``matplotlib.figure.Figure`` objects, no global figure
manager): traversals and 2-D
slices through a prototype, walks across an embedding, pairs of latent dimensions, per-pixel
spread maps and a true posterior on the latent plane. Builders for ``render.png``: pure functions of
their arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ui.draw import alt_text, raster, render
from ui.draw.style import (
    BEST_Q_COLOR,
    CHANGED_COLOR,
    DENSITY_CMAP,
    DIGIT_COLORS,
    DIGITS,
    ERROR_CMAP,
    FIGURE_DPI,
    IMAGE_CMAP,
    MIN_TEXT_PT,
    PAGE_PX,
    Q_COLOR,
)
from ui.draw.style import MOSAIC_TILE as TILE
from ui.lessons import words


def traversal_figure(
    imgs: np.ndarray,
    order: np.ndarray,
    values: np.ndarray,
    base: np.ndarray,
    digit: int,
    unused: frozenset[int] = frozenset(),
) -> raster.Raster:
    """Rows of sweeps (one per dimension in ``order``, those in ``unused`` labelled so); the tile
    nearest the prototype's value outlined. Drawn with Pillow (``axes_mosaic``)."""
    boxes = [
        (r, int(np.argmin(np.abs(values - base[j]))))
        for r, j in enumerate(order)
        if values[0] <= base[j] <= values[-1]
    ]
    return axes_mosaic(
        imgs,
        len(order),
        len(values),
        values,
        np.arange(len(order), dtype=float),
        "value of the swept dimension",
        "latent dimension",
        f"Traversals around the prototype of {digit}",
        size=4.6,
        left=1.4,
        row_labels=[words.z(j) + (" unused" if j in unused else "") for j in order],
        boxes=boxes,
    )


def slice_figure(
    imgs: np.ndarray, xs: np.ndarray, base: np.ndarray, dx: int, dy: int, digit: int
) -> raster.Raster:
    """The decoded n x n grid ``imgs`` over dimensions dx (across) and dy (up) around ``base``; the
    prototype marked with a cross. Drawn with Pillow (``axes_mosaic``)."""
    n, lo, hi = len(xs), float(xs[0]), float(xs[-1])
    cross = None
    if lo <= base[dx] <= hi and lo <= base[dy] <= hi:
        cross = (
            (base[dx] - lo) / (hi - lo) * (n - 1) * TILE + 13.5,
            (hi - base[dy]) / (hi - lo) * (n - 1) * TILE + 13.5,
        )
    return axes_mosaic(
        imgs,
        n,
        n,
        xs,
        xs,
        words.z(dx),
        words.z(dy),
        f"{words.z(dx)} × {words.z(dy)} around the prototype of {digit}",
        size=4.6,
        cross=cross,
    )


def axes_mosaic(
    images: np.ndarray,
    nrows: int,
    ncols: int,
    xs: np.ndarray,
    ys: np.ndarray,
    xlabel: str,
    ylabel: str,
    title: str,
    size: float = 5.5,
    left: float = 0.9,
    row_labels: list[str] | None = None,
    boxes: list[tuple[int, int]] = (),
    cross: tuple[float, float] | None = None,
    column_px: float = PAGE_PX,
) -> raster.Raster:
    """``png_figures.mosaic_figure`` with axes, drawn with Pillow (a few ms where Matplotlib took
    0.1-0.2 s): the mosaic ``size`` inches wide at FIGURE_DPI (narrower if the whole would pass
    the column it is shown in, ``column_px``: see ``style.fit_inches``), columns and rows labelled
    with ``xs`` / ``ys`` (y pointing up), every one or as few as keep the labels apart, or
    ``row_labels`` per row; tick labels, row labels and axis labels 10 pt, the title 12 pt (in
    lines, if wider than the picture), an outline on the tiles ``boxes`` ((row, col)) and a cross
    at ``cross`` (the mosaic's own pixel coordinates), both in the second digit colour. Text and
    lines are in points, times presenter mode's text scale, as a figure's would be."""
    from PIL import Image, ImageDraw

    from vae.mosaic import tile

    scale = render.PRESENT_TEXT_SCALE if render.presenting() else 1.0
    ppi = float(FIGURE_DPI)
    pt = lambda v: max(1, round(v * scale * ppi / 72))  # noqa: E731 - points -> pixels
    big = np.clip(
        np.nan_to_num(tile(np.asarray(images, dtype=np.float32), ncols)), 0.0, 1.0
    )  # (H, W)
    f_tick, f_row, f_label, f_title = (
        raster._font(pt(v)) for v in (MIN_TEXT_PT, MIN_TEXT_PT, MIN_TEXT_PT, 12)
    )
    x_text = [f"{v:.1f}" for v in xs]
    y_text = row_labels if row_labels is not None else [f"{v:.1f}" for v in ys[::-1]]
    f_y = f_row if row_labels is not None else f_tick
    tick, gap, pad = pt(3.5), pt(3.5), round(0.1 * ppi)
    y_w = max(round(f_y.getlength(t)) for t in y_text)
    lab_h = f_label.size + 4
    line = pt(0.8)
    left_px = max(round(left * ppi), pad + lab_h + gap + y_w + gap + tick)
    right_px = pad + round(max(f_tick.getlength(t) for t in x_text) / 2)
    room = round(render.fit_inches(column_px) * ppi)  # the most pixels across
    w = max(ncols * 8, min(round(size * ppi), room - left_px - right_px))
    h = round(w * big.shape[0] / big.shape[1])
    sx, sy = w / big.shape[1], h / big.shape[0]  # output pixels per mosaic pixel

    def every(need: float, pitch: float, n: int) -> int:
        """Label every k-th tile: the fewest steps that keep labels ``need`` px apart (and at
        most about 8 labels, as a figure's axis would have)."""
        k = max(1, n // 8)
        while k < n and k * pitch < need:
            k += 1
        return k

    kx = every(max(f_tick.getlength(t) for t in x_text) + 2 * gap, TILE * sx, ncols)
    x_ticks = [((c * TILE + 13.5) * sx, x_text[c]) for c in range(0, ncols, kx)]
    if row_labels is not None:
        y_ticks = [((r * TILE + 13.5) * sy, row_labels[r]) for r in range(nrows)]
    else:
        ky = every(f_tick.size + gap, TILE * sy, nrows)
        y_ticks = [((r * TILE + 13.5) * sy, y_text[r]) for r in range(0, nrows, ky)]
    width = left_px + w + right_px
    titles = raster._wrap(title, f_title, width - 2 * pad) if title else []
    step = round(f_title.size * 1.2)
    top_px = pad + ((f_title.size + 2 * gap + step * (len(titles) - 1)) if titles else 0)
    bottom_px = tick + gap + f_tick.size + 2 * gap + lab_h + pad
    body = Image.fromarray(
        raster._lut(IMAGE_CMAP, 1.0)[np.round(big * 255).astype(np.uint8)], "RGBA"
    ).resize((w, h), Image.Resampling.NEAREST)
    canvas = Image.new("RGBA", (width, top_px + h + bottom_px), (0, 0, 0, 0))
    canvas.paste(body, (left_px, top_px))
    draw = ImageDraw.Draw(canvas)
    ink = raster._rgb(render.ink()) + (255,)
    texts: list[tuple[float, float, float, float]] = []  # every text's box, for overlaps

    def text(xy: tuple[float, float], s: str, font, anchor: str) -> None:
        draw.text(xy, s, font=font, fill=ink, anchor=anchor)
        texts.append(draw.textbbox(xy, s, font=font, anchor=anchor))

    draw.rectangle(
        (left_px - line, top_px - line, left_px + w + line - 1, top_px + h + line - 1),
        outline=ink,
        width=line,
    )
    for x, t in x_ticks:
        draw.line(
            (left_px + x, top_px + h + line, left_px + x, top_px + h + line + tick),
            fill=ink,
            width=line,
        )
        text((left_px + x, top_px + h + line + tick + gap), t, f_tick, "mt")
    for y, t in y_ticks:
        draw.line(
            (left_px - line - tick, top_px + y, left_px - line, top_px + y), fill=ink, width=line
        )
        text((left_px - line - tick - gap, top_px + y), t, f_y, "rm")
    text((left_px + w / 2, top_px + h + bottom_px - pad - lab_h), xlabel, f_label, "mt")
    if ylabel:
        lab = Image.new("RGBA", (round(f_label.getlength(ylabel)) + 4, lab_h), (0, 0, 0, 0))
        ImageDraw.Draw(lab).text((2, 0), ylabel, font=f_label, fill=ink, anchor="la")
        rot = lab.rotate(90, expand=True)
        x_lab = left_px - line - tick - gap - y_w - gap - rot.width
        canvas.alpha_composite(rot, (max(x_lab, 0), max(top_px + (h - rot.height) // 2, 0)))
    for k, t in enumerate(titles):  # over the mosaic, never past the picture's edges
        half = f_title.getlength(t) / 2
        x = min(max(left_px + w / 2, pad + half), width - pad - half)
        text((x, top_px - gap - step * (len(titles) - 1 - k)), t, f_title, "md")
    mark = raster._rgb(DIGIT_COLORS[1]) + (255,)
    for r, c in boxes:
        x0, y0 = left_px + (c * TILE - 0.5) * sx, top_px + (r * TILE - 0.5) * sy
        draw.rectangle((x0, y0, x0 + 28 * sx, y0 + 28 * sy), outline=mark, width=pt(1.5))
    if cross is not None:
        cx, cy, arm = left_px + cross[0] * sx, top_px + cross[1] * sy, pt(14) / 2
        draw.line((cx - arm, cy, cx + arm, cy), fill=mark, width=pt(2.5))
        draw.line((cx, cy - arm, cx, cy + arm), fill=mark, width=pt(2.5))
    sizes = [f_tick.size, f_label.size] + ([f_title.size] if titles else [])
    sizes += [f_row.size] if row_labels is not None else []
    return raster.Raster(np.asarray(canvas), float(min(sizes)), raster.count_overlaps(texts))


def walk_figure(
    decoded: np.ndarray,
    originals: np.ndarray,
    idx: np.ndarray,
    digits: np.ndarray,
    straight: np.ndarray | None = None,
    column_px: float = PAGE_PX,
) -> raster.Raster:
    """Labelled rows in one image (drawn with Pillow): the decoded codes over the test images they
    come from and, with ``straight``, above them the decoded straight line in the latent space
    between the first and the last of those codes (the labels under the tiles are the test
    images'); for a column ``column_px`` wide (``style.fit_inches``)."""
    n = len(idx)
    rows = ([straight] if straight is not None else []) + [decoded, originals]
    names = (["straight line\nin the latent"] if straight is not None else []) + [
        "decoded code",
        "test image",
    ]
    labels = [f"{k + 1}\n#{i}\ndigit {d}" for k, (i, d) in enumerate(zip(idx, digits))]
    return raster.rows(
        [np.asarray(r) for r in rows],
        names,
        [[] for _ in rows[:-1]] + [labels],
        render.column_inches(max(3.0, 0.95 * n) / n),
        IMAGE_CMAP,
        1.0,
        render.ink(),
        fontsize=10,
        text_scale=render.PRESENT_TEXT_SCALE if render.presenting() else 1.0,
        fit=render.fit_inches(column_px),
    )


def pair_figure(
    values: np.ndarray,
    digits: np.ndarray,
    dims: list[int],
    lims: tuple[float, float] | None,
    column_px: float = PAGE_PX,
):
    """A pair plot of codes (n, k) in dimensions ``dims``: scatters off the diagonal, stacked
    per-digit histograms on it, coloured by digit; ``lims`` fixes every axis (a VAE's latent range).
    Drawn as one image: sixteen interactive charts of a cloud each were the slowest thing for a
    browser to draw in the whole app. As wide as its column ``column_px`` allows (``fit_inches``),
    panels at most 1.9 inches, every text 10 pt."""
    k = len(dims)
    colors = np.asarray(DIGIT_COLORS)[digits.astype(int)]  # (n,)
    margin, legend = 0.6, 0.9  # inches: tick and axis labels at the left and bottom; the legend
    panel = min(1.9, (render.fit_inches(column_px) - margin - legend) / k)
    fig = Figure(figsize=(margin + panel * k + legend, margin + panel * k))
    axes = fig.subplots(k, k, squeeze=False)
    for r in range(k):
        for c in range(k):
            ax = axes[r, c]
            lo, hi = lims or (float(values[:, c].min()), float(values[:, c].max()) + 1e-3)
            if r == c:
                bins = np.linspace(lo, hi, 21)
                # one filled outline per digit, stacked (as bars would be, without 200 rectangles to
                # draw)
                ax.hist(
                    [values[digits == g, c] for g in DIGITS],
                    bins=bins,
                    stacked=True,
                    color=DIGIT_COLORS,
                    histtype="stepfilled",
                )
                ax.set_yticks([])
            else:
                ax.scatter(
                    values[:, c],
                    values[:, r],
                    c=colors,
                    s=3,
                    alpha=0.5,
                    linewidths=0,
                    rasterized=True,
                )
                if lims:
                    ax.set_ylim(*lims)
                    ax.set_yticks([-2, 0, 2])  # none at the edges, where neighbouring panels meet
            ax.set_xlim(lo, hi)
            if lims:
                ax.set_xticks([-2, 0, 2])
            ax.tick_params(labelsize=MIN_TEXT_PT)
            if r < k - 1:
                ax.set_xticklabels([])
            else:
                ax.set_xlabel(words.z(dims[c]))
            if c > 0 and r != c:
                ax.set_yticklabels([])
            elif c == 0 and r > 0:
                ax.set_ylabel(words.z(dims[r]))
    handles = [
        Line2D([], [], marker="o", linestyle="", color=DIGIT_COLORS[g], label=str(g))
        for g in DIGITS
    ]
    fig.legend(
        handles=handles,
        title="digit",
        loc="center right",
        frameon=False,
        fontsize=MIN_TEXT_PT,
        title_fontsize=MIN_TEXT_PT,
    )
    w, h = fig.get_size_inches()
    fig.subplots_adjust(
        left=margin / w,
        bottom=margin / h,
        right=1 - legend / w,
        top=1 - 0.05 / h,
        wspace=0.08,
        hspace=0.08,
    )
    return fig


# the largest standard deviation a pixel value in [0, 1] can have: the std map's fixed scale
STD_MAX = 0.5


def std_figure(std_img: np.ndarray, column_px: float = PAGE_PX) -> raster.Raster:
    """The per-pixel standard deviation of decoded samples (28, 28) on the fixed scale 0 .. 0.5,
    with a labelled colour bar, so that two images' maps compare (drawn with Pillow: a few ms),
    for a column ``column_px`` wide (``style.fit_inches``)."""
    return raster.heatmap(
        std_img,
        ERROR_CMAP,
        STD_MAX,
        render.ink(),
        f"per-pixel std (mean {float(np.mean(std_img)):.3f})",
        [(t, f"{t:.1f}") for t in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)],
        text_scale=render.PRESENT_TEXT_SCALE if render.presenting() else 1.0,
        fit=render.fit_inches(column_px),
    )


def entropy_figure(h: np.ndarray, column_px: float = PAGE_PX) -> raster.Raster:
    """Per-pixel entropy of one mean image (28, 28) in nats on the fixed scale 0 .. ln 2, with a
    labelled colour bar (drawn with Pillow: a few ms), for a column ``column_px`` wide
    (``style.fit_inches``)."""
    ln2 = float(np.log(2))
    return raster.heatmap(
        h,
        ERROR_CMAP,
        ln2,
        render.ink(),
        "entropy per pixel",
        [(0.0, "0"), (0.2, "0.2"), (0.4, "0.4"), (ln2, "ln 2")],
        bar_label="nats",
        text_scale=render.PRESENT_TEXT_SCALE if render.presenting() else 1.0,
        fit=render.fit_inches(column_px),
    )


def _ellipse_xy(mu: np.ndarray, logvar: np.ndarray, k: float) -> tuple[np.ndarray, np.ndarray]:
    t = np.linspace(0, 2 * np.pi, 121)
    sd = np.exp(0.5 * np.asarray(logvar, dtype=np.float64))
    return mu[0] + k * sd[0] * np.cos(t), mu[1] + k * sd[1] * np.sin(t)


@dataclass(frozen=True, eq=False)
class PosteriorDrawn:
    """What ``posterior_figure`` draws and ``posterior_alt`` puts in words: one set of numbers for
    the picture and its text alternative. (eq=False: arrays have no single truth value;
    ``render.fingerprint`` keys it by its fields' values.)"""

    density: np.ndarray  # (ny, nx) the exact p(z|x) per unit area, on the cell centres xs, ys
    xs: np.ndarray  # (nx,) the grid's cell centres along z1
    ys: np.ndarray  # (ny,) and along z2
    mu: np.ndarray  # (2,) the encoder's q(z|x): its mean
    logvar: np.ndarray  # (2,) and its log variance per axis
    mu_fit: np.ndarray | None  # (2,) the mean of q refined for this image; None: none drawn
    logvar_fit: np.ndarray | None  # (2,) its log variance (given with mu_fit)


def posterior_figure(p: PosteriorDrawn, codes: np.ndarray, digits: np.ndarray, title: str):
    """The true posterior p(z|x) (``p.density`` (ny, nx) per unit area on cell centres xs, ys) as a
    heat map, equal aspect and z2 up, zoomed to 99.9 % of the posterior and both ellipses, at most
    twice as wide as tall (beyond the grid the density is ~0, drawn as the map's zero colour); the
    encoder's q(z|x) at 1 and 2 sigma (black,
    solid and dotted); a refined Gaussian (dashed magenta, if given); up to 400 test codes in view
    as small dots in their digit's colour. Sized to be shown about 560 px wide, text >= 10 pt."""
    import matplotlib

    density, xs, ys, mu, logvar = p.density, p.xs, p.ys, p.mu, p.logvar
    mu_fit, logvar_fit = p.mu_fit, p.logvar_fit
    fig = Figure(
        figsize=(5.0, 4.6), layout="constrained"
    )  # colour bar, labels and legend kept inside
    ax = fig.add_subplot()
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    extent = (xs[0] - dx / 2, xs[-1] + dx / 2, ys[0] - dy / 2, ys[-1] + dy / 2)
    # the view: where 99.9 % of the posterior lies, and both ellipses at 2 sigma, with a margin
    order = np.argsort(density.ravel())[::-1]
    top = order[
        : int(np.searchsorted(np.cumsum(density.ravel()[order]) / density.sum(), 0.999)) + 1
    ]
    gx, gy = np.meshgrid(xs, ys)
    bx, by = [gx.ravel()[top]], [gy.ravel()[top]]
    for m, lv in ((mu, logvar), (mu_fit, logvar_fit)):
        if m is not None:
            ex, ey = _ellipse_xy(m, lv, 2.0)
            bx.append(ex)
            by.append(ey)
    bx, by = np.concatenate(bx), np.concatenate(by)
    lo, hi = np.array([bx.min(), by.min()]), np.array([bx.max(), by.max()])
    span = np.maximum(hi - lo, 1e-3) * 1.3
    w, h = (
        max(span[0], span[1] / 2),
        max(span[1], span[0] / 2),
    )  # at most 2:1, so a strip is not squashed
    cx, cy = (lo + hi) / 2
    view = (cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2)
    cmap = matplotlib.colormaps[DENSITY_CMAP]
    ax.set_facecolor(cmap(0.0))
    im = ax.imshow(
        density,
        origin="lower",
        extent=extent,
        cmap=cmap,
        interpolation="nearest",
        aspect="equal",
        vmin=0.0,
    )
    cb = fig.colorbar(im, ax=ax, shrink=0.9)
    cb.set_label("p(z | x) per unit area", fontsize=10)
    cb.ax.tick_params(labelsize=10)
    inside = np.flatnonzero(
        (codes[:, 0] >= view[0])
        & (codes[:, 0] <= view[1])
        & (codes[:, 1] >= view[2])
        & (codes[:, 1] <= view[3])
    )[:400]
    ax.scatter(
        codes[inside, 0],
        codes[inside, 1],
        s=9,
        c=[DIGIT_COLORS[int(d)] for d in digits[inside]],
        edgecolors="white",
        linewidths=0.3,
        alpha=0.85,
        zorder=2,
    )
    for k, style in ((1.0, "-"), (2.0, ":")):
        ax.plot(
            *_ellipse_xy(mu, logvar, k),
            color=Q_COLOR,
            lw=2,
            ls=style,
            zorder=4,
            label="encoder's q, 1σ and 2σ" if k == 1 else None,
        )
    ax.plot([mu[0]], [mu[1]], marker="x", color=Q_COLOR, ms=9, mew=2, zorder=5, ls="none")
    if mu_fit is not None:
        ax.plot(
            *_ellipse_xy(mu_fit, logvar_fit, 1.0),
            color=BEST_Q_COLOR,
            lw=2,
            ls="--",
            zorder=4,
            label="refined q, 1σ",
        )
        ax.plot(
            [mu_fit[0]],
            [mu_fit[1]],
            marker="+",
            color=BEST_Q_COLOR,
            ms=11,
            mew=2,
            zorder=5,
            ls="none",
        )
    ax.set_xlim(view[0], view[1])
    ax.set_ylim(view[2], view[3])
    ax.set_aspect("equal")
    ax.set_xlabel("z₁", fontsize=11)
    ax.set_ylabel("z₂", fontsize=11)
    ax.tick_params(labelsize=10)
    ax.set_title(title, fontsize=11)
    # a legend box in the map's own (light) colour, so the black ellipse reads in the dark theme too
    fig.legend(
        loc="outside lower center",
        ncol=2,
        fontsize=10,
        frameon=True,
        facecolor=cmap(0.0),
        edgecolor="none",
        labelcolor="black",
    )
    return fig


# --- text alternatives of these figures (``render.show(png, alt=...)``), from the numbers they draw
# ---------------


def traversal_alt(
    name: str, order: list[int], values: np.ndarray, digit: int, change: np.ndarray
) -> str:
    """What ``traversal_figure`` shows, and which row changes the picture most (``change``: per
    row)."""
    top = int(np.argmax(change))
    return (
        f"Traversals of {name} from the prototype of digit {digit}: {len(order)} rows, one per "
        "latent dimension "
        f"({alt_text.listing(words.z(j) for j in order)}), each moving that dimension alone from "
        f"{values[0]:.1f} to "
        f"{values[-1]:.1f} in {len(values)} steps and decoding. The picture changes most along "
        f"{words.z(order[top])} (mean change per pixel, summed over the steps, {change[top]:.3f}) "
        "and least along "
        f"{words.z(order[int(np.argmin(change))])} ({float(np.min(change)):.3f})."
    )


def slice_alt(name: str, xs: np.ndarray, base: np.ndarray, dx: int, dy: int, digit: int) -> str:
    """What ``slice_figure`` shows."""
    inside = xs[0] <= base[dx] <= xs[-1] and xs[0] <= base[dy] <= xs[-1]
    return (
        f"A {len(xs)} × {len(xs)} grid decoded by {name} around the prototype of digit {digit}: "
        f"{words.z(dx)} from "
        f"{xs[0]:.1f} to {xs[-1]:.1f} across, {words.z(dy)} over the same range upward, every "
        "other dimension at the prototype's value. "
        + (
            f"A cross marks the prototype, at {words.z(dx)} = {base[dx]:.2f}, "
            f"{words.z(dy)} = {base[dy]:.2f}."
            if inside
            else f"The prototype ({base[dx]:.2f}, {base[dy]:.2f}) lies outside this range."
        )
    )


def walk_alt(name: str, idx: np.ndarray, digits: np.ndarray, straight: bool, method: str) -> str:
    """What ``walk_figure`` shows: the test images along a line on a map, their decoded codes."""
    return alt_text.rows(
        f"The {len(idx)} test codes nearest a line drawn on {name}'s {method} map, in order along "
        "it: "
        f"digits {alt_text.digits(digits)}. "
        + (
            "Top row: the straight line in the latent space from the first "
            "code to the last, decoded. "
            if straight
            else ""
        )
        + "Then each code decoded, and the test image it comes from",
        (["straight line in the latent"] if straight else []) + ["decoded code", "test image"],
        [[] for _ in range(1 + straight)]
        + [[f"{k + 1}: #{i}, digit {d}" for k, (i, d) in enumerate(zip(idx, digits))]],
    )


def pair_alt(name: str, values: np.ndarray, digits: np.ndarray, dims: list[int]) -> str:
    """What ``pair_figure`` shows, with each dimension's spread and the digits lying lowest and
    highest along it."""
    parts = []
    for c, j in enumerate(dims):
        means = np.array(
            [values[digits == g, c].mean() if (digits == g).any() else np.nan for g in DIGITS]
        )
        parts.append(
            f"{words.z(j)} spans {np.percentile(values[:, c], 5):.1f} to "
            f"{np.percentile(values[:, c], 95):.1f} "
            f"(5-95 %), lowest on average for digit {int(np.nanargmin(means))}, highest for digit "
            f"{int(np.nanargmax(means))}"
        )
    return (
        f"Pair plot of {len(values):,} test codes of {name} in "
        f"{alt_text.listing(words.z(j) for j in dims)}, coloured by "
        "digit: scatter plots of each pair, and per-digit histograms on the diagonal. "
        + "; ".join(parts)
        + "."
    )


def std_alt(std_img: np.ndarray, who: str) -> str:
    """What ``std_figure`` shows: the mean, the largest value and where the spread lies."""
    s = np.asarray(std_img, dtype=np.float64)
    return (
        f"Heat map of the per-pixel standard deviation of {who}, on a fixed scale 0 to "
        f"{STD_MAX:g}: mean "
        f"{float(s.mean()):.3f}, largest {float(s.max()):.2f}; {float((s > 0.1).mean()):.0%} of "
        "the pixels vary by more "
        f"than 0.1, mostly toward the {alt_text.where_mass(s)} of the image."
    )


def entropy_alt(h: np.ndarray) -> str:
    """What ``entropy_figure`` shows: the total, the largest value and where the uncertain pixels
    lie."""
    h = np.asarray(h, dtype=np.float64)
    return (
        f"Heat map of each pixel's entropy, 0 to ln 2 nats: summed {float(h.sum()):.1f} nats, "
        "largest "
        f"{float(h.max()):.2f}; {int((h > 0.35).sum())} of 784 pixels are above 0.35 nats (near a "
        "coin flip), "
        f"mostly toward the {alt_text.where_mass(h)} of the image."
    )


def posterior_alt(p: PosteriorDrawn, what: str, steps: int | None) -> str:
    """What ``posterior_figure`` shows: where the exact posterior peaks and lies, the encoder's q
    and the refined one."""
    mu, mu_fit = p.mu, p.mu_fit
    w = np.asarray(p.density, dtype=np.float64)
    gx, gy = np.meshgrid(p.xs, p.ys)  # (ny, nx) each, as the map
    peak = np.unravel_index(int(np.argmax(w)), w.shape)
    mean = ((gx * w).sum() / w.sum(), (gy * w).sum() / w.sum())
    sd = np.exp(0.5 * np.asarray(p.logvar, dtype=np.float64))
    out = (
        f"Heat map of the exact posterior p(z|x) of {what} over the latent plane (z₁ across, z₂ "
        "up): it peaks at "
        f"({gx[peak]:.2f}, {gy[peak]:.2f}), its mean at ({mean[0]:.2f}, {mean[1]:.2f}). Black "
        "ellipses: the encoder's "
        f"q(z|x), centred at ({mu[0]:.2f}, {mu[1]:.2f}) with σ = ({sd[0]:.3f}, {sd[1]:.3f}), at 1σ "
        "and 2σ."
    )
    if mu_fit is not None:
        sf = np.exp(0.5 * np.asarray(p.logvar_fit, dtype=np.float64))
        out += (
            " Dashed magenta: q refined for this image"
            + (f" ({steps} gradient steps)" if steps is not None else "")
            + f", centred at ({mu_fit[0]:.2f}, {mu_fit[1]:.2f}) "
            f"with σ = ({sf[0]:.3f}, {sf[1]:.3f})."
        )
    return out + " Dots: test codes in view, coloured by digit."


def mosaic_figure(
    images: np.ndarray,
    nrows: int,
    ncols: int,
    xs: np.ndarray | None = None,
    ys: np.ndarray | None = None,
    xlabel: str = "",
    ylabel: str = "",
    title: str = "",
    size: float = 5.5,
    left: float = 0.9,
    column_px: float = PAGE_PX,
) -> raster.Raster:
    """An image mosaic (row-major, top row first), drawn with Pillow (a few ms) for a column
    ``column_px`` wide (``style.fit_inches``). With ``xs``/``ys`` the axes are in latent units
    (``axes_mosaic``: ticks, y pointing up); otherwise no axes."""
    if xs is None or ys is None:  # no axes: pixels and a title
        return raster.mosaic(
            images,
            nrows,
            ncols,
            render.column_inches(size),
            IMAGE_CMAP,
            render.ink(),
            title,
            render.PRESENT_TEXT_SCALE if render.presenting() else 1.0,
            fit=render.fit_inches(column_px),
        )
    return axes_mosaic(
        images,
        nrows,
        ncols,
        np.asarray(xs),
        np.asarray(ys),
        xlabel,
        ylabel,
        title,
        size=size,
        left=left,
        column_px=column_px,
    )


def mosaic_png_figure(png_data: bytes, nrows: int, ncols: int, **kwargs: Any) -> raster.Raster:
    """``mosaic_figure`` of the tiles of an 8-bit mosaic PNG (``vae.mosaic.mosaic_png``)."""
    from vae.mosaic import png_images

    return mosaic_figure(png_images(png_data, nrows, ncols), nrows, ncols, **kwargs)


def _rows_figure(
    rows: list[np.ndarray],
    row_names: list[str] | None,
    captions: list[list[str]] | None,
    size: float,
    cmap: str,
    vmax: float,
    title: str = "",
    fontsize: float | None = None,
    marks: list[list[bool]] | None = None,
    column_px: float = PAGE_PX,
) -> raster.Raster:
    """Rows of images, captions under them, drawn with Pillow (``ui.draw.raster.rows``: a few ms
    where a Matplotlib figure took 0.05-0.15 s) in the theme's ink, presenter mode's text scale
    included, for a column ``column_px`` wide (``style.fit_inches``); ``marks`` frames the images
    flagged True (and colours their captions) in CHANGED_COLOR."""
    return raster.rows(
        [np.asarray(r) for r in rows],
        row_names,
        captions,
        render.column_inches(size),
        cmap,
        vmax,
        render.ink(),
        title,
        fontsize,
        marks,
        CHANGED_COLOR,
        render.PRESENT_TEXT_SCALE if render.presenting() else 1.0,
        fit=render.fit_inches(column_px),
    )


def image_strip(
    images: np.ndarray,
    labels: list[str] | None = None,
    title: str = "",
    size: float = 1.1,
    cmap: str = IMAGE_CMAP,
    vmax: float = 1.0,
    fontsize: float | None = None,
    column_px: float = PAGE_PX,
) -> raster.Raster:
    """One row of images with a caption under each (``fontsize``: of the captions, 10 pt and at
    least that), for a column ``column_px`` wide."""
    return _rows_figure(
        [np.asarray(images)],
        None,
        [labels] if labels else None,
        size,
        cmap,
        vmax,
        title,
        fontsize,
        column_px=column_px,
    )


def image_rows(
    rows: dict[str, np.ndarray],
    captions: list[list[str]] | None = None,
    size: float = 1.0,
    fontsize: float | None = None,
    marks: list[list[bool]] | None = None,
    column_px: float = PAGE_PX,
) -> raster.Raster:
    """Several labelled rows of images (same count per row), e.g. originals and reconstructions
    (``fontsize``: of row names and captions, 10 pt and at least that; ``marks``: images to frame),
    for a column ``column_px`` wide."""
    return _rows_figure(
        [np.asarray(v) for v in rows.values()],
        list(rows),
        captions,
        size,
        IMAGE_CMAP,
        1.0,
        fontsize=fontsize,
        marks=marks,
        column_px=column_px,
    )


def wrap_rows(
    images: np.ndarray, per_row: int, what: str = "sample"
) -> tuple[dict[str, np.ndarray], list[list[str]]]:
    """n images as rows of ``per_row`` for ``image_rows`` (the last row padded with blanks): rows
    named
    "1–4", "5–8", …, each image captioned "sample 1", "sample 2", …"""
    n = len(images)
    n_rows = -(-n // per_row)
    padded = np.zeros(
        (n_rows * per_row, *images.shape[1:]), dtype=np.float32
    )  # (rows * per_row, 28, 28)
    padded[:n] = images
    names = [f"{r * per_row + 1}–{min((r + 1) * per_row, n)}" for r in range(n_rows)]
    rows = {nm: padded[r * per_row : (r + 1) * per_row] for r, nm in enumerate(names)}
    caps = [
        [f"{what} {r * per_row + c + 1}" if r * per_row + c < n else "" for c in range(per_row)]
        for r in range(n_rows)
    ]
    return rows, caps
