"""Draw a developed plate, flat and upright, as the camera would see it under even light.

The plate is drawn at a moderate resolution (a few pixels per millimetre); the camera step warps
it once into the full photo. Spots are densities on the layer turned into colour by Beer-Lambert
absorption (dark spots) or added emission (fluorescent spots); pencil marks are graphite on top.

Coordinates here are millimetres from the plate's top-left corner, y downwards, like an image.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from labsys.tlc.synthetic._noise import fractal_noise, pick, smooth_noise
from labsys.tlc.synthetic.spec import Appearance, PlateSpec, SpotSpec

RGB = tuple[float, float, float]

# Peak colour difference (max over R, G, B; sRGB 0-1) from the surrounding layer above which a
# person looking at the photo sees a spot: about 13 grey levels, a few times phone sensor noise.
VISIBLE_CONTRAST = 0.05

# Minimum strength for a spot to have been seen under UV and circled in pencil; below it the
# chemist missed it too.
_CIRCLED_AMOUNT = 0.06

_LAYER: dict[str, RGB] = {
    "uv254": (0.36, 0.86, 0.48),
    "uv366": (0.13, 0.1, 0.32),
    "stain_iodoplatinate": (0.93, 0.8, 0.84),
    "daylight_pencil_circled": (0.93, 0.93, 0.9),
    "daylight_coloured": (0.94, 0.94, 0.91),
}
_GRAPHITE: dict[str, RGB] = {
    "uv254": (0.1, 0.12, 0.16),
    "uv366": (0.03, 0.03, 0.06),
    "stain_iodoplatinate": (0.36, 0.33, 0.36),
    "daylight_pencil_circled": (0.33, 0.33, 0.36),
    "daylight_coloured": (0.33, 0.33, 0.36),
}
_BARE_BACKING: dict[str, RGB] = {
    "uv254": (0.14, 0.12, 0.24),
    "uv366": (0.08, 0.07, 0.16),
    "stain_iodoplatinate": (0.72, 0.7, 0.72),
    "daylight_pencil_circled": (0.74, 0.74, 0.77),
    "daylight_coloured": (0.74, 0.74, 0.77),
}
_RESIDUE_COLOUR: dict[str, RGB] = {
    "uv254": (0.15, 0.12, 0.28),
    "uv366": (0.08, 0.07, 0.12),
    "stain_iodoplatinate": (0.5, 0.32, 0.3),
    "daylight_pencil_circled": (0.8, 0.75, 0.6),
    "daylight_coloured": (0.7, 0.62, 0.5),
}


@dataclass(frozen=True)
class SpotOnPlate:
    """Ground truth for one spot as drawn.

    Attributes
    ----------
    lane
        Lane index, left to right.
    rf
        Rf of the spot's centre of mass (pencil plates: of the ring's centre).
    x_mm, y_mm
        That centre, from the plate's top-left corner.
    peak_rgb, layer_rgb
        Colour at the spot's peak and of the bare layer under even light (sRGB, not clipped:
        the camera's exposure may scale them before it clips).
    seen
        False when a person could not pick it out whatever the light: merged into a stronger
        neighbour, or (pencil-circled plates) not circled.
    appearance
        ``"dark"`` or ``"bright"``.
    tailing
        True when the spot was drawn with a tail.
    size_mm
        The spot's standard deviation along development, as specified.
    """

    lane: int
    rf: float
    x_mm: float
    y_mm: float
    peak_rgb: tuple[float, float, float]
    layer_rgb: tuple[float, float, float]
    seen: bool
    appearance: Appearance
    tailing: bool
    size_mm: float

    def contrast(self, light: float = 1.0) -> float:
        """Peak colour difference against the layer (max over R, G, B) as a camera records it
        under ``light`` (lighting times exposure): scaled, then clipped to 0-1."""
        peak = np.clip(np.asarray(self.peak_rgb) * light, 0.0, 1.0)
        layer = np.clip(np.asarray(self.layer_rgb) * light, 0.0, 1.0)
        return float(np.abs(peak - layer).max())

    @property
    def colour(self) -> tuple[int, int, int]:
        """sRGB colour at the spot's peak under even light, 0-255."""
        red, green, blue = (round(255 * float(c)) for c in np.clip(self.peak_rgb, 0.0, 1.0))
        return red, green, blue


