"""Reading plate photos: any path, bytes or array in, an upright RGB array out.

Phone photos arrive in every form Pillow knows (JPEG with an EXIF orientation tag, 16-bit PNG,
greyscale, palette, CMYK, RGBA). Everything that cannot be read becomes one
:class:`labsys.errors.ImageError` with a one-line message, so a fuzzer or a volunteer with the wrong
file never sees a traceback.
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from labsys.errors import ImageError

MAX_PIXELS = 50_000_000
"""Largest photo accepted (pixels): phones take up to ~50 MP; a bigger header is a bomb."""

Image.MAX_IMAGE_PIXELS = MAX_PIXELS

ImageSource = str | os.PathLike[str] | bytes | bytearray | np.ndarray | Image.Image


def open_image(image: ImageSource) -> Image.Image:
    """Open a photo lazily (header only) from a path, bytes or a PIL image.

    Parameters
    ----------
    image
        A file path, the encoded bytes of a photo, or an already opened PIL image.

    Returns
    -------
    PIL.Image.Image
        The opened image; pixels are decoded later (so JPEG ``draft`` can still shrink them).

    Raises
    ------
    ImageError
        When the file is missing, empty, not an image, or larger than :data:`MAX_PIXELS`.
    """
    if isinstance(image, Image.Image):
        return image
    if isinstance(image, bytes | bytearray):
        if len(image) == 0:
            raise ImageError("The photo file is empty (0 bytes); take or upload the photo again.")
        stream: io.BytesIO | Path = io.BytesIO(bytes(image))
        name = "The photo"
    elif isinstance(image, str | os.PathLike):
        stream = Path(image)
        name = f"{stream.name}"
        if not stream.is_file():
            raise ImageError(f"{name}: no such file.")
        if stream.stat().st_size == 0:
            raise ImageError(f"{name} is empty (0 bytes); take or upload the photo again.")
    else:
        raise ImageError(f"Cannot read a photo from a {type(image).__name__}.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(stream)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageError(f"{name} is too large (over {MAX_PIXELS // 1_000_000} MP).") from error
    except Exception as error:  # Pillow raises many types for bad files
        if _is_heif(stream):
            raise ImageError(
                f"{name} is an HEIC/HEIF photo (the iPhone default), which labsys cannot read: "
                "set the camera to 'Most Compatible' (Settings → Camera → Formats) or share the "
                "photo as JPEG."
            ) from error
        raise ImageError(f"{name} is not a readable image ({type(error).__name__}).") from error


_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})


def _is_heif(stream: io.BytesIO | Path) -> bool:
    """Whether the file starts like an HEIF container (an ISO-BMFF ``ftyp`` box, HEIF brand)."""
    if isinstance(stream, Path):
        with stream.open("rb") as file:
            head = file.read(12)
    else:
        head = stream.getvalue()[:12]
    return head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS


def decode(picture: Image.Image, *, max_side: int | None = None) -> np.ndarray:
    """Decode an opened photo to an upright uint8 RGB array.

    Parameters
    ----------
    picture
        An image from :func:`open_image`, not yet loaded.
    max_side
        When given, JPEGs are decoded at a reduced scale (Pillow ``draft``: 1/2, 1/4 or 1/8) whose
        longer side is still at least ``max_side``; this is several times faster than a full decode
        and is all that finding a plate needs. Other formats are decoded at full size.

    Returns
    -------
    numpy.ndarray
        (H, W, 3) uint8, turned upright by the EXIF orientation tag.

    Raises
    ------
    ImageError
        When the data are corrupt or truncated, or the image is too large.
    """
    try:
        width, height = picture.size
        if width * height > MAX_PIXELS:
            raise ImageError(f"The photo is too large (over {MAX_PIXELS // 1_000_000} MP).")
        if max_side and picture.format == "JPEG" and max(width, height) > max_side:
            scale = max_side / max(width, height)
            picture.draft("RGB", (max(1, int(width * scale)), max(1, int(height * scale))))
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture.load()
            upright = ImageOps.exif_transpose(picture) or picture
            return _to_rgb(upright)
    except ImageError:
        raise
    except Exception as error:  # corrupt data surface as OSError, SyntaxError, ValueError, ...
        raise ImageError(
            f"The photo cannot be decoded ({type(error).__name__}): the file may be damaged or "
            "incomplete; upload it again."
        ) from error


def load_image(image: ImageSource, *, max_side: int | None = None) -> np.ndarray:
    """Load a plate photo as an upright RGB array.

    Parameters
    ----------
    image
        A path, encoded bytes, a PIL image, or an array (H, W), (H, W, 3) or (H, W, 4) of any
        integer or float dtype (floats are taken as 0-1).
    max_side
        Optional: decode JPEGs at reduced scale, see :func:`decode`.

    Returns
    -------
    numpy.ndarray
        (H, W, 3) uint8 sRGB, with the EXIF orientation applied.

    Raises
    ------
    ImageError
        For anything that is not a readable photo of a sensible size.
    """
    if isinstance(image, np.ndarray):
        return array_to_rgb(image)
    return decode(open_image(image), max_side=max_side)


def array_to_rgb(array: np.ndarray) -> np.ndarray:
    """Convert an image array of any common layout and dtype to (H, W, 3) uint8.

    Raises
    ------
    ImageError
        When the array is not 2-D or 3-D with 1, 3 or 4 channels, is empty, or too large.
    """
    array = np.asarray(array)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise ImageError(f"An image array must be (H, W) or (H, W, 3|4), not {array.shape}.")
    if array.shape[0] < 8 or array.shape[1] < 8:
        raise ImageError(f"The image is too small ({array.shape[1]}×{array.shape[0]} pixels).")
    if array.shape[0] * array.shape[1] > MAX_PIXELS:
        raise ImageError(f"The image is too large (over {MAX_PIXELS // 1_000_000} MP).")
    if array.dtype == np.uint8:
        scaled = array
    elif array.dtype == bool:
        scaled = array.astype(np.uint8) * 255
    elif np.issubdtype(array.dtype, np.integer):
        top = 65535 if array.max(initial=0) > 255 else 255
        scaled = (np.clip(array, 0, top) * (255.0 / top) + 0.5).astype(np.uint8)
    elif np.issubdtype(array.dtype, np.floating):
        scaled = (np.clip(np.nan_to_num(array), 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    else:
        raise ImageError(f"Unsupported image array type {array.dtype}.")
    if scaled.ndim == 2:
        return np.repeat(scaled[..., None], 3, axis=2)
    return np.ascontiguousarray(scaled[..., :3])


def _to_rgb(picture: Image.Image) -> np.ndarray:
    """Pixels of a decoded PIL image as (H, W, 3) uint8, whatever its mode."""
    if picture.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        return array_to_rgb(_wide_to_float(np.asarray(picture)))
    if picture.mode in ("RGBA", "LA", "PA") or (
        picture.mode == "P" and "transparency" in picture.info
    ):
        rgba = picture.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return array_to_rgb(np.asarray(Image.alpha_composite(white, rgba).convert("RGB")))
    return array_to_rgb(np.asarray(picture.convert("RGB")))


def _wide_to_float(array: np.ndarray) -> np.ndarray:
    """16/32-bit greyscale to 0-1 floats (16-bit full range; wider ranges scaled to their max)."""
    values = array.astype(np.float64)
    top = 65535.0 if values.max(initial=0) <= 65535 else float(values.max())
    return values / max(top, 1.0)
