"""The lesson catalogue: page file, icon, title and the question each page answers, in the order
a class follows them. The home page's cards, the sidebar, every page's title and tab, and the
previous / next links all read it, so their labels cannot drift apart.

Icons are Streamlit's bundled Material Symbols (``:material/name:``): they need no emoji font,
which many projector PCs (and a bare CI image) lack.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple


class Lesson(NamedTuple):
    path: str  # page file, relative to the repository root
    icon: str  # a Material Symbols icon, ":material/name:"
    title: str  # the page's title, sidebar label and card label
    question: str  # the one-line question the page answers
    core: bool  # one of the five core lessons (else an exploration)


HOME = Lesson(
    "streamlit_app.py",
    ":material/home:",
    "Home",
    "What this app teaches, and how to use it in class",
    False,
)
GROUPS = (
    ("Core lessons", True),
    ("Explorations", False),
)  # sidebar and home page sections, in order

LESSONS = [
    Lesson(
        "pages/01_AE_vs_VAE.py",
        ":material/compare_arrows:",
        "AE vs VAE",
        "What does the KL term buy: why do a VAE's random codes decode to digits in the right mix?",
        True,
    ),
    Lesson(
        "pages/02_KL_weighting.py",
        ":material/balance:",
        "KL weighting",
        "What does β trade, and what does it do to the codes and to samples from the prior?",
        True,
    ),
    Lesson(
        "pages/03_Grid_vs_ppf.py",
        ":material/grid_on:",
        "Grid vs ppf sampling",
        "Where should you sample a 2-D latent to see what the decoder learned?",
        True,
    ),
    Lesson(
        "pages/04_Prototypes.py",
        ":material/category:",
        "Digit prototypes",
        "What does the 'average 3' look like, and what does each latent dimension do?",
        True,
    ),
    Lesson(
        "pages/05_Embeddings.py",
        ":material/scatter_plot:",
        "Embeddings",
        "How do PCA, t-SNE and UMAP flatten a 10-D latent space, and what do they distort?",
        True,
    ),
    Lesson(
        "pages/06_Reconstructions.py",
        ":material/image_search:",
        "Reconstructions",
        "What survives the trip through the bottleneck?",
        False,
    ),
    Lesson(
        "pages/15_Blurry_samples.py",
        ":material/lens_blur:",
        "Why samples look blurry",
        "Is the grey digit a VAE shows a sample from its model?",
        False,
    ),
    Lesson(
        "pages/07_Latent_explorer.py",
        ":material/tune:",
        "Latent explorer",
        "What digit lives at this point of the latent space?",
        False,
    ),
    Lesson(
        "pages/08_Interpolation.py",
        ":material/timeline:",
        "Interpolation",
        "Why does walking in latent space beat blending pixels?",
        False,
    ),
    Lesson(
        "pages/09_Posterior_spread.py",
        ":material/blur_on:",
        "Posterior spread",
        "What does sigma mean for a single image?",
        False,
    ),
    Lesson(
        "pages/14_ELBO_bound.py",
        ":material/functions:",
        "The ELBO is a bound",
        "How far is the ELBO from log p(x), and why?",
        False,
    ),
    Lesson(
        "pages/10_Conditional_VAE.py",
        ":material/label:",
        "Conditional VAE",
        "What is left for z to encode once the decoder knows the digit?",
        False,
    ),
    Lesson(
        "pages/11_Latent_size.py",
        ":material/straighten:",
        "Latent size",
        "How many latent dimensions does MNIST need?",
        False,
    ),
    Lesson(
        "pages/12_Your_own_digit.py",
        ":material/draw:",
        "Your own digit",
        "What does the model make of a digit it has never seen?",
        False,
    ),
    Lesson(
        "pages/13_Train_it_yourself.py",
        ":material/fitness_center:",
        "Train it yourself",
        "What happens while a VAE learns, epoch by epoch?",
        False,
    ),
]
ORDER = [HOME, *[lesson for _, core in GROUPS for lesson in LESSONS if lesson.core == core]]
# Not a lesson: the live class (predict, vote, reveal) that runs questions about the lessons; the
# sidebar links it after the lessons, and its only neighbour is Home
CLASS = Lesson(
    "pages/16_Class_mode.py",
    ":material/how_to_vote:",
    "Class mode",
    "Predict, vote, reveal: a live class on the app's own models",
    False,
)


def lesson_for(script: str) -> Lesson:
    """The catalogue entry of a page, given its file (``__file__`` of the page, or its path)."""
    name = Path(script).name
    for lesson in (*ORDER, CLASS):
        if Path(lesson.path).name == name:
            return lesson
    raise KeyError(f"{name} is not in ui.page.catalogue")


def neighbours(lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    """The lessons before and after this one in the class's order (Home comes first)."""
    if lesson not in ORDER:
        return HOME, None
    i = ORDER.index(lesson)
    return (ORDER[i - 1] if i > 0 else None), (ORDER[i + 1] if i + 1 < len(ORDER) else None)
