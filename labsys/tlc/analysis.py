"""From a photo of a developed TLC plate to Rf values: the pipeline, step by step.

photo ─► load & orient ─► find plate ─► rectify ─► layer contrast ─► origin/front ─► lanes ─► spots
"""

from __future__ import annotations

import numpy as np
from PIL import Image
from scipy import ndimage as ndi
from skimage import color

from labsys.errors import ImageError, LabsysError, PlateNotFound
from labsys.tlc import imageio, layer, lines, plate, rings
from labsys.tlc import lanes as lanes_module
from labsys.tlc import spots as spots_module
from labsys.tlc.results import Lane, PlateAnalysis, PlateLine, Spot

ALGORITHM_VERSION = "labsys-tlc 1.0"

FIND_LONG_SIDE = 400
"""Long side (pixels) of the copy the plate is searched in: enough for corners to a few pixels."""

FRAME_LAYER_DELTA_E = 20.0
"""Largest CIELAB difference between a photo's border and its middle for the frame to be taken as
the plate's own edge (a photo cropped to the plate); a dark cabinet or a bench differs far more."""

ORIGIN_HEIGHT_MM = 12.5
"""Typical height of the origin above the plate's bottom edge: 1-1.5 cm (domain.md)."""

LONG_PLATE = 0.75
"""A plate is taken as longer than 10 cm when its origin's height says it is over 10 cm / 0.75."""

RECTIFIED_LONG_SIDE = 800
"""Long side (pixels) of the rectified plate: 8 px/mm on a 10 cm plate, 0.05 Rf ≈ 30 px apart."""


def analyse_plate(
    image: imageio.ImageSource,
    lanes: int | None = None,
    *,
    corners: np.ndarray | list | None = None,
    origin_y: float | None = None,
    front_y: float | None = None,
    lane_centres: list[float] | np.ndarray | None = None,
) -> PlateAnalysis:
    """Analyse a photo of a developed TLC plate.

    Parameters
    ----------
    image
        The photo: a path, encoded bytes, a PIL image or an RGB/greyscale array.
    lanes
        Number of lanes when known; then exactly this many lanes are returned.
    corners
        Hint: the plate's four corners in the (upright) photo as (x, y), any order.
    origin_y, front_y
        Hints: heights of the origin and the front in the rectified plate.
    lane_centres
        Hint: lane centres (x) in the rectified plate; overrides ``lanes``.

    Returns
    -------
    PlateAnalysis

    Raises
    ------
    ImageError
        The photo cannot be read.
    PlateNotFound
        No plate, no origin or no front found; the message says which and what to do.

    Notes
    -----
    Assumes an upright photo (after the EXIF orientation) of one plate turned less than about 15°,
    developed upwards, with the origin and the front marked in pencil.
    """
    try:
        return _analyse(image, lanes, corners, origin_y, front_y, lane_centres)
    except LabsysError:
        raise
    except (
        ArithmeticError,
        IndexError,
        MemoryError,
        OSError,
        RuntimeError,
        TypeError,
        ValueError,
        Image.DecompressionBombError,
    ) as error:  # a damaged photo must end in one readable error, never a traceback
        raise ImageError(f"The photo could not be analysed ({type(error).__name__}).") from error


