"""Rebuild ``cache/``: train what is missing or stale, then recompute what depends on it.

    python -m vae.build                   # everything missing or stale
    python -m vae.build --only vae-2d     # one model (repeatable) and its codes / embeddings
    python -m vae.build --force           # retrain even when the checkpoint is current
    python -m vae.build --jobs 2          # train two models at once (one thread each)

A checkpoint is stale when its stored config differs from the registry (``vae.zoo``); codes
are stale when they were computed from another checkpoint; embeddings when computed from other
codes; the stored numbers (``vae.stored_numbers``) when computed from other codes. Needs the
MNIST training set (``vae.data``; downloaded on first use) and the dev
requirements (scikit-learn, umap-learn). Prints progress as it goes.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from vae import arrays, artefacts, zoo
from vae.checkpoint import (
    CheckpointError,
    load_checkpoint,
    quantize_,
    read_checkpoint,
    save_checkpoint,
    stored_train_config,
)
from vae.config import to_dict
from vae.data import load_mnist, to_float
from vae.likelihood import IWAE_CURVE_K
from vae.models import Model
from vae.train import evaluate, final_metrics, train


def log(msg: str) -> None:
    print(msg, flush=True)


def build_test_set(data_root: str | None) -> None:
    images, labels = load_mnist(train=False, root=data_root)
    artefacts.save_npz(
        artefacts.test_set_path(),
        images=images.numpy().astype(np.uint8),
        labels=labels.numpy().astype(np.uint8),
    )


def checkpoint_current(name: str) -> bool:
    e = zoo.entry(name)
    try:
        blob = read_checkpoint(artefacts.checkpoint_path(name), name)
    except CheckpointError:
        return False
    try:
        stored = stored_train_config(blob)
    except (TypeError, ValueError):
        return False
    return blob["model_config"] == to_dict(e.model) and stored == e.train


def metrics_current(name: str) -> bool:
    """A VAE's checkpoint carries the importance-weighted bound and its curve over k (added after
    some were trained). A
    model still to retrain at the fair budget (``zoo.PENDING_RETRAIN``) gets it when it is
    retrained."""
    if zoo.entry(name).model.kind == "ae" or name in zoo.PENDING_RETRAIN:
        return True
    try:
        metrics = read_checkpoint(artefacts.checkpoint_path(name), name)["metrics"]
    except CheckpointError:
        return False
    return "subset_iwae" in metrics and all(f"subset_iwae_k{k}" in metrics for k in IWAE_CURVE_K)


def refresh_metrics(name: str) -> None:
    """Re-measure a current checkpoint's metrics (same weights, config and history) and re-save
    it."""

    path = artefacts.checkpoint_path(name)
    model, blob = load_checkpoint(path, name)
    xte, yte = _test_tensors()
    torch.set_num_threads(1)
    metrics = final_metrics(model, xte, yte, likelihood=True)
    save_checkpoint(
        path,
        model,
        stored_train_config(blob),
        name=name,
        metrics=metrics,
        history=blob["history"],
        seconds=blob["seconds"],
    )


def _source(path: Path) -> str:
    try:
        with np.load(path, allow_pickle=False) as z:
            return str(z["source_sha256"])
    except Exception:
        return ""


def codes_current(name: str) -> bool:
    p, ck = artefacts.codes_path(name), artefacts.checkpoint_path(name)
    return p.exists() and ck.exists() and _source(p) == artefacts.sha256(ck)


def numbers_current(name: str) -> bool:
    """Computed from the current codes, with this code's recipe (``vae.stored_numbers``)."""
    from vae import stored_numbers

    p, src = artefacts.numbers_path(name), artefacts.codes_path(name)
    if not (p.exists() and src.exists() and _source(p) == artefacts.sha256(src)):
        return False
    with np.load(p, allow_pickle=False) as z:
        return stored_numbers.current({k: z[k] for k in z.files if k == "recipe"})


