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

from typing import TYPE_CHECKING

import numpy as np

from vae import bound, likelihood, live

if TYPE_CHECKING:
    from vae.models import Model

HELDOUT_KEYS = ("recon", "kl", "elbo")  # the order of the stored ``heldout`` array


def compute(
    model: Model, images: np.ndarray, labels: np.ndarray, codes: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """A model's stored numbers. ``model``: the torch model; ``images`` (N, 28, 28) float32 in
    [0, 1] and ``labels`` (N,): the test set; ``codes``: its cached codes
    (``artefacts.load_codes``), the q(z|x) the ELBO page integrates."""
    held = live.heldout_metrics(model, *live.heldout_set(images, labels))
    out = {"heldout": np.array([held[k] for k in HELDOUT_KEYS])}
    if bound.has_exact_bound(model.config):
        coarse = bound.decode_grid(model, bound.coarse_grid(codes["mu"])).compact()
        for idx in bound.FEATURED:
            b = bound.image_bound(
                model, coarse, images[idx], codes["mu"][idx], codes["logvar"][idx]
            )
            out.update({f"elbo{idx}_{k}": v for k, v in bound.bound_arrays(b).items()})
            curve = likelihood.image_curve_stats(model, images[idx], seed=idx)
            out[f"elbo{idx}_curve"] = np.array([[k, *curve[k]] for k in likelihood.CURVE_KS])
    return out


def heldout(numbers: dict[str, np.ndarray]) -> dict[str, float]:
    """The held-out score ``compute`` stored: recon, kl, elbo (nats per image)."""
    return {k: float(v) for k, v in zip(HELDOUT_KEYS, numbers["heldout"])}


def featured(
    numbers: dict[str, np.ndarray], idx: int
) -> tuple[bound.ImageBound, dict[int, tuple[float, float, int]]] | None:
    """The ELBO lesson's numbers of test image ``idx`` as ``compute`` stored them (its bound and
    its curve: k -> (mean L_k, standard error, groups)), or None when they are not stored.
    ValueError when they are stored but do not fit together."""
    pre = f"elbo{int(idx)}_"
    if pre + "curve" not in numbers:
        return None
    arrays = {k[len(pre) :]: v for k, v in numbers.items() if k.startswith(pre)}
    curve = np.asarray(arrays.pop("curve"))
    if curve.ndim != 2 or curve.shape[1] != 4 or not np.all(np.isfinite(curve[:, [0, 1, 3]])):
        raise ValueError(f"the stored curve of image {idx} has shape {curve.shape}")
    return bound.bound_from_arrays(arrays), {
        int(k): (float(m), float(se), int(g)) for k, m, se, g in curve
    }
