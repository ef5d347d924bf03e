"""Lanes: where along the origin the samples were applied.

Evidence for a lane is spot material above the origin (column sums of spot contrast), pencil rings,
and the small pencil ticks drawn under application points. Lanes are not perfectly evenly spaced,
so peaks of the evidence are taken where they are; a regular grid is only used to place lanes that
left no trace (an empty lane when the count is known).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi
from scipy import signal

from labsys.tlc.lines import stroke_size
from labsys.tlc.results import PlateLine

MIN_LANE_SPACING = 0.05
"""Closest two lanes can be, as a fraction of the plate's width (8 lanes on a 10 cm plate: 0.11)."""


def column_evidence(
    spot_contrast: np.ndarray,
    origin: PlateLine,
    front: PlateLine,
    *,
    floor: float,
    below: float,
) -> np.ndarray:
    """Spot material per column between the front and just below the origin.

    Parameters
    ----------
    spot_contrast
        (H, W) contrast of spots against the layer, thin pencil marks removed.
    origin, front
        The lines bounding development.
    floor
        Contrast below which a pixel counts as bare layer (suppresses noise accumulating over rows).
    below
        Rows below the origin included, so that origin residue and application points count.

    Returns
    -------
    numpy.ndarray
        (W,) sum over those rows of the contrast above ``floor``.
    """
    height, width = spot_contrast.shape
    rows = np.arange(height)[:, None]
    columns = np.arange(width)
    inside = (rows >= front.y_at(columns)[None, :]) & (
        rows <= origin.y_at(columns)[None, :] + below
    )
    return (np.maximum(spot_contrast - floor, 0.0) * inside).sum(axis=0)


def tick_evidence(darkness: np.ndarray, origin: PlateLine, scale: float) -> np.ndarray:
    """Thin vertical pencil marks in a band just under the origin, per column.

    Uses a horizontal morphological opening: what it removes from the darkness is thinner than a
    pencil stroke (:func:`labsys.tlc.lines.stroke_size`), not spots.
    """
    height, width = darkness.shape
    size = stroke_size(scale)
    positive = np.maximum(darkness, 0.0)
    vertical = positive - ndi.grey_opening(positive, size=(1, size))
    top = round(origin.y_at(0.5 * width)) + max(2, round(0.005 * scale))
    bottom = min(height - 1, top + max(4, round(0.03 * scale)))
    if bottom <= top:
        return np.zeros(width)
    return vertical[top:bottom].mean(axis=0)


def find_lanes(
    evidence: np.ndarray,
    *,
    threshold: float,
    count: int | None = None,
) -> np.ndarray:
    """Lane centres (x, left to right) from a per-column evidence profile.

    Parameters
    ----------
    evidence
        (W,) smoothed evidence of applied material per column, in units where ``threshold`` is the
        least a real lane shows.
    threshold
        Least peak height of a lane that is detected rather than assumed.
    count
        The number of lanes when known: exactly this many centres are returned.

    Returns
    -------
    numpy.ndarray
        Lane centres, ascending.

    Notes
    -----
    With ``count`` given, the ``count`` most prominent peaks at least half a nominal lane spacing
    apart are taken; lanes still missing are placed on the regular grid that best fits the lanes
    found (least squares over offset and spacing), at the grid positions no found lane occupies.
    """
    width = len(evidence)
    spacing = max(3, round(MIN_LANE_SPACING * width))
    if count is not None:
        spacing = max(spacing, round(0.5 * width / (count + 1)))
    peaks, props = signal.find_peaks(evidence, height=threshold, distance=spacing, prominence=0)
    order = np.argsort(props["prominences"])[::-1]
    strong = np.sort(peaks[order[: count if count is not None else len(order)]]).astype(float)
    if count is None or len(strong) == count:
        return strong
    return _complete_grid(strong, count, width)


def _complete_grid(found: np.ndarray, count: int, width: int) -> np.ndarray:
    """Add lanes on the best-fitting regular grid where none was found."""
    default = width * np.arange(1, count + 1) / (count + 1)
    if len(found) == 0:
        return default
    best: tuple[float, np.ndarray] | None = None
    for step in np.linspace(0.5, 1.5, 41) * width / (count + 1):
        for first in range(count - len(found) + 1):
            grid = found[0] - first * step + step * np.arange(count)
            if grid[0] < 0 or grid[-1] > width - 1:
                continue
            mismatch = np.sum(np.min(np.abs(found[:, None] - grid[None, :]), axis=1) ** 2)
            cost = float(mismatch + 0.05 * np.mean((grid - default) ** 2))
            if best is None or cost < best[0]:
                best = (cost, grid)
    grid = default if best is None else best[1]
    free = [x for x in grid if np.min(np.abs(found - x)) > 0.5 * (grid[1] - grid[0])]
    extra = sorted(free, key=lambda x: -np.min(np.abs(found - x)))[: count - len(found)]
    result = np.sort(np.concatenate([found, extra]))
    if len(result) < count:  # the grid could not host them all: fall back to the default grid
        return default
    return result
