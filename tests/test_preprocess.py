"""vae.preprocess: uploads (raw bytes) -> MNIST-like (28, 28) float32 in [0, 1].

Every input is built in memory with Pillow; nothing is read from disk or the network.
"""

from __future__ import annotations

import io
import struct
import time
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image, ImageDraw, ImageOps
from scipy import ndimage

from vae import preprocess as pp
from vae.preprocess import PreprocessError

# --------------------------------------------------------------------------- helpers


def encode(im: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt, **kw)
    return buf.getvalue()


def drawn(
    size: tuple[int, int] = (300, 200), ink: int = 0, paper: int = 255, mode: str = "L"
) -> Image.Image:
    """A digit-like shape (a thick slanted stroke with a bar: a '7') on plain paper."""
    im = Image.new(mode, size, paper)
    d = ImageDraw.Draw(im)
    w, h = size
    sx, sy = w / 300, h / 200
    width = max(1, round(14 * min(sx, sy)))
    d.line(
        [(110 * sx, 40 * sy), (190 * sx, 40 * sy), (140 * sx, 170 * sy)],
        fill=ink,
        width=width,
        joint="curve",
    )
    return im


def assert_mnist_like(x: np.ndarray) -> None:
    assert isinstance(x, np.ndarray)
    assert x.shape == (28, 28)
    assert x.dtype == np.float32
    assert np.isfinite(x).all()
    assert x.min() >= 0.0 and x.max() <= 1.0
    assert x.max() > 0.99  # ink is stretched to 1
    border = np.concatenate([x[0], x[-1], x[:, 0], x[:, -1]])
    # black background at the edges (a top-heavy digit may be shifted to touch one, as in MNIST)
    assert (border == 0.0).mean() >= 0.9 and border.mean() < 0.03
    cy, cx = ndimage.center_of_mass(x)
    assert 12.5 <= cy <= 15.0 and 12.5 <= cx <= 15.0  # within 1 px of 13.5..14
    rows = np.flatnonzero((x > 0.0).any(axis=1))
    cols = np.flatnonzero((x > 0.0).any(axis=0))
    assert max(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1) <= 21  # 20x20 box


def aligned_error(x: np.ndarray, y: np.ndarray) -> float:
    """Mean absolute difference, allowing a shift of up to 1 px (the centring rounds)."""
    return min(
        float(np.abs(np.roll(x, (dy, dx), axis=(0, 1)) - y).mean())
        for dy in (-1, 0, 1)
        for dx in (-1, 0, 1)
    )


def png_header_only(width: int, height: int, mode: str = "1") -> bytes:
    """A small valid PNG whose IHDR is rewritten to claim width x height (a bomb's header)."""
    data = bytearray(encode(Image.new(mode, (1, 1))))
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF)
    return bytes(data)


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    return pp.preprocess(encode(drawn()))


# --------------------------------------------------------------------------- good inputs


def test_black_ink_on_white_png(reference):
    assert_mnist_like(reference)
    border = np.concatenate([reference[0], reference[-1], reference[:, 0], reference[:, -1]])
    assert border.max() < 0.05
    cy, cx = ndimage.center_of_mass(reference)
    assert abs(cy - 14.0) <= 0.5 and abs(cx - 14.0) <= 0.5  # MNIST: whole-pixel shift to 14
    # the longer side of the ink box is exactly the 20 px of the MNIST recipe
    rows = np.flatnonzero((reference > 0.0).any(axis=1))
    assert rows[-1] - rows[0] + 1 == 20


def test_light_ink_on_dark_matches_inverse(reference):
    dark = drawn(ink=255, paper=0)
    x = pp.preprocess(encode(dark))
    assert_mnist_like(x)
    np.testing.assert_allclose(x, reference, atol=1e-5)
    y = pp.preprocess(encode(ImageOps.invert(dark)))
    np.testing.assert_allclose(x, y, atol=1e-5)


