"""Render plate photos with ground truth, and photos that must be refused."""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw, ImageOps
from scipy.ndimage import gaussian_filter
from skimage.transform import ProjectiveTransform

from labsys.tlc.synthetic import camera
from labsys.tlc.synthetic.camera import Background, Shot
from labsys.tlc.synthetic.plate import (
    VISIBLE_CONTRAST,
    PencilLine,
    PlateLayer,
    SpotOnPlate,
    draw_plate,
)
from labsys.tlc.synthetic.spec import (
    Appearance,
    FrontMark,
    OriginMark,
    PlateSpec,
    Visualisation,
    random_plate_spec,
)

UnusableKind = Literal["no_plate", "no_front", "no_origin", "blank_plate"]
UNUSABLE_KINDS: tuple[UnusableKind, ...] = ("no_plate", "no_front", "no_origin", "blank_plate")

# A spot narrower than this in the photo (pixels, about two standard deviations across) is a
# speck of noise to the eye, whatever its contrast.
_MIN_VISIBLE_SIZE_PX = 3.0

# Scenes bigger than this are composed smaller and upscaled at the end (see camera.develop).
_WORKING_PIXELS = 5e6


@dataclass(frozen=True)
class SpotTruth:
    """Where a spot really is, and whether a person could see it in the photo.

    Attributes
    ----------
    lane
        Lane index, left to right in the upright photo.
    rf
        True Rf: the spot's centre of mass along development (pencil plates: the ring's centre).
    visible
        True when a person looking at this photo could see the spot: its peak contrast under the
        local light is above :data:`labsys.tlc.synthetic.plate.VISIBLE_CONTRAST`, it is not
        merged into a stronger neighbour, it is big enough in the photo, and no finger covers
        it. On pencil plates a circled spot is visible (the ring is what a person reads), an
        uncircled one only if its own colour shows.
    x, y
        Centre in the upright photo (pixel centres: pixel (row r, column c) is at x=c, y=r).
    x_mm, y_mm
        Centre on the plate, from its top-left corner.
    contrast
        Peak colour difference against the layer in this photo's light (sRGB 0-1, max channel).
    appearance
        ``"dark"`` or ``"bright"``.
    colour
        Colour at the spot's peak under even light (0-255).
    tailing
        True when the spot trails towards the origin.
    """

    lane: int
    rf: float
    visible: bool
    x: float
    y: float
    x_mm: float
    y_mm: float
    contrast: float
    appearance: Appearance
    colour: tuple[int, int, int]
    tailing: bool


@dataclass(frozen=True)
class LaneTruth:
    """One lane: centre on the plate and in the photo, residue at the origin, its spots."""

    index: int
    x_mm: float
    origin_xy: tuple[float, float]
    origin_residue: bool
    spots: tuple[SpotTruth, ...]


@dataclass(frozen=True)
class LineTruth:
    """The origin or the front: height on the plate and where it crosses the plate's edges.

    Attributes
    ----------
    y_mm
        Height from the plate's top edge at the plate's centre.
    slope
        Change of height per mm across the plate (hand-ruled lines are rarely exactly level).
    ends
        (2, 2) photo points (x, y) where the line meets the left and right edges.
    marked
        How it was marked in pencil (``"none"`` when not drawn).
    """

    y_mm: float
    slope: float
    ends: np.ndarray
    marked: str


@dataclass(frozen=True)
class PlateTruth:
    """Everything known about a rendered plate photo.

    Attributes
    ----------
    corners
        (4, 2) plate corners in the upright photo, (x, y) pixel centres: top-left, top-right,
        bottom-right, bottom-left of the plate as it stands (front at the top).
    size_mm
        Plate (width, height).
    origin, front
        The two lines.
    lanes
        Lanes, left to right.
    visualisation
        How the plate was visualised.
    homography
        3x3 matrix from plate mm (x right, y down from the top-left corner) to photo pixel
        centres, for anything the other fields do not give directly.
    """

    corners: np.ndarray
    size_mm: tuple[float, float]
    origin: LineTruth
    front: LineTruth
    lanes: tuple[LaneTruth, ...]
    visualisation: Visualisation
    homography: np.ndarray

    @property
    def spots(self) -> list[SpotTruth]:
        """Every spot, lane by lane (left to right), each lane's in the order specified."""
        return [spot for lane in self.lanes for spot in lane.spots]

    def to_photo(self, points_mm: np.ndarray) -> np.ndarray:
        """Photo pixel centres (N, 2) of plate points given in mm (N, 2)."""
        return ProjectiveTransform(self.homography)(np.atleast_2d(points_mm))


