"""Finding the plate in a photo and cutting it out upright and rectangular.

The plate is a bright-ish, smooth quadrilateral (white silica in daylight, green under UV 254 nm,
pink after a stain) on whatever is around it: a dark UV cabinet, a grey bench, a patterned cloth. No
single threshold separates all of these, so several candidate segmentations are tried and the one
whose largest region is best explained by a convex quadrilateral wins. Where plate and surroundings
are about as bright (a white plate on a light grey bench), the regions fail but the plate's four
straight edges still show: quadrilaterals of straight lines found in the edges are candidates too,
and the candidate whose outline runs along edges with a colour step across them is kept.
"""

from __future__ import annotations

import itertools

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage as ndi
from skimage import color, feature, filters, measure, transform

from labsys.errors import PlateNotFound
from labsys.tlc import imageio

MIN_PLATE_FRACTION = 0.02
"""Smallest plate accepted, as a fraction of the photo's area (a plate is rarely smaller)."""

MAX_ASPECT = 4.0
"""Longest plate side over shortest: TLC plates are cut from 5x10 to 20x20 cm sheets."""

MIN_QUADRILATERAL_FIT = 0.85
"""Least share of a region (intersection over union) that its fitted quadrilateral must explain."""

MAX_TURN_DEG = 20.0
"""Largest angle of a plate side to the photo's axes: a plate turned up to 15° plus perspective."""

LINES_PER_DIRECTION = 12
"""Straight lines kept per direction (near-horizontal, near-vertical): plate sides, pencil lines, a
ruler, a bench edge, with room to spare."""

OUTLINES_COMPARED = 6
"""Quadrilaterals of lines, best edge support first, whose colour contrast is then measured."""

MIN_SIDE_SUPPORT = 0.3
"""Least share of each side lying on an edge: a finger or a pen may hide part of a side, and a side
against a background of about its brightness shows in stretches."""

MIN_OUTLINE_SUPPORT = 0.7
"""Least share of the whole outline lying on edges."""

JUST_NOTICEABLE_DIFFERENCE = 2.3
"""CIE76 colour difference (ΔE*ab) that people just notice. A side counts in proportion to its
colour step over the step plus this: a pencil line has plate on both sides and hardly counts."""

SIDE_RUN_ON = 0.25
"""How far past each corner a side's line is followed, as a fraction of the side's length: far
enough to cross the band between a plate's edge and the pencil origin (10-15 % of the plate)."""