def test_grey_paper_and_dark_grey_ink_is_inverted(reference):
    x = pp.preprocess(encode(drawn(ink=40, paper=110)))  # dim photo: paper below mid-grey
    assert_mnist_like(x)
    assert np.abs(x - reference).mean() < 0.02


def test_rgb_coloured_ink(reference):
    x = pp.preprocess(encode(drawn(ink=(20, 40, 200), paper=(250, 245, 235), mode="RGB")))
    assert_mnist_like(x)
    assert np.abs(x - reference).mean() < 0.02


@pytest.mark.parametrize("ink", [(0, 0, 0, 255), (255, 255, 255, 255)])
def test_rgba_transparent_background(reference, ink):
    im = Image.new("RGBA", (300, 200), (0, 0, 0, 0))  # transparent *black*: the worst case
    d = ImageDraw.Draw(im)
    d.line([(110, 40), (190, 40), (140, 170)], fill=ink, width=14, joint="curve")
    loaded = pp.load_image(encode(im))
    assert loaded.mode == "L"
    x = pp.to_mnist(loaded)
    assert_mnist_like(x)
    assert np.abs(x - reference).mean() < 0.02


def test_la_with_opaque_paper_and_transparent_corner(reference):
    im = drawn().convert("LA")
    alpha = Image.new("L", im.size, 255)
    ImageDraw.Draw(alpha).rectangle([0, 0, 40, 30], fill=0)  # a small see-through corner
    im.putalpha(alpha)
    x = pp.preprocess(encode(im))
    assert_mnist_like(x)
    assert np.abs(x - reference).mean() < 0.02


def test_palette_image(reference):
    im = drawn(mode="RGB").quantize(colors=4)
    assert im.mode == "P"
    x = pp.preprocess(encode(im))
    assert_mnist_like(x)
    assert np.abs(x - reference).mean() < 0.02


def test_palette_with_transparency(reference):
    im = Image.new("P", (300, 200), 0)
    im.putpalette([255, 255, 255, 0, 0, 0] + [0] * 762)
    ImageDraw.Draw(im).line([(110, 40), (190, 40), (140, 170)], fill=1, width=14, joint="curve")
    data = encode(im, transparency=0)
    assert "transparency" in Image.open(io.BytesIO(data)).info
    x = pp.preprocess(data)
    assert_mnist_like(x)
    assert np.abs(x - reference).mean() < 0.02


def test_one_bit_image(reference):
    im = drawn().convert("1", dither=Image.Dither.NONE)
    x = pp.preprocess(encode(im))
    assert_mnist_like(x)
    assert np.abs(x - reference).mean() < 0.02


def test_sixteen_bit_grayscale(reference):
    arr = np.asarray(drawn(), dtype=np.uint16) * 257  # 0 / 65535
    im = Image.fromarray(arr)
    data = encode(im)
    assert Image.open(io.BytesIO(data)).mode in ("I;16", "I")
    x = pp.preprocess(data)
    assert_mnist_like(x)
    assert np.abs(x - reference).mean() < 0.02


def test_twelve_bit_data_in_sixteen_bit_png(reference):
    arr = np.asarray(drawn(), dtype=np.uint16) * 16  # 0 / 4080: looks black as /257
    x = pp.preprocess(encode(Image.fromarray(arr)))
    assert_mnist_like(x)
    assert np.abs(x - reference).mean() < 0.02


def test_cmyk_jpeg(reference):
    x = pp.preprocess(encode(drawn(mode="RGB").convert("CMYK"), "JPEG", quality=90))
    assert_mnist_like(x)
    assert np.abs(x - reference).mean() < 0.03


def test_jpeg(reference):
    x = pp.preprocess(encode(drawn(mode="RGB"), "JPEG", quality=75))
    assert_mnist_like(x)
    assert np.abs(x - reference).mean() < 0.03


