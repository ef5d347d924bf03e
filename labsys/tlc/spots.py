"""Spots in a lane: dark, bright or coloured blobs, or pencil rings drawn around them.

Spots are found along each lane's densitogram (the mean contrast across the lane at each height),
which separates spots only 0.05 Rf apart by the valley between them even where their cores saturate;
each peak's extent and intensity-weighted centre then come from the 2-D region around it. A peak is
a spot when it stands out from the noise of its own lane, so faint spots on a clean layer are found
and the texture of a smeared lane is not. A spot too faint to stand out of a grainy layer pixel by
pixel is found where the colour difference is averaged over a spot's size (a matched filter), if it
rises there from bare layer. On plates where a chemist circled the spots in pencil
under the UV lamp, the ring is the spot and its centre gives the Rf.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi
from scipy import signal
from skimage import transform

from labsys.tlc.layer import Contrast, resize_smooth
from labsys.tlc.lines import stroke_size
from labsys.tlc.results import PlateLine, Spot
from labsys.tlc.rings import Ring

MIN_SPOT_CONTRAST = 0.05
"""Least difference from the layer in any sRGB channel (0-1) of a spot a person can see."""

MIN_PEAK_CONTRAST = 0.01
"""Least height above bare layer (sRGB 0-1) of a spot's peak in the smoothed contrast. The camera's
blur and the smoothing flatten a faint spot's peak to a fraction of ``MIN_SPOT_CONTRAST`` (a
0.05-0.1 spot peaks at 0.02-0.04 here), so the noise tests below decide; this only stops a
noiseless image from calling a trace a spot."""

SMOOTHING_LENGTH = 0.006
"""Rows over which the smoothed contrast is correlated, as a fraction of the plate's long side
(about twice the smoothing the analysis applies, 0.3 %)."""

PEAK_NOISE_LEVELS = 6.0
"""Least height of a spot's peak above bare layer, in the plate's pixel noise (smoothed contrast):
a lane's strongest row of noise rarely reaches six standard deviations."""

PROFILE_NOISE_LEVELS = 3.0
"""Least prominence of a spot in the lane's densitogram, in that densitogram's own noise (its
robust spread about its median over the lane): texture of a mottled layer or of a smeared lane
raises the spread and with it the bar, a clean layer lowers it so faint spots count."""

MATCHED_SIGMA = 0.006
"""Smoothing (fraction of the plate's long side) matched to a small spot (0.6 mm on a 10 cm
plate, about half a spot's own standard deviation): grain finer than a spot averages out, a faint
spot keeps most of its height, so a spot too faint to stand out of the light smoothing stands out
here."""

MATCHED_NOISE_LEVELS = 6.0
"""Least height of a spot's peak above bare layer, in the plate's noise at ``MATCHED_SIGMA``."""

MIN_MATCHED_CONTRAST = 0.012
"""Least height above bare layer (sRGB 0-1) of a spot's peak at ``MATCHED_SIGMA``: a spot a person
can just see (0.05), spread by the camera's blur and this smoothing, keeps about a quarter of its
height (0.013-0.03 on rendered photos); on a clean, noiseless image this, not the noise, keeps a
trace far fainter than that from counting."""

MIN_FAINT_SEPARATION = 0.03
"""Closest (fraction of the plate's long side) a faint spot found only at ``MATCHED_SIGMA`` may be
to a spot already found: about the width at half height of a small spot so averaged, within which
that average cannot tell a second spot from the first one's tail or flank."""

MAX_ELONGATION = 3.0
"""Tallest a spot's half-maximum region may be for its width; tailing spots are more compact."""

MAX_FAINT_WIDTH = 0.07
"""Widest (at half height, as a fraction of the plate's long side) a faint spot's densitogram may
be. Uneven light, shadows and a blotchy layer vary over larger distances than spots; a swelling
that broad counts as a spot only when it stands out by ``MIN_BROAD_CONTRAST``, as a heavily loaded
spot does."""

MIN_BROAD_CONTRAST = 0.1
"""Least height above the layer (sRGB 0-1) of a spot broader than ``MAX_FAINT_WIDTH``: twice what a
person needs to see a spot, so that only clear material counts over such a distance."""

