"""Where a page's server CPU goes: ``python benchmarks/profile_page.py PAGE [KEY ...]``.

Runs the page once under AppTest (warm: models loaded, per-server caches filled), then for each
``KEY`` moves that widget to a value not seen before (``--moves`` times) and profiles those runs
with cProfile; prints each run's CPU seconds and the functions with the most cumulative time.
PAGE is a file in ``pages/`` (or ``streamlit_app.py``). A tool for finding what to precompute;
``classroom.py`` measures the real server.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("LATENT_LAB_PREFETCH", "0")


def new_value(w, rng: random.Random):
    """A value the widget has not shown: from its options, or its range."""
    options = getattr(w, "options", None)
    if options:  # a selection widget lists its labels: give back a value of the widget's own type
        label = rng.choice([o for o in options if str(o) != str(w.value)] or options)
        return type(w.value)(label) if isinstance(w.value, (int, float)) else label
    lo, hi = getattr(w, "min", 0), getattr(w, "max", 10_000)
    if isinstance(w.value, float):
        return rng.uniform(lo, hi)
    return rng.randint(int(lo), int(min(hi, lo + 10_000)))


def main() -> None:
    from streamlit.testing.v1 import AppTest

    from ui.compat import around_script_runs

    ap = argparse.ArgumentParser()
    ap.add_argument("page")
    ap.add_argument("keys", nargs="*")
    ap.add_argument("--moves", type=int, default=3)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument(
        "--sort", default="cumulative", help="pstats sort key: cumulative, tottime, ..."
    )
    args = ap.parse_args()
    at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=300)
    if args.page != "streamlit_app.py":
        at.switch_page(args.page)
    at.run()
    at.run()  # a second view: what a returning student costs
    assert not at.exception, at.exception
    rng = random.Random(1)
    prof = cProfile.Profile()
    profiling = [False]

    def profiled(run):  # the page runs in the script runner's own thread
        if not profiling[0]:
            return run()
        prof.enable()
        try:
            return run()
        finally:
            prof.disable()

    around_script_runs(profiled)
    for key in args.keys or [None]:
        for _ in range(args.moves if key else 1):
            if key:
                w = next(
                    x
                    for kind in (
                        "number_input",
                        "slider",
                        "select_slider",
                        "selectbox",
                        "radio",
                        "toggle",
                    )
                    for x in at.get(kind)
                    if getattr(x, "key", None) == key
                )
                v = new_value(w, rng)
                w.set_value(v)
            t = time.process_time()
            profiling[0] = True
            at.run()
            profiling[0] = False
            print(f"{key or 'view'} -> {v if key else ''}: {time.process_time() - t:.3f} s CPU")
            assert not at.exception, at.exception
    pstats.Stats(prof).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
