"""Plate photos on disk, content-addressed by SHA-256 and written atomically.

A photo is stored under ``<data dir>/photos/ab/cdef…`` (the first two hex digits of its SHA-256
name the folder). It is written to a temporary file in that folder, flushed to the disk, renamed
into place and the folder flushed too, so after a crash or a power cut there is either the whole
photo or no photo under its name, never half of one. The database records a photo only after
:meth:`PhotoStore.save` returns. A crash can leave temporary ``*.part`` files (removed by
:meth:`PhotoStore.clean_partial_uploads`) or a complete photo no row points to (harmless: the
next upload of the same photo reuses it).
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from labsys.errors import ImageError
from labsys.tlc.imageio import decode, open_image

MAX_UPLOAD_BYTES = 25 * 1024 * 1024
"""Largest photo accepted: a 50 MP phone JPEG is about 20 MB."""

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
"""What phones and scanners produce; anything else is refused before it is stored."""

CHECK_DECODE_SIDE = 1024
"""Side the check decodes JPEGs at: a reduced decode still reads every byte, so truncation shows."""

PARTIAL_SUFFIX = ".part"
WRITE_CHUNK_BYTES = 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class PhotoCheck:
    """What the upload check learned about an acceptable photo."""

    format: str
    width: int
    height: int


@dataclass(frozen=True)
class StoredPhoto:
    """A photo safely on disk.

    Attributes
    ----------
    sha256
        Hex digest of the bytes; also the file's name.
    path
        Location relative to the data dir (what the database records), e.g. ``photos/ab/cdef…``.
    byte_size
        Length of the file.
    duplicate
        True when the same photo was already stored (the file was reused, not written again).
    """

    sha256: str
    path: str
    byte_size: int
    duplicate: bool


def check_photo(data: bytes) -> PhotoCheck:
    """Refuse anything that is not a whole, readable, sensibly sized photo.

    The type is judged by content, never by file name, and the pixels are decoded once so that a
    truncated or corrupt file is refused at upload rather than at analysis.

    Raises
    ------
    ImageError
        Empty, too large in bytes or pixels (decompression bombs), not an image, an unsupported
        format, or damaged.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageError(
            f"The photo is {len(data) / 1e6:.0f} MB; the limit is "
            f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB. Take it at a lower resolution."
        )
    picture = open_image(data)
    if picture.format not in ACCEPTED_FORMATS:
        raise ImageError(
            f"The photo is a {picture.format or 'unknown'} file; upload a JPEG, PNG or WebP photo."
        )
    width, height = picture.size
    decode(picture, max_side=CHECK_DECODE_SIDE)
    return PhotoCheck(format=picture.format, width=width, height=height)


class PhotoStore:
    """Photos under ``data_dir / "photos"``, one file per distinct content."""

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self.data_dir = Path(data_dir)
        self.root = self.data_dir / "photos"

    def save(self, data: bytes) -> StoredPhoto:
        """Store ``data`` durably under its hash; an identical photo already stored is reused."""
        digest = hashlib.sha256(data).hexdigest()
        relative = f"photos/{digest[:2]}/{digest[2:]}"
        final = self.data_dir / relative
        if final.is_file() and final.stat().st_size == len(data):
            return StoredPhoto(digest, relative, len(data), duplicate=True)
        final.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(final, data)
        return StoredPhoto(digest, relative, len(data), duplicate=False)

    def read(self, relative_path: str, sha256: str) -> bytes:
        """The stored photo, checked against its hash so that a damaged file is never analysed.

        Raises
        ------
        ImageError
            The file is missing or its content no longer matches the hash recorded for it.
        """
        if not _SHA256.match(sha256) or relative_path != f"photos/{sha256[:2]}/{sha256[2:]}":
            raise ImageError(f"{relative_path}: not a path in the photo store.")
        try:
            data = (self.data_dir / relative_path).read_bytes()
        except OSError as error:
            raise ImageError(
                f"The stored photo {relative_path} cannot be read ({error.strerror}); restore "
                "the data folder from the backup."
            ) from error
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ImageError(
                f"The stored photo {relative_path} is damaged (its content changed); restore it "
                "from the backup or photograph the plate again."
            )
        return data

    def clean_partial_uploads(self, *, min_age_s: float = 600.0) -> list[Path]:
        """Remove temporary files of uploads that never finished (a crash, a killed process).

        ``min_age_s`` spares uploads still being written by another process right now.
        Returns the files removed.
        """
        if not self.root.is_dir():
            return []
        cutoff = time.time() - min_age_s
        removed = []
        for path in self.root.glob(f"*/.*{PARTIAL_SUFFIX}"):
            if path.stat().st_mtime <= cutoff:
                path.unlink(missing_ok=True)
                removed.append(path)
        return removed


def _write_atomically(final: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder, fsync, rename, fsync the folder."""
    temporary = final.parent / f".{final.name}.{os.getpid()}.{time.time_ns()}{PARTIAL_SUFFIX}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    try:
        with memoryview(data) as view:
            written = 0
            while written < len(view):
                written += os.write(descriptor, view[written : written + WRITE_CHUNK_BYTES])
        os.fsync(descriptor)
    except BaseException:
        os.close(descriptor)
        temporary.unlink(missing_ok=True)
        raise
    os.close(descriptor)
    os.replace(temporary, final)
    folder = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