@dataclass(frozen=True)
class RenderedPlate:
    """A synthetic phone photo of a plate and its ground truth.

    Attributes
    ----------
    image
        uint8 (H, W, 3) upright photo, exactly as decoded from ``jpeg_bytes`` with EXIF honoured.
    jpeg_bytes
        The file a phone would produce: pixels stored turned, an EXIF orientation tag saying
        how to turn them back.
    truth
        Ground truth in the upright photo's coordinates.
    spec
        The plate as specified.
    shot
        How the photo was taken.
    """

    image: np.ndarray
    jpeg_bytes: bytes
    truth: PlateTruth
    spec: PlateSpec
    shot: Shot


@dataclass(frozen=True)
class UnusablePhoto:
    """A photo that analysis must refuse, and why it is unusable."""

    image: np.ndarray
    jpeg_bytes: bytes
    kind: UnusableKind


def random_megapixels(rng: np.random.Generator) -> float:
    """Photo size drawn log-uniformly from 1 to 12 MP: old phones, messengers' downsizing, new."""
    return float(np.exp(rng.uniform(np.log(1.0), np.log(12.0))))


def render_plate(
    spec: PlateSpec,
    rng: np.random.Generator,
    *,
    megapixels: float | None = None,
    background: Background | None = None,
    exif_orientation: int | None = None,
    jpeg_quality: int | None = None,
    max_roll_deg: float = 10.0,
    max_tilt_deg: float = 14.0,
) -> RenderedPlate:
    """Photograph ``spec`` as a phone would, and say exactly what is where.

    Parameters
    ----------
    spec
        The plate.
    rng
        Source of randomness; the same seed and spec give byte-identical output.
    megapixels
        Photo size; ``None`` draws it from 1-12 MP (:func:`random_megapixels`).
    background
        Surface under the plate; ``None`` draws one typical for the visualisation.
    exif_orientation
        1, 3, 6 or 8; ``None`` draws one the way phones produce them (mostly 1 or 6).
    jpeg_quality
        Pillow quality; ``None`` draws 60-95.
    max_roll_deg, max_tilt_deg
        Largest in-plane rotation and largest tilt of the plate against the sensor.

    Returns
    -------
    RenderedPlate

    Notes
    -----
    The plate is drawn once at a few pixels per millimetre (never more than the photo needs),
    then warped once into the frame; scenes above 5 MP are composed at 5 MP and upscaled (see
    :func:`labsys.tlc.synthetic.camera.develop`), so a 12 MP photo takes 1-2 s of one core.
    """
    shot = _shot(spec, rng, megapixels, background, max_roll_deg, max_tilt_deg)
    shot = replace(
        shot,
        exif_orientation=exif_orientation or _exif_orientation(rng),
        jpeg_quality=jpeg_quality or int(rng.integers(60, 96)),
    )
    work = _working_frame(shot.frame)
    to_work = np.diag([work[1] / shot.frame[1], work[0] / shot.frame[0], 1.0]) @ shot.homography
    scene = camera.draw_background(rng, shot.background, work, shot.under_uv)
    light = camera.lighting(rng, work, shot.under_uv)
    layer = _drawn_layer(spec, rng, to_work)
    _lay_plate(rng, scene, spec, layer, shot.under_uv, to_work)
    finger = _props(rng, scene, spec, shot, ProjectiveTransform(to_work))
    scene *= light[..., None]
    if shot.glare:
        centre = ProjectiveTransform(to_work)(np.array([[spec.width_mm, spec.height_mm]]) / 2)[0]
        near = centre + rng.normal(0.0, 0.2, 2) * np.array(work[::-1])
        scene += camera.glare(rng, work, near)[..., None]
    exposure = camera.auto_exposure(rng, scene, shot.under_uv)
    scene *= np.float32(exposure)
    light = light * np.float32(exposure)  # the light the spots are seen in
    upright = camera.develop(rng, scene, shot)
    jpeg_bytes = camera.encode_jpeg(upright, shot.jpeg_quality, shot.exif_orientation)
    truth = _truth(spec, layer, shot, light, finger)
    return RenderedPlate(read_upright(jpeg_bytes), jpeg_bytes, truth, spec, shot)


