"""The views of one lesson each, one sub-package per lesson (as cnn-explainer keeps a folder per
view): its claims (``claims``: pure functions from a frozen dataclass of numbers to its notices,
no Streamlit) and what it computes once per server. Shared by several lessons: ``words``
(sentence words), ``model_facts`` (per-model numbers) and ``ladders`` (the β and size ladders).
"""
