"""Photograph a drawn plate: where it lies, the surface under it, the light, the phone's optics.

Everything a phone photo adds to a plate is here: a frame of 1-12 megapixels, the plate placed
anywhere, turned and tilted (a pinhole camera looking at a tilted plane, so the perspective is
physical), a surface under it (UV cabinet, bench, wood, cloth, paper), a cast shadow and the
plate's edge thickness, uneven lamp light and vignetting, lens blur, sensor noise, the phone's
sharpening, and JPEG compression with an EXIF orientation tag.

Pixel coordinates are "corner-based" inside this module (pixel (0, 0) covers [0, 1) x [0, 1)),
which is what Pillow's resampling uses; the public truth converts to pixel centres.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from skimage.transform import ProjectiveTransform

from labsys.tlc.synthetic._noise import fractal_noise, pick, smooth_noise

Background = Literal[
    "uv_cabinet", "grey_bench", "dark_surface", "wood", "cloth", "white_paper", "blue_bench_paper"
]
BACKGROUNDS: tuple[Background, ...] = (
    "uv_cabinet",
    "grey_bench",
    "dark_surface",
    "wood",
    "cloth",
    "white_paper",
    "blue_bench_paper",
)
_UV_BACKGROUNDS: tuple[tuple[Background, float], ...] = (
    ("uv_cabinet", 0.5),
    ("dark_surface", 0.2),
    ("grey_bench", 0.15),
    ("wood", 0.15),
)
_DAYLIGHT_BACKGROUNDS: tuple[tuple[Background, float], ...] = (
    ("grey_bench", 0.25),
    ("white_paper", 0.2),
    ("wood", 0.15),
    ("cloth", 0.15),
    ("dark_surface", 0.15),
    ("blue_bench_paper", 0.1),
)
_ASPECTS = ((4 / 3, 0.7), (16 / 9, 0.12), (3 / 2, 0.1), (1.0, 0.08))
EXIF_ORIENTATION_TAG = 0x0112


@dataclass(frozen=True)
class Shot:
    """How one photo was taken (all drawn at random unless fixed by the caller).

    Attributes
    ----------
    frame
        (height, width) of the upright photo in pixels.
    homography
        3x3 matrix taking plate millimetres (x right, y down from the top-left corner) to
        corner-based photo pixels.
    roll_deg, pitch_deg, yaw_deg
        Plate rotation in the frame and tilt of the plate's plane against the sensor.
    background
        The surface the plate lies on.
    under_uv
        True when the only light is a UV lamp (dim, uneven, noisy photo).
    blur_sigma
        Lens/focus blur in photo pixels.
    noise
        Read-noise standard deviation (sRGB 0-1); shot noise scales with it.
    sharpen
        Whether the phone's sharpening left halos.
    jpeg_quality
        Pillow JPEG quality.
    exif_orientation
        EXIF orientation tag stored with the JPEG (1, 3, 6 or 8).
    shake_px
        Length of motion blur from a shaking hand (0 for none).
    glare
        Whether a ceiling light is reflected off the plate.
    held
        ``"no"``, or ``"finger"``/``"glove"`` when a hand holds the plate by its bottom corner.
    ruler
        Whether a ruler lies beside the plate.
    """

    frame: tuple[int, int]
    homography: np.ndarray
    roll_deg: float
    pitch_deg: float
    yaw_deg: float
    background: Background
    under_uv: bool
    blur_sigma: float
    noise: float
    sharpen: bool
    jpeg_quality: int
    exif_orientation: int
    shake_px: float = 0.0
    glare: bool = False
    held: Literal["no", "finger", "glove"] = "no"
    ruler: bool = False


def frame_shape(rng: np.random.Generator, megapixels: float, portrait: bool) -> tuple[int, int]:
    """(height, width) of a phone photo of about ``megapixels``, in a common aspect ratio."""
    ratios, weights = zip(*_ASPECTS, strict=True)
    aspect = float(rng.choice(ratios, p=weights))
    long_side = round(np.sqrt(megapixels * 1e6 * aspect))
    short_side = round(long_side / aspect)
    return (long_side, short_side) if portrait else (short_side, long_side)


def place_plate(
    rng: np.random.Generator,
    plate_mm: tuple[float, float],
    frame: tuple[int, int],
    *,
    max_roll_deg: float = 10.0,
    max_tilt_deg: float = 14.0,
) -> tuple[np.ndarray, tuple[float, float, float]]:
    """Where the plate's corners land in the photo, through a pinhole camera.

    The plate (``plate_mm`` = width, height) is turned in its own plane by up to
    ``max_roll_deg`` and its plane tilted by up to ``max_tilt_deg`` about both axes, seen by a
    phone-like lens (focal length 0.6-0.9 of the frame diagonal), then moved anywhere in the
    frame that keeps every corner inside it.

    Returns
    -------
    homography, (roll, pitch, yaw)
        3x3 plate-mm to corner-based photo-pixel matrix, and the angles in degrees.
    """
    height, width = frame
    width_mm, height_mm = plate_mm
    roll, pitch, yaw = (
        float(rng.uniform(-max_roll_deg, max_roll_deg)),
        float(rng.uniform(-max_tilt_deg, max_tilt_deg)),
        float(rng.uniform(-max_tilt_deg, max_tilt_deg)),
    )
    focal = float(np.hypot(height, width) * rng.uniform(0.6, 0.9))
    corners_mm = np.array([[0, 0], [width_mm, 0], [width_mm, height_mm], [0, height_mm]], float)
    centred = np.column_stack([corners_mm - [width_mm / 2, height_mm / 2], np.zeros(4)])
    rotated = centred @ _rotation(roll, pitch, yaw).T
    fill = float(rng.uniform(0.35, 0.85))
    for _ in range(20):
        distance = focal * max(width_mm / width, height_mm / height) / fill
        depth = distance + rotated[:, 2]
        projected = focal * rotated[:, :2] / depth[:, None]
        low, high = projected.min(axis=0), projected.max(axis=0)
        margin = 0.02 * min(height, width)
        room = np.array([width, height]) - (high - low) - 2 * margin
        if np.all(room > 0):
            break
        fill *= 0.9
    shift = margin - low + rng.uniform(0.0, 1.0, 2) * room
    corners_px = projected + shift
    transform = ProjectiveTransform.from_estimate(corners_mm, corners_px)
    return transform.params, (roll, pitch, yaw)


def _rotation(roll_deg: float, pitch_deg: float, yaw_deg: float) -> np.ndarray:
    """Rotation matrix: roll about the optical axis, pitch about x, yaw about y."""
    r, p, y = np.radians([roll_deg, pitch_deg, yaw_deg])
    roll = np.array([[np.cos(r), -np.sin(r), 0], [np.sin(r), np.cos(r), 0], [0, 0, 1]])
    pitch = np.array([[1, 0, 0], [0, np.cos(p), -np.sin(p)], [0, np.sin(p), np.cos(p)]])
    yaw = np.array([[np.cos(y), 0, np.sin(y)], [0, 1, 0], [-np.sin(y), 0, np.cos(y)]])
    return yaw @ pitch @ roll


def choose_background(rng: np.random.Generator, under_uv: bool) -> Background:
    """A surface typical for the light: UV photos are mostly taken inside a dark cabinet."""
    options = _UV_BACKGROUNDS if under_uv else _DAYLIGHT_BACKGROUNDS
    names, weights = zip(*options, strict=True)
    return pick(rng, names, weights)


def draw_background(
    rng: np.random.Generator, kind: Background, frame: tuple[int, int], under_uv: bool
) -> np.ndarray:
    """The surface under the plate, float32 (H, W, 3).

    Drawn at a quarter of the resolution and upsampled: surface texture finer than that is
    lost in the lens blur and sensor noise anyway.
    """
    height, width = frame
    small = (max(height // 4, 8), max(width // 4, 8))
    texture = _SURFACES[kind](rng, small)
    if under_uv and kind != "uv_cabinet":
        texture = texture * rng.uniform(0.12, 0.3) * np.array([0.8, 0.75, 1.3], np.float32)
    rgb8 = (np.clip(texture, 0.0, 1.0) * 255).astype(np.uint8)
    big = Image.fromarray(rgb8).resize((width, height), Image.Resampling.BILINEAR)
    return np.asarray(big, dtype=np.float32) / 255.0


def _uv_cabinet(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Near-black cabinet floor with a violet cast from the lamp."""
    base = np.array([0.05, 0.04, 0.09], np.float32) * rng.uniform(0.6, 1.6)
    return base * (1.0 + 0.1 * fractal_noise(rng, shape, shape[1] / 6))[..., None]


