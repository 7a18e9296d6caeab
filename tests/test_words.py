"""ui.lessons.words: the words of computed sentences (here, a change between two losses)."""

from __future__ import annotations

import pytest

from ui.lessons import words


@pytest.mark.parametrize(
    "before, after, expected",
    [
        (150.0, 140.0, "improves by 10.0 nats"),
        (100.0, 100.04, "does not change"),
        (100.0, 100.5, "worsens by 0.5 nats"),
    ],
)
def test_change_words(before, after, expected):
    assert words.change_words(before, after) == expected
    assert (
        words.change_words(1, 3, unit="units", lower_is_better=False, digits=0)
        == "improves by 2 units"
    )