@dataclass(frozen=True)
class PencilLine:
    """A hand-ruled horizontal line: ``y_mm`` at the plate's centre and its slope (mm/mm)."""

    y_mm: float
    slope: float

    def y_at(self, x_mm: float, width_mm: float) -> float:
        """Height of the line (mm from the top) at ``x_mm``."""
        return self.y_mm + self.slope * (x_mm - width_mm / 2.0)


@dataclass
class PlateLayer:
    """The plate drawn flat: its colours and what is where.

    Attributes
    ----------
    rgb
        float32 (H, W, 3) in [0, 1], sRGB under even light.
    px_per_mm
        Drawing resolution.
    origin, front
        The origin and front as the chemist placed them (whether or not drawn in pencil).
    spots
        Every spot, lane by lane.
    """

    rgb: np.ndarray
    px_per_mm: float
    origin: PencilLine
    front: PencilLine
    spots: list[SpotOnPlate]


@dataclass
class _Densities:
    """Accumulated spot material: absorbance per channel and emitted light per channel."""

    absorbance: np.ndarray
    emission: np.ndarray


def draw_plate(spec: PlateSpec, rng: np.random.Generator, px_per_mm: float) -> PlateLayer:
    """Draw ``spec`` at ``px_per_mm``.

    Parameters
    ----------
    spec
        The plate.
    rng
        Source of randomness for everything the spec leaves open (spot shapes, hand drawing).
    px_per_mm
        Resolution; 4-12 is plenty since the camera blurs anyway.

    Returns
    -------
    PlateLayer
    """
    shape = (round(spec.height_mm * px_per_mm), round(spec.width_mm * px_per_mm))
    origin = PencilLine(
        spec.height_mm - spec.origin_mm, float(np.tan(np.radians(rng.normal(0, 0.4))))
    )
    front = PencilLine(
        spec.height_mm - spec.front_mm, float(np.tan(np.radians(rng.normal(0, 0.4))))
    )
    densities = _Densities(
        np.zeros((*shape, 3), dtype=np.float32), np.zeros((*shape, 3), dtype=np.float32)
    )
    layer_colour = np.array(_LAYER[spec.visualisation], dtype=np.float32)
    layer_colour *= np.float32(rng.uniform(0.93, 1.05)) * rng.uniform(0.98, 1.02, 3).astype(
        np.float32
    )
    spots = _draw_spots(spec, rng, px_per_mm, origin, front, densities, layer_colour)
    rings: list[_Ring] = []
    if spec.visualisation == "daylight_pencil_circled":
        spots, rings = _circle_spots(spec, rng, origin, front, spots)
    _draw_residues(spec, rng, px_per_mm, origin, densities)
    if spec.front_band > 0:
        _draw_front_band(spec, rng, px_per_mm, front, densities)
    rgb = _layer(spec, rng, shape, px_per_mm, layer_colour)
    rgb = rgb * np.exp(-densities.absorbance) + densities.emission
    pencil = _pencil_mask(spec, rng, shape, px_per_mm, origin, front, rings)
    graphite = np.array(_GRAPHITE[spec.visualisation], dtype=np.float32)
    rgb = rgb * (1.0 - pencil[..., None]) + graphite * pencil[..., None]
    rgb = _debris(spec, rng, ppm=px_per_mm, rgb=rgb)
    rgb = _plate_edges(spec, rng, px_per_mm, rgb)
    return PlateLayer(np.clip(rgb, 0.0, 1.0), px_per_mm, origin, front, spots)


