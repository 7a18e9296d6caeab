"""How far the ELBO is from log p(x), exactly, for a model with a 2-D latent.

With two latent dimensions the evidence p(x) = integral of p(x|z) p(z) dz can be computed by
quadrature on a grid, so the ELBO's gap is a number, not a guess:

    log p(x) = ELBO(q) + KL(q(z|x) || p(z|x)).

The gap splits in two (Cremer, Li & Duvenaud 2018, "Inference Suboptimality in Variational
Autoencoders"): the best Gaussian q* for this one image (found by gradient ascent on its own mu
and log sigma, the encoder frozen) closes the *amortization* gap ELBO(q*) - ELBO(q_encoder);
what is left, log p(x) - ELBO(q*), is the *approximation* gap a Gaussian cannot close.

The decoder does not depend on x, so a grid is decoded once per model (:func:`decode_grid`) and
log p(x|z) at every grid point is then one matrix product per image: with logits l and a grey-level
image x, log p(x|z) = sum_pixels x * l - softplus(l) (the Bernoulli log-likelihood the models are
trained with, ``vae.losses.recon_bce``). Everything is in nats per image; log quantities here
are log-likelihoods (higher is better), the negatives of the losses other pages show.

Grids, log p(x) and the posterior are NumPy (a NumPy model decodes the grids, ``vae.arrays``);
torch is imported only for the refinement, which needs gradients, and the ELBO of a Gaussian,
which shares its code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import logsumexp, softmax

from vae import arrays
from vae.config import ModelConfig
from vae.likelihood import log_normal

if TYPE_CHECKING:
    from torch import Tensor

    from vae.arrays import AnyModel as Model

_LOG_2PI = math.log(2 * math.pi)
COARSE_N = 81  # coarse grid points per axis: finds where the posterior has mass
FINE_N = (32, 64)  # fine grid points per axis: at least, at most
STEPS_PER_SD = 2.5  # fine grid step: at most 1 / 2.5 of the narrower of q's and p(z|x)'s widths
MASS_LOG_RATIO = 15.0  # cells within this many nats of the densest one bound the fine box
Q_SDS = 6.0  # the fine box also holds q(z|x) to this many standard deviations


@dataclass(frozen=True)
class Grid:
    """Cell centres of a rectangular grid over the latent plane (midpoint rule)."""

    xs: np.ndarray  # (nx,) z1 of the cell centres, increasing
    ys: np.ndarray  # (ny,) z2 of the cell centres, increasing

    @property
    def area(self) -> float:
        """Area of one cell."""
        return float((self.xs[1] - self.xs[0]) * (self.ys[1] - self.ys[0]))

    @property
    def shape(self) -> tuple[int, int]:
        """(ny, nx): rows are z2, as an image with the y axis up once flipped."""
        return len(self.ys), len(self.xs)

    def points(self) -> np.ndarray:
        """All cell centres, row-major (z2 outer, z1 inner). -> (ny * nx, 2)"""
        gx, gy = np.meshgrid(self.xs, self.ys)  # (ny, nx) each
        return np.stack([gx.ravel(), gy.ravel()], axis=1)


def grid_over(lo: np.ndarray, hi: np.ndarray, nx: int, ny: int) -> Grid:
    """nx x ny cells covering the box [lo, hi] (2,) exactly; centres half a cell inside."""
    dx, dy = (hi[0] - lo[0]) / nx, (hi[1] - lo[1]) / ny
    return Grid(lo[0] + dx * (np.arange(nx) + 0.5), lo[1] + dy * (np.arange(ny) + 0.5))


@dataclass(frozen=True)
class DecodedGrid:
    """A grid decoded once by a model: what log p(x|z) needs for any image x."""

    grid: Grid
    logits: np.ndarray  # (G, 784) decoder logits at every cell centre, float32 (float16: compact)
    softplus_sum: np.ndarray  # (G,) sum over pixels of softplus(logits), float64

    def log_likelihood(self, x: np.ndarray) -> np.ndarray:
        """log p(x|z) at every cell centre for one image x (28, 28) in [0, 1]. -> (G,) float64"""
        xt = np.asarray(x, dtype=np.float32).reshape(-1)  # (784,)
        logits = self.logits.astype(np.float32, copy=False)  # (G, 784); no copy when float32
        return (logits @ xt).astype(np.float64) - self.softplus_sum

    def compact(self) -> DecodedGrid:
        """The same grid with its logits kept as float16: half the memory (a coarse grid of 81 x 81
        cells: 10 MB instead of 21 MB), for a grid that only *places* the grids the integrals use
        (``fine_box``). The logits' rounding (relative 2^-11) moves log p(x|z) by hundredths of
        a nat, against the 15 nats that bound the box; ``softplus_sum`` stays the float32
        logits' exact sum."""
        return DecodedGrid(self.grid, self.logits.astype(np.float16), self.softplus_sum)

    def log_joint(self, x: np.ndarray) -> np.ndarray:
        """log p(x|z) + log p(z) at every cell centre, prior N(0, I). -> (G,)"""
        z = self.grid.points()
        return self.log_likelihood(x) - 0.5 * (2 * _LOG_2PI + (z**2).sum(axis=1))


