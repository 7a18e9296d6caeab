"""Write the bundled example pictures of the page "Your own digit" to ``assets/examples/``.

Each is a real MNIST *test* digit (from ``cache/mnist_test.npz``, via
``vae.artefacts.load_test_set``) dressed up the way a learner's upload might look: enlarged,
dark ink on white paper, on a transparent background, on grey noisy paper away from the centre,
or turned upside down (no longer quite a digit: an out-of-distribution probe). The page runs
them through the same preprocessing as an upload. Each PNG names its source test image in a
text chunk (``mnist_test_index``), so the page can compare with the digit as MNIST prepared it.

    python scripts/make_examples.py          # from the repository root
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from vae.artefacts import load_test_set  # noqa: E402
from vae.preprocess import make_example_png  # noqa: E402

OUT = REPO / "assets" / "examples"
SEED = 0


def first_of(labels: np.ndarray, digit: int, skip: int = 0) -> int:
    """Test index of the (skip + 1)-th image of a digit."""
    return int(np.flatnonzero(labels == digit)[skip])


def png(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def tagged(data: bytes, index: int) -> bytes:
    """The PNG with a text chunk naming its source (read back by vae.preprocess.example_source)."""
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("mnist_test_index", str(index))
    info.add_text(
        "Description",
        f"MNIST test image #{index} (Y. LeCun, C. Cortes, C. J. C. Burges; CC BY-SA 3.0)",
    )
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        buf = io.BytesIO()
        im.save(buf, format="PNG", optimize=True, pnginfo=info)
    return buf.getvalue()


def transparent(digit: np.ndarray, scale: int = 10) -> bytes:
    """Black ink whose opacity is the MNIST intensity, on a fully transparent background (RGBA)."""
    alpha = Image.fromarray(np.rint(digit * 255).astype(np.uint8), mode="L")
    alpha = alpha.resize((28 * scale, 28 * scale), Image.Resampling.BICUBIC)
    rgba = Image.new("RGBA", alpha.size, (20, 20, 40, 0))
    rgba.putalpha(alpha)
    return png(rgba)


def grey_paper(
    digit: np.ndarray,
    scale: int = 7,
    size: tuple[int, int] = (420, 300),
    at: tuple[int, int] = (40, 30),
) -> bytes:
    """Dark-grey ink on noisy light-grey paper, small and off-centre in a wider picture."""
    ink = (
        np.asarray(
            Image.fromarray(np.rint(digit * 255).astype(np.uint8), mode="L").resize(
                (28 * scale, 28 * scale), Image.Resampling.BICUBIC
            ),
            dtype=np.float64,
        )
        / 255
    )
    rng = np.random.default_rng(SEED)
    w, h = size
    paper = 205 + 8 * np.linspace(-1, 1, w)[None, :] + rng.normal(0, 5, (h, w))  # uneven light
    x0, y0 = at
    patch = paper[y0 : y0 + ink.shape[0], x0 : x0 + ink.shape[1]]
    paper[y0 : y0 + ink.shape[0], x0 : x0 + ink.shape[1]] = patch * (1 - ink) + 45 * ink
    return png(Image.fromarray(np.clip(np.rint(paper), 0, 255).astype(np.uint8), mode="L"))


def main() -> None:
    images, labels = load_test_set()
    f = images.astype(np.float32) / 255.0
    i3, i7, i2, i5, i7b = (
        first_of(labels, 3),
        first_of(labels, 7),
        first_of(labels, 2),
        first_of(labels, 5),
        first_of(labels, 7, skip=1),
    )
    examples = {
        "3-ink-on-paper": tagged(make_example_png(f[i3], invert=True, scale=8), i3),
        "7-white-on-black": tagged(make_example_png(f[i7], invert=False, scale=6), i7),
        "2-transparent": tagged(transparent(f[i2]), i2),
        "5-grey-paper": tagged(grey_paper(f[i5]), i5),
        "7-upside-down": tagged(
            make_example_png(np.rot90(f[i7b], 2).copy(), invert=True, scale=8), i7b
        ),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.png"):
        if old.stem not in examples:
            old.unlink()
    for stem, data in examples.items():
        (OUT / f"{stem}.png").write_bytes(data)
        print(f"wrote {OUT.relative_to(REPO) / (stem + '.png')} ({len(data):,} bytes)")


if __name__ == "__main__":
    main()