def _draw_spots(
    spec: PlateSpec,
    rng: np.random.Generator,
    ppm: float,
    origin: PencilLine,
    front: PencilLine,
    densities: _Densities,
    layer_colour: np.ndarray,
) -> list[SpotOnPlate]:
    """Add every lane's spots to ``densities`` and measure each one's centre and contrast."""
    height = densities.absorbance.shape[0]
    result: list[SpotOnPlate] = []
    for lane_index, lane in enumerate(spec.lanes):
        y_origin = origin.y_at(lane.x_mm, spec.width_mm)
        y_front = front.y_at(lane.x_mm, spec.width_mm)
        profiles: list[np.ndarray] = []
        lane_spots: list[SpotOnPlate] = []
        for spot in lane.spots:
            y_centre = y_origin - spot.rf * (y_origin - y_front)
            x_centre = lane.x_mm + rng.normal(0.0, 0.15)
            density, window = _spot_density(spot, rng, ppm, x_centre, y_centre, y_origin, height)
            _add_density(densities, spot, density, window)
            x_mm, y_mm = _centre_of_mass(density, window, ppm)
            origin_here = origin.y_at(x_mm, spec.width_mm)
            rf = (origin_here - y_mm) / (origin_here - front.y_at(x_mm, spec.width_mm))
            peak_rgb = _peak_colour(spot, float(density.max()), layer_colour)
            profile = np.zeros(height, dtype=np.float32)
            column = int(np.clip(round(x_centre * ppm) - window[1].start, 0, density.shape[1] - 1))
            profile[window[0]] = density[:, column]
            profiles.append(profile)
            lane_spots.append(
                SpotOnPlate(
                    lane=lane_index,
                    rf=float(rf),
                    x_mm=float(x_mm),
                    y_mm=float(y_mm),
                    peak_rgb=peak_rgb,
                    layer_rgb=_triple(layer_colour),
                    seen=True,
                    appearance=spot.appearance,
                    tailing=spot.tailing > 0.2,
                    size_mm=spot.size_mm,
                )
            )
        result.extend(_mark_merged(lane_spots, profiles, ppm))
    return result


def _spot_density(
    spot: SpotSpec,
    rng: np.random.Generator,
    ppm: float,
    x_centre: float,
    y_centre: float,
    y_origin: float,
    plate_height_px: int,
) -> tuple[np.ndarray, tuple[slice, slice]]:
    """One spot's material as a small density image and where it goes on the plate.

    Real spots are not Gaussians: they are wider than tall (the sample was applied as a short
    blot and diffuses sideways), their edges are irregular, the top can be flat, some have a darker
    rim, many trail towards the origin, and overloaded ones grow and smear all the way down.
    """
    overload = max(spot.amount - 2.0, 0.0)
    sigma_y = spot.size_mm * (1.0 + 0.2 * overload)
    sigma_x = sigma_y * rng.uniform(1.1, 1.45)
    tail_mm = spot.tailing * (1.5 + 3.0 * sigma_y)
    below_mm = max(4.0 * sigma_y + 3.0 * tail_mm, (y_origin - y_centre) if overload else 0.0)
    rows = slice(
        max(int((y_centre - 4.0 * sigma_y - 1.0) * ppm), 0),
        min(int((y_centre + below_mm + 1.0) * ppm) + 1, plate_height_px),
    )
    cols = slice(
        max(int((x_centre - 4.0 * sigma_x - 1.0) * ppm), 0),
        int((x_centre + 4.0 * sigma_x + 1.0) * ppm) + 1,
    )
    yy, xx = np.mgrid[rows, cols].astype(np.float32)
    dy = (yy + 0.5) / ppm - y_centre
    dx = (xx + 0.5) / ppm - x_centre
    theta = np.arctan2(dy, dx)
    wobble = 1.0 + sum(
        rng.uniform(0.0, 0.07) * np.cos(k * theta + rng.uniform(0, 2 * np.pi)) for k in range(2, 6)
    )
    radius = np.hypot(dx / sigma_x, dy / sigma_y) / wobble
    body = np.exp(-0.5 * radius ** rng.uniform(1.7, 3.0))
    if rng.random() < 0.15:
        body += 0.35 * np.exp(-0.5 * ((radius - 1.3) / 0.35) ** 2)
    below = np.clip(dy, 0.0, None)
    lateral = np.exp(-0.5 * (dx / (0.75 * sigma_x)) ** 2)
    if spot.tailing > 0:
        rise = 1.0 - np.exp(-((below / sigma_y) ** 2))
        body += 0.45 * spot.tailing * np.exp(-below / tail_mm) * lateral * rise
    if overload:
        reach = np.clip(1.0 - below / max(y_origin - y_centre, 1e-3), 0.0, 1.0)
        body += (0.05 + 0.02 * overload) * (dy > 0) * lateral * (0.3 + 0.7 * reach)
    mottle = 1.0 + 0.1 * smooth_noise(rng, body.shape, 0.6 * ppm)
    return (spot.amount * body * mottle).astype(np.float32), (rows, cols)