def test_jpeg_exif_orientation_is_applied():
    im = Image.new("L", (300, 200), 255)
    ImageDraw.Draw(im).line([(40, 100), (260, 100)], fill=0, width=16)  # a horizontal bar
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees to display"
    x = pp.preprocess(encode(im, "JPEG", exif=exif))
    rows = np.flatnonzero((x > 0.5).any(axis=1))
    cols = np.flatnonzero((x > 0.5).any(axis=0))
    assert rows[-1] - rows[0] > 3 * (cols[-1] - cols[0])  # upright: now a vertical bar


def test_animated_gif_uses_first_frame(reference):
    first = drawn()
    second = Image.new("L", (300, 200), 255)
    ImageDraw.Draw(second).ellipse([60, 20, 240, 180], outline=0, width=14)
    data = encode(first, "GIF", save_all=True, append_images=[second], duration=100, loop=0)
    assert Image.open(io.BytesIO(data)).n_frames == 2
    x = pp.preprocess(data)
    assert_mnist_like(x)
    assert np.abs(x - reference).mean() < 0.02
    ring = pp.preprocess(encode(second))
    assert np.abs(x - ring).mean() > 0.05


def test_animated_png_uses_first_frame(reference):
    second = Image.new("RGBA", (300, 200), (255, 255, 255, 255))
    ImageDraw.Draw(second).ellipse([60, 20, 240, 180], outline=(0, 0, 0, 255), width=14)
    data = encode(
        drawn(mode="RGBA", ink=(0, 0, 0, 255), paper=(255, 255, 255, 255)),
        "PNG",
        save_all=True,
        append_images=[second],
        duration=100,
    )
    assert getattr(Image.open(io.BytesIO(data)), "n_frames", 1) == 2
    x = pp.preprocess(data)
    assert np.abs(x - reference).mean() < 0.02


def test_thin_pen_strokes_are_thickened():
    im = Image.new("L", (1000, 1000), 255)
    ImageDraw.Draw(im).ellipse([250, 150, 750, 850], outline=0, width=3)  # 3 px on 700 px
    x = pp.preprocess(encode(im))
    assert_mnist_like(x)
    assert (x > 0.5).sum() >= 60  # an MNIST-weight ring, not a faint hairline
    thin = pp.to_mnist(pp.load_image(encode(im)), min_stroke=0)
    assert (thin > 0.5).sum() < (x > 0.5).sum()


def test_dust_speck_does_not_move_the_box(reference):
    im = drawn()
    ImageDraw.Draw(im).rectangle([5, 185, 7, 187], fill=0)  # a 3x3 speck in a corner
    x = pp.preprocess(encode(im))
    assert np.abs(x - reference).mean() < 0.01


def test_tiny_image_is_upscaled():
    im = Image.new("L", (10, 8), 255)
    ImageDraw.Draw(im).line([(5, 1), (5, 6)], fill=0, width=2)
    assert_mnist_like(pp.preprocess(encode(im)))


def test_to_mnist_accepts_any_mode_and_leaves_the_input_alone(reference):
    im = drawn(mode="RGB", ink=(0, 0, 0), paper=(255, 255, 255)).resize((3000, 2000))
    x = pp.to_mnist(im)
    assert im.size == (3000, 2000)
    assert np.abs(x - reference).mean() < 0.02


def test_png_at_the_pixel_limit_is_fast(reference):
    im = drawn(size=(3600, 2500))  # 9.0 MP: MAX_PIXELS_FULL, the largest non-JPEG accepted
    assert im.width * im.height == pp.MAX_PIXELS_FULL
    data = encode(im, compress_level=1)
    assert len(data) < pp.MAX_BYTES
    start = time.perf_counter()
    x = pp.preprocess(data)
    elapsed = time.perf_counter() - start
    assert_mnist_like(x)
    assert elapsed < 10.0, f"took {elapsed:.1f} s"
    loaded = pp.load_image(data)
    assert max(loaded.size) <= pp.WORK_SIDE


