"""Train it yourself (pages/13_Train_it_yourself.py): ``live_view`` (a live run as the page shows
it)
and ``claims`` (its words).
"""