def _add_density(
    densities: _Densities, spot: SpotSpec, density: np.ndarray, window: tuple[slice, slice]
) -> None:
    """Turn a spot's material into absorbance (dark) or emission (bright) on the plate."""
    rows, cols = window
    width = densities.absorbance.shape[1]
    clipped = density[:, : max(0, width - cols.start)]
    cols = slice(cols.start, cols.start + clipped.shape[1])
    colour = np.clip(np.array(spot.colour, dtype=np.float32), 0.02, 1.0)
    if spot.appearance == "dark":
        densities.absorbance[rows, cols] += clipped[..., None] * -np.log(colour)
    else:
        densities.absorbance[rows, cols] += 0.4 * clipped[..., None]
        densities.emission[rows, cols] += (1.0 - np.exp(-1.2 * clipped))[..., None] * colour


def _centre_of_mass(
    density: np.ndarray, window: tuple[slice, slice], ppm: float
) -> tuple[float, float]:
    """Centre of the spot's body (density above half its peak), in plate mm.

    A chemist reads a spot's centre where it is densest, not where a faint tail pulls the mean;
    the half-maximum region is that body, so tails and smears count only as far as they
    thicken it.
    """
    body = np.where(density >= 0.5 * density.max(), density, 0.0)
    rows, cols = np.nonzero(body)
    weights = body[rows, cols]
    y = (np.average(rows, weights=weights) + window[0].start + 0.5) / ppm
    x = (np.average(cols, weights=weights) + window[1].start + 0.5) / ppm
    return float(x), float(y)


def _peak_colour(
    spot: SpotSpec, peak: float, layer_colour: np.ndarray
) -> tuple[float, float, float]:
    """The spot's colour where it is strongest, on this layer under even light."""
    colour = np.clip(np.array(spot.colour, dtype=np.float32), 0.02, 1.0)
    if spot.appearance == "dark":
        return _triple(layer_colour * colour**peak)
    return _triple(layer_colour * np.exp(-0.4 * peak) + (1.0 - np.exp(-1.2 * peak)) * colour)


def _triple(rgb: np.ndarray) -> tuple[float, float, float]:
    """An RGB array as a plain tuple of floats."""
    red, green, blue = (float(c) for c in rgb)
    return red, green, blue


def _mark_merged(
    spots: list[SpotOnPlate], profiles: list[np.ndarray], ppm: float
) -> list[SpotOnPlate]:
    """Mark the weaker of two spots that run together (no dip between them) as not seen.

    Two spots 0.05 Rf apart are distinct only when the lane's profile dips between them; when
    it does not, a person sees one spot and the weaker is not separately visible.
    """
    if len(spots) < 2:
        return spots
    total = np.sum(profiles, axis=0)
    seen = [True] * len(spots)
    order = sorted(range(len(spots)), key=lambda i: spots[i].y_mm)
    for upper, lower in itertools.pairwise(order):
        a, b = int(spots[upper].y_mm * ppm), int(spots[lower].y_mm * ppm)
        if b <= a + 1:
            valley, peak = 1.0, 1.0
        else:
            valley = float(total[a:b].min())
            peak = min(float(total[a]), float(total[b]))
        if valley >= 0.97 * peak:
            weaker = upper if profiles[upper].max() < profiles[lower].max() else lower
            seen[weaker] = False
    return [
        spot if keep else replace(spot, seen=False) for spot, keep in zip(spots, seen, strict=True)
    ]


