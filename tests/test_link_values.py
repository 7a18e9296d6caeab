"""ui.page.link_values: the parsing of outside-world values (URL query parameters), property-tested
with hypothesis, and examples of the ladder values a shared link carries."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ui.page import link_values
from vae import zoo

ANY_TEXT = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.from_regex(r"-?[0-9]{1,6}(\.[0-9]{0,4})?", fullmatch=True),
    st.sampled_from(["nan", "inf", "-inf", "1e308", "1e-400", " 3 ", "0x10", "", ",", "1,2,3"]),
)


@settings(max_examples=300)
@given(ANY_TEXT)
def test_parse_int_never_raises_and_stays_in_range(raw):
    v, ok = link_values.parse_int(raw, 5, 30, 15)
    assert isinstance(v, int) and 5 <= v <= 30
    if raw is None:
        assert (v, ok) == (15, True)
    if not ok:
        assert v == 15


@settings(max_examples=300)
@given(ANY_TEXT)
def test_parse_float_is_finite_and_in_range(raw):
    v, ok = link_values.parse_float(raw, -3.0, 3.0, 0.5)
    assert math.isfinite(v) and -3.0 <= v <= 3.0
    if not ok:
        assert v == 0.5


@given(st.integers(5, 30))
def test_parse_int_round_trip(n):
    assert link_values.parse_int(str(n), 5, 30, 15) == (n, True)


@given(st.floats(-3, 3, allow_nan=False))
def test_parse_float_round_trip(x):
    v, ok = link_values.parse_float(repr(x), -3, 3, 0.0)
    assert ok and v == x


@settings(max_examples=200)
@given(ANY_TEXT)
def test_parse_choice_returns_a_choice(raw):
    choices = [0.0, 0.1, 0.5, 1.0, 2.0]
    v, ok = link_values.parse_choice(raw, choices, 1.0)
    assert v in choices
    assert ok or v == 1.0


@settings(max_examples=200)
@given(ANY_TEXT)
def test_parse_label_reads_exactly_the_labels(raw):
    labels = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}
    v, ok = link_values.parse_label(raw, labels, "tsne")
    assert v in labels and (ok or v == "tsne")
    assert ok == (
        raw is None or raw in labels.values()
    )  # Streamlit matches a bound widget's labels exactly
    for value, label in labels.items():
        assert link_values.parse_label(label, labels, "tsne") == (value, True)
    assert link_values.parse_label("umap", labels, "tsne") == (
        "tsne",
        False,
    )  # the value is not its label


def test_parse_choice_matches_string_forms():
    assert link_values.parse_choice("0.5", [0.0, 0.5, 1.0], 1.0) == (0.5, True)
    assert link_values.parse_choice("vae-2d", ["vae-2d", "ae-2d"], "ae-2d") == ("vae-2d", True)
    assert link_values.parse_choice("rm -rf", ["vae-2d"], "vae-2d") == ("vae-2d", False)


@settings(max_examples=200)
@given(ANY_TEXT)
def test_parse_bool(raw):
    v, ok = link_values.parse_bool(raw, False)
    assert isinstance(v, bool)
    assert ok or v is False


@settings(max_examples=300)
@given(
    st.one_of(
        ANY_TEXT,
        st.lists(st.integers(-50, 20000), max_size=80).map(lambda xs: ",".join(map(str, xs))),
    )
)
def test_parse_int_list(raw):
    v, ok = link_values.parse_int_list(raw, 0, 9999, [1, 2], max_len=64)
    assert all(isinstance(x, int) and 0 <= x <= 9999 for x in v) and 1 <= len(v) <= 64
    if not ok:
        assert v == [1, 2]


@settings(max_examples=300)
@given(
    st.one_of(
        ANY_TEXT,
        st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=12).map(
            lambda xs: ",".join(map(repr, xs))
        ),
    )
)
def test_parse_float_list(raw):
    v, ok = link_values.parse_float_list(raw, -3, 3, 4, [0.0] * 4)
    assert len(v) == 4 and all(math.isfinite(x) and -3 <= x <= 3 for x in v)
    if not ok:
        assert v == [0.0] * 4


def test_parse_float_list_accepts_valid():
    assert link_values.parse_float_list("0.5,-1,2,3", -3, 3, 4, [0.0] * 4) == (
        [0.5, -1.0, 2.0, 3.0],
        True,
    )


def test_parse_choice_numeric_forms_match_what_share_writes():
    # ui.page.links.state_to_url writes 1.0 as "1": the link must reopen beta = 1
    betas = [0.0, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0]
    for b in betas:
        assert link_values.parse_choice(f"{b:g}", betas, 0.5) == (b, True)
    assert link_values.parse_choice("nan", betas, 0.5) == (0.5, False)


# --- every other parser of a URL value (they live beside the concept they parse) ----------------

HOSTILE = st.one_of(
    ANY_TEXT,
    st.text(max_size=400),
    st.sampled_from(
        [
            "1e308",
            "-1e308",
            "1e309",
            "100000000000000000000",
            "1e-320",
            "NaN",
            "Infinity",
            "-0",
            "٣",
            "1_0",
            "9" * 5000,
            "1," * 2000,
            "`",
            "[x](http://e.example)",
            "\x00",
            "1;2 3",
        ]
    ),
)


@settings(max_examples=300, deadline=None)
@given(HOSTILE, HOSTILE)
def test_parse_range_never_raises(lo, hi):

    (a, b), ok = link_values.parse_range(lo, hi, (-6.0, 6.0), (-3.0, 3.0), 0.5)
    assert -6.0 <= a < b <= 6.0 and math.isfinite(a) and math.isfinite(b)
    if not ok:
        assert (a, b) == (-3.0, 3.0)


@settings(max_examples=300, deadline=None)
@given(HOSTILE)
def test_parse_option_and_ladder_value_return_a_member(raw):

    options = (0.0, 0.1, 0.5, 1.0, 2.0)
    for parse in (link_values.parse_option, link_values.parse_ladder_value):
        v, ok = parse(raw, options, 1.0)
        assert v in options
        if not ok:
            assert v == 1.0


@settings(max_examples=300, deadline=None)
@given(HOSTILE)
def test_parse_dim_pair_in_range(raw):

    (a, b), ok = link_values.parse_dim_pair(raw, 10, (0, 1))
    assert 0 <= a < 10 and 0 <= b < 10
    if not ok:
        assert (a, b) == (0, 1)


@settings(max_examples=300, deadline=None)
@given(HOSTILE)
def test_parse_indices_in_range_and_bounded(raw):

    good, bad = link_values.parse_indices(raw, 10_000, max_len=32)
    assert len(good) <= 32 and len(set(good)) == len(good)
    assert all(isinstance(i, int) and 0 <= i < 10_000 for i in good)
    assert all(isinstance(b, str) for b in bad)


@settings(max_examples=300, deadline=None)
@given(HOSTILE)
def test_echo_is_one_short_code_span(raw):
    s = link_values.echo(raw)
    assert s.startswith("` ") and s.endswith(" `") or s == "` `"
    inner = s[1:-1]
    assert "`" not in inner and all(c.isprintable() for c in inner)
    assert len(inner) <= link_values.ECHO_LIMIT + 3


@pytest.mark.parametrize(
    "raw, expected",
    [
        (None, (1.0, True)),
        ("1", (1.0, True)),
        ("1.0", (1.0, True)),
        (" 0.1 ", (0.1, True)),
        ("0", (0.0, True)),
        ("1e1", (10.0, True)),
        ("3", (1.0, False)),
        ("banana", (1.0, False)),
        ("nan", (1.0, False)),
        ("inf", (1.0, False)),
        ("", (1.0, False)),
    ],
)
def test_parse_ladder_value(raw, expected):
    assert link_values.parse_ladder_value(raw, zoo.BETAS_2D, 1.0) == expected


def test_parse_ladder_value_round_trips_the_shared_form():
    for b in zoo.BETAS_2D:  # links.state_to_url writes floats with :g
        assert link_values.parse_ladder_value(f"{b:g}", zoo.BETAS_2D, 1.0) == (b, True)
