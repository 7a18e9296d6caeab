"""Print log p(x), the ELBO, their gap and its amortization / approximation parts for test images
of a 2-D VAE (the numbers of the lesson "The ELBO is a bound", from ``vae.bound``).

    python scripts/elbo_gap.py [--model vae-2d] [IDX ...]     (default: 0 169 6572 8000)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from vae import artefacts, bound, zoo  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="vae-2d")
    ap.add_argument("idx", nargs="*", type=int, default=[0, 169, 6572, 8000])
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    model = zoo.load(args.model)
    codes = np.load(artefacts.codes_path(args.model))
    images, labels = artefacts.load_test_set()
    coarse = bound.decode_grid(model, bound.coarse_grid(codes["mu"]))
    print(f"{args.model}: nats per image (log-likelihoods; higher is better)")
    print(
        "| test image | log p(x) | ELBO | gap | amortization | approximation | grid accuracy | "
        "seconds |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for i in args.idx:
        t = time.perf_counter()
        b = bound.image_bound(
            model, coarse, images[i].astype(np.float32) / 255, codes["mu"][i], codes["logvar"][i]
        )
        g = b.gap
        print(
            f"| #{i} (a {labels[i]}) | {g.log_px:.2f} | {g.elbo:.2f} | {g.gap:.2f} | "
            f"{g.amortization:.2f} | "
            f"{g.approximation:.2f} | {g.accuracy:.3f} | {time.perf_counter() - t:.1f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
