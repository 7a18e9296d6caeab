"""Try a training schedule on some rungs of the zoo before spending CPU on the whole zoo.

Trains fresh models with ``vae.train.train`` (one thread, seeded) on all 60,000 MNIST training
images
and prints their test metrics (10,000 test images, one posterior sample, before ``vae.build``'s
8-bit
weight rounding) as JSON lines. Nothing is written to ``cache/``::

    python scripts/schedule_trial.py --epochs 20 --kl-warmup 5 vae:20 vae:32 ae:2

Each model is KIND:LATENT (kind ae, vae or cvae; beta 1). Hours of CPU for many models: run it in
the
background (``nohup ... > trial.log &``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vae import artefacts  # noqa: E402
from vae.config import ModelConfig, TrainConfig  # noqa: E402
from vae.data import load_mnist, to_float  # noqa: E402
from vae.train import train  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="+", help="KIND:LATENT, e.g. vae:20")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--kl-warmup", type=int, default=0, help="epochs of KL warm-up (VAEs; 0: none)")
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--data", default=None, help="torchvision MNIST root (default: the app's)")
    args = ap.parse_args(argv)
    xtr, ytr = load_mnist(train=True, root=args.data)
    images, labels = artefacts.load_test_set()
    xte, yte = to_float(torch.from_numpy(images)), torch.from_numpy(labels)
    for spec in args.models:
        kind, d = spec.split(":")
        cfg = TrainConfig(
            epochs=args.epochs,
            batch_size=args.batch_size,
            lr=args.lr,
            kl_warmup=0 if kind == "ae" else args.kl_warmup,
        )
        res = train(ModelConfig(kind=kind, latent_dim=int(d)), cfg, to_float(xtr), ytr, xte, yte)  # type: ignore[arg-type]
        print(
            json.dumps(
                {
                    "model": spec,
                    "train_config": vars(args) | {"models": None},
                    "minutes": res.seconds / 60,
                    "test_total_per_epoch": res.history["test_total"],
                    **{k: v for k, v in res.metrics.items() if isinstance(v, (int, float))},
                }
            ),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
