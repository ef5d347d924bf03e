"""Pencil rings drawn around spots: on plates circled under the UV lamp, the ring is the spot.

A chemist without a camera in the UV cabinet circles each spot in pencil and photographs the plate
in daylight; the ring's centre gives the Rf and its interior the spot's extent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi
from skimage import measure

from labsys.tlc.lines import stroke_size
from labsys.tlc.results import PlateLine

MIN_STROKE_DARKNESS = 0.03
"""Least darkening (fraction of the layer's luminance) of a pencil stroke drawing a ring."""


@dataclass(frozen=True)
class Ring:
    """A closed pencil ring: its interior's centroid and extent (rectified pixels)."""

    x: float
    y: float
    interior: np.ndarray
    """Boolean mask of the ring's interior (full image size)."""


def find_rings(
    darkness: np.ndarray,
    origin: PlateLine,
    front: PlateLine,
    scale: float,
) -> list[Ring]:
    """Pencil rings drawn around spots, between the front and the origin.

    Parameters
    ----------
    darkness
        (H, W) darkness against the layer.
    origin, front
        The lines; their pencil is removed first so that rings crossing them stay closed.
    scale
        The plate's long side (pixels).

    Returns
    -------
    list of Ring

    Notes
    -----
    Pencil strokes are the dark structures that a grey opening by a stroke-wide square removes
    from the lightly smoothed darkness (smoothing by a sixth of a stroke keeps strokes and tames
    film grain). Strokes stand out when they exceed five noise levels of that response; gaps up to
    a stroke's width are closed, since a hand-drawn ring often stops just short of where it began.
    Rings are the holes of the closed stroke mask whose size lies between 1 % and 10 % of the plate
    and whose shape is compact (solidity ≥ 0.85), so handwritten letters and the gaps between the
    lines and the rim are not taken for rings.
    """
    height, width = darkness.shape
    size = stroke_size(scale)
    smooth = ndi.gaussian_filter(np.maximum(darkness, 0.0), size / 6)
    strokes = smooth - ndi.grey_opening(smooth, size=(size, size))
    level = np.median(strokes)
    noise = 1.4826 * float(np.median(np.abs(strokes - level)))
    mask = strokes > max(MIN_STROKE_DARKNESS, level + 5 * noise)
    rows = np.arange(height)[:, None]
    columns = np.arange(width)[None, :]
    band = np.zeros_like(mask)
    for line in (origin, front):
        band |= np.abs(rows - line.y_at(columns)) <= size
    mask &= ~band
    bridged = ndi.minimum_filter(ndi.maximum_filter(mask, (3 * size, 3)), (3 * size, 3))
    mask |= bridged & band  # a ring's arcs on either side of a line, joined across it
    # A ring drawn in one go often does not quite close: bridge gaps as wide as a stroke.
    mask = ndi.minimum_filter(ndi.maximum_filter(mask, size), size)
    top = front.y_at(columns[0]) - 0.03 * height
    bottom = origin.y_at(columns[0]) + 0.03 * height

    def between_lines(x: float, y: float) -> bool:
        column = min(width - 1, max(0, round(x)))
        return bool(top[column] <= y <= bottom[column])

    return _closed_rings(mask, scale, between_lines)


def _closed_rings(
    mask: np.ndarray, scale: float, keep: Callable[[float, float], bool]
) -> list[Ring]:
    """Rings that close on themselves: the single hole of a stroke component (between 1 % and
    10 % of the plate, solidity ≥ 0.85). Rings drawn across one another make a component with
    several holes (two crescents and a lens), none of which is centred on a spot: skipped."""
    components, _ = ndi.label(mask)
    euler = {region.label: region.euler_number for region in measure.regionprops(components)}
    holes = ndi.binary_fill_holes(mask) & ~mask
    labels, _ = ndi.label(holes)
    rings = []
    min_area, max_area = np.pi * (0.01 * scale) ** 2, np.pi * (0.1 * scale) ** 2
    for region in measure.regionprops(labels):
        y, x = region.centroid
        if not (min_area <= region.area <= max_area and region.solidity >= 0.85):
            continue
        r0, c0, r1, c1 = region.bbox
        grown = (slice(max(0, r0 - 2), r1 + 2), slice(max(0, c0 - 2), c1 + 2))
        inside = np.zeros(mask.shape, dtype=bool)
        inside[r0:r1, c0:c1] = region.image
        rim = ndi.binary_dilation(inside[grown], iterations=2)
        owners = [label for label in np.unique(components[grown][rim]) if label > 0]
        if any(euler[label] < 0 for label in owners) or not keep(x, y):
            continue
        rings.append(Ring(x=float(x), y=float(y), interior=inside))
    return rings
