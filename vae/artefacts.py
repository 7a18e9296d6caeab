"""Reading and writing the precomputed files in ``cache/``, with integrity checks.

Layout (rebuilt by ``python -m vae.build``)::

    cache/mnist_test.npz         images (10000, 28, 28) uint8, labels (10000,) uint8
    cache/models/NAME.pt         checkpoint: config, weights, test metrics, history
    cache/codes/NAME.npz         mu (and logvar) of every test image, per-image recon and KL
    cache/embeddings/NAME.npz    2-D PCA / t-SNE / UMAP of the 10-D codes, PCA loadings, quality
    cache/manifest.json          sha256 of every file above

Every reader validates shapes and the checksum and raises :class:`CacheError` (naming the file
and the rebuild command) instead of returning something half-broken.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from vae.checkpoint_file import CheckpointError

CacheError = CheckpointError  # one error type for every unusable file in cache/
REPO = Path(__file__).resolve().parent.parent
N_TEST = 10_000


def cache_dir() -> Path:
    """``cache/`` of the repository, or ``$LATENT_LAB_CACHE`` (fault-injection tests use a copy)."""
    return Path(os.environ.get("LATENT_LAB_CACHE", REPO / "cache"))


def test_set_path() -> Path:
    return cache_dir() / "mnist_test.npz"


def checkpoint_path(name: str) -> Path:
    return cache_dir() / "models" / f"{name}.pt"


def codes_path(name: str) -> Path:
    return cache_dir() / "codes" / f"{name}.npz"


def embeddings_path(name: str) -> Path:
    return cache_dir() / "embeddings" / f"{name}.npz"


def numbers_path(name: str) -> Path:
    """A model's numbers that need torch to compute (``vae.stored_numbers``), computed at build."""
    return cache_dir() / "numbers" / f"{name}.npz"


def manifest_path() -> Path:
    return cache_dir() / "manifest.json"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def rel(path: Path) -> str:
    """A path relative to ``cache/``; ``ValueError`` if it lies outside (a link out of
    ``cache/``)."""
    return path.resolve().relative_to(cache_dir().resolve()).as_posix()


def _parse_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest at ``path``, or None when it is missing, unreadable or not a manifest."""
    try:
        m = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return m if isinstance(m, dict) and isinstance(m.get("files"), dict) else None


def read_manifest() -> dict[str, Any]:
    """The manifest, or an empty one when it is missing or unreadable (the build rewrites it)."""
    return _parse_manifest(manifest_path()) or {"files": {}}


def write_manifest(manifest: dict[str, Any]) -> None:
    path = manifest_path()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    tmp.replace(path)


def record(manifest: dict[str, Any], path: Path) -> None:
    """Store a file's checksum in the manifest (the caller writes the manifest)."""
    manifest["files"][rel(path)] = {"sha256": sha256(path), "bytes": path.stat().st_size}


def signature(path: Path) -> tuple[int, ...]:
    """What tells a file's content changed without reading it: (device, inode, size, mtime, ctime),
    the times in ns; ``(-1,)`` when the file cannot be stat'ed.

    The mtime alone can be put back (``os.utime``) after an edit in place. The ctime cannot: the
    kernel sets it to the current time on every write and every ``utime`` call, and no call sets it
    back. A file replaced by another (a rebuild, ``mv``) has a new inode.
    """
    try:
        st = path.stat()
    except OSError:
        return (-1,)
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _expected_sha(path: Path, name: str | None) -> str:
    """The checksum cache/manifest.json records for ``path``, after checking the path itself."""
    if not path.exists():
        raise CacheError(path, "file is missing", name)
    if not path.is_file():
        raise CacheError(path, "is not a regular file (a folder or a device in its place)", name)
    try:
        key = rel(path)
    except (ValueError, OSError):
        raise CacheError(path, "lies outside cache/ (a link pointing elsewhere)", name) from None
    files = _manifest_entry(str(manifest_path()), signature(manifest_path()))
    if files is None:  # the build records every present file again (no retraining)
        raise CacheError(
            manifest_path(),
            "is missing or unreadable, so no file in cache/ can be checked",
            rebuild="python -m vae.build",
        )
    entry = files.get(key)
    if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
        raise CacheError(
            path, "is not listed in cache/manifest.json (its checksum cannot be checked)", name
        )
    return entry["sha256"]


_MISMATCH = "does not match its checksum in cache/manifest.json (modified, truncated or corrupted)"