@pytest.mark.parametrize("mode", ["L", "I;16"])
def test_twenty_megapixel_png_is_refused_before_decoding(mode, monkeypatch):
    """Formats decoded at full size stop at MAX_PIXELS_FULL (a 40 MP 16-bit PNG of 77 kB cost
    150-230 MB to decode); the message names both limits."""
    data = encode(Image.new(mode, (5000, 4000)), compress_level=9)
    assert len(data) < 200_000
    monkeypatch.setattr(Image.Image, "load", lambda self: pytest.fail("decoded"))
    with pytest.raises(PreprocessError, match="too large") as info:
        pp.load_image(data)
    assert "9 megapixels" in str(info.value) and "40 for a JPEG" in str(info.value)


@pytest.mark.parametrize("fmt", ["TIFF", "PPM", "ICO", "PDF"])
def test_formats_the_uploader_does_not_name_are_refused(fmt):
    """Only the upload widget's formats are decoded: a TIFF named .png is refused unread."""
    buf = io.BytesIO()
    Image.new("L", (64, 64), 255).save(buf, format=fmt)
    with pytest.raises(
        PreprocessError, match="not .* image|cannot|not a picture|not recognised|not an image"
    ):
        pp.load_image(buf.getvalue())


def test_many_page_tiff_costs_nothing():
    """A multi-page TIFF (190,000 one-pixel pages cost 133 s in n_frames before) is refused at
    once."""
    frames = [Image.new("L", (1, 1)) for _ in range(2000)]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:])
    start = time.perf_counter()
    with pytest.raises(PreprocessError):
        pp.load_image(buf.getvalue())
    assert time.perf_counter() - start < 0.5


def test_animated_gif_uses_its_first_frame_without_counting_frames(monkeypatch):
    from PIL import GifImagePlugin

    frames = [Image.new("L", (40, 40), 255), Image.new("L", (40, 40), 0)]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:])
    monkeypatch.setattr(
        GifImagePlugin.GifImageFile,
        "n_frames",
        property(lambda self: pytest.fail("n_frames walks every frame")),
    )
    im = pp.load_image(buf.getvalue())
    assert np.asarray(im).min() == 255  # the first (white) frame


def test_twenty_megapixel_jpeg_is_fast():
    data = encode(
        drawn(size=(5000, 4000), mode="RGB", ink=(0, 0, 0), paper=(255, 255, 255)),
        "JPEG",
        quality=80,
    )
    start = time.perf_counter()
    x = pp.preprocess(data)
    assert time.perf_counter() - start < 10.0
    assert_mnist_like(x)


def test_make_example_png_round_trip(reference):
    for invert in (True, False):
        data = pp.make_example_png(reference, invert=invert, scale=8)
        im = Image.open(io.BytesIO(data))
        assert im.format == "PNG" and im.size == (224, 224)
        corner = im.convert("L").getpixel((0, 0))
        assert corner == (255 if invert else 0)
        x = pp.preprocess(data)
        assert np.abs(x - reference).mean() < 0.03
    with pytest.raises(ValueError):
        pp.make_example_png(np.zeros((27, 28)), invert=True, scale=2)
    with pytest.raises(ValueError):
        pp.make_example_png(reference, invert=True, scale=0)


# --------------------------------------------------------------------------- bad inputs


def test_error_is_a_value_error():
    assert issubclass(PreprocessError, ValueError)


def test_empty_bytes():
    with pytest.raises(PreprocessError, match="The file is empty."):
        pp.preprocess(b"")


def test_random_bytes():
    rng = np.random.default_rng(0)
    with pytest.raises(PreprocessError, match="not an image"):
        pp.preprocess(rng.integers(0, 256, 5000, dtype=np.uint8).tobytes())


