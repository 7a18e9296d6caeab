"""Fault injection: the app runs on a copy of cache/ with files removed, truncated or tampered.

The page that needs the broken file names it and the rebuild command; the other pages work.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import streamlit as st

from tests.pageutil import REPO, app, texts

pytestmark = pytest.mark.slow
CACHE = REPO / "cache"


@pytest.fixture
def broken_cache(tmp_path, monkeypatch):
    """A copy of cache/ used by the app (LATENT_LAB_CACHE); returns its path."""
    for name in ("models/vae-2d.pt", "models/ae-2d.pt", "codes/vae-2d.npz", "codes/ae-2d.npz"):
        if not (CACHE / name).exists():
            pytest.skip(f"cache/{name} not built")
    dst = tmp_path / "cache"
    shutil.copytree(CACHE, dst)
    monkeypatch.setenv("LATENT_LAB_CACHE", str(dst))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield dst
    st.cache_resource.clear()
    st.cache_data.clear()


def _truncate(p: Path) -> None:
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])


def _tamper(p: Path) -> None:
    b = bytearray(p.read_bytes())
    mid = len(b) // 2
    b[mid:mid + 16] = bytes(16)  # same size, different content
    p.write_bytes(bytes(b))


@pytest.mark.parametrize("damage", ["missing", "truncated", "tampered", "garbage"])
def test_broken_checkpoint_names_file_and_command(broken_cache, damage):
    p = broken_cache / "models" / "vae-2d.pt"
    if damage == "missing":
        p.unlink()
    elif damage == "truncated":
        _truncate(p)
    elif damage == "tampered":
        _tamper(p)
    else:
        p.write_bytes(b"not a checkpoint at all")
    at = app("pages/01_AE_vs_VAE.py")
    msg = "\n".join(e.value for e in at.error)
    assert "vae-2d.pt" in msg and "python -m vae.build" in msg, msg
    # the page stops cleanly: no traceback, title still there
    assert "AE vs VAE" in texts(at)


@pytest.mark.parametrize("damage", ["missing", "truncated", "tampered"])
def test_broken_codes_file(broken_cache, damage):
    p = broken_cache / "codes" / "ae-2d.npz"
    {"missing": Path.unlink, "truncated": _truncate, "tampered": _tamper}[damage](p)
    at = app("pages/01_AE_vs_VAE.py")
    msg = "\n".join(e.value for e in at.error)
    assert "ae-2d.npz" in msg and "python -m vae.build" in msg, msg


def test_missing_test_set_copy(broken_cache):
    (broken_cache / "mnist_test.npz").unlink()
    at = app("pages/03_Grid_vs_ppf.py")
    msg = "\n".join(e.value for e in at.error)
    assert "mnist_test.npz" in msg and "python -m vae.build" in msg


def test_other_pages_still_work(broken_cache):
    (broken_cache / "models" / "ae-2d.pt").unlink()
    if not (broken_cache / "models" / "vae-10d.pt").exists():
        pytest.skip("vae-10d not built")
    at = app("pages/04_Prototypes.py")
    assert not at.error, [e.value for e in at.error]
    home = app("streamlit_app.py")
    assert any("ae-2d" in w.value or "cannot be used" in w.value for w in home.warning)


def test_checkpoint_of_other_architecture_is_refused(broken_cache):
    """A checkpoint whose weights don't fit the registry's architecture: clear refusal."""
    import torch

    src = broken_cache / "models" / "vae-2d.pt"
    blob = torch.load(src, weights_only=True)
    blob["model_config"]["hidden"] = 64  # weights no longer fit
    torch.save(blob, src)
    import json

    m = json.loads((broken_cache / "manifest.json").read_text())
    m["files"].pop("models/vae-2d.pt", None)  # not a checksum problem: the architecture check must catch it
    (broken_cache / "manifest.json").write_text(json.dumps(m))
    at = app("pages/01_AE_vs_VAE.py")
    msg = "\n".join(e.value for e in at.error)
    assert "vae-2d.pt" in msg and "architecture" in msg, msg
