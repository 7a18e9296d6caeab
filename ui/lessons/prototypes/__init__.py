"""Prototypes (pages/04_Prototypes.py): ``computed``, its per-model views computed once per server;
``claims``, its notices as pure functions of its numbers; ``views``, the parts of the page it
draws (the averages, the traversals, the 2-D slice, each dimension's use)."""
