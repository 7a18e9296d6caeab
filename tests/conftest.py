"""Shared fixtures: a small slice of the MNIST training set, loaded once per session."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("LATENT_LAB_VALIDATE_CHARTS", "1")  # the app skips Vega-Lite schema validation; tests keep it
if str(REPO) not in sys.path:  # `import vae` however pytest is started
    sys.path.insert(0, str(REPO))

N_SMALL = 512


def _mnist_root_or_skip() -> Path:
    """The MNIST root if its raw files are there; never downloads."""
    from vae import data

    root = data.default_root()
    if not data._present(root):
        where = "$VAE_DATA_DIR" if os.environ.get("VAE_DATA_DIR") else "../shared/data or ./data"
        pytest.skip(f"MNIST not found under {root} ({where}); the tests do not download it")
    return root


@pytest.fixture(scope="session")
def mnist_small() -> tuple[torch.Tensor, torch.Tensor]:
    """The first 512 MNIST training images: float32 (512, 1, 28, 28) in [0, 1], labels (512,) int64."""
    from vae import data

    root = _mnist_root_or_skip()
    images, labels = data.load_mnist(train=True, root=root, download=False)
    x = data.to_float(images[:N_SMALL].clone())  # (512, 1, 28, 28)
    y = labels[:N_SMALL].clone().long()  # (512,)
    return x, y