@dataclass(frozen=True)
class _Ring:
    """A pencil ring drawn around a spot: centre and semi-axes in mm."""

    x_mm: float
    y_mm: float
    rx_mm: float
    ry_mm: float


def _circle_spots(
    spec: PlateSpec,
    rng: np.random.Generator,
    origin: PencilLine,
    front: PencilLine,
    spots: list[SpotOnPlate],
) -> tuple[list[SpotOnPlate], list[_Ring]]:
    """On a pencil-circled plate the ring is the spot: its centre gives the Rf.

    The chemist circled what was seen under UV (strong enough, not merged, now and then one
    forgotten), with a hand's imprecision of a few tenths of a millimetre; uncircled spots are
    invisible in daylight.
    """
    specs = [spot_spec for lane in spec.lanes for spot_spec in lane.spots]
    result: list[SpotOnPlate] = []
    rings: list[_Ring] = []
    for spot, spot_spec in zip(spots, specs, strict=True):
        circled = spot.seen and spot_spec.amount >= _CIRCLED_AMOUNT and rng.random() > 0.04
        if not circled:
            result.append(replace(spot, seen=False))
            continue
        x = spot.x_mm + rng.normal(0.0, 0.25)
        y = spot.y_mm + rng.normal(0.0, 0.25)
        y_origin = origin.y_at(x, spec.width_mm)
        rf = (y_origin - y) / (y_origin - front.y_at(x, spec.width_mm))
        result.append(replace(spot, x_mm=float(x), y_mm=float(y), rf=float(rf)))
        grow = 1.0 + 0.2 * max(spot_spec.amount - 2.0, 0.0)
        ry = 2.1 * spot_spec.size_mm * grow + 0.6 + spot_spec.tailing * 1.5
        rx = max(ry * rng.uniform(1.0, 1.35), 2.2 * spot_spec.size_mm * 1.3 * grow)
        rings.append(_Ring(float(x), float(y), float(rx), float(ry)))
    return result, rings


def _draw_residues(
    spec: PlateSpec,
    rng: np.random.Generator,
    ppm: float,
    origin: PencilLine,
    densities: _Densities,
) -> None:
    """Material that stayed at the origin (insoluble cuts, the applied blot itself)."""
    colour = _RESIDUE_COLOUR[spec.visualisation]
    height = densities.absorbance.shape[0]
    for lane in spec.lanes:
        if lane.origin_residue <= 0:
            continue
        residue = SpotSpec(
            rf=0.0,
            amount=lane.origin_residue,
            size_mm=float(rng.uniform(0.7, 1.2)),
            appearance="dark",
            colour=colour,
        )
        y = origin.y_at(lane.x_mm, spec.width_mm) + rng.normal(0.0, 0.2)
        density, window = _spot_density(residue, rng, ppm, lane.x_mm, y, y, height)
        _add_density(densities, residue, density, window)


def _draw_front_band(
    spec: PlateSpec,
    rng: np.random.Generator,
    ppm: float,
    front: PencilLine,
    densities: _Densities,
) -> None:
    """The faint wavy line impurities leave where the solvent stopped."""
    height, width = densities.absorbance.shape[:2]
    x_mm = (np.arange(width, dtype=np.float32) + 0.5) / ppm
    wave = 0.4 * smooth_noise(rng, (1, width), 8.0 * ppm)[0]
    y_line = front.y_at(0.0, spec.width_mm) + front.slope * x_mm + wave + rng.normal(0.0, 0.3)
    y_mm = (np.arange(height, dtype=np.float32)[:, None] + 0.5) / ppm
    band = spec.front_band * np.exp(-0.5 * ((y_mm - y_line[None, :]) / 0.35) ** 2)
    tint = np.array([0.6, 0.8, 1.2], dtype=np.float32)
    densities.absorbance += band[..., None] * tint


