"""Hostile photos: damaged or forged bytes never escape as anything but a LabsysError.

Small valid PNG, JPEG and TIFF files are truncated, bit-flipped, given corrupt headers, or replaced
by random bytes, and handed to the loader and to the whole analysis. Examples and time are
bounded so the module runs in well under 30 s.
"""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from labsys.errors import LabsysError
from labsys.tlc import analyse_plate, load_image
from tests.tlc.drawn_plates import photograph, render_drawn_plate, standard_plate

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:PIL")  # Pillow notes corrupt data


def _encoded(pixels: np.ndarray, image_format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=image_format, **options)
    return buffer.getvalue()


def _tiny() -> np.ndarray:
    pixels = np.full((40, 56, 3), 235, dtype=np.uint8)
    pixels[8:32, 10:46] = np.random.default_rng(7).integers(60, 200, (24, 36, 3), dtype=np.uint8)
    return pixels


PLATE_PHOTO, _ = photograph(render_drawn_plate(standard_plate()), size=(450, 350), scale=0.6)
SEEDS = {
    "png": _encoded(_tiny(), "PNG"),
    "jpeg": _encoded(_tiny(), "JPEG", quality=80),
    "tiff": _encoded(_tiny(), "TIFF"),
    "tiff-lzw": _encoded(_tiny(), "TIFF", compression="tiff_lzw"),
    "plate-jpeg": _encoded(PLATE_PHOTO, "JPEG", quality=85),  # analysable: damage reaches deep
}


@st.composite
def damaged_photos(draw: st.DrawFn) -> bytes:
    """A valid small photo, then one kind of damage."""
    data = bytearray(SEEDS[draw(st.sampled_from(sorted(SEEDS)))])
    damage = draw(st.sampled_from(["truncate", "flip", "header", "random", "magic+random"]))
    if damage == "truncate":
        return bytes(data[: draw(st.integers(0, len(data) - 1))])
    if damage == "flip":
        for _ in range(draw(st.integers(1, 8))):
            position = draw(st.integers(0, len(data) - 1))
            data[position] ^= 1 << draw(st.integers(0, 7))
        return bytes(data)
    if damage == "header":
        start = draw(st.integers(0, 48))
        patch = draw(st.binary(min_size=1, max_size=16))
        data[start : start + len(patch)] = patch
        return bytes(data)
    tail = draw(st.binary(max_size=2048))
    return (bytes(data[:16]) + tail) if damage == "magic+random" else tail


BOUNDED = settings(
    max_examples=300,
    deadline=None,  # the first decode warms caches; the total is what is bounded
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,  # the same examples in every run: a failure here is reproducible
)


@pytest.mark.timeout(60)
@BOUNDED
@given(damaged_photos())
def test_loader_refuses_damage_with_a_labsys_error(data: bytes) -> None:
    try:
        image = load_image(data)
    except LabsysError:
        return
    assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3


@pytest.mark.timeout(60)
@settings(BOUNDED, max_examples=40)
@given(damaged_photos())
def test_analysis_refuses_damage_with_a_labsys_error(data: bytes) -> None:
    with contextlib.suppress(LabsysError):
        analyse_plate(data)


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_every_truncation_of_a_seed_is_refused_cleanly(name: str) -> None:
    """Exhaustive where it is cheap: every cut of the file header and a stride through the rest."""
    data = SEEDS[name]
    for length in [*range(0, 64), *range(64, len(data), 97)]:
        try:
            load_image(data[:length])
        except LabsysError:
            continue
