"""Work shared by every session of the server: background warm-up at start (``warmup``), drawing
ahead of the next slider value (``prefetch``), the server-wide queue of costly requests
(``heavy_queue``), the limit on live training runs (``training_slots``), the limit on page runs
executing at once (``run_gate``) and flat memory (``memory``).
"""