MAX_NOISE_TO_STEP_NOISE = 5.0
"""Most a densitogram's noise may be, in the noise of its steps over one smoothing length: spread
about the median beyond that measures a smear or crowded spots covering the lane, not noise."""

MIN_RELATIVE_PROMINENCE = 0.05
"""Least depth of the valley separating two spots, relative to the smaller spot's height above the
layer in the densitogram: a dip of a twentieth is what a person needs to see two spots rather than
one."""


def spot_contrast(distance: np.ndarray, scale: float) -> np.ndarray:
    """Contrast with thin marks (pencil lines, rings, ticks, handwriting) removed.

    A grey opening with a square as wide as a pencil stroke keeps only structures that are wider
    than a stroke in every direction, which spots are and pencil marks are not.
    """
    size = stroke_size(scale)
    return ndi.grey_opening(distance, size=(size, size))


@dataclass(frozen=True)
class Smoothed:
    """Spot contrast smoothed at one scale, with what bare layer and its noise look like there."""

    image: np.ndarray
    level: float
    """Median: bare layer."""
    noise: float
    """Robust standard deviation about ``level``."""

    @classmethod
    def of(cls, image: np.ndarray) -> Smoothed:
        """Measure bare layer and noise of an already smoothed contrast image."""
        sample = image[::2, ::2]  # a quarter of the pixels: ample for two medians, 4x faster
        level = float(np.median(sample))
        noise = 1.4826 * float(np.median(np.abs(sample - level))) + 1e-4
        return cls(image, level, noise)


@dataclass(frozen=True)
class LaneContext:
    """What spot finding in one lane needs to know about the plate."""

    rgb: np.ndarray
    contrast: np.ndarray
    """Spot contrast (thin marks removed)."""
    light: Smoothed
    """Spot contrast smoothed over about a third of a small spot."""
    matched: Smoothed
    """Spot contrast smoothed over a small spot (``MATCHED_SIGMA``)."""
    darkness: np.ndarray
    origin: PlateLine
    front: PlateLine
    scale: float

    @property
    def smoothed(self) -> np.ndarray:
        """The lightly smoothed spot contrast."""
        return self.light.image

    @property
    def level(self) -> float:
        """What bare layer shows in the lightly smoothed contrast."""
        return self.light.level

    @property
    def noise(self) -> float:
        """The plate's noise in the lightly smoothed contrast."""
        return self.light.noise


def lane_context(
    rgb: np.ndarray, seen: Contrast, origin: PlateLine, front: PlateLine, scale: float
) -> LaneContext:
    """What spot finding needs of a rectified plate: contrast without pencil marks, smoothed at
    two scales with their noise, and the lines."""
    cleaned = spot_contrast(seen.difference, scale)
    return LaneContext(
        rgb=rgb,
        contrast=cleaned,
        light=Smoothed.of(ndi.gaussian_filter(cleaned, max(1.0, 0.003 * scale))),
        matched=Smoothed.of(matched_contrast(rgb, seen, cleaned, MATCHED_SIGMA * scale)),
        darkness=seen.darkness,
        origin=origin,
        front=front,
        scale=scale,
    )


def matched_contrast(
    rgb: np.ndarray, seen: Contrast, cleaned: np.ndarray, sigma: float
) -> np.ndarray:
    """Colour difference from the layer averaged over a spot's size, pencil marks left out.

    The signed difference of each channel is averaged before its magnitude is taken, so the
    layer's grain cancels out (the magnitude of noise, averaged, would not) while a faint spot's
    colour adds up. Pixels of thin marks (what :func:`spot_contrast` removed, by more than a
    visible spot's contrast) count as bare layer, so pencil does not spread into the average.
    """
    signed = (rgb - seen.layer).astype(np.float32)  # single precision: twice as fast, ample
    signed[seen.difference - cleaned > MIN_SPOT_CONTRAST] = 0.0
    # Averaged over a spot's size the difference varies slowly: a half-size copy costs an eighth
    # of the smoothing and loses nothing a spot's size can show.
    half = transform.downscale_local_mean(signed, (2, 2, 1))
    sigma = max(0.5, 0.5 * sigma)
    averaged = [ndi.gaussian_filter(half[..., c], sigma, truncate=3.0) for c in range(3)]
    strongest = np.abs(np.stack(averaged, axis=-1)).max(axis=-1, keepdims=True)
    return resize_smooth(strongest, signed.shape[:2])[..., 0]


