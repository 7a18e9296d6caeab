"""Prototypes (pages/04_Prototypes.py): ``computed``, its per-model views computed once per
server."""