def _layer(
    spec: PlateSpec,
    rng: np.random.Generator,
    shape: tuple[int, int],
    ppm: float,
    layer_colour: np.ndarray,
) -> np.ndarray:
    """The bare silica layer: fine grain, slow unevenness, and a sprayed stain's patchiness."""
    grain = smooth_noise(rng, shape, max(0.6, 0.08 * ppm))
    uneven = fractal_noise(rng, shape, 15.0 * ppm)
    patchy = 0.06 if spec.visualisation == "stain_iodoplatinate" else 0.025
    shade = 1.0 + rng.uniform(0.012, 0.03) * grain + rng.uniform(0.5, 1.0) * patchy * uneven
    return (shade[..., None] * layer_colour).astype(np.float32)


def _pencil_mask(
    spec: PlateSpec,
    rng: np.random.Generator,
    shape: tuple[int, int],
    ppm: float,
    origin: PencilLine,
    front: PencilLine,
    rings: list[_Ring],
) -> np.ndarray:
    """Graphite coverage (0-1) of every pencil mark, drawn 2x oversampled for smooth edges."""
    scale = 2.0 * ppm
    height, width = shape
    canvas = Image.new("L", (2 * width, 2 * height), 0)
    draw = ImageDraw.Draw(canvas)
    pen = _Pen(draw, rng, scale)
    _mark_line(pen, spec, origin, spec.origin_mark, rng)
    _mark_line(pen, spec, front, spec.front_mark, rng)
    if spec.origin_mark == "line_ticks":
        for lane in spec.lanes:
            y = origin.y_at(lane.x_mm, spec.width_mm)
            pen.stroke([(lane.x_mm, y - 0.8), (lane.x_mm + rng.normal(0, 0.1), y + 1.0)])
    for ring in rings:
        pen.ring(ring)
    mask = np.asarray(canvas.resize((width, height), Image.Resampling.BOX))
    mask = mask.astype(np.float32) / 255.0
    if spec.origin_mark != "none":
        _write_labels(mask, spec, rng, ppm, origin)
    if spec.note:
        _write(mask, spec.note, rng, ppm, spec.width_mm - 4.0, 4.0, 3.0, anchor="ra")
    grain = np.clip(0.85 + 0.25 * smooth_noise(rng, mask.shape, 1.0), 0.5, 1.0)
    return np.clip(mask * grain, 0.0, 0.95)


class _Pen:
    """A pencil in a hand: strokes that wobble and vary in pressure and width."""

    def __init__(self, draw: ImageDraw.ImageDraw, rng: np.random.Generator, scale: float):
        self.draw = draw
        self.rng = rng
        self.scale = scale
        self.width_mm = float(rng.uniform(0.28, 0.5))
        self.pressure = float(rng.uniform(0.65, 1.0))

    def stroke(self, points_mm: list[tuple[float, float]], wobble_mm: float = 0.04) -> None:
        """A stroke through ``points_mm``, resampled every ~0.5 mm with a little wobble."""
        points = np.asarray(points_mm, dtype=np.float64)
        length = float(np.sum(np.hypot(*np.diff(points, axis=0).T))) if len(points) > 1 else 0.0
        n = max(int(length / 0.5), 2)
        t = np.linspace(0.0, 1.0, n)
        along = np.linspace(0.0, 1.0, len(points))
        xs = np.interp(t, along, points[:, 0]) + self.rng.normal(0.0, wobble_mm, n)
        ys = np.interp(t, along, points[:, 1]) + self.rng.normal(0.0, wobble_mm, n)
        self._polyline(xs, ys)

    def ring(self, ring: _Ring) -> None:
        """An imperfect hand-drawn ring: lumpy, not quite closed or overlapping at the ends."""
        start = self.rng.uniform(0.0, 2.0 * np.pi)
        sweep = self.rng.uniform(1.85, 2.15) * np.pi
        theta = np.linspace(start, start + sweep, 72)
        lumps = sum(
            self.rng.uniform(0.0, 0.06) * np.cos(k * theta + self.rng.uniform(0.0, 2.0 * np.pi))
            for k in (2, 3, 4)
        )
        spiral = 1.0 + self.rng.uniform(-0.08, 0.08) * (theta - start) / sweep
        radius = (1.0 + lumps) * spiral
        xs = ring.x_mm + ring.rx_mm * radius * np.cos(theta)
        ys = ring.y_mm + ring.ry_mm * radius * np.sin(theta)
        self._polyline(xs, ys)

    def _polyline(self, xs: np.ndarray, ys: np.ndarray) -> None:
        """Draw segment by segment so width and pressure can change along the stroke."""
        n = len(xs)
        widths = self.width_mm * np.clip(
            1.0 + 0.3 * smooth_noise(self.rng, (1, n), 8.0)[0], 0.5, 1.6
        )
        shade = self.pressure * np.clip(
            1.0 + 0.15 * smooth_noise(self.rng, (1, n), 6.0)[0], 0.4, 1.0
        )
        for i in range(n - 1):
            width_px = max(1, round(widths[i] * self.scale))
            fill = int(255 * shade[i])
            start = (xs[i] * self.scale, ys[i] * self.scale)
            end = (xs[i + 1] * self.scale, ys[i + 1] * self.scale)
            self.draw.line([start, end], fill=fill, width=width_px)
            r = width_px / 2.0
            self.draw.ellipse([end[0] - r, end[1] - r, end[0] + r, end[1] + r], fill=fill)