def render_unusable(
    kind: UnusableKind, rng: np.random.Generator, *, megapixels: float | None = None
) -> UnusablePhoto:
    """A photo that plate analysis must refuse.

    Parameters
    ----------
    kind
        ``"no_plate"``: only the surface (sometimes a pen lying on it); ``"no_front"``: a
        developed plate whose front was never marked; ``"no_origin"``: a plate without origin
        line, ticks, labels or residue; ``"blank_plate"``: a plate with no marks and nothing on it.
    rng
        Source of randomness.
    megapixels
        Photo size; ``None`` draws it from 1-12 MP.

    Returns
    -------
    UnusablePhoto
    """
    if kind == "no_plate":
        return _photo_without_plate(rng, megapixels or random_megapixels(rng))
    spec = random_plate_spec(rng)
    if kind == "no_front":
        spec = replace(spec, front_mark="none", front_band=0.0)
    elif kind == "no_origin":
        lanes = tuple(replace(lane, origin_residue=0.0, label="") for lane in spec.lanes)
        spec = replace(spec, origin_mark="none", lanes=lanes)
    elif kind == "blank_plate":
        lanes = tuple(replace(lane, spots=(), origin_residue=0.0, label="") for lane in spec.lanes)
        spec = replace(
            spec, lanes=lanes, front_mark="none", origin_mark="none", note="", front_band=0.0
        )
    else:
        raise ValueError(f"unknown unusable kind {kind!r}; choose from {UNUSABLE_KINDS}")
    rendered = render_plate(spec, rng, megapixels=megapixels)
    return UnusablePhoto(rendered.image, rendered.jpeg_bytes, kind)


def read_upright(jpeg_bytes: bytes) -> np.ndarray:
    """Decode a JPEG and turn it upright as its EXIF orientation says (uint8 RGB)."""
    with Image.open(io.BytesIO(jpeg_bytes)) as image:
        return np.asarray(ImageOps.exif_transpose(image).convert("RGB"))


def _exif_orientation(rng: np.random.Generator) -> int:
    """Phones store mostly upright (1) or sideways (6) pixels, now and then 8 or 3."""
    return int(rng.choice([1, 6, 8, 3], p=[0.55, 0.3, 0.1, 0.05]))


def _shot(
    spec: PlateSpec,
    rng: np.random.Generator,
    megapixels: float | None,
    background: Background | None,
    max_roll_deg: float,
    max_tilt_deg: float,
) -> Shot:
    """Frame, plate placement, surface and optics for one photo."""
    megapixels = megapixels or random_megapixels(rng)
    portrait = rng.random() < (0.75 if spec.height_mm > spec.width_mm else 0.35)
    frame = camera.frame_shape(rng, megapixels, portrait)
    homography, (roll, pitch, yaw) = camera.place_plate(
        rng,
        (spec.width_mm, spec.height_mm),
        frame,
        max_roll_deg=max_roll_deg,
        max_tilt_deg=max_tilt_deg,
    )
    under_uv = spec.visualisation in ("uv254", "uv366")
    return Shot(
        frame=frame,
        homography=homography,
        roll_deg=roll,
        pitch_deg=pitch,
        yaw_deg=yaw,
        background=background or camera.choose_background(rng, under_uv),
        under_uv=under_uv,
        blur_sigma=float(rng.uniform(0.5, 1.5) * (megapixels / 4.0) ** 0.35),
        noise=float(rng.uniform(0.01, 0.03) if under_uv else rng.uniform(0.004, 0.012)),
        sharpen=bool(rng.random() < 0.5),
        jpeg_quality=90,
        exif_orientation=1,
        shake_px=float(rng.uniform(1.5, 4.0)) if rng.random() < 0.08 else 0.0,
        glare=bool(not under_uv and rng.random() < 0.15),
        held=_held(rng, spec),
        ruler=bool(rng.random() < 0.1),
    )


