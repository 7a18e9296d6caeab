"""The lesson catalogue: page file, icon, title and the question each page answers (home page
cards and tests use it)."""
from __future__ import annotations

from typing import NamedTuple


class Lesson(NamedTuple):
    path: str  # page file, relative to the repository root
    icon: str
    title: str  # also the page's st.title (after the icon)
    question: str  # the one-line question the page answers
    core: bool  # one of the five core lessons (else an exploration)


LESSONS = [
    Lesson("pages/01_AE_vs_VAE.py", "🔀", "AE vs VAE", "Why can a VAE generate new digits when a plain autoencoder can't?", True),
    Lesson("pages/02_KL_weighting.py", "⚖️", "KL weighting", "What does beta trade: sharp reconstructions or a tidy latent space?", True),
    Lesson("pages/03_Grid_vs_ppf.py", "🧭", "Grid vs ppf sampling", "Where should you sample a 2-D latent to see what the decoder learned?", True),
    Lesson("pages/04_Prototypes.py", "🧬", "Digit prototypes", "What does the 'average 3' look like, and what does each latent dimension do?", True),
    Lesson("pages/05_Embeddings.py", "🗺️", "Embeddings", "How do PCA, t-SNE and UMAP flatten a 10-D latent space, and what do they distort?", True),
    Lesson("pages/06_Reconstructions.py", "🔍", "Reconstructions", "What survives the trip through the bottleneck?", False),
    Lesson("pages/07_Latent_explorer.py", "🎛️", "Latent explorer", "What digit lives at this point of the latent space?", False),
    Lesson("pages/08_Interpolation.py", "🌈", "Interpolation", "Why does walking in latent space beat blending pixels?", False),
    Lesson("pages/09_Posterior_spread.py", "☁️", "Posterior spread", "What does sigma mean for a single image?", False),
    Lesson("pages/10_Conditional_VAE.py", "🏷️", "Conditional VAE", "What is left for z to encode once the decoder knows the digit?", False),
    Lesson("pages/11_Latent_size.py", "📏", "Latent size", "How many latent dimensions does MNIST need?", False),
    Lesson("pages/12_Your_own_digit.py", "✍️", "Your own digit", "What does the model make of a digit it has never seen?", False),
    Lesson("pages/13_Train_it_yourself.py", "🏋️", "Train it yourself", "What happens while a VAE learns, epoch by epoch?", False),
]
