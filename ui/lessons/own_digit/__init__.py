"""Your own digit (pages/12_Your_own_digit.py): ``pad`` (the drawing pad), ``picture`` (a picture
from outside MNIST), ``computed`` (its scores among the test digits, once per model), ``view`` (its
pictures and charts), ``landing`` (where it lands among the test codes) and ``claims`` (what the
page says about it).
"""