RAYLEIGH_MEDIAN = 1.1774
"""Median gradient magnitude in noise, in units of each component's noise: sqrt(2 ln 2)."""


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
    its four sides. Further candidates are quadrilaterals of straight lines (Hough transform of
    Canny edges) near the photo's axes. Every candidate outline is scored by how much of it lies
    on edges and how much the colour steps across it (:func:`_outline_score`); the best wins. When
    no outline lies on edges enough, the region fit is kept as it is.
    """
    image = np.asarray(rgb, dtype=np.float64) / 255.0
    scale = max(image.shape[:2])
    smooth = filters.gaussian(image, sigma=max(1.0, scale / 400), channel_axis=-1)
    lab = color.rgb2lab(smooth)
    region = _region_quadrilateral(lab, scale)
    if region is not None:
        # Onto the rim before it competes: a fit a pixel or two inside it would lose edge share
        # to a pencil line, which the line candidates follow exactly.
        region = _refine_sides(smooth, region)
    edges = _edges(lab)
    outlines = _line_quadrilaterals(edges, scale)
    if region is not None:
        outlines.append(region)
    scored = [(_outline_score(edges, lab, corners), corners) for corners in outlines]
    supported = [(score, corners) for score, corners in scored if score is not None]
    if supported:
        corners = max(supported, key=lambda pair: pair[0])[1]
    elif region is not None:
        corners = region
    else:
        raise PlateNotFound(
            "No TLC plate found in the photo: photograph the whole plate, filling most of the "
            "frame, against a plain background that contrasts with it."
        )
    return _refine_sides(smooth, corners)


def _region_quadrilateral(lab: np.ndarray, scale: int) -> np.ndarray | None:
    """Corners of the plate as the best-fitting quadrilateral of a segmented region, or None.

    Among the fits that explain their region about as well as the best one (intersection over
    union within 0.05), the largest is kept: a shadow or a lighting gradient can cut a plate into
    parts that are quadrilaterals too, but smaller.
    """
    fits = []
    edge_free, *masks = _candidate_masks(lab, scale)
    # The edge-free mask outlines the plate with its rim: closing would erase that outline.
    trials = [(edge_free, 0), *itertools.product(masks, (scale // 100, scale // 60))]
    for mask, gap in trials:
        for region in _large_regions(mask, gap):
            corners = _fit_quadrilateral(region)
            if corners is not None:
                fits.append((_quadrilateral_fit(region, corners), int(region.sum()), corners))
    good = [fit for fit in fits if fit[0] >= MIN_QUADRILATERAL_FIT]
    if not good:
        return None
    best_fit = max(fit[0] for fit in good)
    return max((fit for fit in good if fit[0] >= best_fit - 0.05), key=lambda f: f[1])[2]


def rectify(
    rgb: np.ndarray, corners: np.ndarray, long_side: int
) -> tuple[np.ndarray, transform.ProjectiveTransform]:
    """Cut the plate out of the photo, upright and rectangular.

    Parameters
    ----------
    rgb
        (H, W, 3) photo the corners refer to, uint8 or float in [0, 1].
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
    crop = imageio.array_to_rgb(rgb[low[1] : high[1], low[0] : high[0]])
    # Pillow warps uint8 in C, several times faster than a float warp; it samples at pixel
    # centres offset by half a pixel, hence the shifts around the plate's transform.
    half = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5], [0.0, 0.0, 1.0]])
    matrix = half @ shifted.params @ np.linalg.inv(half)
    coefficients = tuple((matrix / matrix[2, 2]).ravel()[:8])
    warped = Image.fromarray(crop).transform(
        (out_w, out_h), Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BILINEAR
    )
    return np.asarray(warped, dtype=np.float64) / 255.0, tform


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


def _candidate_masks(lab: np.ndarray, scale: int) -> list[np.ndarray]:
    """Binary foreground candidates, each thresholded by Otsu's method on one plate-vs-rest cue.

    Cues: CIELAB distance from the colour of the photo's border (what surrounds the plate), the
    same for chroma alone (a tinted layer on a grey bench, a white layer on coloured paper), and
    brightness; each also intersected with the smooth (edge-free) pixels, which cuts a plate from a
    background patch of similar colour that touches it: the plate's rim is an edge between them.
    """
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
    if not _plausible_shape(corners):
        return 0.0
    quad = _inside(corners, region.shape)
    union = np.count_nonzero(quad | region)
    if union == 0:
        return 0.0
    return np.count_nonzero(quad & region) / union


def _plausible_shape(corners: np.ndarray) -> bool:
    """Whether ordered corners make a convex quadrilateral with corners within 30° of square and
    sides no more unequal than a plate's (a plate seen from roughly above)."""
    sides = np.roll(corners, -1, axis=0) - corners
    following = np.roll(sides, -1, axis=0)
    cross = sides[:, 0] * following[:, 1] - sides[:, 1] * following[:, 0]
    if not (np.all(cross > 0) or np.all(cross < 0)):
        return False
    lengths = np.linalg.norm(sides, axis=1)
    cosines = np.abs(np.sum(sides * following, axis=1) / (lengths * np.roll(lengths, -1)))
    if cosines.max() > np.cos(np.deg2rad(60)):
        return False
    pairs = lengths[0] + lengths[2], lengths[1] + lengths[3]
    return max(pairs) <= MAX_ASPECT * min(pairs)