def _mark_line(
    pen: _Pen, spec: PlateSpec, line: PencilLine, mark: str, rng: np.random.Generator
) -> None:
    """A ruled line across the plate, or short ticks at both edges, or nothing."""
    width = spec.width_mm
    if mark in ("line", "line_ticks"):
        x0, x1 = rng.uniform(0.5, 5.0), width - rng.uniform(0.5, 5.0)
        pen.stroke([(x0, line.y_at(x0, width)), (x1, line.y_at(x1, width))], wobble_mm=0.03)
    elif mark == "ticks":
        for x0, x1 in ((0.3, rng.uniform(3.0, 7.0)), (width - rng.uniform(3.0, 7.0), width - 0.3)):
            dy = rng.normal(0.0, 0.2)
            pen.stroke([(x0, line.y_at(x0, width) + dy), (x1, line.y_at(x1, width) + dy)])


def _write_labels(
    mask: np.ndarray, spec: PlateSpec, rng: np.random.Generator, ppm: float, origin: PencilLine
) -> None:
    """Lane labels written in pencil under the origin, all by the same hand."""
    size_mm = rng.uniform(2.5, 4.0)
    below_mm = rng.uniform(1.5, 3.5)
    for lane in spec.lanes:
        if lane.label:
            y = origin.y_at(lane.x_mm, spec.width_mm) + below_mm + rng.normal(0, 0.3)
            x = lane.x_mm + rng.normal(0, 0.4)
            _write(mask, lane.label, rng, ppm, x, y, size_mm * rng.uniform(0.9, 1.1), anchor="ma")


