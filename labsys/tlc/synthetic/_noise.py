"""Random helpers: smooth fields (layer unevenness, lighting, textures) and typed choices."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import numpy as np
from PIL import Image

T = TypeVar("T")


def pick(
    rng: np.random.Generator, options: Sequence[T], weights: Sequence[float] | None = None
) -> T:
    """One of ``options`` (with ``weights`` if given), keeping its type, unlike ``rng.choice``."""
    return options[int(rng.choice(len(options), p=weights))]


def smooth_noise(rng: np.random.Generator, shape: tuple[int, int], scale_px: float) -> np.ndarray:
    """Random field with features about ``scale_px`` pixels across, zero mean and unit std.

    White noise on a coarse grid is upsampled bicubically (Pillow, in C), which is much faster
    than filtering a full-size field and looks the same for our purposes.

    Parameters
    ----------
    rng
        Source of randomness.
    shape
        (height, width) of the field.
    scale_px
        Typical feature size in pixels (at least 1).

    Returns
    -------
    numpy.ndarray
        float32 array of ``shape``.
    """
    height, width = shape
    scale = max(float(scale_px), 1.0)
    coarse_h = int(np.ceil(height / scale)) + 3
    coarse_w = int(np.ceil(width / scale)) + 3
    coarse = rng.standard_normal((coarse_h, coarse_w)).astype(np.float32)
    big = Image.fromarray(coarse).resize(
        (round(coarse_w * scale), round(coarse_h * scale)), Image.Resampling.BICUBIC
    )
    field = np.asarray(big, dtype=np.float32)[:height, :width]
    std = float(field.std())
    return (field - float(field.mean())) / (std if std > 0 else 1.0)


def fractal_noise(
    rng: np.random.Generator, shape: tuple[int, int], scale_px: float, octaves: int = 3
) -> np.ndarray:
    """Sum of :func:`smooth_noise` octaves (halving scale, halving amplitude), unit std."""
    total = np.zeros(shape, dtype=np.float32)
    for octave in range(octaves):
        total += 0.5**octave * smooth_noise(rng, shape, scale_px / 2**octave)
    return total / float(total.std() or 1.0)
