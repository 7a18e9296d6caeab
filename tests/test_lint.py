"""The code passes ruff with the settings of pyproject.toml (pycodestyle, pyflakes, import order,
lines of at most 100 characters) and is formatted as ``ruff format`` writes it, from the repository
root as a contributor runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]], ids=" ".join)
def test_ruff(args):
    r = subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, f"ruff {' '.join(args)}:\n{r.stdout[-6000:]}{r.stderr[-2000:]}"