def _props(
    rng: np.random.Generator,
    scene: np.ndarray,
    spec: PlateSpec,
    shot: Shot,
    to_photo: ProjectiveTransform,
) -> _Finger | None:
    """What else is in the picture: a ruler beside the plate, a finger holding it."""
    if shot.ruler:
        camera.draw_ruler(rng, scene, to_photo, (spec.width_mm, spec.height_mm), shot.under_uv)
    if shot.held == "no":
        return None
    finger = _Finger.random(rng, spec)
    camera.hold_plate(
        rng, scene, to_photo(finger.outline_mm()), shot.held == "glove", shot.under_uv
    )
    return finger


def _held(rng: np.random.Generator, spec: PlateSpec) -> Literal["no", "finger", "glove"]:
    """Sometimes the plate is held by its bottom corner (only where the origin is a full line,
    so that a finger over the plate's edge never hides the only origin or front mark)."""
    if spec.origin_mark not in ("line", "line_ticks") or rng.random() >= 0.12:
        return "no"
    return "glove" if rng.random() < 0.6 else "finger"


@dataclass(frozen=True)
class _Finger:
    """A fingertip over a bottom corner: a capsule in plate mm (centre, outward axis, radius)."""

    centre: np.ndarray
    axis: np.ndarray
    radius: float

    @classmethod
    def random(cls, rng: np.random.Generator, spec: PlateSpec) -> _Finger:
        """Tip 2-5 mm over the left or right edge, near the bottom, pointing outwards."""
        radius = float(rng.uniform(6.5, 9.0))
        left = rng.random() < 0.5
        angle = np.radians(rng.uniform(-35.0, 25.0))
        axis = np.array([-np.cos(angle) if left else np.cos(angle), np.sin(angle)])
        reach = rng.uniform(2.0, 5.0)
        tip = np.array(
            [reach if left else spec.width_mm - reach, spec.height_mm - rng.uniform(0.0, 4.0)]
        )
        return cls(tip + axis * radius, axis, radius)

    def outline_mm(self, length_mm: float = 150.0) -> np.ndarray:
        """Closed outline: the rounded tip and the two sides running out of the picture."""
        normal = np.array([-self.axis[1], self.axis[0]])
        start = np.arctan2(normal[1], normal[0])
        theta = np.linspace(start, start + np.pi, 24)
        arc = self.centre + self.radius * np.column_stack([np.cos(theta), np.sin(theta)])
        far = self.centre + self.axis * length_mm
        return np.vstack([arc, far - normal * self.radius, far + normal * self.radius])

    def covers(self, x_mm: float, y_mm: float) -> bool:
        """Whether the point is under the finger (with half a millimetre to spare)."""
        offset = np.array([x_mm, y_mm]) - self.centre
        along = max(float(offset @ self.axis), 0.0)
        return float(np.hypot(*(offset - along * self.axis))) < self.radius + 0.5


def _working_frame(frame: tuple[int, int]) -> tuple[int, int]:
    """Resolution the scene is composed at: the frame, or about 5 MP for bigger frames."""
    height, width = frame
    shrink = max(1.0, np.sqrt(height * width / _WORKING_PIXELS))
    return round(height / shrink), round(width / shrink)


def _photo_px_per_mm(homography: np.ndarray, size_mm: tuple[float, float]) -> float:
    """Mean photo pixels per plate millimetre, from the plate's projected edge lengths."""
    width, height = size_mm
    corners = ProjectiveTransform(homography)(
        np.array([[0, 0], [width, 0], [width, height], [0, height]], float)
    )
    edges = np.hypot(*(np.roll(corners, -1, axis=0) - corners).T)
    return float((edges[0] + edges[2]) / (2 * width) + (edges[1] + edges[3]) / (2 * height)) / 2