def lane_spots(
    context: LaneContext, centre: float, half_width: float
) -> tuple[list[Spot], bool, np.ndarray]:
    """Spots of one lane from its densitogram.

    Parameters
    ----------
    context
        The plate's images and lines.
    centre, half_width
        The lane's centre column and how far to either side its material may reach.

    Returns
    -------
    spots : list of Spot
        Ordered from the origin upwards.
    residue : bool
        True when material remains at the origin (insoluble residue, or an overloaded spot).
    profile : numpy.ndarray
        Densitogram from the origin (first) to the front (last): mean spot contrast across the lane.

    Notes
    -----
    A spot is a peak of the lane's mean contrast per row that stands out from that profile's own
    noise and from its neighbours (:func:`_profile_peaks`), where the strongest contrast across the
    lane rises ``PEAK_NOISE_LEVELS`` of the plate's noise (and at least ``MIN_PEAK_CONTRAST``)
    above bare layer, or its spot-sized average ``MATCHED_NOISE_LEVELS`` of that average's noise
    (and at least ``MIN_MATCHED_CONTRAST``); a faint peak broader than ``MAX_FAINT_WIDTH`` is
    uneven light, not a spot. Faint spots that make no peak of the densitogram are peaks of the
    spot-sized average that rise from bare layer (:func:`_faint_peaks`).
    Peaks within 3.5 % of the plate height of the origin are origin residue, not spots; peaks on
    the front line (within 1.5 pencil strokes) are its pencil or the band the solvent front leaves.
    """
    height, width = context.contrast.shape
    left = max(0, round(centre - half_width))
    right = min(width, round(centre + half_width) + 1)
    origin_y = float(context.origin.y_at(centre))
    front_y = float(context.front.y_at(centre))
    top = max(0, round(front_y - 0.01 * height))
    bottom = min(height, round(origin_y + 0.02 * height) + 1)
    band = context.smoothed[top:bottom, left:right]
    core = slice(
        max(0, round(centre - 0.6 * half_width) - left), round(centre + 0.6 * half_width) - left + 1
    )
    # Strongest contrast across the lane per row, smoothed along development (about a third of a
    # small spot): how far a spot's peak stands out from the layer, as the eye judges it.
    strongest = ndi.gaussian_filter1d(band[:, core].max(axis=1), 0.004 * context.scale)
    # Mean across the lane per row: where two close spots' cores saturate the strongest contrast,
    # the mean still dips between them (the pair narrows at its waist), and it averages out the
    # mottle of big spots and tails that would make peaks of their own.
    mean = band[:, core].mean(axis=1)
    profile = _densitogram(context.contrast[:, left:right][:, core], origin_y, front_y)
    lag = max(1, round(SMOOTHING_LENGTH * context.scale))
    peaks = _profile_peaks(mean, lag)
    # The strongest contrast across the lane once more, averaged over a small spot's size: where
    # the layer's grain hides a faint spot's peak in the light smoothing, the spot stands out here.
    matched = context.matched
    broad = matched.image[top:bottom, left:right][:, core].max(axis=1)
    least_broad = max(MIN_MATCHED_CONTRAST, MATCHED_NOISE_LEVELS * matched.noise)
    least_light = max(MIN_PEAK_CONTRAST, PEAK_NOISE_LEVELS * context.noise)
    strong = strongest[peaks] - context.level >= least_light
    peaks = peaks[strong | (broad[peaks] - matched.level >= least_broad)]
    # A faint swelling broader than a spot is uneven light, a shadow or a blotchy layer.
    widths = signal.peak_widths(mean, peaks, rel_height=0.5)[0]
    swelling = (widths > MAX_FAINT_WIDTH * context.scale) & (
        strongest[peaks] - context.level < MIN_BROAD_CONTRAST
    )
    peaks = peaks[~swelling]
    # Spots that stand out only once averaged over their size are measured there.
    faint = np.union1d(
        peaks[strongest[peaks] - context.level < least_light],
        _faint_peaks(broad - matched.level, least_broad, peaks, context.scale),
    )
    peaks = np.union1d(peaks, faint).astype(int)
    bounds = np.concatenate(
        [
            [0],
            [_valley(mean, peaks[i], peaks[i + 1]) for i in range(len(peaks) - 1)],
            [len(mean) - 1],
        ]
    ).astype(int)
    residue_zone = 0.035 * height
    spots, residue = [], False
    for index, peak in enumerate(peaks):
        y = top + peak
        if y > origin_y - residue_zone:
            residue = residue or peak not in faint
            continue
        if y < front_y + 1.5 * stroke_size(context.scale):
            continue  # on the front: its pencil or the band the solvent leaves, not a spot
        rows = (top + bounds[index], top + bounds[index + 1] + 1)
        if peak in faint:  # measured where it stands out
            x = left + int(np.argmax(matched.image[y, left:right]))
            if not core.start <= x - left < min(core.stop, right - left - 1):
                continue  # strongest beside the core or at the plate's rim: not this lane's
            seen, value = matched, broad[peak]
        else:
            x = left + core.start + int(np.argmax(band[peak, core]))
            seen, value = context.light, strongest[peak]
        spot = _measure_spot(context, seen, x, y, value, rows, (left, right))
        if spot is not None:
            spots.append(spot)
    spots.sort(key=lambda spot: spot.rf)
    return spots, residue, profile


