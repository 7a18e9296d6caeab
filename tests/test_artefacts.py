"""Checksums of ``cache/`` cannot be fooled by an edit in place (``vae.artefacts``).

A checkpoint's byte is flipped and its mtime put back with ``os.utime``: the checked read, the
metadata reader and the loader all refuse the file, whether it changed a moment ago or long after
it was first checked (its signature's ctime moved).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from vae import artefacts, zoo
from vae.checkpoint import CheckpointError

REPO = Path(__file__).resolve().parent.parent
NAME = "ae-2d"


@pytest.fixture
def cache_copy(tmp_path, monkeypatch) -> Path:
    """The checkpoint and the manifest in a copy of cache/ (LATENT_LAB_CACHE)."""
    src = REPO / "cache"
    if not (src / "models" / f"{NAME}.pt").exists():
        pytest.skip("cache/ not built")
    dst = tmp_path / "cache"
    (dst / "models").mkdir(parents=True)
    shutil.copy2(src / "models" / f"{NAME}.pt", dst / "models" / f"{NAME}.pt")
    shutil.copy2(src / "manifest.json", dst / "manifest.json")
    monkeypatch.setenv("LATENT_LAB_CACHE", str(dst))
    return dst


def flip_one_byte_keeping_times(path: Path) -> None:
    """Change one byte in place (same size, same inode) and restore atime and mtime exactly."""
    st = path.stat()
    with open(path, "r+b") as f:
        f.seek(st.st_size // 2)
        b = f.read(1)
        f.seek(st.st_size // 2)
        f.write(bytes([b[0] ^ 0xFF]))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        st.st_size,
        st.st_mtime_ns,
        st.st_ino,
    )


def assert_refused(path: Path) -> None:
    with pytest.raises(CheckpointError, match="does not match its checksum"):
        artefacts.read_verified(path, NAME)
    with pytest.raises(CheckpointError, match="does not match its checksum"):
        zoo.info(NAME)
    with pytest.raises(CheckpointError, match="does not match its checksum"):
        zoo.load(NAME)


def test_a_flip_right_after_a_check_is_seen(cache_copy):
    """A file checked a moment ago and flipped now is refused: every read hashes what it reads."""
    path = artefacts.checkpoint_path(NAME)
    artefacts.read_verified(path, NAME)
    info = zoo.info(NAME)
    assert info["name"] == NAME
    flip_one_byte_keeping_times(path)
    assert_refused(path)


def test_a_flip_long_after_the_check_is_seen(cache_copy):
    """``zoo.info`` is remembered per signature: the flip moved the ctime (which no call can set
    back), so the file is read and hashed again."""
    path = artefacts.checkpoint_path(NAME)
    zoo.info(NAME)
    before = artefacts.signature(path)
    time.sleep(0.05)  # more than one tick of the kernel's coarse clock
    flip_one_byte_keeping_times(path)
    assert artefacts.signature(path) != before  # the ctime moved, though mtime and size did not
    assert_refused(path)


def test_loading_hashes_the_bytes_it_loads(cache_copy, monkeypatch):
    """zoo.load checks the very bytes it builds the model from: a remembered checksum of the file
    (from an earlier check) is not enough."""
    zoo.info(NAME)  # checked, and remembered for this signature
    real = artefacts.read_bytes

    def swapped(
        p: Path,
    ) -> bytes:  # the file as it is read at load time differs from the one checked
        data = bytearray(real(p))
        data[len(data) // 2] ^= 0xFF
        return bytes(data)

    monkeypatch.setattr(artefacts, "read_bytes", swapped)
    with pytest.raises(CheckpointError, match="does not match its checksum"):
        zoo.load(NAME)
