"""Class mode: predict, vote, reveal (peer instruction, Crouch & Mazur 2001) with the app's own
models.

- ``store``: the votes and class sessions (SQLAlchemy 2 Core: SQLite in a file by default,
  PostgreSQL through ``LATENT_LAB_DATABASE_URL`` for several replicas); no Streamlit.
- ``questions``: the questions tied to the lessons, each answer computed from the models.
- ``views``: the teacher's and the student's views of one class session (Streamlit).
"""