def test_text_file():
    with pytest.raises(PreprocessError, match="not an image"):
        pp.preprocess(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n")


def test_truncated_png():
    data = encode(drawn())
    with pytest.raises(PreprocessError, match="damaged or incomplete") as info:
        pp.preprocess(data[: len(data) // 2])
    assert "Traceback" not in str(info.value)


def test_truncated_jpeg():
    data = encode(drawn(mode="RGB"), "JPEG")
    with pytest.raises(PreprocessError):
        pp.preprocess(data[: len(data) // 2])


@pytest.mark.parametrize("colour", [255, 0, 128])
def test_blank_image(colour):
    with pytest.raises(PreprocessError, match="No digit found: the image looks blank."):
        pp.preprocess(encode(Image.new("L", (300, 200), colour)))


def test_faint_noise_only_is_blank():
    rng = np.random.default_rng(1)
    paper = (250 + rng.integers(0, 6, (200, 300))).astype(np.uint8)  # JPEG-like grain
    with pytest.raises(PreprocessError, match="blank"):
        pp.preprocess(encode(Image.fromarray(paper, mode="L")))


def test_fully_transparent_image_is_blank():
    with pytest.raises(PreprocessError, match="blank"):
        pp.preprocess(encode(Image.new("RGBA", (300, 200), (0, 0, 0, 0))))


@pytest.mark.parametrize("size", [(20000, 20000), (10000, 10000), (8000, 6000)])
def test_oversized_header_is_refused_before_decoding(size):
    # 400 MP: Pillow's DecompressionBombError; 100 MP: its warning; 48 MP: MAX_PIXELS
    with pytest.raises(PreprocessError, match="too large") as info:
        pp.preprocess(png_header_only(*size))
    assert "megapixels" in str(info.value)


def test_real_decompression_bomb():
    data = encode(Image.new("1", (20000, 20000)))
    assert len(data) < 1_000_000
    with pytest.raises(PreprocessError, match="too large"):
        pp.preprocess(data)


def test_upload_over_max_bytes(monkeypatch):
    data = encode(drawn())
    monkeypatch.setattr(pp, "MAX_BYTES", len(data) - 1)
    with pytest.raises(PreprocessError, match="too large"):
        pp.preprocess(data)


def test_load_image_rejects_non_bytes():
    with pytest.raises(TypeError):
        pp.load_image("not bytes")  # type: ignore[arg-type]


def test_module_does_not_import_streamlit():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(pp))
    names = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(n and n.split(".")[0] == "streamlit" for n in names)


# --------------------------------------------------------------------------- property


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pixels=arrays(np.uint8, st.tuples(st.integers(8, 64), st.integers(8, 64))),
    fmt=st.sampled_from(["PNG", "JPEG"]),
)
def test_any_small_image_gives_valid_output_or_preprocess_error(pixels, fmt):
    data = encode(Image.fromarray(pixels, mode="L"), fmt)
    try:
        x = pp.preprocess(data)
    except PreprocessError as err:
        assert str(err)
        return
    assert x.shape == (28, 28) and x.dtype == np.float32
    assert np.isfinite(x).all() and x.min() >= 0.0 and x.max() <= 1.0


# --------------------------------------------------------------------------- realism


def test_photo_lit_from_one_side(reference):
    """Paper getting darker by 60 grey levels across the sheet, plus sensor noise."""
    rng = np.random.default_rng(2)
    h, w = 400, 600
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    paper = 235.0 - 60.0 * xx / w - 30.0 * yy / h
    ink = np.asarray(drawn(size=(w, h), ink=255, paper=0), dtype=np.float32) / 255.0
    photo = paper * (1.0 - ink) + 50.0 * ink + rng.normal(0.0, 4.0, (h, w))
    data = encode(Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8)), "JPEG", quality=85)
    x = pp.preprocess(data)
    assert_mnist_like(x)
    assert aligned_error(x, reference) < 0.03


def _vignetted_photo(digit: np.ndarray, falloff: str, at: tuple[int, int], seed: int) -> bytes:
    """A phone-like photo of an MNIST digit: dark-grey ink on paper that is bright in the middle
    and half as bright in the corners (a quadratic bowl, or the steeper cos^4 of a lens), sensor
    noise, JPEG."""
    h, w = 450, 600
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    r2 = (((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2) / 2  # 0 centre, 1 corner
    paper = 215.0 * (
        (1 - 0.5 * r2) if falloff == "bowl" else np.cos(np.arctan(1.1 * np.sqrt(r2))) ** 4
    )
    big = (
        np.asarray(
            Image.fromarray(np.rint(digit * 255).astype(np.uint8)).resize(
                (252, 252), Image.Resampling.BICUBIC
            ),
            dtype=np.float32,
        )
        / 255
    )
    ink = np.zeros((h, w), np.float32)
    ink[at[1] : at[1] + 252, at[0] : at[0] + 252] = big
    photo = paper * (1 - ink) + 50.0 * ink + np.random.default_rng(seed).normal(0.0, 4.0, (h, w))
    return encode(Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8)), "JPEG", quality=85)


@pytest.mark.parametrize("falloff", ["bowl", "cos4"])
@pytest.mark.parametrize(
    "at", [(40, 30), (170, 100), (330, 180)]
)  # near a corner, middle, other corner
def test_vignetted_photo_leaves_no_specks(falloff, at):
    """Dark corners of the paper are not ink: the digit comes out alone (no extra blobs) and close
    to the same digit preprocessed from a clean scan. Before the background was a surface fitted to
    the whole sheet, the corners became a solid blob around the digit."""
    from vae import artefacts

    images, labels = artefacts.load_test_set()
    for i in (int(np.flatnonzero(labels == 5)[0]), 0, 3):  # a 5, a 7, a 0
        digit = images[i].astype(np.float32) / 255
        clean = pp.to_mnist(Image.fromarray(images[i]))
        x = pp.preprocess(_vignetted_photo(digit, falloff, at, seed=i))
        assert_mnist_like(x)
        blobs = ndimage.label(x > 0.15, structure=np.ones((3, 3)))[1]
        assert blobs <= ndimage.label(clean > 0.15, structure=np.ones((3, 3)))[1], (i, blobs)
        assert aligned_error(x, clean) < 0.09, i


def test_noisy_paper_without_ink_is_blank():
    rng = np.random.default_rng(3)
    paper = np.clip(200.0 + rng.normal(0.0, 4.0, (400, 300)), 0, 255).astype(np.uint8)
    with pytest.raises(PreprocessError, match="blank"):
        pp.preprocess(encode(Image.fromarray(paper), "JPEG", quality=85))


def test_mnist_digits_survive_a_round_trip(mnist_small):
    """Real MNIST digits, rendered as dark-on-white PNGs, come back close to themselves."""
    images = mnist_small[0][:24, 0].numpy()
    errors = []
    for digit in images:
        x = pp.preprocess(pp.make_example_png(digit, invert=True, scale=6))
        assert_mnist_like(x)
        errors.append(aligned_error(x, digit))  # what is left: sub-pixel phase, resampling
    assert max(errors) < 0.08 and np.mean(errors) < 0.04, errors


# --- drawings from the pad (vae.preprocess.render_strokes / strokes_to_mnist) -------------------


def _ring(cx: float, cy: float, rx: float, ry: float, n: int = 60) -> list[list[float]]:
    t = np.linspace(0, 2 * np.pi, n)
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1).tolist()


