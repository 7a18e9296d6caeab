"""MNIST through ``torchvision.datasets.MNIST`` (LeCun, Cortes & Burges; CC BY-SA 3.0).

The data root comes from an argument, else the ``VAE_DATA_DIR`` environment variable, else
``../shared/data`` beside the repository when it exists (offline machines, tests, CI), else
``data/`` in the repository, where torchvision downloads it (``download=True``) on first use.
Images are returned as uint8 (N, 28, 28) tensors; ``to_float`` gives (N, 1, 28, 28) in [0, 1].
The app never calls this at run time: it reads the copy of the test set in ``cache/``.
"""

from __future__ import annotations

import os
from pathlib import Path

from torch import Tensor

REPO = Path(__file__).resolve().parent.parent


def default_root() -> Path:
    """Where MNIST lives: $VAE_DATA_DIR, else ../shared/data if present, else ./data."""
    env = os.environ.get("VAE_DATA_DIR")
    if env:
        return Path(env)
    shared = REPO.parent / "shared" / "data"
    if (shared / "MNIST" / "raw").is_dir():
        return shared
    return REPO / "data"


def _present(root: Path) -> bool:
    raw = root / "MNIST" / "raw"
    names = (
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    )
    return all((raw / n).exists() for n in names)


def load_mnist(
    train: bool, root: str | Path | None = None, download: bool | None = None
) -> tuple[Tensor, Tensor]:
    """MNIST images (N, 28, 28) uint8 and labels (N,) int64.

    ``download=None`` downloads only when the files are not already under ``root``.
    """
    from torchvision.datasets import MNIST  # imported here: only training needs it

    root = Path(root) if root is not None else default_root()
    if download is None:
        download = not _present(root)
    ds = MNIST(root=str(root), train=train, download=download)
    return ds.data.clone(), ds.targets.clone().long()  # (N, 28, 28) uint8, (N,) int64


def to_float(images: Tensor) -> Tensor:
    """uint8 (N, 28, 28) -> float32 (N, 1, 28, 28) in [0, 1]."""
    return images.float().div_(255.0).unsqueeze(1)  # (N, 1, 28, 28)
