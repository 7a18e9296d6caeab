"""latent-lab's teaching core: autoencoders and variational autoencoders on MNIST.

Plain tensor-in / tensor-out code that a Streamlit page, a test and a notebook can all call.
It never imports streamlit. The public entry point for pretrained models is ``vae.zoo``::

    from vae import zoo
    model = zoo.load("vae-10d")          # eval mode, float32, CPU
    mu, logvar = model.encode(x, y)      # x: (B, 1, 28, 28) in [0, 1], y: (B,) labels (CVAE only)
    x_hat = model.decode(mu, y)          # (B, 1, 28, 28) in [0, 1]; an AE's logvar is None
    served = zoo.load_arrays("vae-10d")  # the same model on NumPy arrays, without torch

What a server needs (``numpy_model``, ``checkpoint_file``, ``arrays``, ``stored_numbers`` and
the NumPy parts of the rest) imports torch only where a function needs it: training, a new
image's exact bound, the build.

Submodules are imported lazily so that ``import vae`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "config",
    "data",
    "models",
    "numpy_model",
    "checkpoint_file",
    "arrays",
    "losses",
    "likelihood",
    "bound",
    "train",
    "history",
    "checkpoint",
    "zoo",
    "artefacts",
    "prior",
    "latent",
    "paths",
    "neighbours",
    "units",
    "pixels",
    "embed",
    "mosaic",
    "preprocess",
    "ood",
    "live",
    "stored_numbers",
    "build",
]


def __getattr__(name: str) -> Any:  # PEP 562: lazy submodules (``from vae import zoo``)
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'vae' has no attribute {name!r}")