def _write(
    mask: np.ndarray,
    text: str,
    rng: np.random.Generator,
    ppm: float,
    x_mm: float,
    y_mm: float,
    size_mm: float,
    anchor: str,
) -> None:
    """Pencil handwriting: ``text`` at (x_mm, y_mm), slanted a little, maxed into ``mask``."""
    size_px = max(int(size_mm * ppm), 6)
    font = ImageFont.load_default(size=size_px)
    patch = Image.new("L", (size_px * (len(text) + 2), size_px * 2), 0)
    ImageDraw.Draw(patch).text(
        (patch.width / 2, size_px / 2),
        text,
        fill=int(rng.uniform(150, 230)),
        font=font,
        anchor="mt",
    )
    patch = patch.rotate(rng.uniform(-10, 10), resample=Image.Resampling.BILINEAR, expand=True)
    pixels = np.asarray(patch, dtype=np.float32) / 255.0
    height, width = pixels.shape
    left = int(x_mm * ppm) - (width // 2 if anchor == "ma" else width - size_px)
    top = int(y_mm * ppm) - size_px // 2
    rows = slice(max(top, 0), min(top + height, mask.shape[0]))
    cols = slice(max(left, 0), min(left + width, mask.shape[1]))
    piece = pixels[rows.start - top : rows.stop - top, cols.start - left : cols.stop - left]
    mask[rows, cols] = np.maximum(mask[rows, cols], piece)


def _debris(spec: PlateSpec, rng: np.random.Generator, ppm: float, rgb: np.ndarray) -> np.ndarray:
    """Dust specks and now and then a lint fibre on the layer.

    They are far smaller than any spot, so a person ignores them; an analyser must too. Under UV
    a cotton fibre glows blue-white (optical brightener), as it does in real photos.
    """
    height, width = rgb.shape[:2]
    specks = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(specks)
    for _ in range(int(rng.choice([0, 0, 1, 2, 4, 7]))):
        x, y = rng.uniform(0, spec.width_mm) * ppm, rng.uniform(0, spec.height_mm) * ppm
        r = max(rng.uniform(0.08, 0.2) * ppm, 0.6)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=int(rng.uniform(120, 255)))
    fibre = Image.new("L", (width, height), 0)
    if rng.random() < 0.2:
        steps = rng.normal(0.0, 0.5, (10, 2)).cumsum(axis=0) + rng.uniform(0, 1, 2) * [
            spec.width_mm,
            spec.height_mm,
        ]
        points = [(float(x * ppm), float(y * ppm)) for x, y in steps]
        ImageDraw.Draw(fibre).line(points, fill=200, width=max(1, round(0.08 * ppm)))
    under_uv = spec.visualisation in ("uv254", "uv366")
    fibre_colour = (0.75, 0.85, 1.0) if under_uv else tuple(rng.uniform(0.2, 0.6, 3))
    for mask_image, colour in ((specks, (0.18, 0.17, 0.16)), (fibre, fibre_colour)):
        mask = np.asarray(mask_image, dtype=np.float32)[..., None] / 255.0
        rgb = rgb * (1.0 - mask) + np.asarray(colour, dtype=np.float32) * mask
    return rgb


def _plate_edges(
    spec: PlateSpec, rng: np.random.Generator, ppm: float, rgb: np.ndarray
) -> np.ndarray:
    """The plate's edge: layer frayed off a cut aluminium sheet, or a glass plate's bare rim.

    A scratch or two where the layer was scraped shows the bare backing too.
    """
    height, width = rgb.shape[:2]
    yy = (np.arange(height, dtype=np.float32)[:, None] + 0.5) / ppm
    xx = (np.arange(width, dtype=np.float32)[None, :] + 0.5) / ppm
    edge_mm = np.minimum(np.minimum(yy, spec.height_mm - yy), np.minimum(xx, spec.width_mm - xx))
    rim_mm, fray = {
        "aluminium": (rng.uniform(0.05, 0.3), 0.5),
        "glass": (rng.uniform(0.3, 1.2), 0.15),
        "plastic": (rng.uniform(0.0, 0.15), 0.5),
    }[spec.backing]
    ragged = rim_mm * (1.0 + fray * smooth_noise(rng, (height, width), 0.5 * ppm))
    bare = np.clip((ragged - edge_mm) * ppm, 0.0, 1.0)
    canvas = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(canvas)
    for _ in range(pick(rng, [0, 1, 2], [0.85, 0.1, 0.05])):
        x0, y0 = rng.uniform(0, spec.width_mm), rng.uniform(0, spec.height_mm)
        angle, length = rng.uniform(0, np.pi), rng.uniform(4.0, 20.0)
        x1, y1 = x0 + length * np.cos(angle), y0 + length * np.sin(angle)
        draw.line(
            [(x0 * ppm, y0 * ppm), (x1 * ppm, y1 * ppm)], fill=200, width=max(1, int(0.3 * ppm))
        )
    bare = np.maximum(bare, np.asarray(canvas, dtype=np.float32) / 255.0)
    backing = np.array(_BARE_BACKING[spec.visualisation], dtype=np.float32)
    if spec.backing == "glass":
        backing = backing * 0.8 + np.float32(0.05) * np.array([0.0, 1.0, 0.6], dtype=np.float32)
    return rgb * (1.0 - bare[..., None]) + backing * bare[..., None]
