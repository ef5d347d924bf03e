"""The origin and the solvent front: pencil lines (or edge ticks) across the rectified plate.

A pencil line is thin, long, dark and roughly horizontal; spots are thick and short; handwriting is
thin but short. The thin dark structures are isolated with a vertical morphological top-hat, then
each candidate height and small tilt is scored by the response that three quarters of the strips
across the plate reach (their lower quartile), so only marks that cross most of the plate count as
lines, and a row of spots at the same Rf in every lane does not.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy import ndimage as ndi
from scipy import signal

from labsys.errors import PlateNotFound
from labsys.tlc.results import PlateLine

MIN_LINE_DARKNESS = 0.025
"""Least darkening (fraction of the layer's luminance) of a pencil line, besides standing well
above the noise; fainter is not a mark anyone could rely on."""

MIN_THINNESS = 0.4
"""Least share of the darkness along a line that must be thin: a pencil line is thin throughout,
a row of spots at the same Rf is dark mostly in its thick cores."""

MAX_TILT = 0.04
"""Largest tilt (dy/dx, about 2.3°) of a hand-drawn line relative to the rectified plate."""

_STRIPS = 16
"""Vertical strips the plate's width is cut into; a line must darken most of them."""

_COVERAGE = 25
"""Percentile over strips that scores a line: a line must darken 75 % of the strips."""

TICK_LENGTH = 0.025
"""Shortest edge tick, as a fraction of the plate's long side (2.5 mm on a 10 cm plate); ticks
are measured over this length from just inside each side edge, so a short tick is not diluted by
the layer beyond it."""

_RIM = 0.01
"""Share of the plate's width at each side left out of the tick strips: the rectified rim."""


def stroke_size(scale: float) -> int:
    """Odd height (pixels) of the thickest pencil stroke: 1.3 % of the plate (1.3 mm on 10 cm)."""
    return max(5, round(0.013 * scale) | 1)


def thin_dark(darkness: np.ndarray, scale: float) -> np.ndarray:
    """Thin dark horizontal structures: darkness minus its vertical opening (a black top-hat).

    Parameters
    ----------
    darkness
        (H, W) darkness against the layer (positive = darker).
    scale
        The plate's long side in pixels; structures thinner than :func:`stroke_size` (a blurred
        pencil stroke) are kept, while spots, a few mm tall, are mostly removed.
    """
    size = stroke_size(scale)
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
    sigma = max(1.0, 0.002 * scale)
    profiles = _strip_profiles(response, edges, sigma)
    dark_profiles = _strip_profiles(darkness, edges, sigma)
    reach = 2.0 * stroke_size(scale)
    strip_x = 0.5 * (edges[:-1] + edges[1:])
    x_centre = 0.5 * (width - 1)
    warnings: list[str] = []
    rows = np.arange(height, dtype=float)
    min_gap = 0.15 * height

    def excluded(y: float) -> bool:
        return y < margin or y > height - 1 - margin

    def pencil(line: PlateLine) -> bool:
        return (
            not excluded(line.y)
            and _thinness(line, profiles, dark_profiles, strip_x, reach) >= MIN_THINNESS
        )

    lines = [line for line in _full_lines(profiles, strip_x, x_centre, rows) if pencil(line)]
    rim, tick = round(_RIM * width), max(2, round(TICK_LENGTH * scale))
    tick_edges = np.array([rim, rim + tick, width - rim - tick, width - rim])
    tick_profiles = _strip_profiles(response, tick_edges, sigma)[::2]
    tick_dark = _strip_profiles(darkness, tick_edges, sigma)[::2]
    tick_x = 0.5 * (tick_edges[[0, 2]] + tick_edges[[1, 3]])
    ticks = [
        tick
        for tick in _edge_ticks(tick_profiles, tick_x, x_centre)
        if not excluded(tick.y)
        and _thinness(tick, tick_profiles, tick_dark, tick_x, reach) >= MIN_THINNESS
    ]

    if origin_y is not None:
        origin = PlateLine(float(origin_y), "hint", 0.0, x_centre)
    else:
        lower = [line for line in lines if line.y > 0.5 * height]
        candidates = lower or [tick for tick in ticks if tick.y > 0.5 * height]
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
            upper = [tick for tick in ticks if tick.y < origin.y - min_gap]
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


def _strip_profiles(image: np.ndarray, edges: np.ndarray, sigma: float) -> np.ndarray:
    """Row profiles (strips, H) of the mean of ``image`` over each vertical strip, smoothed."""
    profiles = np.stack([image[:, a:b].mean(axis=1) for a, b in itertools.pairwise(edges)])
    return ndi.gaussian_filter1d(profiles, sigma, axis=1)


def _thinness(
    line: PlateLine,
    profiles: np.ndarray,
    dark_profiles: np.ndarray,
    strip_x: np.ndarray,
    reach: float,
) -> float:
    """Share of a line's darkness (against the rows ``reach`` above and below it) that is thin.

    A pencil line is dark only within a stroke's height, so nearly all its local contrast survives
    the thin-structure filter; a row of spots is dark over many rows and little of it survives.
    """
    rows = np.arange(profiles.shape[1])
    heights = line.y_at(strip_x)
    thin = contrast = 0.0
    for height, profile, dark in zip(heights, profiles, dark_profiles, strict=True):
        thin += np.interp(height, rows, profile)
        around = np.interp([height - reach, height + reach], rows, dark).mean()
        contrast += np.interp(height, rows, dark) - around
    return float(thin / max(contrast, 1e-6))


def line_strength(line: PlateLine, profiles: np.ndarray, strip_x: np.ndarray) -> float:
    """Thin-structure response along a line that three quarters of the strips reach."""
    heights = line.y_at(strip_x)
    values = [
        np.interp(h, np.arange(profiles.shape[1]), p)
        for h, p in zip(heights, profiles, strict=True)
    ]
    return float(np.percentile(values, _COVERAGE))


def _full_lines(
    profiles: np.ndarray, strip_x: np.ndarray, x_centre: float, rows: np.ndarray
) -> list[PlateLine]:
    """Lines crossing most strips: peaks over height of the best (over tilt) strip coverage."""
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
        score[i] = np.percentile(shifted, _COVERAGE, axis=0)
    best_slope = np.argmax(score, axis=0)
    best = score[best_slope, np.arange(len(rows))]
    return [
        PlateLine(_subpixel(best, peak), "line", float(slopes[best_slope[peak]]), x_centre)
        for peak in strong_peaks(best, max(3, len(rows) // 30))
    ]


def _edge_ticks(profiles: np.ndarray, strip_x: np.ndarray, x_centre: float) -> list[PlateLine]:
    """Short marks at both edges at about the same height (a front marked by ticks only).

    ``profiles`` are the two edge strips' row profiles (left, right) centred at ``strip_x``.
    """
    rows = profiles.shape[1]
    left, right = profiles
    tolerance = max(1, round(MAX_TILT * (strip_x[-1] - strip_x[0])))
    right_near = ndi.maximum_filter1d(right, 2 * tolerance + 1)
    both = np.minimum(left, right_near)
    ticks = []
    for peak in strong_peaks(both, max(3, rows // 30)):
        window = slice(max(0, peak - tolerance), min(rows, peak + tolerance + 1))
        right_y = window.start + float(np.argmax(right[window]))
        left_y = float(peak)
        x_left, x_right = strip_x
        slope = (right_y - left_y) / (x_right - x_left)
        y_mid = left_y + slope * (x_centre - x_left)
        ticks.append(PlateLine(float(y_mid), "ticks", float(slope), x_centre))
    return ticks


def strong_peaks(score: np.ndarray, distance: int) -> np.ndarray:
    """Peaks of a pencil-mark score that stand eight noise levels above its median (noise from the
    median absolute deviation) and reach ``MIN_LINE_DARKNESS``, at least ``distance`` apart."""
    level = np.median(score)
    spread = 1.4826 * np.median(np.abs(score - level)) + 1e-4
    threshold = max(level + 8 * spread, MIN_LINE_DARKNESS)
    peaks, _ = signal.find_peaks(score, height=threshold, distance=max(1, distance))
    return peaks


def _subpixel(values: np.ndarray, peak: int) -> float:
    """Peak position refined by a parabola through the peak and its neighbours."""
    if 0 < peak < len(values) - 1:
        left, centre, right = values[peak - 1 : peak + 2]
        denominator = left - 2 * centre + right
        if denominator < 0:
            return float(peak + 0.5 * (left - right) / denominator)
    return float(peak)
