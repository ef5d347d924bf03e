"""Small, simple plate photos drawn with NumPy and skimage.draw for the analyser's unit tests.

Deliberately plain (the realistic renderer lives in labsys.tlc.synthetic): a layer, pencil origin
and front, Gaussian spots, optional pencil rings, pasted into a background by a perspective warp.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from skimage import draw, transform

from labsys.tlc import analyse_plate
from labsys.tlc.results import PlateAnalysis

UV_LAYER = (0.35, 0.85, 0.35)
WHITE_LAYER = (0.93, 0.93, 0.9)


@dataclass
class DrawnSpot:
    lane: int
    rf: float
    radius: float = 9.0
    strength: float = 0.5
    colour: tuple[float, float, float] | None = None
    """None: a darker version of the layer (quenching); else the spot's own colour."""
    bright: bool = False


@dataclass
class DrawnPlate:
    width: int = 300
    height: int = 500
    lanes: int = 3
    lane_centres: list[float] | None = None
    origin_y: float = 440.0
    front_y: float = 70.0
    layer: tuple[float, float, float] = UV_LAYER
    spots: list[DrawnSpot] = field(default_factory=list)
    front_line: bool = True
    front_ticks: bool = False
    origin_line: bool = True
    rings: bool = False
    show_spots: bool = True
    line_darkness: float = 0.45
    grain: float = 0.01
    """Standard deviation of the layer's pixel noise."""

    def centres(self) -> list[float]:
        if self.lane_centres is not None:
            return self.lane_centres
        step = self.width / (self.lanes + 1)
        return [step * (i + 1) for i in range(self.lanes)]

    def spot_y(self, rf: float) -> float:
        return self.origin_y - rf * (self.origin_y - self.front_y)


def render_drawn_plate(plate: DrawnPlate, rng: np.random.Generator | None = None) -> np.ndarray:
    """The plate itself, upright, (height, width, 3) float in [0, 1]."""
    rng = rng or np.random.default_rng(0)
    image = np.ones((plate.height, plate.width, 3)) * np.array(plate.layer)
    yy, xx = np.mgrid[0 : plate.height, 0 : plate.width]
    centres = plate.centres()
    for spot in plate.spots:
        cx, cy = centres[spot.lane], plate.spot_y(spot.rf)
        if plate.show_spots:
            weight = spot.strength * np.exp(
                -((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * (spot.radius / 1.5) ** 2)
            )
            if spot.bright:
                target = np.array([0.75, 1.0, 0.95])
            elif spot.colour is not None:
                target = np.array(spot.colour)
            else:
                target = np.array(plate.layer) * 0.25
            image = image * (1 - weight[..., None]) + target * weight[..., None]
        if plate.rings:
            ring_r = spot.radius * 1.6
            rr, cc = draw.circle_perimeter(round(cy), round(cx), round(ring_r), shape=image.shape)
            _pencil(image, rr, cc, plate.line_darkness)
            rr, cc = draw.circle_perimeter(
                round(cy), round(cx), round(ring_r) + 1, shape=image.shape
            )
            _pencil(image, rr, cc, plate.line_darkness)
    if plate.origin_line:
        _hline(image, plate.origin_y, 8, plate.width - 8, plate.line_darkness)
    if plate.front_line:
        _hline(image, plate.front_y, 8, plate.width - 8, plate.line_darkness)
    if plate.front_ticks:
        _hline(image, plate.front_y, 2, 22, plate.line_darkness)
        _hline(image, plate.front_y, plate.width - 22, plate.width - 2, plate.line_darkness)
    image += rng.normal(0, plate.grain, image.shape)
    return np.clip(image, 0, 1)


def _pencil(image: np.ndarray, rr: np.ndarray, cc: np.ndarray, darkness: float) -> None:
    image[rr, cc] = image[rr, cc] * (1 - darkness) + 0.3 * darkness


def _hline(image: np.ndarray, y: float, x0: int, x1: int, darkness: float) -> None:
    for row in (round(y) - 1, round(y), round(y) + 1):
        image[row, x0:x1] = image[row, x0:x1] * (1 - darkness) + 0.3 * darkness


def photograph(
    plate_image: np.ndarray,
    *,
    size: tuple[int, int] = (900, 700),
    angle: float = 4.0,
    tilt: float = 0.0,
    background: tuple[float, float, float] = (0.08, 0.08, 0.1),
    centre: tuple[float, float] | None = None,
    scale: float = 1.2,
) -> tuple[np.ndarray, np.ndarray]:
    """Paste the plate into a (height, width) photo, turned by ``angle`` degrees with some
    perspective ``tilt``; returns the uint8 photo and the true corners (TL, TR, BR, BL), (x, y)."""
    h, w = plate_image.shape[:2]
    photo_h, photo_w = size
    cx, cy = centre or (photo_w / 2, photo_h / 2)
    theta = np.deg2rad(angle)
    rot = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    local = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]]) * scale
    local[:2, 0] *= 1 - tilt  # top narrower: the camera leans back
    corners = local @ rot.T + np.array([cx, cy])
    source = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], float)
    tform = transform.ProjectiveTransform.from_estimate(corners, source)
    inside = transform.warp(np.ones((h, w)), tform, output_shape=(photo_h, photo_w), order=1)
    plate = transform.warp(plate_image, tform, output_shape=(photo_h, photo_w), order=1)
    photo = plate + (1 - inside[..., None]) * np.array(background)
    return (np.clip(photo, 0, 1) * 255 + 0.5).astype(np.uint8), corners


def standard_plate(**overrides: object) -> DrawnPlate:
    """Three lanes with one, two (0.05 Rf apart) and no spots."""
    spots = [
        DrawnSpot(lane=0, rf=0.4),
        DrawnSpot(lane=1, rf=0.30),
        DrawnSpot(lane=1, rf=0.36),
        DrawnSpot(lane=2, rf=0.7),
    ]
    values: dict[str, object] = {"spots": spots}
    values.update(overrides)
    return DrawnPlate(**values)  # type: ignore[arg-type]


def analyse(**overrides: object) -> PlateAnalysis:
    """Analyse the standard three-lane plate (with ``overrides``), photographed at 3°."""
    photo, _ = photograph(render_drawn_plate(standard_plate(**overrides)), angle=3)
    return analyse_plate(photo, lanes=3)


def rfs(analysis: PlateAnalysis) -> list[list[float]]:
    """Rf of every spot, lane by lane, to two decimals."""
    return [[round(spot.rf, 2) for spot in lane.spots] for lane in analysis.lanes]
