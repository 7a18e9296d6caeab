"""``import ui`` leaves NumPy's OpenBLAS with one thread, even though Streamlit imported NumPy first
(with one thread per core, OpenBLAS's idle workers spin ~0.1 s of a core after every product)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.pageutil import REPO

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


# ``import ui`` also gives torch one OpenMP thread per new thread (a script run): every page imports
# ui before torch
def _first_import(tree, wanted) -> int:
    import ast

    for node in tree.body:
        names = (
            [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else []
        )
        if any(wanted(n) for n in names):
            return node.lineno
    return 10**9


@pytest.mark.parametrize(
    "script", ["streamlit_app.py"] + sorted(p.name for p in (REPO / "pages").glob("*.py"))
)
def test_every_page_imports_ui_before_torch(script):
    """``ui`` sets OMP_NUM_THREADS=1 on import; it only works if torch is not loaded yet, so no page
    (each may be the first script a fresh server runs) imports torch or ``vae`` before ``ui``."""
    import ast

    path = REPO / script if script == "streamlit_app.py" else REPO / "pages" / script
    tree = ast.parse(path.read_text())
    ui_at = _first_import(tree, lambda n: n == "ui" or n.startswith("ui."))
    torch_at = _first_import(tree, lambda n: n.split(".")[0] in ("torch", "vae"))
    assert ui_at < torch_at, (
        f"{script}: import ui (line {ui_at}) before torch / vae (line {torch_at})"
    )


def test_ui_makes_torch_single_threaded_in_new_threads():
    """In a fresh process, importing ui first gives every new thread (a Streamlit script run) one
    OpenMP thread, so its first torch call does not set up a thread team."""
    code = (
        "import ui, threading, torch; out = []\n"
        "t = threading.Thread(target=lambda: out.append(torch.get_num_threads())); t.start(); "
        "t.join()\nprint(out[0])"
    )
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    res = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "1"
