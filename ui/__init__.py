"""Streamlit glue shared by every page: cached loading, page layout, charts, shareable links.

The teaching computations live in :mod:`vae`; this package only turns them into widgets.

Importing it sets ``OMP_NUM_THREADS=1`` unless the environment already sets it, so it must come
before the first ``import torch`` of a page (``tests/test_charts.py`` checks every page). Streamlit
runs every script run, and every fragment rerun, in a new thread; with more than one OpenMP thread
the first torch operation in each new thread set up a thread team first, 20-45 ms per run on these
machines. The page's tensors are small (at most a 30 x 30 mosaic), so one thread is also the
fastest when several sessions share the cores.
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
