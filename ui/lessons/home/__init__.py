"""The home page (streamlit_app.py): ``view`` (the opening picture), ``computed`` (the model
table from the checkpoints) and ``claims`` (its computed sentence on the training budget).
"""