def _drawn_layer(spec: PlateSpec, rng: np.random.Generator, homography: np.ndarray) -> PlateLayer:
    """Draw the plate at no more resolution than the scene has, anti-aliased if it shrinks."""
    photo_ppm = _photo_px_per_mm(homography, (spec.width_mm, spec.height_mm))
    ppm = float(np.clip(photo_ppm, 4.0, 12.0))
    layer = draw_plate(spec, rng, ppm)
    if photo_ppm < 0.8 * ppm:
        sigma = 0.4 * ppm / photo_ppm
        layer.rgb = gaussian_filter(layer.rgb, sigma=(sigma, sigma, 0)).astype(np.float32)
    return layer


def _lay_plate(
    rng: np.random.Generator,
    scene: np.ndarray,
    spec: PlateSpec,
    layer: PlateLayer,
    under_uv: bool,
    homography: np.ndarray,
) -> None:
    """Put the drawn plate into the scene with its edge thickness and cast shadow."""
    photo_ppm = _photo_px_per_mm(homography, (spec.width_mm, spec.height_mm))
    thickness_mm = {"glass": rng.uniform(1.0, 2.0), "aluminium": 0.15, "plastic": 0.25}
    thickness_px = thickness_mm[spec.backing] * photo_ppm * rng.uniform(0.3, 0.8)
    if under_uv:
        edge = layer.rgb.reshape(-1, 3).mean(axis=0) * rng.uniform(0.3, 0.6)
    elif spec.backing == "glass":
        edge = np.array([0.72, 0.8, 0.76], np.float32) * rng.uniform(0.7, 1.1)
    else:
        edge = np.array([0.78, 0.78, 0.8], np.float32) * rng.uniform(0.7, 1.1)
    to_mm = np.diag([1.0 / layer.px_per_mm, 1.0 / layer.px_per_mm, 1.0])
    camera.composite_plate(
        rng, scene, layer.rgb, homography @ to_mm, thickness_px, edge.astype(np.float32)
    )


def _truth(
    spec: PlateSpec, layer: PlateLayer, shot: Shot, light: np.ndarray, finger: _Finger | None
) -> PlateTruth:
    """Ground truth in the upright photo's pixel centres."""
    to_photo = np.array([[1, 0, -0.5], [0, 1, -0.5], [0, 0, 1]]) @ shot.homography
    project = ProjectiveTransform(to_photo)
    width, height = spec.width_mm, spec.height_mm
    corners = project(np.array([[0, 0], [width, 0], [width, height], [0, height]], float))
    photo_ppm = _photo_px_per_mm(shot.homography, (width, height))
    lanes = []
    for index, lane in enumerate(spec.lanes):
        spots = tuple(
            _spot_truth(spot, spec, project, light, shot.frame, photo_ppm, finger)
            for spot in layer.spots
            if spot.lane == index
        )
        origin_y = layer.origin.y_at(lane.x_mm, width)
        origin_xy = project(np.array([[lane.x_mm, origin_y]]))[0]
        lanes.append(
            LaneTruth(
                index=index,
                x_mm=lane.x_mm,
                origin_xy=(float(origin_xy[0]), float(origin_xy[1])),
                origin_residue=lane.origin_residue > 0,
                spots=spots,
            )
        )
    return PlateTruth(
        corners=corners,
        size_mm=(width, height),
        origin=_line_truth(layer.origin, width, project, spec.origin_mark),
        front=_line_truth(layer.front, width, project, spec.front_mark),
        lanes=tuple(lanes),
        visualisation=spec.visualisation,
        homography=to_photo,
    )


