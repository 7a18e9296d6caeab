"""Conditional VAE (pages/10_Conditional_VAE.py): ``computed``, its images once per server."""
