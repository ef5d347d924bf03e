"""The photo store: atomic writes that survive a killed process, duplicates, refused uploads."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import func, select

from labsys.auth import Role
from labsys.db import make_engine, transaction, upgrade
from labsys.errors import ImageError
from labsys.plates.models import PlatePhoto
from labsys.storage.photos import MAX_UPLOAD_BYTES, PhotoStore, check_photo
from tests.conftest import make_actors, sqlite_url
from tests.plates.plate_photos import laid_out_plate, plate_jpeg

ROOT = Path(__file__).resolve().parents[2]


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.full((height, width, 3), 200, np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def _huge_header_png() -> bytes:
    """A valid PNG header claiming 60000 × 60000 pixels, with no pixel data behind it."""
    small = _png(1, 1)
    ihdr = small.index(b"IHDR")
    patched = bytearray(small)
    patched[ihdr + 4 : ihdr + 12] = (60000).to_bytes(4, "big") * 2
    patched[ihdr + 17 : ihdr + 21] = zlib.crc32(patched[ihdr : ihdr + 17]).to_bytes(4, "big")
    return bytes(patched)


def test_save_is_content_addressed_and_recognises_duplicates(tmp_path: Path) -> None:
    store = PhotoStore(tmp_path)
    first = store.save(plate_jpeg())
    again = store.save(plate_jpeg())
    assert first.path == f"photos/{first.sha256[:2]}/{first.sha256[2:]}"
    assert not first.duplicate and again.duplicate and again.path == first.path
    assert store.read(first.path, first.sha256) == plate_jpeg()
    assert [p.name for p in (tmp_path / "photos").rglob("*")] == [
        first.sha256[:2],
        first.sha256[2:],
    ]


def test_a_damaged_stored_photo_is_never_read(tmp_path: Path) -> None:
    store = PhotoStore(tmp_path)
    stored = store.save(plate_jpeg())
    (tmp_path / stored.path).write_bytes(b"bit rot")
    with pytest.raises(ImageError, match="damaged"):
        store.read(stored.path, stored.sha256)
    with pytest.raises(ImageError, match="not a path in the photo store"):
        store.read("../labsys.sqlite3", stored.sha256)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\xff\xd8\xff\xe0 this is not really a jpeg", "not a readable image"),
        (b"hello, I am a text file named plate.jpg\n", "not a readable image"),
        (plate_jpeg()[: len(plate_jpeg()) // 2], "damaged or incomplete"),
        (_huge_header_png(), "too large"),
        (b"\0" * (MAX_UPLOAD_BYTES + 1), "the limit is 25 MB"),
    ],
    ids=["zero-bytes", "corrupt", "text-named-jpg", "truncated", "huge-dimensions", "too-big"],
)
def test_bad_uploads_are_refused_with_a_clear_message(data: bytes, message: str) -> None:
    with pytest.raises(ImageError, match=message):
        check_photo(data)


def test_unsupported_format_is_refused() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, format="GIF")
    with pytest.raises(ImageError, match="GIF"):
        check_photo(buffer.getvalue())


def test_a_good_photo_passes_with_its_size() -> None:
    check = check_photo(_png(64, 48))
    assert (check.format, check.width, check.height) == ("PNG", 64, 48)


_KILLED_UPLOAD = textwrap.dedent(
    """
    import os, sys, time
    from labsys.db import make_engine
    from labsys.auth import Actor, Role
    from labsys.plates.photos import attach_photo
    from labsys.storage import photos

    real_write = os.write
    calls = []

    def slow_write(descriptor, chunk):
        calls.append(len(chunk))
        if len(calls) == 2:  # half the photo is in the temporary file
            print("half-written", flush=True)
            time.sleep(60)
        return real_write(descriptor, chunk)

    photos.os.write = slow_write
    photos.WRITE_CHUNK_BYTES = 64 * 1024
    url, data_dir, plate_id, version, actor_id = sys.argv[1:]
    actor = Actor(int(actor_id), "volunteer", Role.VOLUNTEER)
    data = open(os.path.join(data_dir, "upload.jpg"), "rb").read()
    attach_photo(
        make_engine(url), actor, int(plate_id), "uv254", data,
        expected_version=int(version), store=photos.PhotoStore(data_dir),
    )
    """
)


def test_a_killed_upload_leaves_no_row_and_no_half_photo(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    engine = make_engine(url)
    upgrade(engine)
    volunteer = make_actors(engine)[Role.VOLUNTEER]
    plate, _ = laid_out_plate(engine, volunteer)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "upload.jpg").write_bytes(plate_jpeg())
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _KILLED_UPLOAD,
            url,
            str(data_dir),
            str(plate.id),
            str(plate.version),
            str(volunteer.id),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "half-written"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    store = PhotoStore(data_dir)
    leftovers = [p for p in store.root.rglob("*") if p.is_file()]
    assert len(leftovers) == 1 and leftovers[0].name.endswith(".part")
    assert 0 < leftovers[0].stat().st_size < len(plate_jpeg())
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(PlatePhoto)) == 0
    assert store.clean_partial_uploads(min_age_s=3600) == []
    assert store.clean_partial_uploads(min_age_s=0) == leftovers
    assert not [p for p in store.root.rglob("*") if p.is_file()]
    engine.dispose()
