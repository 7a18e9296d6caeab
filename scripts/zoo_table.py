"""Print the README's model-zoo table from the checkpoints in cache/: ``python
scripts/zoo_table.py``.

Every number comes from the checkpoint itself (metrics measured by ``python -m vae.build`` on the
10,000 test images; the bound and the -ELBO beside it on the fixed 500-image subset).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vae import zoo  # noqa: E402


def main() -> None:
    print(
        "| model | kind | latent | β | epochs | test −ELBO | reconstruction | KL | active units "
        "| −ELBO (500) | −log p(x) bound, k = 1,000 (500) | train min |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name in zoo.names():
        info = zoo.info(name)
        cfg, m = info["model_config"], info["metrics"]
        ae = cfg["kind"] == "ae"
        cells = [
            f"`{name}`",
            cfg["kind"].upper(),
            str(cfg["latent_dim"]),
            "-" if ae else f"{cfg['beta']:g}",
            str(info["train_config"]["epochs"]),
            "-" if ae else f"{m['test_elbo']:.2f}",
            f"{m['test_recon']:.2f}",
            "-" if ae else f"{m['test_kl']:.2f}",
            "-" if ae else f"{m['active_units']:.0f}",
            f"{m['subset_elbo']:.2f}" if "subset_elbo" in m else "-",
            f"{m['subset_iwae']:.2f}" if "subset_iwae" in m else "-",
            f"{info['seconds'] / 60:.1f}",
        ]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
