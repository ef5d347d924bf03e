"""The overlay draws on the rectified plate and encodes as PNG."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from labsys.tlc import analyse_plate, render_overlay
from tests.tlc.drawn_plates import photograph, render_drawn_plate, standard_plate


def test_overlay_marks_the_plate() -> None:
    photo, _ = photograph(render_drawn_plate(standard_plate()))
    analysis = analyse_plate(photo)
    picture = render_overlay(analysis)
    assert picture.size == analysis.rectified.shape[1::-1]
    plain = (analysis.rectified * 255 + 0.5).astype(np.uint8)
    assert np.count_nonzero(np.any(np.asarray(picture) != plain, axis=-1)) > 1000
    png = render_overlay(analysis, png=True)
    assert Image.open(io.BytesIO(png)).format == "PNG"
