"""Train it yourself (pages/13_Train_it_yourself.py): ``controls`` (presets and run buttons),
``live_view`` (a live run as the page shows it), ``results`` (a finished run beside the pretrained
model) and ``claims`` (its words).
"""