def _spot_truth(
    spot: SpotOnPlate,
    spec: PlateSpec,
    project: ProjectiveTransform,
    light: np.ndarray,
    frame: tuple[int, int],
    photo_ppm: float,
    finger: _Finger | None,
) -> SpotTruth:
    """A drawn spot's truth, with its visibility judged under this photo's light."""
    x, y = project(np.array([[spot.x_mm, spot.y_mm]]))[0]
    row = int(np.clip(y * light.shape[0] / frame[0], 0, light.shape[0] - 1))
    col = int(np.clip(x * light.shape[1] / frame[1], 0, light.shape[1] - 1))
    contrast = spot.contrast(float(light[row, col]))
    big_enough = 2.0 * spot.size_mm * photo_ppm >= _MIN_VISIBLE_SIZE_PX
    visible = spot.seen and big_enough and contrast >= VISIBLE_CONTRAST
    if spec.visualisation == "daylight_pencil_circled":
        visible = spot.seen or visible  # the ring is what a person sees
    if finger and finger.covers(spot.x_mm, spot.y_mm):
        visible = False
    return SpotTruth(
        lane=spot.lane,
        rf=spot.rf,
        visible=bool(visible),
        x=float(x),
        y=float(y),
        x_mm=spot.x_mm,
        y_mm=spot.y_mm,
        contrast=round(contrast, 4),
        appearance=spot.appearance,
        colour=spot.colour,
        tailing=spot.tailing,
    )


def _line_truth(
    line: PencilLine, width_mm: float, project: ProjectiveTransform, marked: OriginMark | FrontMark
) -> LineTruth:
    """Truth of one pencil line."""
    ends = project(
        np.array([[0.0, line.y_at(0.0, width_mm)], [width_mm, line.y_at(width_mm, width_mm)]])
    )
    return LineTruth(y_mm=line.y_mm, slope=line.slope, ends=ends, marked=marked)


def _photo_without_plate(rng: np.random.Generator, megapixels: float) -> UnusablePhoto:
    """The surface alone, lit, with a pen lying on it half the time."""
    under_uv = bool(rng.random() < 0.5)
    frame = camera.frame_shape(rng, megapixels, portrait=bool(rng.random() < 0.5))
    background = camera.choose_background(rng, under_uv)
    work = _working_frame(frame)
    scene = camera.draw_background(rng, background, work, under_uv)
    if rng.random() < 0.5:
        _draw_pen(rng, scene)
    scene *= camera.lighting(rng, work, under_uv)[..., None]
    scene *= np.float32(camera.auto_exposure(rng, scene, under_uv))
    shot = Shot(
        frame=frame,
        homography=np.eye(3),
        roll_deg=0.0,
        pitch_deg=0.0,
        yaw_deg=0.0,
        background=background,
        under_uv=under_uv,
        blur_sigma=float(rng.uniform(0.4, 1.5)),
        noise=float(rng.uniform(0.005, 0.03)),
        sharpen=bool(rng.random() < 0.5),
        jpeg_quality=int(rng.integers(60, 96)),
        exif_orientation=_exif_orientation(rng),
    )
    upright = camera.develop(rng, scene, shot)
    jpeg_bytes = camera.encode_jpeg(upright, shot.jpeg_quality, shot.exif_orientation)
    return UnusablePhoto(read_upright(jpeg_bytes), jpeg_bytes, "no_plate")


def _draw_pen(rng: np.random.Generator, scene: np.ndarray) -> None:
    """A pen or pencil lying on the surface: a long thin dark bar."""
    height, width = scene.shape[:2]
    canvas = Image.new("L", (width, height), 0)
    length = rng.uniform(0.3, 0.6) * min(height, width)
    thickness = max(int(0.03 * min(height, width)), 2)
    x0, y0 = rng.uniform(0.2, 0.8) * width, rng.uniform(0.2, 0.8) * height
    angle = rng.uniform(0, np.pi)
    x1, y1 = x0 + length * np.cos(angle), y0 + length * np.sin(angle)
    ImageDraw.Draw(canvas).line([(x0, y0), (x1, y1)], fill=255, width=thickness)
    mask = np.asarray(canvas, dtype=np.float32)[..., None] / 255.0
    colour = np.array(rng.uniform(0.05, 0.6, 3), np.float32)
    scene[:] = scene * (1.0 - mask) + colour * mask