def decode_grid(model: Model, grid: Grid, batch_size: int = 2048) -> DecodedGrid:
    """Decode every cell centre of ``grid`` (a 2-D model, y-free) once."""
    logits = arrays.decode_logits(model, grid.points(), batch=batch_size)
    logits = logits.reshape(len(logits), -1)  # (G, 784)
    softplus = np.logaddexp(np.float32(0), logits)  # (G, 784) float32, as torch's softplus
    return DecodedGrid(grid, logits, softplus.sum(axis=1, dtype=np.float64))


def decoded_coarse_grid(model: Model, codes: np.ndarray) -> DecodedGrid:
    """The model's ``coarse_grid`` over its codes (N, 2), decoded once and kept ``compact``: what
    ``image_bound`` places every image's fine grid with (the ELBO page per model and server, the
    build per model)."""
    return decode_grid(model, coarse_grid(codes)).compact()


def coarse_grid(codes: np.ndarray, n: int = COARSE_N) -> Grid:
    """A square grid over the prior's bulk (+-4.5) and the model's codes (0.1 % to 99.9 %, with a
    margin): where a test image's posterior can have mass. ``codes``: (N, 2) posterior means."""
    q = np.quantile(codes, [0.001, 0.999], axis=0)  # (2, 2)
    lo = np.minimum(-4.5, q[0] - 0.5).min()
    hi = np.maximum(4.5, q[1] + 0.5).max()
    return grid_over(np.array([lo, lo]), np.array([hi, hi]), n, n)


def log_evidence(log_joint: np.ndarray, area: float) -> float:
    """log p(x) by the midpoint rule: log sum_i p(x, z_i) * cell area."""
    return float(logsumexp(np.asarray(log_joint, dtype=np.float64))) + math.log(area)


def posterior(log_joint: np.ndarray) -> np.ndarray:
    """p(z|x) as probabilities of the cells (they sum to 1). -> (G,)"""
    return softmax(np.asarray(log_joint, dtype=np.float64))


