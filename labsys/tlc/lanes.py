"""Lanes: where along the origin the samples were applied.

Evidence for a lane is spot material above the origin (column sums of spot contrast), pencil rings,
and the small pencil ticks drawn under application points. Without a lane count every clear peak of
that evidence is a lane. With a count, lanes are taken to be spotted roughly evenly (with a ruler,
by hand): the regular grid the evidence supports best decides which peaks are lanes, each lane
sits on its own peak (lanes are not perfectly evenly spaced), and a lane that left no trace stays
on the grid.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi
from scipy import signal

from labsys.tlc.lines import stroke_size, strong_peaks
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


def find_ticks(darkness: np.ndarray, origin: PlateLine, scale: float) -> np.ndarray:
    """Columns of thin vertical pencil ticks drawn just under the origin at application points.

    What a horizontal opening removes from the darkness is thinner than a pencil stroke
    (:func:`labsys.tlc.lines.stroke_size`); its mean over a band under the origin peaks at ticks,
    which must stand out from that profile's noise like any pencil mark.
    """
    height, width = darkness.shape
    size = stroke_size(scale)
    positive = np.maximum(darkness, 0.0)
    vertical = positive - ndi.grey_opening(positive, size=(1, size))
    top = round(origin.y_at(0.5 * width)) + max(2, round(0.005 * scale))
    bottom = min(height - 1, top + max(4, round(0.03 * scale)))
    if bottom <= top:
        return np.zeros(0, dtype=int)
    profile = ndi.gaussian_filter1d(vertical[top:bottom].mean(axis=0), 1.0)
    return strong_peaks(profile, round(MIN_LANE_SPACING * width))


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
    Without ``count``, every peak above ``threshold`` at least ``MIN_LANE_SPACING`` apart is a lane.
    With ``count``, lanes are assumed roughly evenly spaced (as they are spotted with a ruler, each
    off by up to a quarter of the spacing): the regular grid of ``count`` positions whose
    neighbourhoods hold the most evidence is chosen (evidence capped at twice ``threshold`` so that
    it counts lanes, not how heavily they were loaded), then each lane moves to the best supported
    evidence peak near its grid position (the nearest of equals), or stays on the grid when it left
    no trace (an empty lane).
    """
    width = len(evidence)
    spacing = max(3, round(MIN_LANE_SPACING * width))
    peaks, props = signal.find_peaks(evidence, height=threshold, distance=spacing)
    if count is None:
        return peaks.astype(float)
    # Each peak votes once, capped at twice the threshold: the grid counts lanes, not loads.
    votes = np.minimum(props["peak_heights"], 2 * threshold)
    grid, reach = _best_grid(peaks.astype(float), votes, count, width, threshold)
    centres = []
    for position in grid:
        near = np.flatnonzero(np.abs(peaks - position) <= reach)
        if not len(near):
            centres.append(position)
            continue
        # The best supported peak; among equals (votes are capped), the one nearest the grid.
        order = np.lexsort((np.abs(peaks[near] - position), -votes[near]))
        centres.append(float(peaks[near[order[0]]]))
    return np.array(centres, dtype=float)


def _best_grid(
    peaks: np.ndarray, votes: np.ndarray, count: int, width: int, threshold: float
) -> tuple[np.ndarray, float]:
    """The evenly spaced ``count`` positions best supported by the peaks.

    A peak supports a grid position with its vote, weighted by ``1 - (d / reach)²`` at distance
    ``d`` (reach a quarter of the spacing). Lanes are spotted with equal margins to the plate's
    sides, so a grid off-centre by a whole spacing loses as much as one lane's least evidence; ties
    (empty lanes) go to the grid closest to even spacing.
    """
    default = width * np.arange(1, count + 1) / (count + 1)
    if count == 1:
        return default, 0.5 * width
    best: tuple[float, np.ndarray, float] | None = None
    widest = (width - 1) / (count - 1)
    step = max(1.0, 0.005 * width)
    for pitch in [*np.arange(min(MIN_LANE_SPACING * width, widest), widest, step), widest]:
        reach = 0.25 * pitch
        starts = np.arange(0.0, width - (count - 1) * pitch)
        grids = starts[:, None] + pitch * np.arange(count)
        distance = np.abs(grids[..., None] - peaks)
        support = votes * np.clip(1.0 - (distance / reach) ** 2, 0.0, None)
        score = support.max(axis=-1, initial=0.0).sum(axis=1)
        score -= 0.1 * threshold * np.abs(grids - default).mean(axis=1) / pitch
        # Lanes are spotted with equal margins: a grid off-centre by a whole pitch costs as much
        # as the least evidence a lane leaves, so a faint stain at the rim does not shift it.
        margins = grids[:, 0] - (width - 1 - grids[:, -1])
        score -= threshold * np.abs(margins) / (2 * pitch)
        index = int(np.argmax(score))
        if best is None or score[index] > best[0]:
            best = (float(score[index]), grids[index], reach)
    assert best is not None
    return best[1], best[2]
