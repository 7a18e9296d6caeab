"""AE vs VAE (pages/01_AE_vs_VAE.py): ``claims`` (its sentences about prior draws, reconstruction
and a posterior) and ``views`` (its maps, mixes and decoded pictures).
"""
