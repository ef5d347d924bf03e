"""The origin and the solvent front: pencil lines (or edge ticks) across the rectified plate.

A pencil line is thin, long, dark and roughly horizontal; spots are thick and short; handwriting is
thin but short. The thin dark structures are isolated with a vertical morphological top-hat, then
each candidate height and small tilt is scored by the *median* response over strips across the
plate, so only marks that cross most of the plate count as lines.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy import ndimage as ndi
from scipy import signal

from labsys.errors import PlateNotFound
from labsys.tlc.results import PlateLine

MIN_LINE_DARKNESS = 0.04
"""Least darkening (fraction of the layer's luminance) of a pencil mark; fainter is noise."""

MAX_TILT = 0.04
"""Largest tilt (dy/dx, about 2.3°) of a hand-drawn line relative to the rectified plate."""

_STRIPS = 16
"""Vertical strips the plate's width is cut into; a line must darken most of them."""


def thin_dark(darkness: np.ndarray, scale: float) -> np.ndarray:
    """Thin dark horizontal structures: darkness minus its vertical opening (a black top-hat).

    Parameters
    ----------
    darkness
        (H, W) darkness against the layer (positive = darker).
    scale
        The plate's long side in pixels; structures thinner than 1.5 % of it are kept.
    """
    size = max(5, round(0.015 * scale) | 1)
    positive = np.maximum(darkness, 0.0)
    return positive - ndi.grey_opening(positive, size=(size, 1))


def find_lines(
    darkness: np.ndarray,
    *,
    origin_y: float | None = None,
    front_y: float | None = None,
) -> tuple[PlateLine, PlateLine, list[str]]:
    """Find the origin (lower) and solvent front (upper) lines.

    Parameters
    ----------
    darkness
        (H, W) darkness against the layer of the rectified plate (origin at the bottom).
    origin_y, front_y
        Heights given by a person; they replace what would be found.

    Returns
    -------
    origin, front : PlateLine
        Lines with ``source`` ``"line"`` (a pencil line), ``"ticks"`` (short marks at both edges
        only) or ``"hint"``.
    warnings : list of str

    Raises
    ------
    PlateNotFound
        When the origin or the front can be found neither as a line nor as edge ticks.

    Notes
    -----
    Assumes the origin lies in the lower half of the plate and the front at least 15 % of the
    plate's height above the origin, and that neither touches the plate's rim (outer 2.5 %).
    Where several lines qualify the darkest one is taken.
    """
    height, width = darkness.shape
    scale = max(height, width)
    response = thin_dark(darkness, scale)
    margin = max(2, round(0.025 * height))
    edges = np.linspace(0.02 * width, 0.98 * width, _STRIPS + 1).round().astype(int)
    profiles = np.stack([response[:, a:b].mean(axis=1) for a, b in itertools.pairwise(edges)])
    profiles = ndi.gaussian_filter1d(profiles, max(1.0, 0.002 * scale), axis=1)
    strip_x = 0.5 * (edges[:-1] + edges[1:])
    x_centre = 0.5 * (width - 1)
    warnings: list[str] = []
    rows = np.arange(height, dtype=float)
    min_gap = 0.15 * height

    def excluded(y: float) -> bool:
        return y < margin or y > height - 1 - margin

    lines = _full_lines(profiles, strip_x, x_centre, rows)
    lines = [line for line in lines if not excluded(line.y)]

    if origin_y is not None:
        origin = PlateLine(float(origin_y), "hint", 0.0, x_centre)
    else:
        lower = [line for line in lines if line.y > 0.5 * height]
        candidates = lower or [
            t for t in _edge_ticks(profiles, strip_x, x_centre) if t.y > 0.5 * height
        ]
        if not candidates:
            raise PlateNotFound(
                "No origin line found on the plate: draw the origin in pencil across the plate "
                "(about 1–1.5 cm above the bottom edge) and photograph it again, or mark it by "
                "hand."
            )
        origin = max(candidates, key=lambda line: line_strength(line, profiles, strip_x))
    if front_y is not None:
        front = PlateLine(float(front_y), "hint", 0.0, x_centre)
    else:
        upper = [line for line in lines if line.y < origin.y - min_gap]
        if not upper:
            upper = [
                t for t in _edge_ticks(profiles, strip_x, x_centre) if t.y < origin.y - min_gap
            ]
            if upper:
                warnings.append(
                    "Solvent front found from edge ticks only; check it on the overlay."
                )
        if not upper:
            raise PlateNotFound(
                "No solvent front found on the plate: mark the front in pencil (a line, or ticks "
                "at both edges) as soon as the plate leaves the tank, or mark it by hand."
            )
        front = max(upper, key=lambda line: line_strength(line, profiles, strip_x))
    if front.y >= origin.y:
        raise PlateNotFound("The solvent front must lie above the origin; check the marked lines.")
    return origin, front, warnings


def line_strength(line: PlateLine, profiles: np.ndarray, strip_x: np.ndarray) -> float:
    """Median darkness of the thin-structure response along a line over the strips."""
    heights = line.y_at(strip_x)
    values = [
        np.interp(h, np.arange(profiles.shape[1]), p)
        for h, p in zip(heights, profiles, strict=True)
    ]
    return float(np.median(values))


def _full_lines(
    profiles: np.ndarray, strip_x: np.ndarray, x_centre: float, rows: np.ndarray
) -> list[PlateLine]:
    """Lines crossing most strips: peaks over height of the best (over tilt) median response."""
    slopes = np.linspace(-MAX_TILT, MAX_TILT, 17)
    offsets = strip_x - x_centre
    score = np.empty((len(slopes), len(rows)))
    for i, slope in enumerate(slopes):
        shifted = np.stack(
            [
                np.interp(rows + slope * off, rows, p)
                for off, p in zip(offsets, profiles, strict=True)
            ]
        )
        score[i] = np.median(shifted, axis=0)
    best_slope = np.argmax(score, axis=0)
    best = score[best_slope, np.arange(len(rows))]
    return [
        PlateLine(_subpixel(best, peak), "line", float(slopes[best_slope[peak]]), x_centre)
        for peak in _strong_peaks(best, len(rows))
    ]


def _edge_ticks(profiles: np.ndarray, strip_x: np.ndarray, x_centre: float) -> list[PlateLine]:
    """Short marks at both edges at about the same height (a front marked by ticks only)."""
    rows = profiles.shape[1]
    left, right = profiles[:2].max(axis=0), profiles[-2:].max(axis=0)
    tolerance = max(1, round(MAX_TILT * (strip_x[-1] - strip_x[0])))
    right_near = ndi.maximum_filter1d(right, 2 * tolerance + 1)
    both = np.minimum(left, right_near)
    ticks = []
    for peak in _strong_peaks(both, rows):
        window = slice(max(0, peak - tolerance), min(rows, peak + tolerance + 1))
        right_y = window.start + float(np.argmax(right[window]))
        left_y = float(peak)
        x_left, x_right = strip_x[:2].mean(), strip_x[-2:].mean()
        slope = (right_y - left_y) / (x_right - x_left)
        y_mid = left_y + slope * (x_centre - x_left)
        ticks.append(PlateLine(float(y_mid), "ticks", float(slope), x_centre))
    return ticks


def _strong_peaks(score: np.ndarray, rows: int) -> np.ndarray:
    """Peaks of a line score that stand well above the score's noise and above faint pencil."""
    level = np.median(score)
    spread = 1.4826 * np.median(np.abs(score - level)) + 1e-4
    threshold = max(level + 8 * spread, MIN_LINE_DARKNESS)
    peaks, _ = signal.find_peaks(score, height=threshold, distance=max(3, rows // 30))
    return peaks


def _subpixel(values: np.ndarray, peak: int) -> float:
    """Peak position refined by a parabola through the peak and its neighbours."""
    if 0 < peak < len(values) - 1:
        left, centre, right = values[peak - 1 : peak + 2]
        denominator = left - 2 * centre + right
        if denominator < 0:
            return float(peak + 0.5 * (left - right) / denominator)
    return float(peak)
