"""Streamlit glue shared by every page: cached loading, page layout, charts, shareable links.

The teaching computations live in :mod:`vae`; this package only turns them into widgets.

Importing it sets ``OMP_NUM_THREADS=1`` unless the environment already sets it, so it must come
before the first ``import torch`` (``tests/test_threads.py`` checks every page). The pages answer
with NumPy models and never import torch themselves (``tests/test_no_torch.py``); a training run
or a new image on the ELBO page loads it. Streamlit runs every script run, and every fragment
rerun, in a new thread; with more than one OpenMP thread the first torch operation in each new
thread set up a thread team first, 20-45 ms per run on these machines. The tensors are small, so
one thread is also the fastest when several sessions share the cores.

It also gives NumPy's OpenBLAS one thread (``one_blas_thread``): Streamlit imports NumPy before any
page, so the environment variable comes too late for it, and OpenBLAS started one thread per core.
After each matrix product (a 1-NN search in pixel space, say) its idle workers spin for about 0.1 s
before they sleep: 80-100 ms of a core burnt per call, outside the script's own thread, taken from
the other students' runs.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

# the thread-count setters of the OpenBLAS builds NumPy and SciPy ship (64-bit and plain interfaces)
_OPENBLAS_SETTERS = (
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
    "openblas_set_num_threads64_",
    "openblas_set_num_threads",
)


def one_blas_thread() -> int:
    """Set every OpenBLAS loaded in this process to one thread (as ``OPENBLAS_NUM_THREADS=1`` would
    have at start); returns how many libraries were set (0 where none is found, off Linux, say)."""
    import ctypes

    try:
        with open("/proc/self/maps") as f:
            libs = {
                line.split(None, 5)[5].strip()
                for line in f
                if "openblas" in line.lower() and ".so" in line
            }
    except (OSError, IndexError):
        return 0
    done = 0
    for path in sorted(libs):
        try:
            lib = ctypes.CDLL(path)  # already loaded: the same library, not a second copy
        except OSError:
            continue
        for name in _OPENBLAS_SETTERS:
            setter = getattr(lib, name, None)
            if setter is not None:
                setter(1)
                done += 1
                break
    return done


one_blas_thread()