def _analyse(
    image: imageio.ImageSource,
    lane_count: int | None,
    corners: np.ndarray | list | None,
    origin_y: float | None,
    front_y: float | None,
    lane_centres: list[float] | np.ndarray | None,
) -> PlateAnalysis:
    if lane_count is not None and not 1 <= int(lane_count) <= 30:
        raise LabsysError(f"The number of lanes must be between 1 and 30, not {lane_count}.")
    photo, full_size, source = _open(image)
    hints = {
        "lane_count": lane_count,
        "origin_y": origin_y,
        "front_y": front_y,
        "lane_centres": lane_centres,
    }
    if corners is not None:
        photo_corners = plate.order_corners(np.asarray(corners, dtype=float))
        return _analyse_within(photo, full_size, source, photo_corners, hints)
    # A photo cropped to the plate has no surroundings to find the plate against, or only slivers
    # in which a part of the plate passes for all of it: then the frame may be the plate's edge,
    # if pencil lines (not mere ticks, which texture can mimic) cross it as origin and front.
    # When neither works, the first reason found is the one the person sees.
    attempts: list[tuple[np.ndarray, bool]] = []
    first_error: PlateNotFound | None = None
    try:
        attempts.append((_find_corners(photo, full_size), False))
    except PlateNotFound as not_found:
        first_error = not_found
    if all(_at_frame(found, full_size) for found, _ in attempts) and _frame_is_layer(photo):
        attempts.append((_frame_corners(full_size), True))
    for photo_corners, is_frame in attempts:
        try:
            analysis = _analyse_within(photo, full_size, source, photo_corners, hints)
        except PlateNotFound as not_found:
            first_error = first_error or not_found
            continue
        if not is_frame or {analysis.origin.source, analysis.front.source} <= {"line", "hint"}:
            return analysis
    assert first_error is not None
    raise first_error


def _analyse_within(
    photo: np.ndarray,
    full_size: tuple[int, int],
    source: imageio.ImageSource | None,
    photo_corners: np.ndarray,
    hints: dict,
) -> PlateAnalysis:
    """Rectify the plate inside ``photo_corners`` and analyse it."""
    sharp = _photo_for_rectifying(photo, full_size, photo_corners, source)
    ratio = full_size[0] / sharp.shape[1], full_size[1] / sharp.shape[0]
    local_corners = (photo_corners + 0.5) / np.array(ratio) - 0.5
    rectified, _ = plate.rectify(sharp, local_corners, RECTIFIED_LONG_SIDE)
    return analyse_rectified(rectified, photo_corners, **hints)


