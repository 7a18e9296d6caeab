"""The numbers a page shows that need torch to compute, computed once at build time.

Two kinds: each model's held-out score as *Train it yourself* measures a run
(``vae.live.heldout_metrics``: one posterior sample per image with torch's seeded noise, so a
learner's run and the pretrained model see the same noise), and, for the models the ELBO lesson
offers, its featured images' exact bound (``vae.bound.image_bound``: a refinement by gradient
ascent) and importance-weighted curve (``vae.likelihood.image_curve_stats``). ``python -m
vae.build`` writes them to ``cache/numbers/<name>.npz`` from the checkpoint and codes a page
reads, so a server shows them without importing torch (only a new image on the ELBO page, or a
training run, loads it). ``tests/test_stored_numbers.py`` recomputes them and compares.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np

from vae import bound, likelihood, live
from vae.arrays import NOISE_SEED

if TYPE_CHECKING:
    from vae.models import Model

HELDOUT_KEYS = ("recon", "kl", "elbo")  # the order of the stored ``heldout`` array

# The ELBO lesson's featured test images: their numbers (``image_bound`` and the importance-
# weighted curve) are computed at build time for every offered model (``vae.build``, into
# ``cache/numbers/``), so that a server shows them without importing torch.
FEATURED = (0, 169, 6572, 8000)


def bound_arrays(b: bound.ImageBound) -> dict[str, np.ndarray]:
    """An ImageBound as named arrays (for an npz file; ``bound_from_arrays`` reads them back)."""
    g = b.gap
    out = {
        "xs": b.grid.xs,
        "ys": b.grid.ys,
        "width": np.array(b.width),
        "post": b.post,
        "gap": np.array([g.log_px, g.log_px_half, g.elbo, g.elbo_best]),
        "mu_best": b.mu_best,
        "logvar_best": b.logvar_best,
    }
    if b.path_mu is not None:
        out.update(path_mu=b.path_mu, path_logvar=b.path_logvar, path_elbo=b.path_elbo)
    return {k: np.asarray(v, dtype=np.float64) for k, v in out.items()}


def bound_from_arrays(a: dict[str, np.ndarray]) -> bound.ImageBound:
    """The ImageBound ``bound_arrays`` wrote (ValueError when its arrays do not fit together)."""
    grid = bound.Grid(np.asarray(a["xs"]), np.asarray(a["ys"]))
    post = np.asarray(a["post"])
    if post.shape != grid.shape or np.asarray(a["gap"]).shape != (4,):
        raise ValueError("the posterior's or the gap's shape does not fit the grid")
    has_path = "path_elbo" in a
    if has_path and not (
        np.asarray(a["path_mu"]).shape
        == np.asarray(a["path_logvar"]).shape
        == (len(a["path_elbo"]), 2)
    ):
        raise ValueError("the refinement's path arrays differ in length")
    return bound.ImageBound(
        grid,
        float(a["width"]),
        post,
        bound.Gap(*(float(v) for v in a["gap"])),
        np.asarray(a["mu_best"]),
        np.asarray(a["logvar_best"]),
        np.asarray(a["path_mu"]) if has_path else None,
        np.asarray(a["path_logvar"]) if has_path else None,
        np.asarray(a["path_elbo"]) if has_path else None,
    )


def recipe() -> str:
    """What the stored numbers are computed with: the held-out split, the noise seed, the
    refinement's steps, the curve's pool and k, the featured images. A file written with another
    recipe is stale: ``vae.build`` recomputes it and the readers below refuse it."""
    return json.dumps(
        {
            "heldout": live.HELDOUT,
            "split_seed": live.SPLIT_SEED,
            "noise_seed": NOISE_SEED,
            "refine_steps": bound.REFINE_STEPS,
            "curve_pool": likelihood.CURVE_POOL,
            "curve_ks": list(likelihood.CURVE_KS),
            "featured": list(FEATURED),
        },
        sort_keys=True,
    )


def current(numbers: dict[str, np.ndarray]) -> bool:
    """Whether stored numbers were computed with this code's ``recipe``."""
    return "recipe" in numbers and str(numbers["recipe"]) == recipe()


def _check(numbers: dict[str, np.ndarray]) -> None:
    if not current(numbers):
        raise ValueError("the stored numbers were computed with another recipe")


def compute(
    model: Model, images: np.ndarray, labels: np.ndarray, codes: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """A model's stored numbers. ``model``: the torch model; ``images`` (N, 28, 28) float32 in
    [0, 1] and ``labels`` (N,): the test set; ``codes``: its cached codes
    (``artefacts.load_codes``), the q(z|x) the ELBO page integrates."""
    held = live.heldout_metrics(model, *live.heldout_set(images, labels))
    out = {"heldout": np.array([held[k] for k in HELDOUT_KEYS]), "recipe": np.array(recipe())}
    if bound.has_exact_bound(model.config):
        coarse = bound.decoded_coarse_grid(model, codes["mu"])
        for idx in FEATURED:
            b = bound.image_bound(
                model, coarse, images[idx], codes["mu"][idx], codes["logvar"][idx]
            )
            out.update({f"elbo{idx}_{k}": v for k, v in bound_arrays(b).items()})
            curve = likelihood.image_curve_stats(model, images[idx], seed=idx)
            out[f"elbo{idx}_curve"] = np.array([[k, *curve[k]] for k in likelihood.CURVE_KS])
    return out


def heldout(numbers: dict[str, np.ndarray]) -> dict[str, float]:
    """The held-out score ``compute`` stored: recon, kl, elbo (nats per image). ValueError when
    the numbers are stale (another ``recipe``)."""
    _check(numbers)
    return {k: float(v) for k, v in zip(HELDOUT_KEYS, numbers["heldout"])}


def featured(
    numbers: dict[str, np.ndarray], idx: int
) -> tuple[bound.ImageBound, dict[int, tuple[float, float, int]]] | None:
    """The ELBO lesson's numbers of test image ``idx`` as ``compute`` stored them (its bound and
    its curve: k -> (mean L_k, standard error, groups)), or None when they are not stored.
    ValueError when they are stored but stale (another ``recipe``) or do not fit together."""
    _check(numbers)
    pre = f"elbo{int(idx)}_"
    if pre + "curve" not in numbers:
        return None
    arrays = {k[len(pre) :]: v for k, v in numbers.items() if k.startswith(pre)}
    curve = np.asarray(arrays.pop("curve"))
    if curve.ndim != 2 or curve.shape[1] != 4 or not np.all(np.isfinite(curve[:, [0, 1, 3]])):
        raise ValueError(f"the stored curve of image {idx} has shape {curve.shape}")
    return bound_from_arrays(arrays), {
        int(k): (float(m), float(se), int(g)) for k, m, se, g in curve
    }
