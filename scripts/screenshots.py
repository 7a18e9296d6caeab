"""Refresh the README's screenshots in docs/screenshots/ (light) and docs/screenshots/dark/.

    python scripts/screenshots.py

Runs the browser test (tests/test_e2e.py) with ``LATENT_LAB_SCREENSHOTS`` pointing at
docs/screenshots; the normal test run writes its screenshots to a temporary folder instead, so
``python -m pytest`` leaves the checkout clean.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    out = REPO / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "LATENT_LAB_SCREENSHOTS": str(out)}
    sys.exit(subprocess.call([sys.executable, "-m", "pytest", "-q", "tests/test_e2e.py",
                              "-k", "page_in_browser or dark_theme", *sys.argv[1:]], cwd=REPO, env=env))
