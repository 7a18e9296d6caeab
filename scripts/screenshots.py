"""Refresh the README's screenshots in docs/screenshots/ (light), docs/screenshots/dark/ and
docs/screenshots/phone/ (390 x 844, touch: Home, KL weighting, Latent explorer).

    python scripts/screenshots.py                 # all of them
    python scripts/screenshots.py -k dark_theme   # one kind: dark_theme, page_in_browser or phone

Runs the browser tests (tests/test_e2e.py, and the phone scan of tests/test_e2e_phone.py) with
``LATENT_LAB_SCREENSHOTS`` pointing at docs/screenshots; the normal test run writes its screenshots
to a temporary folder instead, so ``python -m pytest`` leaves the checkout clean. The PNGs written
are then made small: 256 colours (the screenshots are flat colours and text), zlib at its best.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
KINDS = {
    "page_in_browser": "tests/test_e2e.py",
    "dark_theme": "tests/test_e2e.py",
    "phone": "tests/test_e2e_phone.py",
}  # -k word: the test file (phone: its scan, by the first test using it)
PHONE_TEST = "accessible_name"


def shrink(path: Path) -> tuple[int, int]:
    """A screenshot as a 256-colour PNG, optimised: -> (bytes before, after)."""
    from PIL import Image

    before = path.stat().st_size
    with Image.open(path) as im:
        small = im.convert("RGB").quantize(
            256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    small.save(path, optimize=True)
    return before, path.stat().st_size


if __name__ == "__main__":
    out = REPO / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    args = sys.argv[1:]
    kind = args[args.index("-k") + 1] if "-k" in args and args.index("-k") + 1 < len(args) else None
    args = [a for i, a in enumerate(args) if a != "-k" and (i == 0 or args[i - 1] != "-k")]
    kinds = [kind] if kind in KINDS else list(KINDS)
    files = sorted({KINDS[k] for k in kinds})
    words = " or ".join(PHONE_TEST if k == "phone" else k for k in kinds)
    env = {**os.environ, "LATENT_LAB_SCREENSHOTS": str(out)}
    start = time.time()
    rc = subprocess.call(
        [sys.executable, "-m", "pytest", "-q", *files, "-k", words, *args], cwd=REPO, env=env
    )
    for png in sorted(out.rglob("*.png")):
        if png.stat().st_mtime >= start and "class" not in png.parts:
            a, b = shrink(png)
            print(f"{png.relative_to(REPO)}: {a / 1024:.0f} kB -> {b / 1024:.0f} kB")
    sys.exit(rc)
