"""Finding the plate in a photo and cutting it out upright and rectangular.

The plate is a bright-ish, smooth quadrilateral (white silica in daylight, green under UV 254 nm,
pink after a stain) on whatever is around it: a dark UV cabinet, a grey bench, a patterned cloth. No
single threshold separates all of these, so several candidate segmentations are tried and the one
whose largest region is best explained by a convex quadrilateral wins.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy import ndimage as ndi
from skimage import color, filters, measure, transform

from labsys.errors import PlateNotFound

MIN_PLATE_FRACTION = 0.02
"""Smallest plate accepted, as a fraction of the photo's area (a plate is rarely smaller)."""

MAX_ASPECT = 4.0
"""Longest plate side over shortest: TLC plates are cut from 5x10 to 20x20 cm sheets."""

MIN_QUADRILATERAL_FIT = 0.85
"""Least share of a region (intersection over union) that its fitted quadrilateral must explain."""


def find_plate(rgb: np.ndarray) -> np.ndarray:
    """Find the four corners of the plate in a (downscaled) photo.

    Parameters
    ----------
    rgb
        (H, W, 3) image; about 1 megapixel is plenty and fast.

    Returns
    -------
    numpy.ndarray
        (4, 2) corners as (x, y): top-left, top-right, bottom-right, bottom-left.

    Raises
    ------
    PlateNotFound
        When no region of the photo looks like a plate.

    Notes
    -----
    Assumes the photo is upright (EXIF applied) and the plate is turned by less than 45° (in
    practice ±10°) so that its corners are the extreme points along the two diagonals, and that it
    contrasts with its surroundings in brightness, colour or texture. Candidates:

    * colour distance from the frame's border colour (dark cabinets, plain benches);
    * brightness (the layer is the brightest large object under UV and on most benches);
    * smoothness (a patterned background is busier than the layer).

    Each candidate's regions are filled and fitted with a quadrilateral through robust line fits to
    its four sides. Among the fits that explain their region about as well as the best one
    (intersection over union within 0.05), the largest is kept: a shadow or a lighting gradient
    can cut a plate into parts that are quadrilaterals too, but smaller.
    """
    image = np.asarray(rgb, dtype=np.float64) / 255.0
    scale = max(image.shape[:2])
    smooth = filters.gaussian(image, sigma=max(1.0, scale / 400), channel_axis=-1)
    fits = []
    edge_free, *masks = _candidate_masks(smooth, scale)
    # The edge-free mask outlines the plate with its rim: closing would erase that outline.
    trials = [(edge_free, 0), *itertools.product(masks, (scale // 100, scale // 60))]
    for mask, gap in trials:
        for region in _large_regions(mask, gap):
            corners = _fit_quadrilateral(region)
            if corners is not None:
                fits.append((_quadrilateral_fit(region, corners), int(region.sum()), corners))
    good = [fit for fit in fits if fit[0] >= MIN_QUADRILATERAL_FIT]
    if not good:
        raise PlateNotFound(
            "No TLC plate found in the photo: photograph the whole plate, filling most of the "
            "frame, against a plain background that contrasts with it."
        )
    best_fit = max(fit[0] for fit in good)
    _, _, corners = max((fit for fit in good if fit[0] >= best_fit - 0.05), key=lambda f: f[1])
    return _refine_sides(smooth, corners)


def rectify(
    rgb: np.ndarray, corners: np.ndarray, long_side: int
) -> tuple[np.ndarray, transform.ProjectiveTransform]:
    """Cut the plate out of the photo, upright and rectangular.

    Parameters
    ----------
    rgb
        (H, W, 3) uint8 photo the corners refer to.
    corners
        (4, 2) plate corners (x, y) in ``rgb``: top-left, top-right, bottom-right, bottom-left.
    long_side
        Pixels along the plate's longer side in the output; the other side follows the plate's
        aspect ratio as measured from the corners (mean lengths of opposite sides).

    Returns
    -------
    rectified : numpy.ndarray
        (h, w, 3) float image in [0, 1].
    tform : skimage.transform.ProjectiveTransform
        Maps rectified (x, y) to photo (x, y).
    """
    corners = np.asarray(corners, dtype=np.float64)
    width = 0.5 * (np.hypot(*(corners[1] - corners[0])) + np.hypot(*(corners[2] - corners[3])))
    height = 0.5 * (np.hypot(*(corners[3] - corners[0])) + np.hypot(*(corners[2] - corners[1])))
    factor = long_side / max(width, height, 1.0)
    out_w, out_h = max(8, round(width * factor)), max(8, round(height * factor))
    target = np.array([[0, 0], [out_w - 1, 0], [out_w - 1, out_h - 1], [0, out_h - 1]], float)
    tform = transform.ProjectiveTransform.from_estimate(target, corners)
    if not tform:
        raise PlateNotFound("The plate corners do not form a quadrilateral; mark them again.")
    # Warp only the plate's bounding box: converting a whole 12 MP photo to floats costs more
    # than the warp itself.
    low = np.clip(np.floor(corners.min(axis=0)) - 2, 0, None).astype(int)
    high = np.minimum(np.ceil(corners.max(axis=0)) + 3, rgb.shape[1::-1]).astype(int)
    if np.any(high <= low):
        raise PlateNotFound("The plate corners lie outside the photo; mark them again.")
    shifted = transform.ProjectiveTransform.from_estimate(target, corners - low)
    crop = rgb[low[1] : high[1], low[0] : high[0]]
    rectified = transform.warp(crop, shifted, output_shape=(out_h, out_w), order=1, mode="edge")
    return rectified, tform


def order_corners(points: np.ndarray) -> np.ndarray:
    """Order four (x, y) points as top-left, top-right, bottom-right, bottom-left.

    Uses the diagonals (x + y and x - y), which is right for any quadrilateral turned < 45°.
    """
    points = np.asarray(points, dtype=np.float64).reshape(4, 2)
    total, diff = points.sum(axis=1), points[:, 0] - points[:, 1]
    ordered = points[[np.argmin(total), np.argmax(diff), np.argmax(total), np.argmin(diff)]]
    if len({tuple(p) for p in ordered}) != 4:
        raise PlateNotFound("The four plate corners must be four distinct points.")
    return ordered


def _candidate_masks(image: np.ndarray, scale: int) -> list[np.ndarray]:
    """Binary foreground candidates, each thresholded by Otsu's method on one plate-vs-rest cue.

    Cues: CIELAB distance from the colour of the photo's border (what surrounds the plate), the
    same for chroma alone (a tinted layer on a grey bench, a white layer on coloured paper), and
    brightness; each also intersected with the smooth (edge-free) pixels, which cuts a plate from a
    background patch of similar colour that touches it: the plate's rim is an edge between them.
    """
    lab = color.rgb2lab(image)
    border = max(2, scale // 50)
    frame = np.concatenate(
        [
            lab[:border].reshape(-1, 3),
            lab[-border:].reshape(-1, 3),
            lab[:, :border].reshape(-1, 3),
            lab[:, -border:].reshape(-1, 3),
        ]
    )
    surround = np.median(frame, axis=0)
    lightness = lab[..., 0]
    window = max(3, scale // 100)
    mean = ndi.uniform_filter(lightness, window)
    busyness = np.sqrt(np.maximum(ndi.uniform_filter(lightness**2, window) - mean**2, 0.0))
    smooth = _otsu(-busyness)
    cues = (
        np.linalg.norm(lab - surround, axis=-1),
        np.linalg.norm(lab[..., 1:] - surround[1:], axis=-1),
        lightness,
    )
    masks = [mask for mask in (_otsu(cue) for cue in cues) if mask is not None]
    if smooth is None:
        return [np.zeros_like(lightness, dtype=bool), *masks]
    return [smooth, *masks, *(mask & smooth for mask in masks)]


def _otsu(cue: np.ndarray) -> np.ndarray | None:
    """Pixels above Otsu's threshold of ``cue``; None when the cue is flat."""
    if np.ptp(cue) < 1e-6:
        return None
    return cue > filters.threshold_otsu(cue)


def _large_regions(mask: np.ndarray, size: int) -> list[np.ndarray]:
    """Filled connected regions of ``mask`` big enough to be a plate and not cut by the photo's
    frame, largest first (at most 4), after closing gaps up to ``size`` pixels wide.

    Closing first: pencil lines, the band a solvent front leaves and hairs across the plate must
    not cut it in two; but a wide closing also joins a plate to a background patch across its rim,
    so the caller tries a narrow and a wide one. The mask is padded by its own edge so that regions
    cut by the frame stay cut by it. Square structuring elements are separable: rank filters do
    this fast.
    """
    pad = max(size, 3)
    padded = np.pad(mask.astype(np.uint8), pad, mode="edge")
    if size:
        padded = ndi.minimum_filter(ndi.maximum_filter(padded, size), size)
    cleaned = ndi.maximum_filter(ndi.minimum_filter(padded, 3), 3)[pad:-pad, pad:-pad] > 0
    labels, count = ndi.label(cleaned)
    if count == 0:
        return []
    sizes = np.bincount(labels.ravel())[1:]
    on_frame = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    order = [i for i in np.argsort(sizes)[::-1] if i + 1 not in on_frame][:4]
    minimum = MIN_PLATE_FRACTION * mask.size
    return [ndi.binary_fill_holes(labels == index + 1) for index in order if sizes[index] > minimum]


def _fit_quadrilateral(region: np.ndarray) -> np.ndarray | None:
    """Corners of the quadrilateral best fitting a region's outline, or None when it has no 4 sides.

    The corners are first taken as the outline's extreme points along the diagonals; then each side
    is refitted as a straight line through the outline points between its corners (ignoring the
    points near the corners, and outliers such as a spot or a finger at the edge), and the corners
    become the intersections of neighbouring lines.
    """
    contours = measure.find_contours(np.pad(region, 1).astype(np.uint8), 0.5)
    if not contours:
        return None
    outline = max(contours, key=len)[:, ::-1] - 1.0  # (x, y)
    if len(outline) < 20:
        return None
    total, diff = outline.sum(axis=1), outline[:, 0] - outline[:, 1]
    corner_index = [np.argmin(total), np.argmax(diff), np.argmax(total), np.argmin(diff)]
    lines = []
    for side in range(4):
        start, stop = corner_index[side], corner_index[(side + 1) % 4]
        indices = np.arange(start, stop if stop > start else stop + len(outline)) % len(outline)
        if len(indices) < 8:
            return None
        trim = len(indices) // 8
        line = _robust_line(outline[indices[trim : len(indices) - trim]])
        if line is None:
            return None
        lines.append(line)
    corners = [_intersect(lines[(side - 1) % 4], lines[side]) for side in range(4)]
    if any(corner is None for corner in corners):
        return None
    try:
        return order_corners(np.array(corners))
    except PlateNotFound:
        return None


def _robust_line(points: np.ndarray) -> tuple[np.ndarray, float] | None:
    """Total-least-squares line (unit normal n, offset c: n·p = c), refitted without outliers."""
    keep = np.ones(len(points), dtype=bool)
    for _ in range(3):
        if keep.sum() < 4:
            return None
        centre = points[keep].mean(axis=0)
        _, _, vt = np.linalg.svd(points[keep] - centre, full_matrices=False)
        normal = vt[-1]
        residual = np.abs((points - centre) @ normal)
        spread = 1.4826 * np.median(residual[keep]) + 0.5
        keep = residual < 3.0 * spread
    return normal, float(normal @ centre)


def _intersect(
    first: tuple[np.ndarray, float], second: tuple[np.ndarray, float]
) -> np.ndarray | None:
    """Intersection point of two lines given as (normal, offset)."""
    matrix = np.array([first[0], second[0]])
    if abs(np.linalg.det(matrix)) < 1e-6:
        return None
    return np.linalg.solve(matrix, np.array([first[1], second[1]]))


def _quadrilateral_fit(region: np.ndarray, corners: np.ndarray) -> float:
    """Intersection over union of a region and a quadrilateral; 0 for implausible shapes."""
    sides = np.roll(corners, -1, axis=0) - corners
    cross = (
        sides[:, 0] * np.roll(sides, -1, axis=0)[:, 1]
        - sides[:, 1] * np.roll(sides, -1, axis=0)[:, 0]
    )
    if not (np.all(cross > 0) or np.all(cross < 0)):
        return 0.0  # not convex
    cosines = np.abs(
        np.sum(sides * np.roll(sides, -1, axis=0), axis=1)
        / (np.linalg.norm(sides, axis=1) * np.linalg.norm(np.roll(sides, -1, axis=0), axis=1))
    )
    if cosines.max() > np.cos(np.deg2rad(60)):
        return 0.0  # a corner far from square: not a plate seen from roughly above
    lengths = np.linalg.norm(sides, axis=1)
    if max(lengths[0] + lengths[2], lengths[1] + lengths[3]) > MAX_ASPECT * min(
        lengths[0] + lengths[2], lengths[1] + lengths[3]
    ):
        return 0.0  # a strip, not a plate
    quad = _inside(corners, region.shape)
    union = np.count_nonzero(quad | region)
    if union == 0:
        return 0.0
    return np.count_nonzero(quad & region) / union


def _inside(corners: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Mask of the pixels inside a convex quadrilateral (half-plane tests, fast on small images)."""
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]]
    first, second = corners[1] - corners[0], corners[2] - corners[1]
    orientation = np.sign(first[0] * second[1] - first[1] * second[0])
    inside = np.ones(shape[:2], dtype=bool)
    for start, stop in zip(corners, np.roll(corners, -1, axis=0), strict=True):
        edge = stop - start
        inside &= orientation * (edge[0] * (yy - start[1]) - edge[1] * (xx - start[0])) >= 0
    return inside


def _refine_sides(image: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """Move each side onto the strongest colour edge near it, then re-intersect the sides.

    A segmentation can sit a few pixels inside or outside the true plate edge (smoothing, texture
    windows); the edge itself is where the colour changes fastest across the side.
    """
    reach = max(3.0, max(image.shape[:2]) / 80)
    offsets = np.arange(-reach, reach + 0.5, 0.5)
    lines = []
    for side in range(4):
        start, stop = corners[side], corners[(side + 1) % 4]
        direction = (stop - start) / np.linalg.norm(stop - start)
        normal = np.array([direction[1], -direction[0]])
        along = np.linspace(0.1, 0.9, 40)[:, None] * (stop - start) + start
        samples = along[:, None, :] + offsets[None, :, None] * normal  # (40, n, 2) as (x, y)
        colour = np.stack(
            [
                ndi.map_coordinates(image[..., c], [samples[..., 1], samples[..., 0]], order=1)
                for c in range(3)
            ],
            axis=-1,
        )
        step = np.linalg.norm(np.gradient(colour, axis=1), axis=-1)
        best = np.argmax(step, axis=1)
        points = along + offsets[best][:, None] * normal
        line = _robust_line(points)
        if line is None:
            return corners
        lines.append(line)
    refined = [_intersect(lines[(side - 1) % 4], lines[side]) for side in range(4)]
    if any(corner is None for corner in refined):
        return corners
    refined_array = np.array(refined)
    if np.abs(refined_array - corners).max() > 2 * reach:
        return corners
    return refined_array