def moments(points: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean (2,) and standard deviation (2,) of the cell centres under ``weights`` (sum 1)."""
    mean = weights @ points
    return mean, np.sqrt(np.maximum(weights @ (points - mean) ** 2, 0.0))


def fine_box(
    around: Grid,
    around_log_joint: np.ndarray,
    mu: np.ndarray,
    logvar: np.ndarray,
    n_range: tuple[int, int] = FINE_N,
) -> tuple[Grid, float]:
    """A grid to integrate on for one image, placed with a cruder grid ``around`` and its log p(x,
    z):
    it holds every cell of ``around`` within ``MASS_LOG_RATIO`` nats of the densest one (a second
    mode too) and q(z|x) to ``Q_SDS`` standard deviations, with a step of at most 1 /
    ``STEPS_PER_SD``
    of the narrower of q's and the posterior's widths (``n_range`` points per axis at least and at
    most, an even number). Returns the grid and the width it was sized for."""
    pts = around.points()
    keep = around_log_joint >= around_log_joint.max() - MASS_LOG_RATIO
    step = np.array([around.xs[1] - around.xs[0], around.ys[1] - around.ys[0]])
    sd_q = np.exp(0.5 * np.asarray(logvar, dtype=np.float64))
    lo, hi = pts[keep].min(axis=0) - step, pts[keep].max(axis=0) + step
    q_lo, q_hi = mu - Q_SDS * sd_q, mu + Q_SDS * sd_q
    _, sd_post = moments(pts, posterior(around_log_joint))
    width = float(max(sd_post.min(), step.min() / 2))
    if np.all(q_lo <= hi) and np.all(q_hi >= lo):  # q overlaps the posterior: one grid for both
        lo, hi, width = np.minimum(lo, q_lo), np.maximum(hi, q_hi), min(width, float(sd_q.min()))
    n = np.clip(np.ceil((hi - lo) / (width / STEPS_PER_SD)), *n_range).astype(int)
    n += n % 2  # even, so that the half grid (every other point) tiles the same box
    return grid_over(lo, hi, int(n[0]), int(n[1])), width


def _elbo(log_joint: Tensor, points: Tensor, mu: Tensor, logvar: Tensor, area: float) -> Tensor:
    """E_q[log p(x, z)] by quadrature plus q's entropy in closed form: the ELBO of the Gaussian
    q = N(mu, diag exp(logvar)). q's mass that falls outside the grid is given the grid's lowest
    log p(x, z), so a q that spills over the edge is not rewarded for the part no one measured."""
    import torch

    log_w = log_normal(points, mu, logvar) + math.log(area)  # (G,) q's probability of each cell
    inside = torch.logsumexp(log_w, 0)
    w = torch.exp(log_w - torch.clamp(inside, min=0.0))  # sums to at most 1
    entropy = 0.5 * (logvar.numel() * (1 + _LOG_2PI) + logvar.sum())
    return (w * log_joint).sum() + (1 - w.sum()) * log_joint.min() + entropy


def elbo(log_joint: np.ndarray, grid: Grid, mu: np.ndarray, logvar: np.ndarray) -> float:
    """ELBO(q) = E_q[log p(x|z) + log p(z)] + H[q] for q = N(mu, diag exp(logvar)) (2,) each, with
    the expectation on ``grid`` (fine enough for q: see :func:`fine_box`)."""
    import torch

    t = lambda a: torch.as_tensor(np.asarray(a, dtype=np.float64))  # noqa: E731
    return float(_elbo(t(log_joint), t(grid.points()), t(mu), t(logvar), grid.area))


REFINE_STEPS = 60  # gradient steps of the per-image refinement
REFINE_LR = (
    0.2  # Adam's first step (in units of the start's sigma for mu, in nats for log variance),
)
# annealed to zero (cosine) over the steps


def refine(
    log_joint: np.ndarray,
    grid: Grid,
    mu: np.ndarray,
    logvar: np.ndarray,
    steps: int = REFINE_STEPS,
    lr: float = REFINE_LR,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit this one image's Gaussian q by gradient ascent on its ELBO (Adam on mu and log variance,
    from the start given, the decoder fixed). mu moves in units of the start's sigma, so that a
    narrow q is not thrown off its peak by the first step. Returns the path of q, mu (steps + 1, 2)
    and logvar (steps + 1, 2), and the ELBO at each point of it (steps + 1,), the start first."""
    import torch

    t = lambda a: torch.as_tensor(np.asarray(a, dtype=np.float64))  # noqa: E731
    lj, pts = t(log_joint), t(grid.points())
    m0, scale = t(mu), torch.exp(0.5 * t(logvar))
    u = torch.zeros_like(m0, requires_grad=True)  # mu = m0 + scale * u
    lv = t(logvar).clone().requires_grad_(True)
    adam = _Adam((u, lv))
    trace, mus, lvs = [], [], []
    for i in range(steps + 1):
        m = m0 + scale * u
        value = _elbo(lj, pts, m, lv, grid.area)
        trace.append(float(value.detach()))
        mus.append(m.detach().numpy().copy())
        lvs.append(lv.detach().numpy().copy())
        if i < steps:
            u.grad = lv.grad = None
            (-value).backward()
            adam.step(cosine_lr(lr, i, max(steps, 1)))
    return np.array(mus), np.array(lvs), np.array(trace)


def cosine_lr(lr: float, step: int, steps: int) -> float:
    """The learning rate of step ``step`` (0-based) annealed from ``lr`` to zero over ``steps``
    (Loshchilov & Hutter 2017, SGDR, without restarts; ``CosineAnnealingLR``'s closed form)."""
    return lr * (1 + math.cos(math.pi * step / steps)) / 2


class _Adam:
    """Adam (Kingma & Ba 2015) for a few small tensors, with torch's defaults (betas 0.9 and
    0.999, eps 1e-8) and the arithmetic of ``torch.optim.Adam``'s single-tensor step.

    Why not ``torch.optim.Adam``: its first construction in a process imports ``torch._dynamo``
    (about 900 modules, 145 MB of resident memory), which a serving process that only ever
    refines two 2-vectors should not carry. ``tests/test_bound.py`` checks this against
    ``torch.optim.Adam`` with ``CosineAnnealingLR``."""

    def __init__(self, params: tuple[Tensor, ...], betas: tuple[float, float] = (0.9, 0.999)):
        import torch

        self.params, self.betas, self.eps, self.t = params, betas, 1e-8, 0
        self.m = [torch.zeros_like(p) for p in params]  # first moments
        self.v = [torch.zeros_like(p) for p in params]  # second moments

    def step(self, lr: float) -> None:
        import torch

        b1, b2 = self.betas
        self.t += 1
        c1, c2_sqrt = 1 - b1**self.t, math.sqrt(1 - b2**self.t)
        with torch.no_grad():
            for p, m, v in zip(self.params, self.m, self.v):
                m.lerp_(p.grad, 1 - b1)
                v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
                p.addcdiv_(m, (v.sqrt() / c2_sqrt).add_(self.eps), value=-lr / c1)


@dataclass(frozen=True)
class Gap:
    """log p(x), the encoder's ELBO and the best Gaussian's, for one image (nats)."""

    log_px: float  # log p(x) by quadrature on the fine grid
    log_px_half: float  # the same on every other grid point (cells 4x larger): the grid's accuracy
    elbo: float  # ELBO of the encoder's q(z|x)
    elbo_best: float  # ELBO of the best Gaussian for this image (:func:`refine`)

    @property
    def gap(self) -> float:
        """KL(q(z|x) || p(z|x)) = log p(x) - ELBO."""
        return self.log_px - self.elbo

    @property
    def amortization(self) -> float:
        """The part of the gap the encoder left: ELBO(q*) - ELBO(q)."""
        return self.elbo_best - self.elbo

    @property
    def approximation(self) -> float:
        """The part no Gaussian closes: log p(x) - ELBO(q*)."""
        return self.log_px - self.elbo_best

    @property
    def accuracy(self) -> float:
        """How much log p(x) moves when the grid is halved (nats)."""
        return abs(self.log_px - self.log_px_half)


def half_grid_log_evidence(log_joint: np.ndarray, grid: Grid) -> float:
    """log p(x) from every other cell in each direction, each standing for 4 cells."""
    lj = log_joint.reshape(grid.shape)[::2, ::2].ravel()
    return log_evidence(lj, grid.area * 4)


@dataclass(frozen=True)
class ImageBound:
    """Everything the exact-bound lesson shows for one image."""

    grid: Grid  # the fine grid the integrals use
    width: float  # the narrowest width (q's or p(z|x)'s) the grid was sized for
    post: np.ndarray  # (ny, nx) p(z|x) per cell (sums to 1), rows are z2 increasing
    gap: Gap  # log p(x), the ELBOs and the accuracy
    mu_best: np.ndarray  # (2,) the best Gaussian found for this image: its mean
    logvar_best: np.ndarray  # (2,) and its log variance
    path_mu: np.ndarray | None  # (steps + 1, 2) the refinement from the encoder's q (None: q lies
    path_logvar: np.ndarray | None  # outside the posterior's grid), its log variances,
    path_elbo: (
        np.ndarray | None
    )  # (steps + 1,) and its ELBO on the fine grid, the encoder's q first


def q_grid(mu: np.ndarray, logvar: np.ndarray, n: int = FINE_N[0]) -> Grid:
    """An n x n grid over q = N(mu, diag exp(logvar)) to ``Q_SDS`` standard deviations: where its
    ELBO is integrated (the step is 12 / n of q's own widths, whatever the posterior does)."""
    sd = np.exp(0.5 * np.asarray(logvar, dtype=np.float64))
    return grid_over(mu - Q_SDS * sd, mu + Q_SDS * sd, n, n)


def q_elbo(model: Model, x: np.ndarray, mu: np.ndarray, logvar: np.ndarray) -> float:
    """ELBO of q = N(mu, diag exp(logvar)) for one image, integrated on q's own grid (1,024
    decodes)."""
    grid = q_grid(mu, logvar)
    return elbo(decode_grid(model, grid).log_joint(x), grid, mu, logvar)


def image_bound(
    model: Model,
    coarse: DecodedGrid,
    x: np.ndarray,
    mu: np.ndarray,
    logvar: np.ndarray,
    steps: int = REFINE_STEPS,
) -> ImageBound:
    """log p(x), ELBO and the gap's two parts for one image x (28, 28) with the encoder's q
    (mu, logvar (2,) each), on a fine grid placed with the model's decoded coarse grid (about
    7,000 decodes per image).

    The best Gaussian is searched on the fine grid from two starts, the encoder's q and the
    Gaussian with the posterior's mean and standard deviations, and its ELBO then integrated on
    its own grid. A local search: the true best Gaussian can only be better, so the approximation
    part found is an upper bound on the true one and the amortization part a lower bound."""
    mu, logvar = np.asarray(mu, dtype=np.float64), np.asarray(logvar, dtype=np.float64)
    # two passes: a 32 x 32 grid over the coarse grid's region, then the fine grid over its own
    first, _ = fine_box(coarse.grid, coarse.log_joint(x), mu, logvar, (FINE_N[0], FINE_N[0]))
    grid, width = fine_box(first, decode_grid(model, first).log_joint(x), mu, logvar)
    lj = decode_grid(model, grid).log_joint(x)  # (G,)
    post = posterior(lj)  # (G,)
    m_post, sd_post = moments(grid.points(), post)
    runs = [refine(lj, grid, m_post, 2 * np.log(np.maximum(sd_post, 1e-6)), steps)]
    inside = grid.xs[0] <= mu[0] <= grid.xs[-1] and grid.ys[0] <= mu[1] <= grid.ys[-1]
    if inside:
        runs.insert(0, refine(lj, grid, mu, logvar, steps))
    mus, lvs, elbos = max(runs, key=lambda r: r[2].max())
    j = int(np.argmax(elbos))
    mu_best, lv_best = mus[j], lvs[j]
    elbo_q = q_elbo(model, x, mu, logvar)
    elbo_best = max(q_elbo(model, x, mu_best, lv_best), elbo_q)
    gap = Gap(log_evidence(lj, grid.area), half_grid_log_evidence(lj, grid), elbo_q, elbo_best)
    path = runs[0] if inside else (None, None, None)
    return ImageBound(grid, width, post.reshape(grid.shape), gap, mu_best, lv_best, *path)


def has_exact_bound(cfg: ModelConfig) -> bool:
    """Whether the exact bound applies: a 2-D VAE whose posteriors have width (beta = 0 leaves
    sigma near 0: no Gaussian to integrate)."""
    return cfg.kind == "vae" and cfg.latent_dim == 2 and cfg.beta > 0