def write_numbers(name: str) -> None:
    """The numbers a page shows that need torch (``vae.stored_numbers``), from the checkpoint and
    the codes the pages read."""
    from vae import stored_numbers

    model, _ = load_checkpoint(artefacts.checkpoint_path(name), name)
    images, labels = artefacts.load_test_set()
    cfg = zoo.entry(name).model
    codes = artefacts.load_codes(name, cfg.latent_dim, cfg.kind != "ae")
    numbers = stored_numbers.compute(model, images.astype(np.float32) / 255.0, labels, codes)
    src = artefacts.sha256(artefacts.codes_path(name))
    artefacts.save_npz(artefacts.numbers_path(name), source_sha256=np.array(src), **numbers)


def embeddings_current(name: str) -> bool:
    """Computed from the current codes, with every map and score the pages show (the extra t-SNE
    maps and the random map's scores were added later)."""
    p, src = artefacts.embeddings_path(name), artefacts.codes_path(name)
    if not (p.exists() and src.exists() and _source(p) == artefacts.sha256(src)):
        return False
    with np.load(p) as z:
        return all(
            k in z.files
            for k in (
                *artefacts.EMBEDDING_EXTRAS,
                *(f"{m}_trustworthiness" for m in artefacts.EMBEDDING_EXTRA_SCORES),
            )
        )


def compute_codes(model: Model, x: torch.Tensor, y: torch.Tensor) -> dict[str, np.ndarray]:
    """Posterior means (and logvars) and per-image loss terms of the test images."""
    mu, logvar = arrays.encode(model, x, y)  # (N, d), (N, d) or None (AE)
    terms = evaluate(model, x, y, beta=1.0)  # recon and KL per image, one posterior sample
    out = {"mu": mu.astype(np.float16), "recon": terms.recon.numpy(), "kl": terms.kl.numpy()}
    if logvar is not None:
        out["logvar"] = logvar.astype(np.float16)
    return out


def write_codes(name: str, model: Model, x: torch.Tensor, y: torch.Tensor) -> None:
    src = artefacts.sha256(artefacts.checkpoint_path(name))
    artefacts.save_npz(
        artefacts.codes_path(name), source_sha256=np.array(src), **compute_codes(model, x, y)
    )


def _test_tensors() -> tuple[torch.Tensor, torch.Tensor]:
    images, labels = artefacts.load_test_set()
    return to_float(torch.from_numpy(images)), torch.from_numpy(labels)


def train_one(name: str, data_root: str | None, position: int = 0) -> dict[str, Any]:
    """Train one registry model, save its checkpoint and codes. Runs in a worker process."""
    e = zoo.entry(name)
    xtr, ytr = load_mnist(train=True, root=data_root)
    xte, yte = _test_tensors()
    res = train(e.model, e.train, to_float(xtr), ytr, xte, yte, progress_bar=True, desc=name)
    quantize_(res.model)  # metrics describe the weights exactly as stored
    metrics = final_metrics(res.model, xte, yte, likelihood=True)
    save_checkpoint(
        artefacts.checkpoint_path(name),
        res.model,
        e.train,
        name=name,
        metrics=metrics,
        history=res.history,
        seconds=res.seconds,
    )
    write_codes(name, res.model, xte, yte)
    return {"name": name, "seconds": res.seconds, **metrics}


