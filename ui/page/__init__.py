"""What every page's frame uses: the page frame (``frame``), the lesson catalogue (``catalogue``),
state kept in the link (``links``, parsed by ``link_values``), cached loaders of ``cache/``
(``loaders``), cached model calls on arrays (``model_calls``) and downloads (``downloads``).
"""
