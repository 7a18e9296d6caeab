"""Shared fixtures: a small slice of the MNIST training set, loaded once per session."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault(
    "LATENT_LAB_VALIDATE_CHARTS", "1"
)  # the app skips Vega-Lite schema validation; tests keep it
# no background prefetching under the page tests (it would compete for the CI's two cores);
# tests/test_prefetch.py switches it on where it is the subject
os.environ.setdefault("LATENT_LAB_PREFETCH", "0")
# class mode's embedded database (ui.classmode.store): a folder of this test run, not the machine's
# /tmp/latent-lab
os.environ.setdefault("LATENT_LAB_CLASS_DIR", tempfile.mkdtemp(prefix="latent-lab-class-"))
if str(REPO) not in sys.path:  # `import vae` however pytest is started
    sys.path.insert(0, str(REPO))

from tests.e2e import browser, server, server_proc  # noqa: E402,F401  the browser tests' fixtures (one per module)

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
    """The first 512 MNIST training images: float32 (512, 1, 28, 28) in [0, 1], labels (512,)
    int64."""
    from vae import data

    root = _mnist_root_or_skip()
    images, labels = data.load_mnist(train=True, root=root, download=False)
    x = data.to_float(images[:N_SMALL].clone())  # (512, 1, 28, 28)
    y = labels[:N_SMALL].clone().long()  # (512,)
    return x, y


@pytest.fixture
def fresh_caches():
    """Streamlit's shared caches (``st.cache_data``, ``st.cache_resource``) cleared before and after
    the test: for tests of what a warm-up or a first request puts there."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def partial_cache(tmp_path, monkeypatch):
    """Run the app on a copy of ``cache/`` that holds only some files.

    ``partial_cache(*models, embeddings=(), test_set=True)`` copies the manifest, the test set, the
    checkpoint
    and codes of each model (those that exist) and the named models' embeddings into a fresh
    directory, points ``LATENT_LAB_CACHE`` at it and returns it. Streamlit's caches are cleared
    before and after, so nothing loaded from the real ``cache/`` leaks in, or out.
    """
    import shutil

    import streamlit as st

    from vae import artefacts

    def clear() -> None:
        st.cache_resource.clear()
        st.cache_data.clear()

    def make(*models: str, embeddings: tuple[str, ...] = (), test_set: bool = True) -> Path:
        files = [artefacts.manifest_path()]  # the checksums (entries of files left out do no harm)
        files += [artefacts.test_set_path()] if test_set else []
        for name in models:
            files += [artefacts.checkpoint_path(name), artefacts.codes_path(name)]
        files += [artefacts.embeddings_path(name) for name in embeddings]
        real = artefacts.cache_dir()
        dst = tmp_path / "cache"
        dst.mkdir(exist_ok=True)
        for src in files:
            if src.exists():
                target = dst / src.relative_to(real)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(src, target)
        (dst / "models").mkdir(exist_ok=True)
        monkeypatch.setenv("LATENT_LAB_CACHE", str(dst))
        clear()
        return dst

    yield make
    monkeypatch.delenv("LATENT_LAB_CACHE", raising=False)
    clear()