def _train_star(args: tuple[str, str | None, int]) -> dict[str, Any]:
    return train_one(*args)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m vae.build", description=__doc__.split("\n")[0])
    ap.add_argument(
        "--only", action="append", metavar="NAME", help="build only this model (repeatable)"
    )
    ap.add_argument(
        "--force", action="store_true", help="retrain even if the checkpoint is current"
    )
    ap.add_argument("--jobs", type=int, default=2, help="models trained at once (default 2)")
    ap.add_argument(
        "--data-root",
        default=None,
        help="MNIST root (default: $VAE_DATA_DIR, ../shared/data, ./data)",
    )
    args = ap.parse_args(argv)
    names = args.only or zoo.names()
    for n in names:
        if n not in zoo.REGISTRY:
            ap.error(f"unknown model {n!r}; known: {', '.join(zoo.names())}")
    start = time.perf_counter()
    manifest = artefacts.read_manifest()
    test_path = artefacts.test_set_path()
    if test_path.is_file() and artefacts.rel(test_path) not in manifest["files"]:
        artefacts.record(
            manifest, test_path
        )  # e.g. a deleted manifest: the shape checks below still run
        artefacts.write_manifest(manifest)
    try:
        artefacts.load_test_set()
    except CheckpointError:
        log("test set: copying the 10,000 MNIST test images into cache/")
        build_test_set(args.data_root)
        artefacts.record(manifest, test_path)
    artefacts.write_manifest(manifest)

    to_train = [n for n in names if args.force or not checkpoint_current(n)]
    log(f"models: {len(names)} selected, {len(to_train)} to train: {' '.join(to_train) or '-'}")
    results: list[dict[str, Any]] = []

    def after_training(name: str) -> None:
        artefacts.record(manifest, artefacts.checkpoint_path(name))
        artefacts.record(manifest, artefacts.codes_path(name))
        artefacts.write_manifest(manifest)

    # the latent-size ladder first (its rungs are the longest runs), then what the lessons need most
    first = ("vae-10d", "vae-20d", "vae-32d", "vae-2d", "vae-3d", "vae-5d", "ae-2d")
    to_train.sort(key=lambda n: first.index(n) if n in first else len(first))
    jobs = [(n, args.data_root, i) for i, n in enumerate(to_train)]
    if args.jobs > 1 and len(jobs) > 1:
        with mp.get_context("spawn").Pool(min(args.jobs, len(jobs)), maxtasksperchild=1) as pool:
            for r in pool.imap_unordered(_train_star, jobs):
                after_training(r["name"])
                results.append(r)
                log(
                    f"trained {r['name']}: test ELBO {r['test_elbo']:.2f} nats, "
                    f"{r['seconds'] / 60:.1f} min"
                )
    else:
        for job in jobs:
            r = _train_star(job)
            after_training(r["name"])
            results.append(r)
            log(
                f"trained {r['name']}: test ELBO {r['test_elbo']:.2f} nats, "
                f"{r['seconds'] / 60:.1f} min"
            )

    for name in names:
        if not metrics_current(name):
            log(f"metrics: {name} (importance-weighted bound, k = 1,000)")
            refresh_metrics(name)
            after_training(name)
    xte, yte = _test_tensors()
    for name in names:
        if not codes_current(name):
            log(f"codes: {name}")
            model, _ = load_checkpoint(artefacts.checkpoint_path(name), name)
            write_codes(name, model, xte, yte)
            after_training(name)
        if not numbers_current(name):
            log(f"numbers: {name} (held-out score; the ELBO lesson's featured images)")
            write_numbers(name)
            artefacts.record(manifest, artefacts.numbers_path(name))
            artefacts.write_manifest(manifest)
        if zoo.entry(name).model.latent_dim == 10 and (args.force or not embeddings_current(name)):
            from vae.embed import embed_all

            log(f"embeddings: {name} (PCA, t-SNE, UMAP)")
            mu = np.load(artefacts.codes_path(name))["mu"].astype(np.float32)
            emb = embed_all(mu, yte.numpy(), log=log)
            src = artefacts.sha256(artefacts.codes_path(name))
            artefacts.save_npz(artefacts.embeddings_path(name), source_sha256=np.array(src), **emb)
            artefacts.record(manifest, artefacts.embeddings_path(name))
            artefacts.write_manifest(manifest)
            log(
                "    "
                + ", ".join(
                    f"{m}: trust {float(emb[m + '_trustworthiness']):.3f}, "
                    f"5-NN {float(emb[m + '_knn_accuracy']):.3f}"
                    for m in ("pca", "tsne", "umap")
                )
            )
    manifest = artefacts.read_manifest()  # re-read: another build may have recorded files meanwhile
    for name in zoo.names():  # (re)record every present file, so the manifest matches cache/
        for p in (
            artefacts.checkpoint_path(name),
            artefacts.codes_path(name),
            artefacts.numbers_path(name),
            artefacts.embeddings_path(name),
        ):
            if p.exists():
                artefacts.record(manifest, p)
    artefacts.record(manifest, test_path)
    manifest["build_seconds_last"] = time.perf_counter() - start
    artefacts.write_manifest(manifest)
    total = sum(p.stat().st_size for p in artefacts.cache_dir().rglob("*") if p.is_file())
    log(f"done in {(time.perf_counter() - start) / 60:.1f} min; cache/ holds {total / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