def read_verified(path: Path, name: str | None = None) -> bytes:
    """The file's bytes, hashed as read and compared with the manifest (CacheError otherwise).

    Loading from these bytes leaves no gap between the check and the read: a file changed after
    an earlier check, however its times were set, is never loaded unchecked. Files in ``cache/``
    are a few MB and each is loaded once per server, so hashing at every load costs milliseconds.
    """
    expected = _expected_sha(path, name)
    try:
        data = read_bytes(path)
    except OSError as exc:
        raise CacheError(path, f"cannot be read ({type(exc).__name__})", name) from exc
    if hashlib.sha256(data).hexdigest() != expected:
        raise CacheError(path, _MISMATCH, name)
    return data


def read_bytes(path: Path) -> bytes:
    """A file's content (one place, so that fault-injection tests can make reading fail)."""
    return path.read_bytes()


@lru_cache(maxsize=8)
def _manifest_entry(path: str, sig: tuple[int, ...]) -> dict[str, Any] | None:
    """The manifest's ``files`` table, or None when the manifest is missing or unreadable."""
    m = _parse_manifest(Path(path))
    return None if m is None else m["files"]


def save_npz(path: Path, **arrays: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(path)


def load_npz(
    path: Path, required: dict[str, tuple[int | None, ...]], name: str | None = None
) -> dict[str, np.ndarray]:
    """Arrays of an npz file, each checked against a shape pattern (None = any size)."""
    data = read_verified(path, name)
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            out = {k: z[k] for k in z.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise CacheError(path, f"cannot be read ({type(exc).__name__})", name) from exc
    for key, shape in required.items():
        if key not in out:
            raise CacheError(path, f"has no array {key!r}", name)
        a = out[key]
        if a.ndim != len(shape) or any(s is not None and s != n for s, n in zip(shape, a.shape)):
            raise CacheError(path, f"array {key!r} has shape {a.shape}, expected {shape}", name)
        if a.dtype.kind == "f" and not np.isfinite(a).all():
            raise CacheError(path, f"array {key!r} holds NaN or infinite values", name)
    return out


def load_test_set() -> tuple[np.ndarray, np.ndarray]:
    """The 10,000 MNIST test images (N, 28, 28) uint8 and labels (N,) int64."""
    z = load_npz(test_set_path(), {"images": (None, 28, 28), "labels": (None,)})
    images, labels = z["images"], z["labels"].astype(np.int64)
    if (
        len(images) != len(labels)
        or images.dtype != np.uint8
        or labels.min() < 0
        or labels.max() > 9
    ):
        raise CacheError(test_set_path(), "holds inconsistent images and labels")
    return images, labels


def load_codes(name: str, latent_dim: int, has_logvar: bool) -> dict[str, np.ndarray]:
    """mu (N, d) [, logvar (N, d)], recon (N,), kl (N,) as float32 for a model's test codes."""
    req: dict[str, tuple[int | None, ...]] = {
        "mu": (N_TEST, latent_dim),
        "recon": (N_TEST,),
        "kl": (N_TEST,),
    }
    if has_logvar:
        req["logvar"] = (N_TEST, latent_dim)
    z = load_npz(codes_path(name), req, name)
    return {k: z[k].astype(np.float32) for k in req}


EMBEDDING_METHODS = ("pca", "tsne", "umap")
# added later (t-SNE at perplexities 5 and 100 and seed 1; a random map's scores): optional when
# loading, so that an older cache still shows the three maps; ``vae.build`` recomputes them
EMBEDDING_EXTRAS = ("tsne_p5", "tsne_p100", "tsne_seed1")
EMBEDDING_EXTRA_SCORES = (*EMBEDDING_EXTRAS, "random")


def load_embeddings(name: str, latent_dim: int) -> dict[str, np.ndarray]:
    req: dict[str, tuple[int | None, ...]] = {m: (N_TEST, 2) for m in EMBEDDING_METHODS}
    req.update(
        {"pca_explained_variance_ratio": (latent_dim,), "pca_components": (latent_dim, latent_dim)}
    )
    req.update(
        {f"{m}_{q}": () for m in EMBEDDING_METHODS for q in ("trustworthiness", "knn_accuracy")}
    )
    out = load_npz(embeddings_path(name), req, name)
    for m in EMBEDDING_EXTRAS:  # optional, but checked like the others when present
        if m in out and (out[m].shape != (N_TEST, 2) or not np.isfinite(out[m]).all()):
            raise CacheError(
                embeddings_path(name),
                f"array {m!r} has shape {out[m].shape} or values that are "
                f"not finite, expected ({N_TEST}, 2)",
                name,
            )
    return out


def load_numbers(name: str) -> dict[str, np.ndarray]:
    """A model's stored numbers (``vae.stored_numbers``): every array of its npz file, the
    held-out metrics checked here, the rest where they are read."""
    return load_npz(numbers_path(name), {"heldout": (3,)}, name)
