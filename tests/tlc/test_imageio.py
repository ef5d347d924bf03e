"""Loading photos: every bad input becomes one ImageError; every odd format becomes upright RGB."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from labsys.errors import ImageError
from labsys.tlc.imageio import load_image


def _encode(picture: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _gradient(width: int = 40, height: int = 30) -> Image.Image:
    xx, yy = np.meshgrid(np.linspace(0, 255, width), np.linspace(0, 255, height))
    return Image.fromarray(np.stack([xx, yy, 255 - xx], axis=-1).astype(np.uint8))


def _png_with_size(width: int, height: int) -> bytes:
    """A PNG whose header claims the given size (the data are tiny): a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello, this is a text file\n",
        _encode(_gradient(), "JPEG")[:200],
        _encode(_gradient(), "PNG")[:60],
        b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4,
        _png_with_size(9000, 9000),
        _png_with_size(60000, 60000),
    ],
    ids=[
        "empty",
        "text",
        "truncated-jpeg",
        "truncated-png",
        "corrupt-jpeg",
        "bomb-81mp",
        "bomb-huge",
    ],
)
def test_bad_bytes_raise_one_line_image_error(data: bytes) -> None:
    with pytest.raises(ImageError) as caught:
        load_image(data)
    assert "\n" not in str(caught.value)


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="no such file"):
        load_image(tmp_path / "absent.jpg")
    (tmp_path / "empty.jpg").write_bytes(b"")
    with pytest.raises(ImageError, match="empty"):
        load_image(tmp_path / "empty.jpg")


def test_formats_become_rgb_uint8() -> None:
    rgb = _gradient()
    sixteen = Image.fromarray(np.asarray(rgb.convert("L"), dtype=np.uint16) * 257)
    assert sixteen.mode.startswith("I;16")
    cases = {
        "grey": _encode(rgb.convert("L"), "PNG"),
        "palette": _encode(rgb.convert("P"), "PNG"),
        "rgba": _encode(rgb.convert("RGBA"), "PNG"),
        "cmyk": _encode(rgb.convert("CMYK"), "JPEG"),
        "16bit": _encode(sixteen, "PNG"),
    }
    for name, data in cases.items():
        image = load_image(data)
        assert image.shape == (30, 40, 3), name
        assert image.dtype == np.uint8, name
    grey16 = load_image(cases["16bit"])
    assert abs(int(grey16[-1, -1, 0]) - int(np.asarray(rgb.convert("L"))[-1, -1])) <= 1


def test_exif_orientation_is_honoured() -> None:
    picture = _gradient(40, 30)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    image = load_image(_encode(picture, "JPEG", exif=exif.tobytes()))
    assert image.shape == (40, 30, 3)


def test_arrays_of_any_dtype() -> None:
    assert load_image(np.zeros((20, 30))).shape == (20, 30, 3)
    assert load_image(np.full((20, 30, 4), 65535, np.uint16)).max() == 255
    assert load_image(np.ones((20, 30, 1), np.float32)).max() == 255
    with pytest.raises(ImageError):
        load_image(np.zeros((4, 4, 3)))
    with pytest.raises(ImageError):
        load_image(np.zeros((20, 30, 2)))


def test_draft_decodes_jpeg_smaller() -> None:
    data = _encode(_gradient(1600, 1200), "JPEG")
    assert load_image(data, max_side=400).shape[1] == 400
    assert load_image(data).shape[1] == 1600
