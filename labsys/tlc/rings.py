"""Pencil rings drawn around spots: on plates circled under the UV lamp, the ring is the spot.

A chemist without a camera in the UV cabinet circles each spot in pencil and photographs the plate
in daylight; the ring's centre gives the Rf and its interior the spot's extent.

Hand-drawn rings are lumpy ellipses that often stop short of closing, rings around close spots
cross or touch one another, and rings near the lines run into them: the holes of the pencil
strokes are no guide. Each ring is instead an ellipse fitted to pencil strokes around a place the
strokes' normals point to (a gradient Hough transform), kept when a stroke follows most of its
perimeter and a good part of that stroke is its own rather than a neighbouring ring's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi
from skimage import draw, feature, measure

from labsys.tlc.lines import stroke_size
from labsys.tlc.results import PlateLine

MIN_STROKE_DARKNESS = 0.03
"""Least darkening (fraction of the layer's luminance) of a pencil stroke drawing a ring."""

STROKE_NOISE_LEVELS = 5.0
"""Stroke response, in robust noise levels of the whole plate, that counts as pencil."""

WORKING_STROKE = 5
"""Strokes are looked for at a resolution where the thickest stroke spans about this many pixels:
enough to see a stroke as a ridge, and four times fewer pixels to search on a 12 MP plate."""

RING_RADII = (0.01, 0.1)
"""Smallest and largest ring radius, as fractions of the plate's long side."""

RING_SAMPLES = 72
"""Rays from a fitted ring's centre along which its stroke is looked for (every 5°)."""

_ANGLES = np.linspace(0.0, 2 * np.pi, RING_SAMPLES, endpoint=False)

MIN_COVERAGE = 0.8
"""Least fraction of a fitted ring's perimeter (where not hidden by the origin or front line) that
a stroke must follow: a ring drawn in one go leaves a gap of a tenth at most, while a circle
chanced upon among other strokes (the lens between two crossing rings, the space between four
touching ones) follows strokes over much of its length only where those belong to other rings."""

MIN_OWN_STROKE = 0.3
"""Least fraction of a fitted ring's perimeter drawn by a stroke that no other ring follows."""

MAX_ASPECT = 2.0
"""Most elongated ring (long over short axis): a ring is drawn around a roundish spot."""


@dataclass(frozen=True)
class Ring:
    """A pencil ring: its centre and the extent of its interior (rectified pixels)."""

    x: float
    y: float
    interior: np.ndarray
    """Boolean mask of the ring's interior (full image size)."""


@dataclass(frozen=True)
class _Strokes:
    """The plate's pencil strokes, at the working resolution."""

    darkness: np.ndarray
    """Darkness against the layer."""
    pencil: np.ndarray
    """Stroke response (black top-hat of the darkness) on pencil, 0 elsewhere."""
    least: float
    """Least stroke response (darkness) of pencil."""
    mask: np.ndarray
    """Pencil: response above the noise, lines removed, a ring's arcs across a line joined."""
    hidden: np.ndarray
    """Where the origin and front lines would hide a ring's stroke."""
    size: int
    """Thickest stroke (pixels)."""
    scale: float
    """Length (pixels) that marks are sized by (see :func:`find_rings`)."""


@dataclass(frozen=True)
class _Ellipse:
    """An ellipse fitted to a ring's stroke, and where around it the stroke is."""

    x: float
    y: float
    axes: tuple[float, float]
    """Semi-axes: along ``theta`` and across it."""
    theta: float
    stroke: np.ndarray
    """(RING_SAMPLES, 2) points (x, y): along each ray from the centre, the middle of the stroke
    near the ellipse (or the ellipse itself where no stroke is)."""
    drawn: np.ndarray
    """Per point: a stroke follows the ellipse there."""
    seen: np.ndarray
    """Per point: a stroke could be seen there (it is, or no line hides it)."""

    @property
    def coverage(self) -> float:
        """Fraction of the visible perimeter a stroke follows."""
        return float(self.drawn.sum() / max(1, self.seen.sum()))


_Fit = tuple[float, float, tuple[float, float], float]
"""An ellipse: centre x, y, semi-axes, angle of the first axis (radians, x towards y)."""


def find_rings(
    darkness: np.ndarray,
    origin: PlateLine,
    front: PlateLine,
    scale: float,
) -> list[Ring]:
    """Pencil rings drawn around spots, centred between the front and the origin.

    Parameters
    ----------
    darkness
        (H, W) darkness against the layer.
    origin, front
        The lines; their pencil is removed first so that rings crossing them stay closed.
    scale
        Length (pixels) that marks are sized by: the long side of a plate up to 10 cm long.

    Returns
    -------
    list of Ring

    Notes
    -----
    The darkness is first reduced by block means so that the thickest stroke spans about
    ``WORKING_STROKE`` pixels; rings are ellipses fitted to its strokes (:func:`_fitted_rings`).
    A ring is a spot only if its centre lies between the front and the origin, where spots are:
    handwriting above the front (a note) or under the origin (lane labels) has loops that look
    like small rings.
    """
    factor = max(1, stroke_size(scale) // WORKING_STROKE)
    height, width = darkness.shape
    small = measure.block_reduce(
        darkness[: height - height % factor, : width - width % factor], factor, np.mean
    )
    strokes = _strokes(small, origin, front, scale / factor, factor)
    front_rows = _line_rows(front, small.shape[1], factor)
    origin_rows = _line_rows(origin, small.shape[1], factor)

    def between_lines(x: float, y: float) -> bool:
        column = min(small.shape[1] - 1, max(0, round(x)))
        return bool(front_rows[column] < y < origin_rows[column])

    return [
        _full_size(ellipse, factor, darkness.shape)
        for ellipse in _fitted_rings(strokes)
        if between_lines(ellipse.x, ellipse.y)
    ]


def _line_rows(line: PlateLine, width: int, factor: int) -> np.ndarray:
    """Row of ``line`` in each column of the working resolution (block means of ``factor``
    pixels: working pixel i covers full pixels i * factor to i * factor + factor - 1)."""
    offset = (factor - 1) / 2
    return (np.asarray(line.y_at(np.arange(width) * factor + offset)) - offset) / factor


def _strokes(
    darkness: np.ndarray, origin: PlateLine, front: PlateLine, scale: float, factor: int
) -> _Strokes:
    """Pencil strokes: dark structures that a grey opening by a stroke-wide square removes from
    the lightly smoothed darkness (smoothing by a sixth of a stroke keeps strokes and tames film
    grain), where they exceed ``STROKE_NOISE_LEVELS`` noise levels of that response.

    The origin and front are pencil too: a band a stroke wide around each is removed, and a ring's
    arcs on either side of a line are joined across it.
    """
    size = stroke_size(scale)
    smooth = ndi.gaussian_filter(np.maximum(darkness, 0.0), size / 6)
    response = smooth - ndi.grey_opening(smooth, size=(size, size))
    level = np.median(response)
    noise = 1.4826 * float(np.median(np.abs(response - level)))
    least = max(MIN_STROKE_DARKNESS, level + STROKE_NOISE_LEVELS * noise)
    mask = response > least
    rows = np.arange(darkness.shape[0])[:, None]
    band = np.zeros_like(mask)
    for line in (origin, front):
        band |= np.abs(rows - _line_rows(line, darkness.shape[1], factor)[None, :]) <= size
    mask &= ~band
    bridged = ndi.minimum_filter(ndi.maximum_filter(mask, (3 * size, 3)), (3 * size, 3))
    mask |= bridged & band
    return _Strokes(
        darkness=darkness,
        pencil=np.where(mask, response, 0.0),
        least=float(least),
        mask=mask,
        hidden=band,
        size=size,
        scale=scale,
    )


def _fitted_rings(strokes: _Strokes) -> list[_Ellipse]:
    """Ellipses fitted to the strokes around likely ring centres, kept when a stroke follows
    most of their perimeter (``MIN_COVERAGE``), the layer outside them is bare
    (:func:`_on_bare_layer`) and a good part of their stroke is their own (``MIN_OWN_STROKE``).

    Votes pile up more than once around a lumpy ring: a likely centre within an ellipse already
    fitted around a stronger one (:func:`_same_ring`) is that ring again.
    """
    low, high = (fraction * strokes.scale for fraction in RING_RADII)
    found: list[_Ellipse] = []
    for x, y in _likely_centres(strokes, low, high):
        if any(_same_ring(other, x, y) for other in found):
            continue
        ellipse = _fit_ring(strokes, x, y, low, high)
        if ellipse is None or ellipse.coverage < MIN_COVERAGE:
            continue
        if not _on_bare_layer(strokes, ellipse):
            continue
        if not any(_same_ring(other, ellipse.x, ellipse.y) for other in found):
            found.append(ellipse)
    return _own_strokes(found, strokes.size)


def _on_bare_layer(strokes: _Strokes, ellipse: _Ellipse) -> bool:
    """Whether the layer just outside the ellipse (one to two strokes out) is mostly lighter than
    pencil: a ring is drawn on the layer around a spot, while the mottled rim or core of a dark
    stained spot can look like a small ring inside the spot."""
    offsets = np.arange(strokes.size, 2 * strokes.size + 1)
    radii = _ellipse_radius(_fit_of(ellipse), _ANGLES)[:, None] + offsets[None, :]
    return bool(np.median(_rays(strokes.darkness, ellipse.x, ellipse.y, radii)) < strokes.least)


def _same_ring(ellipse: _Ellipse, x: float, y: float) -> bool:
    """Whether a ring centred at (x, y) is ``ellipse`` again: within half its short semi-axis
    of its centre."""
    return bool(np.hypot(ellipse.x - x, ellipse.y - y) < 0.5 * min(ellipse.axes))


def _likely_centres(strokes: _Strokes, low: float, high: float) -> np.ndarray:
    """(N, 2) likely ring centres (x, y), strongest first: where the normals of many stroke edges
    meet.

    Each stroke edge pixel votes for every point from ``low`` to ``high`` away along its
    gradient, on the side its edge curves towards (the sign of the isophote curvature); the votes
    of a ring's edge pile up at its centre (a gradient Hough transform). Edges straighter than
    the largest ring (ruled lines, handwriting) do not vote. Crossing rings keep their own
    centres, which the holes between their strokes do not give.
    """
    blur = strokes.size / 4
    edges = strokes.mask & ~ndi.binary_erosion(strokes.mask)
    rows, cols = np.nonzero(edges)
    gx, gy, gxx, gxy, gyy = (
        ndi.gaussian_filter(strokes.pencil, blur, order=order)[rows, cols]
        for order in ((0, 1), (1, 0), (0, 2), (1, 1), (2, 0))
    )
    norm = np.hypot(gx, gy) + 1e-12
    curvature = (gxx * gy**2 - 2 * gxy * gx * gy + gyy * gx**2) / norm**3
    curved = np.abs(curvature) >= 1 / (2 * high)
    towards = -np.sign(curvature[curved]) / norm[curved]
    distances = np.arange(low, high + 1)[None, :]
    vote_rows = np.rint(rows[curved, None] + (towards * gy[curved])[:, None] * distances)
    vote_cols = np.rint(cols[curved, None] + (towards * gx[curved])[:, None] * distances)
    height, width = edges.shape
    inside = (vote_rows >= 0) & (vote_rows < height) & (vote_cols >= 0) & (vote_cols < width)
    flat = vote_rows[inside].astype(np.intp) * width + vote_cols[inside].astype(np.intp)
    votes = np.bincount(flat, minlength=height * width).reshape(height, width)
    votes = ndi.gaussian_filter(votes.astype(float), blur)
    # Worth a look: as many votes as the whole edge (both sides of the stroke) of the smallest
    # ring, gathered within the blur.
    least = (2 * 2 * np.pi * low) / (2 * np.pi * blur**2)
    peaks = feature.peak_local_max(
        votes, min_distance=max(1, round(low)), threshold_abs=least, exclude_border=False
    )
    return peaks[:, ::-1].astype(float)


def _fit_ring(strokes: _Strokes, x: float, y: float, low: float, high: float) -> _Ellipse | None:
    """The ellipse a stroke draws around (x, y), or None.

    The ring's size is the radius around which most rays from (x, y) meet a stroke within a
    fifth of that radius (hand-drawn rings are lumpy and elliptic, and (x, y) is only near their
    centre); an ellipse is fitted to the strongest stroke along each ray in that range, then
    refitted twice from its own centre, where the rays meet the stroke squarely.
    """
    radii = np.arange(0.8 * low, 1.2 * high + 1)
    along = _rays(strokes.pencil, x, y, radii[None, :])
    hits = np.concatenate([np.zeros((RING_SAMPLES, 1)), np.cumsum(along > 0, axis=1)], axis=1)
    inner = np.searchsorted(radii, 0.8 * radii)
    outer = np.searchsorted(radii, 1.2 * radii, side="right")
    coverage = np.mean(hits[:, outer] > hits[:, inner], axis=0)
    best = int(np.argmax(coverage))
    if coverage[best] < 0.75 * MIN_COVERAGE:  # a rough look from a rough centre
        return None
    window = (radii >= 0.8 * radii[best]) & (radii <= 1.2 * radii[best])
    fit = _robust_ellipse(_stroke_points(along[:, window], x, y, radii[None, window]), strokes.size)
    for _ in range(2):
        if fit is None:
            return None
        fit = _refit(strokes, fit)
    if fit is None:
        return None
    axes = fit[2]
    if not (low <= np.sqrt(axes[0] * axes[1]) <= high and max(axes) <= MAX_ASPECT * min(axes)):
        return None
    return _measure(strokes, fit)


def _rays(image: np.ndarray, x: float, y: float, radii: np.ndarray) -> np.ndarray:
    """``image`` along the rays from (x, y) at ``_ANGLES``: one row per ray, one column per
    radius (``radii``, (1, R) or (RING_SAMPLES, R)); 0 off the image."""
    rows = y + np.sin(_ANGLES)[:, None] * radii
    cols = x + np.cos(_ANGLES)[:, None] * radii
    return ndi.map_coordinates(image, [rows, cols], order=1, mode="constant", cval=0.0)


def _stroke_points(along: np.ndarray, x: float, y: float, radii: np.ndarray) -> np.ndarray:
    """(N, 2) points (x, y) of the strongest stroke along each ray that meets one."""
    strongest = np.argmax(along, axis=1)
    rays = np.arange(RING_SAMPLES)
    radius = np.broadcast_to(radii, along.shape)[rays, strongest]
    points = np.column_stack([x + np.cos(_ANGLES) * radius, y + np.sin(_ANGLES) * radius])
    return points[along[rays, strongest] > 0]


def _robust_ellipse(points: np.ndarray, tolerance: float) -> _Fit | None:
    """Ellipse fitted to ``points``, or None when fewer than half the rays gave one.

    A ring crossing this one pulls a few rays' points off it: points more than ``tolerance``
    from the fit are left out and the ellipse is fitted again.
    """
    for _ in range(3):
        if len(points) < RING_SAMPLES // 2:
            return None
        with np.errstate(divide="ignore"):  # a circle's axes have no direction: arctan(inf)
            model = measure.EllipseModel.from_estimate(points)
        if not model:
            return None
        (x, y), (a, b), theta = model.center, model.axis_lengths, model.theta
        fit = (float(x), float(y), (float(a), float(b)), float(theta))
        close = np.abs(_radial_residuals(points, fit)) <= tolerance
        if close.all():
            break
        points = points[close]
    return fit


def _ellipse_radius(fit: _Fit, angles: np.ndarray) -> np.ndarray:
    """Distance from the ellipse's centre to the ellipse, in each direction of ``angles``."""
    (a, b), theta = fit[2], fit[3]
    return a * b / np.hypot(b * np.cos(angles - theta), a * np.sin(angles - theta))


def _radial_residuals(points: np.ndarray, fit: _Fit) -> np.ndarray:
    """How far each point (x, y) lies outside the ellipse, along the ray from its centre."""
    dx, dy = points[:, 0] - fit[0], points[:, 1] - fit[1]
    return np.hypot(dx, dy) - _ellipse_radius(fit, np.arctan2(dy, dx))


def _refit(strokes: _Strokes, fit: _Fit) -> _Fit | None:
    """The ellipse refitted to the strongest stroke within a stroke of it along each ray."""
    offsets = np.arange(-strokes.size, strokes.size + 1)
    radii = _ellipse_radius(fit, _ANGLES)[:, None] + offsets[None, :]
    along = _rays(strokes.pencil, fit[0], fit[1], radii)
    return _robust_ellipse(_stroke_points(along, fit[0], fit[1], radii), strokes.size)


def _measure(strokes: _Strokes, fit: _Fit) -> _Ellipse:
    """Where around the ellipse a stroke follows it (within half a stroke), the stroke's middle
    there, and where a stroke could be seen at all: a line hides a ring's stroke where the ring
    runs along it."""
    x, y = fit[0], fit[1]
    offsets = np.arange(-(strokes.size // 2), strokes.size // 2 + 1)
    radii = _ellipse_radius(fit, _ANGLES)[:, None] + offsets[None, :]
    along = _rays(strokes.pencil, x, y, radii)
    drawn = along.max(axis=1) > 0
    middle = radii[np.arange(RING_SAMPLES), np.argmax(along, axis=1)]
    stroke = np.column_stack([x + np.cos(_ANGLES) * middle, y + np.sin(_ANGLES) * middle])
    height, width = strokes.hidden.shape
    rows = np.clip(np.rint(stroke[:, 1]).astype(int), 0, height - 1)
    cols = np.clip(np.rint(stroke[:, 0]).astype(int), 0, width - 1)
    seen = drawn | ~strokes.hidden[rows, cols]
    return _Ellipse(x=x, y=y, axes=fit[2], theta=fit[3], stroke=stroke, drawn=drawn, seen=seen)


def _own_strokes(ellipses: list[_Ellipse], size: int) -> list[_Ellipse]:
    """The ellipses whose own stroke runs along ``MIN_OWN_STROKE`` of their perimeter: stroke
    that no other kept ellipse follows more closely.

    The lens between two crossing rings, the space between touching rings and the outline of a
    group of rings follow strokes, but the strokes of the rings around them, which those rings'
    own ellipses follow better: the worst such ellipse is dropped, and the rest judged again,
    until every one left has its own stroke.
    """
    kept = list(ellipses)
    while kept:
        own = []
        for ellipse in kept:
            reach = np.maximum(
                np.abs(_radial_residuals(ellipse.stroke, _fit_of(ellipse))), size / 2
            )
            shared = np.zeros(RING_SAMPLES, dtype=bool)
            for other in kept:
                if other is not ellipse:
                    shared |= np.abs(_radial_residuals(ellipse.stroke, _fit_of(other))) <= reach
            own.append(float(np.mean(ellipse.drawn & ~shared)))
        worst = int(np.argmin(own))
        if own[worst] >= MIN_OWN_STROKE:
            break
        kept.pop(worst)
    return kept


def _fit_of(ellipse: _Ellipse) -> _Fit:
    """The ellipse's geometry alone."""
    return ellipse.x, ellipse.y, ellipse.axes, ellipse.theta


def _full_size(ellipse: _Ellipse, factor: int, shape: tuple[int, int]) -> Ring:
    """A fitted ring at full resolution, its interior the ellipse's."""
    offset = (factor - 1) / 2
    x, y = ellipse.x * factor + offset, ellipse.y * factor + offset
    first, second = (axis * factor for axis in ellipse.axes)
    interior = np.zeros(shape, dtype=bool)
    # skimage.draw turns the other way: its column radius is the first axis at -theta.
    rows, cols = draw.ellipse(y, x, second, first, shape=shape, rotation=-ellipse.theta)
    interior[rows, cols] = True
    return Ring(x=x, y=y, interior=interior)
