"""The plate's layer: its slowly varying colour under uneven light, and contrast against it.

Everything found on a plate (pencil, spots, rings) is a local departure from the layer. Comparing
with a smooth estimate of the layer removes uneven UV lighting, vignetting and soft shadows; the
colour difference from it finds dark quenching spots, bright fluorescent spots and coloured stains
alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage as ndi
from skimage import transform

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


def estimate_layer(rgb: np.ndarray, *, iterations: int = 3) -> np.ndarray:
    """Estimate the bare layer's colour at every pixel, ignoring the marks on it.

    Parameters
    ----------
    rgb
        (H, W, 3) rectified plate, float in [0, 1].
    iterations
        Rounds of masking marks and re-smoothing.

    Returns
    -------
    numpy.ndarray
        (H, W, 3) smooth layer colour.

    Notes
    -----
    Works on a coarse grid (block means). Starts from a median filter an eighth of the plate wide,
    then repeatedly marks pixels that depart from the estimate by more than four robust standard
    deviations (spots, pencil, the plate's rim) and smooths the rest by normalised Gaussian
    convolution, so that large spots and smeared lanes do not pull the layer towards their colour.
    Assumes the marks cover well under half of any region a tenth of the plate wide.
    """
    height, width = rgb.shape[:2]
    factor = max(1, round(max(height, width) / _COARSE_SIDE))
    coarse = transform.downscale_local_mean(rgb, (factor, factor, 1))
    blocks = max(1, round(max(coarse.shape[:2]) / 40))
    coarser = transform.downscale_local_mean(coarse, (blocks, blocks, 1))
    medians = np.stack([ndi.median_filter(coarser[..., c], size=5) for c in range(3)], axis=-1)
    layer = _resize(medians, coarse.shape[:2])
    sigma = max(coarse.shape[:2]) / 20
    for _ in range(iterations):
        departure = np.linalg.norm(coarse - layer, axis=-1)
        spread = 1.4826 * np.median(np.abs(departure - np.median(departure))) + 1e-3
        bare = ndi.binary_erosion(departure < np.median(departure) + 4 * spread, iterations=1)
        weight = ndi.gaussian_filter(bare.astype(float), sigma, mode="nearest")
        if weight.min() <= 1e-3:
            break
        layer = np.stack(
            [
                ndi.gaussian_filter(coarse[..., c] * bare, sigma, mode="nearest") / weight
                for c in range(3)
            ],
            axis=-1,
        )
    return _resize(layer, (height, width))


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


def _resize(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
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