def _edges(lab: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Canny edges of any CIELAB channel, and the gradient (x, y) of the strongest channel.

    A white plate on a pale bench differs in lightness, a pink plate on a green cloth in hue:
    each channel is searched. Thresholds are 2 and 4 times the channel's noise, taken from its
    median gradient magnitude (most pixels lie away from edges).
    """
    found = np.zeros(lab.shape[:2], dtype=bool)
    gradients = []
    for channel in np.moveaxis(lab, -1, 0):
        blurred = ndi.gaussian_filter(channel, 1.0)
        gx, gy = ndi.sobel(blurred, axis=1), ndi.sobel(blurred, axis=0)
        magnitude = np.hypot(gx, gy)
        noise = max(float(np.median(magnitude)) / RAYLEIGH_MEDIAN, 1e-2)
        # already smoothed: Canny need not smooth again
        found |= feature.canny(blurred, 0.0, low_threshold=2 * noise, high_threshold=4 * noise)
        gradients.append((gx, gy, magnitude))
    strongest = np.argmax([g[2] for g in gradients], axis=0)
    gx = np.choose(strongest, [g[0] for g in gradients])
    gy = np.choose(strongest, [g[1] for g in gradients])
    return found, gx, gy


def _lines(edges: np.ndarray, scale: int, centre_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Strongest straight lines within MAX_TURN_DEG of a direction, as unit normals and offsets
    (normal · (x, y) = offset), by the Hough transform; at least 5 % of the photo long."""
    step = 0.5
    theta = np.deg2rad(np.arange(centre_deg - MAX_TURN_DEG, centre_deg + MAX_TURN_DEG + step, step))
    space, angles, distances = transform.hough_line(edges, theta)
    _, angles, distances = transform.hough_line_peaks(
        space,
        angles,
        distances,
        min_distance=max(3, scale // 100),
        min_angle=round(5 / step),
        threshold=0.05 * scale,
        num_peaks=LINES_PER_DIRECTION,
    )
    return np.stack([np.cos(angles), np.sin(angles)], axis=1), np.asarray(distances, float)


def _on_edge(
    edges: tuple[np.ndarray, np.ndarray, np.ndarray], points: np.ndarray, normals: np.ndarray
) -> np.ndarray:
    """Whether each point of (..., n, 2) runs of points along a side lies on an edge across it.

    An edge pixel within 2 px of the point counts when its gradient is within 30° of the side's
    normal (..., 2); then stretches shorter than 1 % of the photo are dropped, because the edges
    of a texture cross a line in short bits while a plate's rim follows it.
    """
    found, gx, gy = edges
    height, width = found.shape
    normals = normals[..., None, :]
    on_edge = np.zeros(points.shape[:-1], dtype=bool)
    for offset in range(-2, 3):
        shifted = np.rint(points + offset * normals).astype(int)
        x, y = shifted[..., 0], shifted[..., 1]
        inside = (x >= 0) & (x < width) & (y >= 0) & (y < height)
        x, y = np.clip(x, 0, width - 1), np.clip(y, 0, height - 1)
        across = np.abs(gx[y, x] * normals[..., 0] + gy[y, x] * normals[..., 1])
        aligned = across > np.cos(np.deg2rad(30)) * np.hypot(gx[y, x], gy[y, x])
        on_edge |= inside & found[y, x] & aligned
    run = max(3, max(height, width) // 100)
    structure = np.ones((1,) * (on_edge.ndim - 1) + (run,), dtype=bool)
    return ndi.binary_opening(on_edge, structure=structure)


def _line_quadrilaterals(
    edges: tuple[np.ndarray, np.ndarray, np.ndarray], scale: int
) -> list[np.ndarray]:
    """Quadrilaterals of two near-horizontal and two near-vertical lines whose sides lie on edges.

    Each line's edge support is sampled once along its whole length, so any side (the stretch
    between two crossing lines) is scored from cumulative sums; the best OUTLINES_COMPARED
    plausible ones by supported minus unsupported length are returned.
    """
    shape = edges[0].shape
    across, offset_across = _lines(edges[0], scale, 90.0)
    down, offset_down = _lines(edges[0], scale, 0.0)
    if len(across) < 2 or len(down) < 2:
        return []
    reach = int(np.ceil(np.hypot(*shape)))
    steps = np.arange(-reach, reach + 1, dtype=float)
    cumulative, positions = [], []
    for normals, offsets in ((across, offset_across), (down, offset_down)):
        directions = np.stack([-normals[:, 1], normals[:, 0]], axis=1)
        points = (normals * offsets[:, None])[:, None] + steps[:, None] * directions[:, None]
        on_edge = _on_edge(edges, points, normals)
        cumulative.append(np.pad(np.cumsum(on_edge, axis=1), ((0, 0), (1, 0))))
        positions.append(directions)
    matrix = np.stack(np.broadcast_arrays(across[:, None], down[None, :]), axis=-2)
    right = np.stack(np.broadcast_arrays(offset_across[:, None], offset_down[None, :]), axis=-1)
    crossings = np.linalg.solve(matrix, right[..., None])[..., 0]  # (across, down, 2)
    along_across = np.einsum("adc,ac->ad", crossings, positions[0])
    along_down = np.einsum("adc,dc->da", crossings, positions[1])
    support_across, length_across = _stretches(cumulative[0], along_across, reach)
    support_down, length_down = _stretches(cumulative[1], along_down, reach)
    # quadrilateral (i, j, k, l): across lines i, j; down lines k, l
    fractions = np.broadcast_arrays(
        support_across[:, None, :, :],
        support_across[None, :, :, :],
        support_down.transpose(1, 2, 0)[:, :, :, None],
        support_down.transpose(1, 2, 0)[:, :, None, :],
    )
    lengths = np.broadcast_arrays(
        length_across[:, None, :, :],
        length_across[None, :, :, :],
        length_down.transpose(1, 2, 0)[:, :, :, None],
        length_down.transpose(1, 2, 0)[:, :, None, :],
    )
    supported = sum(f * n for f, n in zip(fractions, lengths, strict=True))
    perimeter = sum(lengths)
    score = 2 * supported - perimeter
    first_across, second_across, first_down, second_down = np.indices(score.shape)
    good = (
        (np.minimum.reduce(fractions) >= MIN_SIDE_SUPPORT)
        & (supported >= MIN_OUTLINE_SUPPORT * perimeter)
        & (first_across < second_across)
        & (first_down < second_down)
    )
    found = []
    for index in np.argsort(-np.where(good, score, -np.inf), axis=None)[: 4 * OUTLINES_COMPARED]:
        a, b, c, d = np.unravel_index(index, score.shape)
        if not good[a, b, c, d] or len(found) == OUTLINES_COMPARED:
            break
        corners = crossings[[a, a, b, b], [c, d, d, c]]
        try:
            corners = order_corners(corners)
        except PlateNotFound:
            continue
        inside = np.all(corners >= 0) and np.all(corners < np.array(shape[::-1]) - 1)
        if (
            inside
            and _plausible_shape(corners)
            and _area(corners) >= MIN_PLATE_FRACTION * np.prod(shape)
        ):
            found.append(corners)
    return found


def _stretches(
    cumulative: np.ndarray, along: np.ndarray, reach: int
) -> tuple[np.ndarray, np.ndarray]:
    """Share on edges and length of every stretch of each line between two crossing lines.

    ``along`` (lines, crossings) holds where each crossing lies on the line; the result is
    (lines, crossings, crossings). A few pixels at each end are left out: smoothing rounds a
    plate's corners.
    """
    start = np.minimum(along[:, :, None], along[:, None, :])
    stop = np.maximum(along[:, :, None], along[:, None, :])
    length = stop - start
    margin = np.minimum(3.0, 0.05 * length)
    last = cumulative.shape[1] - 1
    first = np.clip(np.rint(start + margin + reach).astype(int), 0, last - 1)
    end = np.clip(np.rint(stop - margin + reach).astype(int), first + 1, last)
    rows = np.arange(len(cumulative))[:, None, None]
    return (cumulative[rows, end] - cumulative[rows, first]) / (end - first), length


def _area(corners: np.ndarray) -> float:
    """Area of a polygon (shoelace formula)."""
    x, y = corners[:, 0], corners[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def _outline_score(
    edges: tuple[np.ndarray, np.ndarray, np.ndarray], lab: np.ndarray, corners: np.ndarray
) -> float | None:
    """How well a quadrilateral follows the plate's rim; None when it hardly lies on edges.

    Each side scores its length on edges minus its length off them (so a side running on past a
    corner, along a ruler say, loses) and minus the length of edge its line still follows past
    the corners (:func:`_side_support`), weighted by the colour step across it, c / (c + JND), c
    the size of the mean CIELAB difference between the (median) colours of strips just inside
    and just outside the side. A pencil line on the plate is an edge with plate on both sides;
    along a line between the squares of a checked cloth the step changes sign and averages out.
    """
    scale = max(lab.shape[:2])
    strip = np.arange(2, max(5, scale // 50) + 1)
    score = 0.0
    supported = total = 0.0
    for side in range(4):
        start, stop = corners[side], corners[(side + 1) % 4]
        found = _side_support(edges, start, stop)
        if found is None:
            return None
        points, normal, share, run_on = found
        length = float(np.hypot(*(stop - start)))
        # every other position: the step is averaged along the side anyway
        colours = [
            _strip_colour(lab, points[::2, None] + sign * strip[:, None] * normal)
            for sign in (1, -1)
        ]
        step = float(np.linalg.norm(np.mean(colours[0] - colours[1], axis=0)))
        score += (length * (2 * share - 1) - run_on) * step / (step + JUST_NOTICEABLE_DIFFERENCE)
        supported += share * length
        total += length
    return score if supported >= MIN_OUTLINE_SUPPORT * total else None


def _side_support(
    edges: tuple[np.ndarray, np.ndarray, np.ndarray], start: np.ndarray, stop: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float, float] | None:
    """Points along a side, its unit normal, the share of the points on edges, and the length of
    edge that the side's line still follows past its corners (SIDE_RUN_ON of its length is looked
    at each way); None when the side is too little on edges.

    A plate's sides end at its corners. A line that runs on along an edge is longer than the
    plate (a ruler, a bench's edge), or the corner is where a plate's side crosses a pencil line;
    either way that corner is not the plate's. A few pixels at each corner are left out:
    smoothing rounds a plate's corners.
    """
    length = float(np.hypot(*(stop - start)))
    direction = (stop - start) / length
    normal = np.array([direction[1], -direction[0]])
    margin = min(3.0, 0.05 * length)
    points = start + np.arange(margin, length - margin)[:, None] * direction
    if len(points) < 2:
        return None
    share = float(_on_edge(edges, points, normal).mean())
    if share < MIN_SIDE_SUPPORT:
        return None
    steps = np.arange(margin, max(margin + 1.0, SIDE_RUN_ON * length))[:, None] * direction
    beyond = np.stack([start - steps, stop + steps])
    run_on = float(np.count_nonzero(_on_edge(edges, beyond, normal)))
    return points, normal, share, run_on


def _strip_colour(lab: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Median colour across a strip at each position: (n, m, 2) points -> (n, 3)."""
    x = np.clip(np.rint(points[..., 0]).astype(int), 0, lab.shape[1] - 1)
    y = np.clip(np.rint(points[..., 1]).astype(int), 0, lab.shape[0] - 1)
    return np.median(lab[y, x], axis=1)


def _inside(corners: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Mask of the pixels inside a quadrilateral (Pillow's scan-line fill: a hundred times faster
    than testing every pixel of the bounding box)."""
    mask = Image.new("1", (shape[1], shape[0]))
    ImageDraw.Draw(mask).polygon([(float(x), float(y)) for x, y in corners], fill=1)
    return np.asarray(mask, dtype=bool)


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
