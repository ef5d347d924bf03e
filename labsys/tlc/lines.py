"""The origin and the solvent front: pencil lines (or edge ticks) across the rectified plate.

A pencil line is thin, long, dark and roughly horizontal; spots are thick and short; handwriting is
thin but short. The plate is cut into vertical strips; each strip's mean darkness along its rows
is a profile in which a line crossing the strip is a narrow peak, whatever the photo's noise
(averaging across the strip first keeps grain and sensor noise from piling up into the peak
measure), and a morphological top-hat keeps only peaks no taller than a pencil stroke. Each
candidate height and small tilt is scored by the response that three quarters of the strips reach
(their lower quartile), so only marks that cross most of the plate count as lines, a row of spots
at the same Rf in every lane does not, and a line survives a few lanes smeared across it.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np
from scipy import ndimage as ndi
from scipy import signal

from labsys.errors import PlateNotFound
from labsys.tlc.results import PlateLine

MIN_LINE_DARKNESS = 0.025
"""Least darkening (fraction of the layer's luminance) of a pencil line, besides standing well
above the noise; fainter is not a mark anyone could rely on."""

MIN_TICK_DARKNESS = 0.05
"""Least darkening of an edge tick: where ticks alone mark a line they must be as plain as a spot a
person can see, twice what a line across the whole plate needs; the frayed rim and grain of a
plate's edge reach half that."""

MIN_THINNESS = 0.4
"""Least share of the darkness along a line that must be thin: a pencil line is thin throughout,
a row of spots at the same Rf is dark mostly in its thick cores."""

MAX_TILT = 0.1
"""Largest tilt (dy/dx, about 5.7°) of a line relative to the rectified plate: a hand-ruled line
is a degree or two off, and where a finger or a pen hides a corner the plate is found a few
percent off there, which shears the rectified plate by a few degrees more near that corner."""

TILT_STEP = 0.005
"""Step between the tilts tried: on an 800 px plate the outermost strips, some 375 px from the
centre, then lie within a pixel of any line's height, well inside a pencil stroke."""

MIN_SIGNIFICANCE = 8.0
"""Noise levels (robust standard deviations of a mark score over the plate's rows, or for an edge
tick over the rows around it) a mark must stand above the score's median: with some hundreds of
rows, chance peaks stay below it."""

TRACE_CONTRAST = 2.0
"""How many times darker than a line across the plate the edge ticks at its height must be for
the line to count as the solvent's own trace rather than the chemist's mark; ticks on the ends of
a pencil line are that line, as dark as it."""

_STRIPS = 16
"""Vertical strips the plate's width is cut into; a line must darken most of them."""

_COVERAGE = 25
"""Percentile over strips that scores a line: a line must darken 75 % of the strips."""

TICK_LENGTH = 0.025
"""Shortest edge tick, as a fraction of the plate's long side (2.5 mm on a 10 cm plate); ticks
are measured over this length from the layer's side edges, so a short tick is not diluted by the
layer beyond it."""

TICK_INSET = 1
"""Tick lengths from the layer's side edge within which an edge tick may start: a tick is drawn
from the edge inwards, but often a few millimetres inside it, and the rim found may include a
sliver of layer."""

MIN_INSET_TICK_DARKNESS = 0.1
"""Least darkening of ticks found inside the edges: twice that of ticks at the edges, as strips
further in may cross the material of a lane close to the edge."""

_RIM_SEARCH = 0.05
"""Share of the plate's width at each side searched for the rim (bare backing, or background
let in by the corners) before the layer begins."""


def stroke_size(scale: float) -> int:
    """Odd height (pixels) of the thickest pencil stroke: 1.3 % of the plate (1.3 mm on 10 cm)."""
    return max(5, round(0.013 * scale) | 1)


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
    plate's height above the origin, and that both lie at least half a stroke inside the layer
    (any rim of bare backing or background at the image's edges is found and left out). Where
    several lines qualify the darkest one is taken; edge ticks count where no line does, or where
    they are much darker than the front line found (see ``TRACE_CONTRAST``), and plain ticks a
    little inside the edges (``TICK_INSET``) where nothing else marks a line.
    """
    height, width = darkness.shape
    scale = max(height, width)
    top, bottom = layer_span(darkness, axis=0)
    inset = 0.5 * stroke_size(scale)
    x_centre = 0.5 * (width - 1)
    left, right = layer_span(darkness)
    tick = max(2, min(round(TICK_LENGTH * scale), (right - left) // 4))
    full = _Strips.measure(darkness, np.linspace(left, right, _STRIPS + 1).round().astype(int))

    def usable(marks: list[PlateLine], strips: _Strips) -> list[_Mark]:
        """Marks off the rim that are thin enough for pencil, each with its strength."""
        return [
            (strips.strength(mark), mark)
            for mark in marks
            if top + inset <= mark.y <= bottom - 1 - inset and strips.thinness(mark) >= MIN_THINNESS
        ]

    lines = usable(full.lines(x_centre), full)
    edges = _edge_strips(darkness, left, right, tick)
    ticks = usable(edges[0].ticks(x_centre), edges[0])

    @functools.cache
    def inset_ticks() -> list[_Mark]:
        """Ticks drawn a little inside the edges: looked for only where nothing else marks a
        line, as pairing strips at several insets gives chance marks more pairs to form."""
        marks = [mark for ends in edges[1:] for mark in usable(ends.ticks(x_centre), ends)]
        return [mark for mark in marks if _strength(mark) >= MIN_INSET_TICK_DARKNESS]

    warnings: list[str] = []
    if origin_y is not None:
        origin = PlateLine(float(origin_y), "hint", 0.0, x_centre)
    else:
        try:
            origin = _origin(lines, ticks, height)
        except PlateNotFound:
            origin = _origin(lines, inset_ticks(), height)
    if front_y is not None:
        front = PlateLine(float(front_y), "hint", 0.0, x_centre)
    else:
        lowest = origin.y - 0.15 * height
        try:
            front = _front(lines, ticks, lowest, full.reach, warnings)
        except PlateNotFound:
            front = _front(lines, inset_ticks(), lowest, full.reach, warnings)
    if front.y >= origin.y:
        raise PlateNotFound("The solvent front must lie above the origin; check the marked lines.")
    return origin, front, warnings


def _origin(lines: list[_Mark], ticks: list[_Mark], height: int) -> PlateLine:
    """The strongest line in the plate's lower half, else the strongest tick pair there."""
    lower = [mark for mark in lines if mark[1].y > 0.5 * height]
    candidates = lower or [mark for mark in ticks if mark[1].y > 0.5 * height]
    if not candidates:
        raise PlateNotFound(
            "No origin line found on the plate: draw the origin in pencil across the plate "
            "(about 1–1.5 cm above the bottom edge) and photograph it again, or mark it by hand."
        )
    return max(candidates, key=_strength)[1]


def _front(
    lines: list[_Mark], ticks: list[_Mark], lowest: float, reach: float, warnings: list[str]
) -> PlateLine:
    """The strongest line above ``lowest``, else the strongest tick pair there.

    A line across the plate with much darker ticks at its ends (within ``reach``) is the faint
    trace the solvent itself leaves; the chemist's ticks mark the front, as one reads it by hand.
    """
    upper = [mark for mark in lines if mark[1].y < lowest]
    upper_ticks = [mark for mark in ticks if mark[1].y < lowest]
    if not upper:
        if not upper_ticks:
            raise PlateNotFound(
                "No solvent front found on the plate: mark the front in pencil (a line, or ticks "
                "at both edges) as soon as the plate leaves the tank, or mark it by hand."
            )
        warnings.append("Solvent front found from edge ticks only; check it on the overlay.")
        return max(upper_ticks, key=_strength)[1]
    strength, front = max(upper, key=_strength)
    marked = [mark for mark in upper_ticks if abs(mark[1].y - front.y) <= reach]
    if marked and max(marked, key=_strength)[0] >= TRACE_CONTRAST * strength:
        return max(marked, key=_strength)[1]
    return front


_Mark = tuple[float, PlateLine]
"""A line or tick pair found on the plate with its strength (the darkness most of it reaches)."""


def _strength(mark: _Mark) -> float:
    return mark[0]


def layer_span(darkness: np.ndarray, axis: int = 1) -> tuple[int, int]:
    """First and last+1 column (``axis=1``) or row (``axis=0``) of the layer inside any rim.

    The rectified plate may show a rim of bare backing (a glass plate's edge, a frayed cut) or a
    sliver of the background; it is darker or brighter than the layer along most of the plate's
    side, and it would bury edge ticks or pass for a line. Only a rim reaching the image's edge
    counts, so a pencil line near the edge, with layer beyond it, is kept.
    """
    other = darkness.shape[1 - axis]
    step = max(1, other // 200)
    sample = darkness[:, ::step] if axis == 0 else darkness[::step]
    median = np.median(sample, axis=1 - axis)
    away = (np.abs(median) > MIN_LINE_DARKNESS) | _crossings(
        median, stroke_size(max(darkness.shape)) // 2
    )
    size = len(away)
    search = max(1, round(_RIM_SEARCH * size))
    start = int(np.argmin(away[:search])) if away[0] else 0
    stop = size - int(np.argmin(away[::-1][:search])) if away[-1] else size
    return start, stop


def _crossings(median: np.ndarray, reach: int) -> np.ndarray:
    """Rows (or columns) at the layer's level that lie between a darker and a brighter band
    within ``reach`` of them.

    A rim is often dark and bright in turn (a cut edge's shadow beside its lit face, or the
    background beyond it), and on the way from one to the other it passes the layer's level in a
    row or two; those rows are rim, not layer. Half a stroke: a line must lie that far inside the
    layer anyway.
    """
    size = len(median)
    index = np.arange(size)
    low = np.clip(index - reach, 0, size)
    high = np.clip(index + 1 + reach, 0, size)
    sides = []
    for band in (median > MIN_LINE_DARKNESS, median < -MIN_LINE_DARKNESS):
        count = np.concatenate([[0], np.cumsum(band)])
        sides.append((count[index] > count[low], count[high] > count[index + 1]))
    (dark_before, dark_after), (bright_before, bright_after) = sides
    level = np.abs(median) <= MIN_LINE_DARKNESS
    return level & ((dark_before & bright_after) | (bright_before & dark_after))


class _Strips:
    """Row profiles of the plate's darkness, mean over vertical strips, and their thin part.

    Attributes
    ----------
    x
        (S,) centre column of each strip.
    dark
        (S, H) mean darkness of each strip along the rows, lightly smoothed.
    thin
        (S, H) the part of ``dark`` in peaks no taller than a pencil stroke (a top-hat).
    reach
        Rows above and below a line where its surroundings are measured (two strokes).
    """

    def __init__(self, x: np.ndarray, dark: np.ndarray, thin: np.ndarray, reach: float):
        self.x = x
        self.dark = dark
        self.thin = thin
        self.reach = reach
        self.rows = np.arange(dark.shape[1], dtype=float)

    @classmethod
    def measure(cls, darkness: np.ndarray, edges: np.ndarray, keep: int = 1) -> _Strips:
        """Profiles of the strips between consecutive ``edges`` (every ``keep``-th strip)."""
        scale = max(darkness.shape)
        bounds = list(itertools.pairwise(edges))[::keep]
        dark = np.stack([darkness[:, a:b].mean(axis=1) for a, b in bounds])
        dark = ndi.gaussian_filter1d(dark, max(1.0, 0.002 * scale), axis=1)
        size = stroke_size(scale)
        thin = ndi.white_tophat(dark, size=(1, size))
        x = np.array([0.5 * (a + b - 1) for a, b in bounds])
        return cls(x, dark, thin, 2.0 * size)

    def along(self, profiles: np.ndarray, line: PlateLine, shift: float = 0.0) -> np.ndarray:
        """Each strip's value of ``profiles`` where ``line``, ``shift`` rows lower, crosses it."""
        heights = line.y_at(self.x) + shift
        return np.array(
            [np.interp(h, self.rows, p) for h, p in zip(heights, profiles, strict=True)]
        )

    def strength(self, line: PlateLine) -> float:
        """Thin-structure response along a line that three quarters of the strips reach."""
        return float(np.percentile(self.along(self.thin, line), _COVERAGE))

    def thinness(self, line: PlateLine) -> float:
        """Share of a line's darkness (against the rows ``reach`` above and below it) that is thin.

        A pencil line is dark only within a stroke's height, so nearly all its local contrast
        survives the top-hat; a row of spots is dark over many rows and little of it survives.
        """
        thin = self.along(self.thin, line).sum()
        centre = self.along(self.dark, line)
        above = self.along(self.dark, line, -self.reach)
        below = self.along(self.dark, line, self.reach)
        contrast = (centre - 0.5 * (above + below)).sum()
        return float(thin / contrast) if contrast > 0 else 0.0

    def lines(self, x_centre: float) -> list[PlateLine]:
        """Lines crossing most strips: peaks over height of the best (over tilt) strip coverage."""
        slopes = np.linspace(-MAX_TILT, MAX_TILT, 2 * round(MAX_TILT / TILT_STEP) + 1)
        offsets = self.x - x_centre
        score = np.empty((len(slopes), len(self.rows)))
        for i, slope in enumerate(slopes):
            shifted = np.stack(
                [
                    np.interp(self.rows + slope * off, self.rows, p)
                    for off, p in zip(offsets, self.thin, strict=True)
                ]
            )
            score[i] = np.percentile(shifted, _COVERAGE, axis=0)
        best_slope = np.argmax(score, axis=0)
        best = score[best_slope, np.arange(len(self.rows))]
        return [
            PlateLine(_subpixel(best, peak), "line", float(slopes[best_slope[peak]]), x_centre)
            for peak in strong_peaks(best, max(3, len(self.rows) // 30))
        ]

    def ticks(self, x_centre: float) -> list[PlateLine]:
        """Short marks at both edges at about the same height (a line marked by ticks only).

        Each side's marks are found on their own (peaks standing ``MIN_SIGNIFICANCE`` local
        noise levels out); a mark on the left and one on the right within the largest tilt of
        each other make a tick pair.
        """
        distance = max(3, len(self.rows) // 30)
        left, right = (_marks(profile, distance) for profile in self.thin)
        tolerance = MAX_TILT * (self.x[-1] - self.x[0])
        ticks = []
        for left_y in left:
            near = right[np.abs(right - left_y) <= tolerance]
            if len(near):
                right_y = near[np.argmin(np.abs(near - left_y))]
                x_left, x_right = self.x
                slope = (right_y - left_y) / (x_right - x_left)
                y_mid = left_y + slope * (x_centre - x_left)
                ticks.append(PlateLine(float(y_mid), "ticks", float(slope), x_centre))
        return ticks


def _edge_strips(darkness: np.ndarray, left: int, right: int, tick: int) -> list[_Strips]:
    """Pairs of strips one ``tick`` wide at the plate's left and right edges, where ticks mark a
    line, the outermost pair first: from the edge to ``TICK_INSET`` ticks inside it, half a tick
    apart, each left strip with each right one, so a tick counts whether it starts at the edge or
    a little inside it, and is not diluted by the layer beyond its end."""
    steps = np.arange(0, TICK_INSET * tick + 1, max(1, tick // 2))
    starts = np.concatenate([left + steps, right - tick - steps])
    strips = _Strips.measure(darkness, np.stack([starts, starts + tick], axis=1).ravel(), keep=2)
    lefts, rights = range(len(steps)), range(len(steps), len(starts))
    return [
        _Strips(strips.x[[i, j]], strips.dark[[i, j]], strips.thin[[i, j]], strips.reach)
        for i, j in itertools.product(lefts, rights)
    ]


def _marks(profile: np.ndarray, distance: int) -> np.ndarray:
    """Heights (subpixel) of the thin dark marks in one strip's profile that stand out from the
    noise around them and reach ``MIN_TICK_DARKNESS``."""
    significant = _significance(profile) >= MIN_SIGNIFICANCE
    peaks, _ = signal.find_peaks(
        np.where(significant, profile, 0.0), height=MIN_TICK_DARKNESS, distance=distance
    )
    return np.array([_subpixel(profile, peak) for peak in peaks])


def _significance(profile: np.ndarray) -> np.ndarray:
    """How many local noise levels each row of a mark profile stands above its surroundings.

    Level and noise (median and median absolute deviation) are taken over a tenth of the plate's
    height around each row: noise differs along a strip (it is stronger in a dark smeared lane or
    a shadow than on the bare layer), and a mark must stand out from its own neighbourhood.
    """
    window = max(5, len(profile) // 10) | 1
    level = ndi.median_filter(profile, window, mode="reflect")
    spread = 1.4826 * ndi.median_filter(np.abs(profile - level), window, mode="reflect")
    return (profile - level) / (spread + 1e-4)


def strong_peaks(score: np.ndarray, distance: int) -> np.ndarray:
    """Peaks of a pencil-mark score that stand eight noise levels above its median (noise from the
    median absolute deviation) and reach ``MIN_LINE_DARKNESS``, at least ``distance`` apart."""
    level = np.median(score)
    spread = 1.4826 * np.median(np.abs(score - level)) + 1e-4
    threshold = max(level + MIN_SIGNIFICANCE * spread, MIN_LINE_DARKNESS)
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
