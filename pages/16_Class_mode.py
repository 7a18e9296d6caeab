"""Class mode: the teacher asks the class to predict what a lesson's picture will show, students
vote on their phones, and the reveal is the app's own picture with the answer computed from the
models (peer instruction, Crouch & Mazur 2001). The views live in ``ui.classmode.views``."""

from __future__ import annotations

from ui.classmode import views
from ui.page import frame

frame.setup_page(
    __file__,
    "predict what a lesson's picture will show, vote with the class, then see the "
    "models' answer: the teacher starts a session, students join with a code or a QR code.",
)
views.page()
