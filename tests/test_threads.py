"""``import ui`` leaves NumPy's OpenBLAS with one thread, even though Streamlit imported NumPy first
(with one thread per core, OpenBLAS's idle workers spin ~0.1 s of a core after every product)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from pageutil import REPO

CHILD = """
import json, numpy, streamlit  # as a server: NumPy (and its OpenBLAS) loaded before any page
from threadpoolctl import threadpool_info
before = [i["num_threads"] for i in threadpool_info() if i["internal_api"] == "openblas"]
import ui, scipy.spatial  # a page's imports: ui first, SciPy (its own OpenBLAS) after it
after = [i["num_threads"] for i in threadpool_info() if i["internal_api"] == "openblas"]
print(json.dumps({"before": before, "after": after}))
"""


def test_import_ui_gives_openblas_one_thread():
    pytest.importorskip("threadpoolctl")
    env = {
        k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")
    }
    out = subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    got = json.loads(out.strip().splitlines()[-1])
    assert got["before"], "no OpenBLAS found in NumPy"
    assert got["after"] and all(n == 1 for n in got["after"]), got
