"""Your own digit (pages/12_Your_own_digit.py): ``pad`` (the drawing pad), ``picture`` (a picture
from outside MNIST) and ``landing`` (where it lands among the test codes).
"""