def _frame_is_layer(photo: np.ndarray) -> bool:
    """Whether the photo's border shows the same layer as its middle, as in a photo cropped to the
    plate; a plate's edge against its surroundings would otherwise pass for a pencil line.

    The border (outer 3 %) and the middle half are compared by their median colour; a difference
    below ``FRAME_LAYER_DELTA_E`` allows for vignetting and uneven UV light across one layer.
    """
    lab = color.rgb2lab(np.asarray(photo[..., :3], dtype=np.float64) / 255.0)
    height, width = lab.shape[:2]
    rim = max(1, round(0.03 * min(height, width)))
    border = np.ones((height, width), dtype=bool)
    border[rim:-rim, rim:-rim] = False
    middle = lab[height // 4 : 3 * height // 4, width // 4 : 3 * width // 4].reshape(-1, 3)
    difference = color.deltaE_cie76(np.median(lab[border], axis=0), np.median(middle, axis=0))
    return bool(difference < FRAME_LAYER_DELTA_E)


def _at_frame(corners: np.ndarray, full_size: tuple[int, int]) -> bool:
    """Whether a plate found runs into the photo's edge (a corner within 2 % of the frame)."""
    right, bottom = full_size[0] - 1.0, full_size[1] - 1.0
    gaps = np.stack([corners[:, 0], corners[:, 1], right - corners[:, 0], bottom - corners[:, 1]])
    return bool(gaps.min() <= 0.02 * max(full_size))


def _frame_corners(full_size: tuple[int, int]) -> np.ndarray:
    """The photo's own corners as plate corners: top-left, top-right, bottom-right, bottom-left."""
    right, bottom = full_size[0] - 1.0, full_size[1] - 1.0
    return np.array([[0.0, 0.0], [right, 0.0], [right, bottom], [0.0, bottom]])


def analyse_rectified(
    rectified: np.ndarray,
    corners: np.ndarray,
    *,
    lane_count: int | None = None,
    origin_y: float | None = None,
    front_y: float | None = None,
    lane_centres: list[float] | np.ndarray | None = None,
) -> PlateAnalysis:
    """Analyse an already rectified plate image (upright, origin at the bottom).

    Parameters are those of :func:`analyse_plate`; ``corners`` are only carried into the result.
    """
    seen = layer.contrast(rectified)
    origin, front, warnings = lines.find_lines(seen.darkness, origin_y=origin_y, front_y=front_y)
    scale = mark_scale(rectified.shape[:2], origin)
    context = spots_module.lane_context(rectified, seen, origin, front, scale)
    circled = rings.find_rings(seen.darkness, origin, front, scale)
    if lane_centres is not None:
        centres = np.sort(np.asarray(lane_centres, dtype=float))
    else:
        evidence = _lane_evidence(context, circled, seen.darkness)
        centres = lanes_module.find_lanes(evidence, threshold=1.0, count=lane_count)
    plate_lanes = _measure_lanes(context, centres, circled, warnings)
    return PlateAnalysis(
        corners=np.asarray(corners, dtype=float),
        rectified=rectified,
        origin=origin,
        front=front,
        lanes=plate_lanes,
        warnings=warnings,
        background=layer.guess_background(seen.layer),  # type: ignore[arg-type]
        algorithm_version=ALGORITHM_VERSION,
    )


def mark_scale(shape: tuple[int, ...], origin: PlateLine) -> float:
    """The length (pixels) that pencil strokes, spots and rings are sized by.

    Marks are sized relative to a 10 cm plate's long side. On such plates (and smaller) that is
    the plate's long side; a plate much longer than 10 cm (a 20 cm plate) carries marks of the
    same size in millimetres, so there the origin's height above the bottom edge, 1-1.5 cm on
    every plate, measures the 10 cm instead. Never less than half the long side, so an origin
    drawn unusually low cannot shrink everything.
    """
    height, width = shape[0], shape[1]
    long_side = float(max(height, width))
    measured = (height - float(origin.y_at(0.5 * width))) * 100.0 / ORIGIN_HEIGHT_MM
    if measured >= LONG_PLATE * long_side:
        return long_side
    return max(measured, 0.5 * long_side)


def _open(
    image: imageio.ImageSource,
) -> tuple[np.ndarray, tuple[int, int], imageio.ImageSource | None]:
    """The photo for finding the plate, the upright full size (w, h), and the source to decode
    again when the first decode was at reduced scale (a JPEG ``draft``), else None."""
    if isinstance(image, np.ndarray):
        rgb = imageio.array_to_rgb(image)
        return rgb, (rgb.shape[1], rgb.shape[0]), None
    picture = imageio.open_image(image)
    width, height = picture.size
    try:
        orientation = picture.getexif().get(0x0112, 1)
    except Exception:  # a damaged EXIF block is no reason to refuse the photo
        orientation = 1
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    if isinstance(image, Image.Image):
        return imageio.decode(picture), (width, height), None
    rgb = imageio.decode(picture, max_side=FIND_LONG_SIDE)
    return rgb, (width, height), image if rgb.shape[1] < width else None


def _find_corners(photo: np.ndarray, full_size: tuple[int, int]) -> np.ndarray:
    """Plate corners in full-resolution photo coordinates, found on a small copy."""
    factor = FIND_LONG_SIDE / max(photo.shape[:2])
    small = photo
    if factor < 1:
        size = (max(1, round(photo.shape[1] * factor)), max(1, round(photo.shape[0] * factor)))
        small = np.asarray(Image.fromarray(photo).resize(size, Image.Resampling.BOX))
    found = plate.find_plate(small)
    ratio = np.array([full_size[0] / small.shape[1], full_size[1] / small.shape[0]])
    return (found + 0.5) * ratio - 0.5


def _photo_for_rectifying(
    photo: np.ndarray,
    full_size: tuple[int, int],
    corners: np.ndarray,
    source: imageio.ImageSource | None,
) -> np.ndarray:
    """A decode of the photo in which the plate spans at least the rectified resolution.

    Decoding a 12 MP JPEG in full costs more than the whole analysis; Pillow's ``draft`` decodes
    at 1/2, 1/4 or 1/8 scale, so only as much of the photo is decoded as the plate needs.
    """
    plate_side = max(np.hypot(*(corners - np.roll(corners, -1, axis=0)).T))
    have = plate_side * photo.shape[1] / full_size[0]
    if source is None or have >= RECTIFIED_LONG_SIDE:
        return photo
    need = max(full_size) * RECTIFIED_LONG_SIDE / max(plate_side, 1.0)
    return imageio.load_image(source, max_side=int(np.ceil(need)))


def _lane_evidence(
    context: spots_module.LaneContext, circled: list[rings.Ring], darkness: np.ndarray
) -> np.ndarray:
    """Per-column evidence of lanes, in units of the least evidence a real lane leaves (1.0)."""
    width = context.contrast.shape[1]
    scale = context.scale
    floor = max(0.5 * spots_module.MIN_SPOT_CONTRAST, context.level + 3 * context.noise)
    below = 0.02 * context.contrast.shape[0]
    spot_mass = lanes_module.column_evidence(
        context.contrast, context.origin, context.front, floor=floor, below=below
    )
    least_mass = 0.5 * spots_module.MIN_SPOT_CONTRAST * (0.02 * scale)
    sigma = max(1.0, 0.01 * width)
    evidence = ndi.gaussian_filter1d(spot_mass / least_mass, sigma)
    bumps = np.zeros(width)
    tick_x = lanes_module.find_ticks(darkness, context.origin, scale)
    ring_x = [round(ring.x) for ring in circled]
    for x in (*tick_x, *ring_x):
        bumps[min(width - 1, max(0, int(x)))] += 2.0
    return evidence + ndi.gaussian_filter1d(bumps, sigma) * sigma * np.sqrt(2 * np.pi)


def _measure_lanes(
    context: spots_module.LaneContext,
    centres: np.ndarray,
    circled: list[rings.Ring],
    warnings: list[str],
) -> list[Lane]:
    """Spots of every lane; each ring or blob belongs to the lane whose centre is nearest."""
    width = context.contrast.shape[1]
    if len(centres) == 0:
        return []
    gaps = np.diff(centres)
    reach = np.full(len(centres), 0.15 * width)
    if len(centres) > 1:
        reach = np.minimum(
            reach, np.concatenate([[gaps[0]], np.minimum(gaps[:-1], gaps[1:]), [gaps[-1]]]) / 2
        )

    def nearest(x: float) -> int:
        return int(np.argmin(np.abs(centres - x)))

    measured = [
        spots_module.lane_spots(context, float(centre), float(half_width))
        for centre, half_width in zip(centres, reach, strict=True)
    ]
    # On a plate circled in pencil the chemist's rings are the spots; elsewhere, blobs.
    if not _is_circled(circled, [spot for found, _, _ in measured for spot in found]):
        circled = []
    ring_spots: dict[int, list[Spot]] = {}
    for ring in circled:
        ring_spots.setdefault(nearest(ring.x), []).append(spots_module.ring_spot(context, ring))
    result = []
    for index, (centre, half_width) in enumerate(zip(centres, reach, strict=True)):
        found, residue, profile = measured[index]
        ringed = ring_spots.get(index, [])
        own = [] if circled else [spot for spot in found if nearest(spot.x) == index]
        lane_spots = sorted(ringed + own, key=lambda spot: spot.rf)
        for spot in lane_spots:
            if abs(spot.x - centre) + 0.5 * spot.width > 1.2 * half_width:
                other = index + (2 if spot.x > centre else 0)
                if 1 <= other <= len(centres):
                    warnings.append(
                        f"Spot at Rf {spot.rf:.2f} in lane {index + 1} overlaps lane {other}."
                    )
        result.append(
            Lane(
                index=index,
                centre_x=float(centre),
                spots=lane_spots,
                origin_residue=residue,
                profile=profile,
            )
        )
    return result


def _is_circled(circled: list[rings.Ring], blobs: list[Spot]) -> bool:
    """Whether the plate was circled in pencil: its rings are at least as many as the blobs that
    no ring encloses. A dark rim inside a stain's spot can pass for one ring; on a circled plate,
    spots seen in daylight lie inside their rings."""
    if not circled:
        return False
    unexplained = [
        blob
        for blob in blobs
        if not any(ring.interior[round(blob.y), round(blob.x)] for ring in circled)
    ]
    return len(circled) >= len(unexplained)