def ring_spot(context: LaneContext, ring: Ring) -> Spot:
    """The spot a pencil ring marks: its centre is the ring's, its extent the ring's interior."""
    rows, cols = np.nonzero(ring.interior)
    values = context.contrast[rows, cols]
    return _spot(context, ring.x, ring.y, rows, cols, values)


def _profile_peaks(mean: np.ndarray, lag: int) -> np.ndarray:
    """Rows of the densitogram's peaks that stand out from its noise and from their neighbours.

    A peak counts when its prominence reaches ``PROFILE_NOISE_LEVELS`` of the densitogram's noise
    (:func:`_profile_noise`, with steps over ``lag`` rows) and ``MIN_RELATIVE_PROMINENCE`` of its
    height above the lane's bare layer (the densitogram's median).
    """
    base = float(np.median(mean))
    peaks, props = signal.find_peaks(mean, prominence=0)
    least = np.maximum(
        MIN_RELATIVE_PROMINENCE * (mean[peaks] - base),
        PROFILE_NOISE_LEVELS * _profile_noise(mean, lag),
    )
    return peaks[props["prominences"] >= least]


def _profile_noise(mean: np.ndarray, lag: int) -> float:
    """Noise of a lane's densitogram.

    Where spots cover well under half the lane, the robust spread about the median is the bare
    layer's noise, texture included. Where an overloaded lane's smear or crowded spots cover most
    of it, that spread measures them instead, and would hide the spots on them; the robust spread
    of the profile's steps over ``lag`` rows (about the smoothing length) hardly grows with such
    smooth structure, so it caps the noise at ``MAX_NOISE_TO_STEP_NOISE`` of it.
    """
    spread = 1.4826 * float(np.median(np.abs(mean - np.median(mean))))
    if len(mean) <= lag:
        return spread
    steps = 1.4826 * float(np.median(np.abs(mean[lag:] - mean[:-lag]))) / np.sqrt(2)
    return min(spread, MAX_NOISE_TO_STEP_NOISE * steps)