def _stroke_width(x: np.ndarray) -> float:
    """Mean stroke width in pixels of a thin drawing: its area over half its boundary (a stroke of
    width w and length L has area w L and about 2 L boundary pixels)."""
    mask = x > 0.3
    boundary = mask & ~ndimage.binary_erosion(mask)
    return float(2 * mask.sum() / max(boundary.sum(), 1))


def _mnist_widths() -> tuple[float, float]:
    """The 5th and 95th percentiles of the stroke width of the first 500 MNIST test digits (about
    2.2 and 4.5)."""
    from vae import artefacts

    images = artefacts.load_test_set()[0][:500].astype(np.float32) / 255
    return tuple(np.percentile([_stroke_width(x) for x in images], [5, 95]))


@pytest.mark.parametrize(
    "ring",
    [
        _ring(0.5, 0.5, 0.25, 0.35),  # a large zero
        _ring(0.2, 0.2, 0.05, 0.07),  # small and off-centre
        _ring(0.8, 0.75, 0.12, 0.18),  # medium, in a corner
    ],
)
def test_a_drawn_zero_becomes_mnist_like_whatever_its_size_and_place(ring):
    from vae.preprocess import strokes_to_mnist

    x = strokes_to_mnist([ring])
    assert (
        x.shape == (28, 28)
        and x.dtype == np.float32
        and 0 <= x.min()
        and x.max() == pytest.approx(1.0)
    )
    rows, cols = np.nonzero(x > 0.05)
    assert max(rows.max() - rows.min(), cols.max() - cols.min()) + 1 in (
        20,
        21,
        22,
    )  # the 20 px box
    com = np.array(np.nonzero(x)).T.astype(float)
    centre = (com * x[x > 0][:, None]).sum(0) / x.sum()
    np.testing.assert_allclose(centre, [14, 14], atol=1.0)  # centred by mass like MNIST
    lo, hi = _mnist_widths()
    assert (
        lo <= _stroke_width(x) <= hi
    )  # as thick as MNIST's own strokes: not a blob, not a hairline


