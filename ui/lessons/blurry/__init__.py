"""Why samples look blurry (pages/15_Blurry_samples.py): ``claims`` (its notices on grey pixels,
coin flips, temperature and entropy) and ``computed`` (the test images' own entropy, once per
server).
"""
