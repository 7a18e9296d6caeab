"""How pictures are built and reach the browser: ``render`` (theme, presenter and phone sizes, the
PNG / Vega-Lite caches, ``draw`` and ``show``), the builders (``altair_charts``: interactive Altair
charts; ``png_figures``: static Matplotlib and Pillow figures; ``raster``: Pillow drawing), their
long tables (``chart_tables``), text alternatives (``alt_text``) and the visual conventions
(``style``).
"""