def test_stroke_width_does_not_depend_on_how_large_one_draws():
    from vae.preprocess import strokes_to_mnist

    big = _stroke_width(strokes_to_mnist([_ring(0.5, 0.5, 0.3, 0.4)]))
    small = _stroke_width(strokes_to_mnist([_ring(0.5, 0.5, 0.06, 0.08)]))
    assert abs(big - small) < 1.0, (big, small)


def test_thin_and_thick_lines_and_a_tap():
    from vae.preprocess import render_strokes, strokes_to_mnist

    one = strokes_to_mnist([[[0.5, 0.1], [0.52, 0.9]]])  # a 1: a tall thin line
    assert (one > 0.3).sum(axis=1)[6:22].max() <= 5  # stays a narrow stroke after scaling
    img = render_strokes([[[0.3, 0.3]]])  # a tap is a dot, not an error
    assert np.asarray(img).max() == 255


@pytest.mark.parametrize(
    "bad",
    [
        None,
        [],
        [[]],
        "strokes",
        [[["a", "b"]]],
        [[[float("nan"), 0.2]]],
        [[[0.1, 0.2]]] * 500,
        [[[0.1, 0.2]] * 30_000],
    ],
)
def test_unusable_drawings_raise_a_message_not_a_traceback(bad):
    from vae.preprocess import PreprocessError, render_strokes

    with pytest.raises(PreprocessError):
        render_strokes(bad)


def test_coordinates_outside_the_pad_are_clipped():
    from vae.preprocess import render_strokes

    img = np.asarray(render_strokes([[[-3.0, 0.5], [4.0, 0.5]]]))
    assert img[140].min() == 255  # the line runs across the whole pad, not off it


# --- what the pad sends is checked before it is kept (vae.preprocess.clean_strokes) -------------

FORGED = {  # values a forged websocket message can hold; each refused by counting, not converting
    "a million points": ([[[0.5, 0.5]] * 1_000_000], "too many points"),
    "100,000 one-point strokes": ([[[0.5, 0.5]]] * 100_000, "Too many strokes"),
    "a 25 MB string": ("x" * 25_000_000, "could not be read"),
    "a 25 MB string as a stroke": (["x" * 25_000_000], "could not be read"),
    "a point of a million numbers": ([[list(range(1_000_000))]], "could not be read"),
}


@pytest.mark.parametrize("name", FORGED)
def test_a_forged_drawing_is_refused_before_any_point_is_converted(name):
    """Counting comes first: refusing a huge value allocates next to nothing (converting the
    million shared points would allocate about 100 MB) and takes no time."""
    import tracemalloc

    value, words = FORGED[name]
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        with pytest.raises(PreprocessError, match=words) as err:
            pp.clean_strokes(value)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "clear the pad" in str(err.value)  # says what to do
    assert peak < 1_000_000 and time.perf_counter() - t0 < 1.0, (peak, name)


