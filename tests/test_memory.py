"""ui.server.memory: the glibc malloc settings apply."""

from __future__ import annotations

import sys

import pytest

from ui.server import memory


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_malloc_tuning_applies_on_glibc():
    assert memory.tune() is True
