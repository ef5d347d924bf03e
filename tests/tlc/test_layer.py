"""The layer estimate: marks ignored, uneven light and the sharp edge of a shadow followed."""

from __future__ import annotations

import numpy as np

from labsys.tlc.layer import contrast, estimate_layer

GREEN = np.array([0.35, 0.8, 0.4])


def _plate(shadow_depth: float = 0.0) -> np.ndarray:
    """An 800 x 600 green layer lit from the left, a shadow over the right part from x = 380,
    and three dark spots."""
    height, width = 800, 600
    yy, xx = np.mgrid[0:height, 0:width]
    light = 1.0 - 0.25 * xx / width
    light = light * np.where(xx >= 380, 1.0 - shadow_depth, 1.0)
    image = GREEN * light[..., None]
    for y, x in ((300, 150), (420, 300), (500, 470)):
        image *= 1.0 - 0.5 * np.exp(-((yy - y) ** 2 + (xx - x) ** 2) / (2 * 12.0**2))[..., None]
    return image


def test_spots_are_not_taken_for_layer() -> None:
    image = _plate()
    seen = contrast(image)
    assert seen.darkness[300, 150] > 0.4
    assert abs(seen.darkness[100, 150]) < 0.02


def test_a_shadow_edge_leaves_no_band_of_false_contrast() -> None:
    """Smoothing across a shadow's sharp edge would leave a bright band on the lit side and a dark
    band in the shade, each wide and strong enough to pass for spots; only a sliver as wide as a
    pencil stroke may remain, which the spot finder's opening removes."""
    image = _plate(shadow_depth=0.4)
    seen = contrast(image, estimate_layer(image))
    columns = np.percentile(np.abs(seen.darkness[50:250]), 90, axis=0)
    assert np.count_nonzero(columns > 0.05) <= 24
    assert seen.darkness[500, 470] > 0.4
