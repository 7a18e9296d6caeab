"""Grid vs ppf (pages/03_Grid_vs_ppf.py): ``claims`` (numbers and sentences) and ``mosaics`` (the
decoded grids, computed once per input and warmed at start).
"""