def _faint_peaks(height: np.ndarray, least: float, known: np.ndarray, scale: float) -> np.ndarray:
    """Rows of faint spots that stand out only once averaged over a spot's size.

    Parameters
    ----------
    height
        Strongest spot-sized average across the lane per row, above bare layer.
    least
        Least height and prominence of a spot there (``MATCHED_NOISE_LEVELS`` of its noise).
    known
        Rows of spots already found; a peak within ``MIN_FAINT_SEPARATION`` of one is that spot.
    scale
        Length marks are sized by.

    Returns
    -------
    numpy.ndarray
        Rows of peaks that rise ``least`` above bare layer and above the valleys to their
        neighbours, narrower than ``MAX_FAINT_WIDTH`` (broader is uneven light) and not already
        known.
    """
    peaks, props = signal.find_peaks(height, height=least, prominence=least)
    # A faint spot rises from bare layer: on both sides the average falls back to less than half
    # the least height above it. Bumps on a smear, a tail or another spot's flank rise from that
    # material instead.
    peaks = peaks[height[peaks] - props["prominences"] <= 0.5 * least]
    if not len(peaks):
        return peaks
    widths = signal.peak_widths(height, peaks, rel_height=0.5)[0]
    peaks = peaks[widths <= MAX_FAINT_WIDTH * scale]
    if len(known):
        apart = np.abs(peaks[:, None] - np.asarray(known)[None, :]).min(axis=1)
        peaks = peaks[apart > MIN_FAINT_SEPARATION * scale]
    return peaks


def _valley(profile: np.ndarray, start: int, stop: int) -> int:
    """Row of the lowest point of ``profile`` between two peaks."""
    return int(start + np.argmin(profile[start : stop + 1]))


def _measure_spot(
    context: LaneContext,
    seen: Smoothed,
    x: int,
    y: int,
    peak: float,
    rows: tuple[int, int],
    columns: tuple[int, int],
) -> Spot | None:
    """Measure the spot around (x, y): the connected region above half its peak, within the lane
    band and between the valleys to its neighbours; centre weighted by contrast above half peak.

    None when the region is a band across the lane (it touches both sides of the lane and is at
    least twice as wide as tall: the solvent front's stain) or a streak along it (more than
    ``MAX_ELONGATION`` times as tall as wide: a bump in an overloaded lane's smear).
    """
    window = seen.image[rows[0] : rows[1], columns[0] : columns[1]]
    half = 0.5 * (peak + seen.level)
    labels, _ = ndi.label(window > half)
    label = labels[y - rows[0], x - columns[0]]
    if label == 0:
        return None
    local_rows, local_cols = np.nonzero(labels == label)
    across = local_cols.min() == 0 and local_cols.max() == window.shape[1] - 1
    if across and np.ptp(local_cols) >= 2 * np.ptp(local_rows) + 1:
        return None
    if np.ptp(local_rows) + 1 > MAX_ELONGATION * (np.ptp(local_cols) + 1):
        return None
    weights = window[local_rows, local_cols] - half
    return _spot(
        context,
        None,
        None,
        local_rows + rows[0],
        local_cols + columns[0],
        weights,
    )


def _spot(
    context: LaneContext,
    x: float | None,
    y: float | None,
    rows: np.ndarray,
    cols: np.ndarray,
    weights: np.ndarray,
) -> Spot:
    """A Spot from its pixels; centre given (ring) or weighted by ``weights`` (blob)."""
    weights = np.maximum(weights, 0.0)
    total = float(weights.sum())
    if x is None or y is None:
        if total > 0:
            x, y = float(cols @ weights / total), float(rows @ weights / total)
        else:
            x, y = float(cols.mean()), float(rows.mean())
    origin_y = float(context.origin.y_at(x))
    front_y = float(context.front.y_at(x))
    rf = (origin_y - y) / (origin_y - front_y)
    width = float(cols.max() - cols.min() + 1)
    height = float(rows.max() - rows.min() + 1)
    colour = context.rgb[rows, cols].mean(axis=0) * 255.0
    appearance = "dark" if float(context.darkness[rows, cols].mean()) >= 0 else "bright"
    return Spot(
        rf=float(rf),
        x=float(x),
        y=float(y),
        width=width,
        height=height,
        area=float(len(rows)),
        integrated_intensity=float(context.contrast[rows, cols].sum()),
        colour=(round(colour[0]), round(colour[1]), round(colour[2])),
        appearance=appearance,
        tailing=height > 1.6 * width,
    )


def _densitogram(band: np.ndarray, origin_y: float, front_y: float) -> np.ndarray:
    """Mean contrast across the lane, sampled once per pixel from the origin up to the front."""
    mean = band.mean(axis=1)
    rows = np.arange(origin_y, front_y, -1.0)
    return np.interp(rows, np.arange(len(mean)), mean)
