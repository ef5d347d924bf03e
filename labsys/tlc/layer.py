"""The plate's layer: its slowly varying colour under uneven light, and contrast against it.

Everything found on a plate (pencil, spots, rings) is a local departure from the layer. Comparing
with an estimate of the layer that follows uneven UV lighting, vignetting and the edges of shadows
removes them; the colour difference from it finds dark quenching spots, bright fluorescent spots and
coloured stains alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage as ndi
from skimage import transform
from skimage.filters import rank

LUMA = np.array([0.2126, 0.7152, 0.0722])

_COARSE_SIDE = 160
"""Long side (pixels) of the coarse grid the layer is estimated on; spots span several cells."""


@dataclass(frozen=True)
class Contrast:
    """Contrast images of a rectified plate against its layer (all (H, W) floats).

    Attributes
    ----------
    layer
        (H, W, 3) estimated layer colour without any marks.
    darkness
        ``1 - L / L_layer``: positive where darker than the layer (pencil, quenching, stains);
        relative, so pencil looks the same in a shadow as in full light.
    difference
        Largest difference of any sRGB channel from the layer (0-1): positive for dark, bright and
        coloured marks alike, and absolute, as the eye sees it (a spot in a shadow is fainter).
    """

    layer: np.ndarray
    darkness: np.ndarray
    difference: np.ndarray


def estimate_layer(rgb: np.ndarray, *, iterations: int = 1) -> np.ndarray:
    """Estimate the bare layer's colour at every pixel, ignoring the marks on it.

    Parameters
    ----------
    rgb
        (H, W, 3) rectified plate, float in [0, 1].
    iterations
        Rounds of masking marks and re-estimating.

    Returns
    -------
    numpy.ndarray
        (H, W, 3) layer colour: smooth, but with the sharp steps of shadows kept.

    Notes
    -----
    Works on a coarse grid (block means). A median over a square an eighth of the plate wide
    follows the layer through the step of a shadow's edge, which smoothing would spread into a
    band of false contrast on either side, and ignores marks covering less than half of it. Then,
    repeatedly, pixels departing from the estimate by more than four robust standard deviations
    (spots, pencil, the plate's rim) are masked and the median is taken over the rest, so that
    large spots and smeared lanes do not pull the layer towards their colour.
    """
    height, width = rgb.shape[:2]
    factor = max(1, round(max(height, width) / _COARSE_SIDE))
    coarse = transform.downscale_local_mean(rgb, (factor, factor, 1))
    side = max(3, round(max(coarse.shape[:2]) / 8) | 1)
    footprint = np.ones((side, side), dtype=bool)
    levels, low, span = _quantise(coarse)
    layer = np.stack([rank.median(levels[..., c], footprint) for c in range(3)], axis=-1)
    for _ in range(iterations):
        departure = np.linalg.norm((levels - layer.astype(float)) * span / 255.0, axis=-1)
        spread = 1.4826 * np.median(np.abs(departure - np.median(departure))) + 1e-3
        bare = departure < np.median(departure) + 4 * spread
        masked = np.stack(
            [rank.median(levels[..., c], footprint, mask=bare) for c in range(3)], axis=-1
        )
        counted = ndi.uniform_filter(bare.astype(float), side, mode="nearest") > 0.5 / side**2
        layer = np.where(counted[..., None], masked, layer)
    smooth = ndi.gaussian_filter(layer * span / 255.0 + low, (1.0, 1.0, 0.0))
    return resize_smooth(smooth, (height, width))


def _quantise(image: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each channel mapped onto 0-255 over its own 0.5-99.5 % range, for the histogram-based
    rank filters: a dim UV 366 layer keeps fine steps. Returns levels, offset and span."""
    low, high = np.percentile(image.reshape(-1, 3), [0.5, 99.5], axis=0)
    span = np.maximum(high - low, 1e-3)
    levels = np.clip(np.round((image - low) / span * 255.0), 0, 255).astype(np.uint8)
    return levels, low, span


def contrast(rgb: np.ndarray, layer: np.ndarray | None = None) -> Contrast:
    """Contrast of every pixel against the layer.

    Parameters
    ----------
    rgb
        (H, W, 3) rectified plate, float in [0, 1].
    layer
        The layer estimate; computed with :func:`estimate_layer` when omitted.

    Returns
    -------
    Contrast
    """
    if layer is None:
        layer = estimate_layer(rgb)
    layer_luma = np.maximum(layer @ LUMA, 0.02)
    darkness = 1.0 - (rgb @ LUMA) / layer_luma
    difference = np.abs(rgb - layer).max(axis=-1)
    return Contrast(
        layer=layer,
        darkness=darkness,
        difference=difference,
    )


def resize_smooth(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Bilinear resize of a smooth (H, W, 3) float image, channel by channel (Pillow, fast)."""
    size = (shape[1], shape[0])
    return np.stack(
        [
            np.asarray(Image.fromarray(image[..., c].astype(np.float32), "F").resize(size))
            for c in range(image.shape[2])
        ],
        axis=-1,
    ).astype(np.float64)


def guess_background(layer: np.ndarray) -> str:
    """Guess how the plate was visualised from the layer's median colour.

    Returns one of ``"uv254"`` (green fluorescence), ``"uv366"`` (blue/violet glow), ``"stain"``
    (pink or tinted layer) or ``"daylight"`` (white or grey layer).
    """
    red, green, blue = np.median(layer.reshape(-1, 3), axis=0)
    brightest = max(red, green, blue)
    if brightest - min(red, green, blue) < 0.12 * brightest:
        return "daylight"
    if green >= red and green >= blue:
        return "uv254"
    if blue >= red:
        return "uv366"
    return "stain"
