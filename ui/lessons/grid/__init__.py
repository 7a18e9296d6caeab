"""Grid vs ppf (pages/03_Grid_vs_ppf.py): ``claims`` (numbers and sentences), ``mosaics`` (the
decoded grids, computed once per input and warmed at start) and ``views`` (the grids' points, the
metrics, the AE's codes and the table).
"""
