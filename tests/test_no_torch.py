"""A server that shows every page, and runs every warm-up job, never imports torch.

``import torch`` makes a server 300-500 MB larger (REFERENCE.md; the classroom benchmark's memory
target), so the pages answer with NumPy models (``vae.numpy_model``) and numbers stored at build
time (``vae.stored_numbers``); only a training run or a new image on the ELBO page loads torch.
A fresh interpreter runs every page once, as a student's first visit would, and every job the
server's warm-up queues, then says whether torch was imported, and by what.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.pageutil import REPO

CHILD = """
import glob, importlib, json, sys, traceback
sys.path.insert(0, "tests")
import builtins
first = []
real_import = builtins.__import__
def watch(name, *args, **kwargs):
    if name.split(".")[0] == "torch" and not first:
        first.append("".join(traceback.format_stack(limit=12)))
    return real_import(name, *args, **kwargs)
builtins.__import__ = watch
import pageutil
from ui.server import warmup
problems = []
for page in ["streamlit_app.py"] + sorted(glob.glob("pages/*.py")):
    try:
        pageutil.app(page)
    except AssertionError as exc:
        problems.append(f"{page}: {str(exc)[:300]}")
for module in warmup.MODULES:
    importlib.import_module(module)
for job in list(warmup._jobs):
    job()
print(json.dumps({"torch": "torch" in sys.modules, "by": first[:1], "problems": problems}))
"""


@pytest.mark.slow
def test_no_page_and_no_warm_up_job_imports_torch():
    out = subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        env={"PYTHONPATH": str(REPO), "LATENT_LAB_PREFETCH": "0", "PATH": "/usr/bin:/bin"},
    )
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert not got["problems"], got["problems"]
    assert not got["torch"], "torch was imported by:\n" + "".join(got["by"])
