"""Reconstructions (pages/06_Reconstructions.py): ``computed``, the digits through each model and
each model's kept-digit rate, computed once per server; ``claims``, its notices as pure functions
of its numbers; ``views``, the parts of the page it draws (the rows, the binarized rows)."""