def test_checked_strokes_are_rounded_clipped_and_well_formed():
    clean = pp.clean_strokes([[[0.123456789, 2.0], [float("nan"), 0.5], [1, 0]], [], [[-1.0, 0.5]]])
    assert clean == [[[0.1235, 1.0], [1.0, 0.0]], [[0.0, 0.5]]]  # empty strokes and NaN points go
    assert all(type(v) is float for s in clean for p in s for v in p)
    assert pp.clean_strokes([]) == [] and pp.clean_strokes([[], []]) == []  # empty, not an error
    assert pp.clean_strokes([[[0.5, 0.5]]] * pp.MAX_STROKES) == [[[0.5, 0.5]]] * pp.MAX_STROKES
    assert len(pp.clean_strokes([[[0.5, 0.5]] * pp.MAX_POINTS])[0]) == pp.MAX_POINTS  # at the limit


@pytest.mark.parametrize(
    "bad",
    [
        [[[0.1, "0.2"]]],
        [[0.1, 0.2]],
        [[[0.1, 0.2, 0.3]]],
        [[[True, 0.2]]],
        [[[10**400, 0.2]]],
        [[{"x": 0.1, "y": 0.2}]],
        [None],
        {"strokes": []},
    ],
)
def test_malformed_strokes_are_refused_with_a_message(bad):
    with pytest.raises(PreprocessError, match="could not be read; clear the pad"):
        pp.clean_strokes(bad)


# --- reading a picture and the bundled examples (vae.preprocess.read_picture, example_paths) ----


def test_bundled_examples_are_digits():
    ex = pp.example_paths()
    assert len(ex) >= 4, ex
    assert {"3-ink-on-paper", "2-transparent"} <= set(ex)
    for stem, path in ex.items():
        thumb, x, size = pp.read_picture(path.read_bytes(), thumb=64)
        assert thumb.startswith(b"\x89PNG"), stem
        with Image.open(io.BytesIO(thumb)) as im:
            assert max(im.size) <= 64 and im.mode == "L", stem  # a grayscale thumbnail
        assert x.shape == (28, 28) and x.dtype == np.float32, stem
        np.testing.assert_array_equal(x, pp.preprocess(path.read_bytes()))  # the same recipe
        assert 0.0 <= x.min() and x.max() == pytest.approx(1.0), stem
        assert size[0] >= 28 and size[1] >= 28, stem
        rows, cols = np.nonzero(x > 0.1)  # the digit fits MNIST's 20-pixel box, roughly centred
        assert max(np.ptp(rows), np.ptp(cols)) + 1 <= 22, stem


def test_examples_name_their_source():
    from vae.artefacts import load_test_set

    _, labels = load_test_set()
    for stem, path in pp.example_paths().items():
        idx = pp.example_source(path)
        assert idx is not None and 0 <= idx < len(labels), stem
        assert labels[idx] == int(stem[0]), stem  # the file name starts with the digit
    assert pp.example_source(pp.EXAMPLES_DIR.parent.parent / "README.md") is None  # no picture
    assert pp.example_paths(pp.EXAMPLES_DIR / "no such folder") == {}


def test_transparent_example_is_rgba():
    with Image.open(pp.example_paths()["2-transparent"]) as im:
        assert im.mode == "RGBA"
        assert np.asarray(im)[..., 3].min() == 0  # a fully transparent background


@pytest.mark.parametrize("data", [b"", b"hello, not a picture", b"\x89PNG\r\n\x1a\n" + b"\0" * 40])
def test_read_picture_rejects_broken_files(data):
    with pytest.raises(PreprocessError) as err:
        pp.read_picture(data)
    assert str(err.value)  # a message for the user


def test_read_picture_rejects_truncated_png():
    data = pp.example_paths()["3-ink-on-paper"].read_bytes()
    with pytest.raises(PreprocessError):
        pp.read_picture(data[: len(data) // 3])