def _grey_bench(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Laminate or epoxy bench top: mid grey, slightly blotchy, a faint speckle."""
    grey = rng.uniform(0.4, 0.7)
    tint = np.array([1.0, 1.0, 1.0], np.float32) + rng.normal(0, 0.03, 3).astype(np.float32)
    blotch = 0.02 * fractal_noise(rng, shape, shape[1] / 5)
    speckle = 0.02 * smooth_noise(rng, shape, 1.0)
    return (grey * tint) * (1.0 + blotch + speckle)[..., None]


def _dark_surface(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Black bench or tray: dark, with speckle and a soft sheen."""
    grey = rng.uniform(0.06, 0.2)
    sheen = 0.25 * fractal_noise(rng, shape, shape[1] / 3)
    speckle = 0.08 * smooth_noise(rng, shape, 1.0)
    return np.full(3, grey, np.float32) * (1.0 + sheen + speckle)[..., None]


def _wood(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Wood grain: long, gently wandering stripes of early and late wood, with fine fibres."""
    height, width = shape
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    angle = rng.uniform(0, np.pi)
    across = -xx * np.sin(angle) + yy * np.cos(angle)
    period = rng.uniform(8.0, 25.0)
    rings = across + period * rng.uniform(0.5, 2.0) * fractal_noise(rng, shape, width / 2, 2)
    late_wood = (0.5 + 0.5 * np.sin(2 * np.pi * rings / period)) ** 4
    fibre_profile = rng.standard_normal(int(np.ptp(rings)) + 8).astype(np.float32)
    fibres = np.interp(rings - rings.min(), np.arange(fibre_profile.size), fibre_profile)
    light = np.array([0.66, 0.48, 0.3], np.float32) * rng.uniform(0.7, 1.15)
    dark = light * rng.uniform(0.55, 0.8)
    wood = light * (1 - late_wood[..., None]) + dark * late_wood[..., None]
    return wood * (1.0 + 0.04 * fibres.astype(np.float32))[..., None]


def _cloth(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Woven cloth (lab towel, coat): a fine weave with folds."""
    height, width = shape
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    period = rng.uniform(2.2, 4.0)
    weave = 0.5 + 0.25 * (np.sin(2 * np.pi * xx / period) * np.sin(2 * np.pi * yy / period))
    folds = 0.07 * fractal_noise(rng, shape, width / 5)
    palettes = ([0.25, 0.4, 0.6], [0.3, 0.5, 0.4], [0.55, 0.55, 0.58], [0.8, 0.8, 0.78])
    colour = np.array(palettes[int(rng.integers(len(palettes)))], np.float32)
    return colour * (0.75 + 0.5 * weave + folds)[..., None]


def _white_paper(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Paper towel or printer paper: bright, with a soft crinkle."""
    crinkle = 0.02 * fractal_noise(rng, shape, shape[1] / 12)
    return np.full(3, rng.uniform(0.82, 0.95), np.float32) * (1.0 + crinkle)[..., None]


def _blue_bench_paper(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Absorbent bench protector: pale, quilted in a faint diamond pattern."""
    height, width = shape
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    period = rng.uniform(8.0, 16.0)
    quilt = np.abs(np.sin(np.pi * (xx + yy) / period) * np.sin(np.pi * (xx - yy) / period))
    colour = np.array([0.78, 0.84, 0.9], np.float32) * rng.uniform(0.9, 1.05)
    return colour * (0.94 + 0.06 * quilt + 0.03 * smooth_noise(rng, shape, 2.0))[..., None]


_SURFACES = {
    "uv_cabinet": _uv_cabinet,
    "grey_bench": _grey_bench,
    "dark_surface": _dark_surface,
    "wood": _wood,
    "cloth": _cloth,
    "white_paper": _white_paper,
    "blue_bench_paper": _blue_bench_paper,
}


def lighting(rng: np.random.Generator, frame: tuple[int, int], under_uv: bool) -> np.ndarray:
    """Light falling on the scene, float32 (H, W), about 1 where it is brightest.

    A UV lamp is a tube held over the plate, so its light falls off strongly across the frame;
    room light is gentler. Both get lens vignetting, and sometimes a hand or phone casts a soft
    shadow over part of the plate.
    """
    height, width = frame
    small = (max(height // 16, 8), max(width // 16, 8))
    yy, xx = np.mgrid[0 : small[0], 0 : small[1]].astype(np.float32)
    yy, xx = yy / small[0] - 0.5, xx / small[1] - 0.5
    angle = rng.uniform(0, 2 * np.pi)
    slope = rng.uniform(0.2, 0.6) if under_uv else rng.uniform(0.0, 0.3)
    field = 1.0 + slope * (xx * np.cos(angle) + yy * np.sin(angle))
    field *= 1.0 - rng.uniform(0.05, 0.35) * (xx**2 + yy**2) / 0.5
    field *= 1.0 + (0.05 if under_uv else 0.015) * fractal_noise(rng, small, small[1] / 3)
    if rng.random() < 0.3:
        field *= _soft_shadow(rng, xx, yy)
    field = field / float(field.max())
    big = Image.fromarray(field.astype(np.float32)).resize(
        (width, height), Image.Resampling.BILINEAR
    )
    return np.asarray(big, dtype=np.float32)


def _soft_shadow(rng: np.random.Generator, xx: np.ndarray, yy: np.ndarray) -> np.ndarray:
    """A blurred half-plane darkening (a hand, the phone, the lamp housing)."""
    angle = rng.uniform(0, 2 * np.pi)
    offset = rng.uniform(-0.35, 0.2)
    softness = rng.uniform(0.02, 0.12)
    distance = xx * np.cos(angle) + yy * np.sin(angle) - offset
    depth = rng.uniform(0.15, 0.45)
    return 1.0 - depth / (1.0 + np.exp(-distance / softness))


def composite_plate(
    rng: np.random.Generator,
    scene: np.ndarray,
    plate_rgb: np.ndarray,
    homography_px: np.ndarray,
    thickness_px: float,
    edge_colour: np.ndarray,
) -> None:
    """Lay the plate into ``scene`` in place: a cast shadow, its edge thickness, then the plate.

    Only the plate's bounding box is touched, and the warps are Pillow's perspective transform
    of 8-bit images (in C) with the matrix from ``skimage.transform.ProjectiveTransform``
    geometry, so a 12 MP photo of a big plate stays well under a second.

    Parameters
    ----------
    rng
        Source of randomness (shadow direction and depth).
    scene
        float32 (H, W, 3) photo so far, modified in place.
    plate_rgb
        float32 (h, w, 3) drawn plate.
    homography_px
        3x3 plate-pixel to photo-pixel matrix (corner-based).
    thickness_px
        How far the plate's edge shows beyond its top face (glass is thick, foil is not).
    edge_colour
        Colour of that edge.
    """
    height, width = scene.shape[:2]
    h, w = plate_rgb.shape[:2]
    corners = _apply(homography_px, np.array([[0, 0], [w, 0], [w, h], [0, h]], float))
    pad = int(0.03 * max(height, width) + 2 * thickness_px) + 4
    x0, y0 = np.maximum(np.floor(corners.min(axis=0)).astype(int) - pad, 0)
    x1, y1 = np.minimum(np.ceil(corners.max(axis=0)).astype(int) + pad, [width, height])
    box = scene[y0:y1, x0:x1]
    to_box = np.array([[1.0, 0, -x0], [0, 1, -y0], [0, 0, 1]]) @ homography_px
    size = (int(x1 - x0), int(y1 - y0))
    plate8 = Image.fromarray((np.clip(plate_rgb, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8))
    solid = Image.new("L", (w, h), 255)
    warped = _warp8(plate8, to_box, size)
    coverage = _warp8(solid, to_box, size)
    direction = rng.uniform(0, 2 * np.pi)
    shift = rng.uniform(0.3, 1.5) * thickness_px + rng.uniform(1.0, 0.01 * max(height, width))
    # The shadow is soft: draw it at a quarter of the resolution and scale it up.
    quarter = np.diag([0.25, 0.25, 1.0])
    small = (max(size[0] // 4, 1), max(size[1] // 4, 1))
    shadow = _warp8(solid, quarter @ _translation(shift, direction) @ to_box, small)
    shadow = shadow.filter(ImageFilter.GaussianBlur(0.15 * shift + 0.25))
    shadow = np.asarray(shadow.resize(size, Image.Resampling.BILINEAR), np.float32)
    box *= 1.0 - np.float32(rng.uniform(0.15, 0.55) / 255.0) * shadow[..., None]
    side = rng.uniform(0.3, 1.3) * np.pi / 2
    rim = np.asarray(_warp8(solid, _translation(thickness_px, side) @ to_box, size), np.float32)
    cover = np.asarray(coverage, np.float32) / 255.0
    edge = np.clip(rim / 255.0 - cover, 0.0, 1.0)
    band = edge > 0  # a thin strip: update only there
    weight = edge[band][:, None]
    box[band] = box[band] * (1.0 - weight) + edge_colour * weight
    box *= (1.0 - cover)[..., None]
    box += np.asarray(warped, np.float32) / 255.0  # bilinear edges are premultiplied


def _warp8(image: Image.Image, homography: np.ndarray, size: tuple[int, int]) -> Image.Image:
    """``image`` seen through ``homography`` (source to output, corner-based), bilinear."""
    inverse = np.linalg.inv(homography)
    inverse = inverse / inverse[2, 2]
    return image.transform(
        size, Image.Transform.PERSPECTIVE, tuple(inverse.ravel()[:8]), Image.Resampling.BILINEAR
    )


def _translation(distance: float, direction: float) -> np.ndarray:
    """3x3 matrix moving points by ``distance`` towards ``direction`` (radians)."""
    return np.array(
        [[1.0, 0, distance * np.cos(direction)], [0, 1, distance * np.sin(direction)], [0, 0, 1]]
    )


def _apply(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Apply a 3x3 homography to (N, 2) points."""
    return ProjectiveTransform(matrix)(points)


def develop(rng: np.random.Generator, scene: np.ndarray, shot: Shot) -> np.ndarray:
    """From scene light to the phone's 8-bit picture: white balance, blur, noise, sharpening.

    ``scene`` (float32, modified in place) may be smaller than ``shot.frame``: the phone's
    output is then upscaled to the frame at the end. That is how a 12 MP phone photo looks
    anyway (demosaicing, denoising and a soft lens leave less detail than pixels, and the noise
    that survives is blotchy rather than per pixel), and it keeps big renders fast.

    Returns
    -------
    numpy.ndarray
        uint8 (H, W, 3) upright photo of ``shot.frame`` (before JPEG).
    """
    gains = rng.uniform(0.95, 1.05, 3).astype(np.float32)  # white balance, never perfect
    scene *= gains * np.float32(255.0)
    photo = Image.fromarray(_to_uint8(scene))
    blur = shot.blur_sigma * scene.shape[1] / shot.frame[1]
    if blur > 0.3:
        photo = photo.filter(ImageFilter.GaussianBlur(blur))
    if shot.shake_px > 0:
        photo = photo.filter(_shake_kernel(rng, shot.shake_px * scene.shape[1] / shot.frame[1]))
    pixels = np.asarray(photo, dtype=np.float32)
    _add_sensor_noise(rng, pixels, shot.noise * 255.0)
    photo = Image.fromarray(_to_uint8(pixels))
    if shot.sharpen:
        photo = photo.filter(ImageFilter.UnsharpMask(1.2, int(rng.uniform(40, 120)), 2))
    height, width = shot.frame
    if photo.size != (width, height):
        photo = photo.resize((width, height), Image.Resampling.BICUBIC)
    return np.asarray(photo)


def auto_exposure(rng: np.random.Generator, scene: np.ndarray, under_uv: bool) -> float:
    """The gain a phone's auto-exposure applies: centre-weighted brightness brought to a target.

    A dark UV cabinet is brightened (noisily), a white bench darkened; phones aim lower in the
    dark, so UV photos stay dim-looking, and they protect highlights, so a bright plate on a
    dark bench clips only a little.
    """
    sample = scene[::8, ::8]
    height, width = sample.shape[:2]
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    weight = np.exp(-0.5 * (((yy / height - 0.5) / 0.3) ** 2 + ((xx / width - 0.5) / 0.3) ** 2))
    luma = sample @ np.array([0.299, 0.587, 0.114], np.float32)
    mean = float((luma * weight).sum() / weight.sum())
    target = rng.uniform(0.12, 0.3) if under_uv else rng.uniform(0.35, 0.5)
    # Highlight protection: the brightest part (often the plate) may clip a little, not wholly.
    highlight = float(np.percentile(luma, 99.5))
    limit = rng.uniform(0.92, 1.08) / max(highlight, 1e-3)
    return float(np.clip(min(target / max(mean, 1e-3), limit), 0.6, 2.5))


def _shake_kernel(rng: np.random.Generator, length_px: float) -> ImageFilter.Kernel:
    """A 5x5 straight motion-blur kernel of about ``length_px`` (at most 5) in any direction."""
    angle = rng.uniform(0, np.pi)
    yy, xx = np.mgrid[-2:3, -2:3].astype(float)
    along = xx * np.cos(angle) + yy * np.sin(angle)
    across = -xx * np.sin(angle) + yy * np.cos(angle)
    weights = (np.abs(across) <= 0.5) & (np.abs(along) <= min(length_px, 5.0) / 2)
    weights = weights.astype(float) + np.where((xx == 0) & (yy == 0), 1.0, 0.0)
    return ImageFilter.Kernel((5, 5), weights.ravel().tolist(), scale=float(weights.sum()))


def glare(rng: np.random.Generator, frame: tuple[int, int], near_xy: np.ndarray) -> np.ndarray:
    """A ceiling light's soft reflection near ``near_xy`` (x, y pixels): float32 (H, W) to add."""
    height, width = frame
    small = (max(height // 16, 8), max(width // 16, 8))
    yy, xx = np.mgrid[0 : small[0], 0 : small[1]].astype(np.float32)
    cx, cy = near_xy[0] * small[1] / width, near_xy[1] * small[0] / height
    sx, sy = rng.uniform(0.04, 0.15, 2) * small[1]
    blob = rng.uniform(0.12, 0.35) * np.exp(-0.5 * (((xx - cx) / sx) ** 2 + ((yy - cy) / sy) ** 2))
    big = Image.fromarray(blob.astype(np.float32)).resize(
        (width, height), Image.Resampling.BILINEAR
    )
    return np.asarray(big, dtype=np.float32)


def hold_plate(
    rng: np.random.Generator,
    scene: np.ndarray,
    outline_px: np.ndarray,
    gloved: bool,
    under_uv: bool,
) -> None:
    """Draw a fingertip (bare or gloved) over ``outline_px`` (N, 2 photo points), in place.

    The finger is shaded like a cylinder (lighter along its middle) and casts a soft shadow.
    """
    height, width = scene.shape[:2]
    canvas = Image.new("L", (width, height), 0)
    ImageDraw.Draw(canvas).polygon([tuple(p) for p in outline_px], fill=255)
    span = float(np.ptp(outline_px, axis=0).min())
    edge = canvas.filter(ImageFilter.GaussianBlur(1.0))
    roundness = np.asarray(canvas.filter(ImageFilter.GaussianBlur(span / 6)), np.float32) / 255.0
    shadow = (
        np.asarray(
            canvas.transform(
                canvas.size, Image.Transform.AFFINE, (1, 0, -span / 6, 0, 1, -span / 8)
            ).filter(ImageFilter.GaussianBlur(span / 5)),
            np.float32,
        )[..., None]
        / 255.0
    )
    scene *= 1.0 - 0.45 * shadow
    palettes = (
        [(0.35, 0.45, 0.85), (0.55, 0.4, 0.8), (0.9, 0.9, 0.88)]
        if gloved
        else [
            (0.87, 0.66, 0.55),
            (0.62, 0.44, 0.33),
            (0.42, 0.3, 0.24),
        ]
    )
    colour = np.array(palettes[int(rng.integers(len(palettes)))], np.float32)
    if under_uv:
        colour = colour * np.array([0.25, 0.2, 0.45], np.float32)
    cover = np.asarray(edge, np.float32)[..., None] / 255.0
    finger = colour * (0.55 + 0.45 * roundness[..., None])
    scene[:] = scene * (1.0 - cover) + finger * cover


def draw_ruler(
    rng: np.random.Generator,
    scene: np.ndarray,
    to_photo: ProjectiveTransform,
    plate_mm: tuple[float, float],
    under_uv: bool,
) -> None:
    """A ruler lying beside the plate (people lay one there to read Rf), in place.

    It lies in the plate's plane, so ``to_photo`` (plate mm to photo pixels) places it with the
    same perspective. Its millimetre ticks are the kind of fine straight lines an analyser must
    not take for the plate's edge or its pencil lines.
    """
    width_mm, height_mm = plate_mm
    gap, breadth = rng.uniform(3.0, 12.0), rng.uniform(20.0, 32.0)
    left = rng.random() < 0.5
    x0 = -gap - breadth if left else width_mm + gap
    y0, y1 = -rng.uniform(10.0, 40.0), height_mm + rng.uniform(10.0, 40.0)
    body = to_photo(np.array([[x0, y0], [x0 + breadth, y0], [x0 + breadth, y1], [x0, y1]]))
    canvas = Image.new("L", (scene.shape[1], scene.shape[0]), 0)
    ImageDraw.Draw(canvas).polygon([tuple(p) for p in body], fill=255)
    cover = np.asarray(canvas, np.float32)[..., None] / 255.0
    colour = pick(rng, [(0.88, 0.88, 0.84), (0.7, 0.72, 0.75), (0.85, 0.75, 0.5)])
    tint = np.array(colour, np.float32) * (np.float32(0.25) if under_uv else np.float32(1.0))
    scene[:] = scene * (1.0 - cover) + tint * cover
    ticks = Image.new("L", canvas.size, 0)
    draw = ImageDraw.Draw(ticks)
    edge_x = x0 + breadth if left else x0
    inward = -1.0 if left else 1.0
    for mm in np.arange(np.ceil(y0), y1):
        length = 6.0 if mm % 10 == 0 else 4.0 if mm % 5 == 0 else 2.5
        end = to_photo(np.array([[edge_x, mm], [edge_x + inward * length, mm]]))
        draw.line([tuple(end[0]), tuple(end[1])], fill=220, width=1)
    mark = np.asarray(ticks, np.float32)[..., None] / 255.0
    scene[:] = scene * (1.0 - 0.8 * mark)


def _to_uint8(values: np.ndarray) -> np.ndarray:
    """Round 0-255 floats to uint8, clipping (in place on ``values``)."""
    np.clip(values, 0.0, 255.0, out=values)
    values += 0.5
    return values.astype(np.uint8)


def _add_sensor_noise(rng: np.random.Generator, pixels: np.ndarray, read_noise: float) -> None:
    """Shot noise (grows with brightness) plus read noise, in place on 0-255 floats.

    As in a phone's processed output, the luminance noise is fine-grained and the colour noise
    blotchy (chroma is denoised harder), so the fine grain is drawn once for all channels.
    """
    brightness = pixels.mean(axis=2)
    sigma = brightness * np.float32(0.3 * read_noise)
    sigma += np.float32(read_noise**2)
    np.sqrt(sigma, out=sigma)
    grain = rng.standard_normal(brightness.shape, dtype=np.float32)
    grain *= sigma
    red = smooth_noise(rng, brightness.shape, 3.0) * sigma * np.float32(0.4)
    blue = smooth_noise(rng, brightness.shape, 3.0) * sigma * np.float32(0.4)
    pixels[..., 0] += grain + red
    pixels[..., 1] += grain - 0.5 * (red + blue)
    pixels[..., 2] += grain + blue


def encode_jpeg(upright: np.ndarray, quality: int, exif_orientation: int) -> bytes:
    """JPEG bytes whose stored pixels are turned so that honouring ``exif_orientation``
    gives back ``upright`` (as phones do: the sensor's pixels plus a tag saying how to turn them).
    """
    turns = {1: 0, 3: 2, 6: 1, 8: -1}[exif_orientation]
    stored = np.ascontiguousarray(np.rot90(upright, turns))
    exif = Image.Exif()
    exif[EXIF_ORIENTATION_TAG] = exif_orientation
    buffer = io.BytesIO()
    Image.fromarray(stored).save(buffer, "JPEG", quality=quality, exif=exif.tobytes())
    return buffer.getvalue()
