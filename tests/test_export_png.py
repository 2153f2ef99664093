"""The PNG encoder of the maps: exact pixels, the resolution, the same bytes every time."""

from __future__ import annotations

import io
import zlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from riskplan.export.png import BAND_ROWS, FrameEncoder, adler32_combine, encode_rgba  # noqa: E402


def _canvas(dpi: int = 72, seed: int = 0) -> np.ndarray:
    """The pixels of a small drawn figure (lines, text, a fill): a copy of its Agg canvas."""
    rng = np.random.default_rng(seed)
    fig = plt.figure(figsize=(4, 3), dpi=dpi)
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
    ax.fill([0, 1, 1], [0, 0, 1], color="#f2f2f2")
    ax.plot(rng.random(6), rng.random(6), color="#d62728", linewidth=2)
    ax.text(0.5, 0.5, "team 1: 12", fontsize=12)
    fig.canvas.draw()
    pixels = np.array(fig.canvas.buffer_rgba())  # type: ignore[attr-defined]
    plt.close(fig)
    return pixels


def _decode(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def test_decodes_to_the_exact_pixels_of_the_canvas_with_the_dpi() -> None:
    rgba = _canvas(dpi=150)
    png = encode_rgba(rgba, 150)
    image = _decode(png)
    assert image.mode == "RGB" and image.size == (rgba.shape[1], rgba.shape[0])  # opaque: RGB
    assert (np.asarray(image) == rgba[..., :3]).all()
    assert [round(d, 2) for d in image.info["dpi"]] == [150.01, 150.01]  # 5906 px/m, as Pillow writes 150 dpi
    assert png == encode_rgba(rgba.copy(), 150)  # the same bytes on a second run
    assert b"matplotlib" not in png and b"tEXt" not in png and b"tIME" not in png


def test_keeps_alpha_when_a_pixel_is_not_opaque() -> None:
    rgba = _canvas()
    rgba[3, 5] = (10, 20, 30, 128)
    image = _decode(encode_rgba(rgba, 100))
    assert image.mode == "RGBA" and (np.asarray(image) == rgba).all()


def test_reused_background_bands_give_the_bytes_of_a_fresh_encoding() -> None:
    background = _canvas(seed=1)
    encoder = FrameEncoder(background, 100)
    frames = [background.copy() for _ in range(4)]
    frames[1][2 * BAND_ROWS + 3, 10:40] = (0, 0, 255, 255)  # one band differs
    frames[2][-1, :] = (0, 128, 0, 255)  # the last, short band differs
    frames[3][BAND_ROWS, 7] = (0, 0, 0, 100)  # a pixel not opaque: RGBA, no cached (RGB) band
    for frame in [*frames, frames[0]]:
        png = encoder.encode(frame)
        assert png == encode_rgba(frame, 100)
        image = _decode(png)
        assert image.mode == ("RGBA" if frame is frames[3] else "RGB")
        assert (np.asarray(image) == frame[..., :len(image.mode)]).all()
    assert len(encoder._bands) > 0  # bands were reused


def test_adler32_combine() -> None:
    a, b = b"riskplan" * 1000, bytes(range(256)) * 300
    assert adler32_combine(zlib.adler32(a), zlib.adler32(b), len(b)) == zlib.adler32(a + b)
    assert adler32_combine(1, zlib.adler32(b), len(b)) == zlib.adler32(b)


def test_a_wrong_array_is_refused() -> None:
    with pytest.raises(ValueError, match=r"\(height, width, 4\) uint8"):
        encode_rgba(np.zeros((4, 4, 3), dtype=np.uint8), 100)
