"""A photo's type is judged by its content: the name it arrives under does not matter."""

import io
from pathlib import Path

import pytest
from PIL import Image

from labsys.errors import ImageError
from labsys.storage.photos import check_photo
from labsys.tlc.imageio import load_image


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 180, 60)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.mark.parametrize("name", ["plate.png", "plate.tif", "plate.TIFF", "plate.heic"])
def test_a_jpeg_under_another_name_is_read_as_jpeg(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(_jpeg())
    assert load_image(path).shape == (48, 64, 3)
    assert check_photo(path.read_bytes()).format == "JPEG"


def test_a_real_heic_photo_gets_an_actionable_message(tmp_path: Path) -> None:
    # The start of an iPhone HEIC file: an ISO-BMFF 'ftyp' box with the 'heic' brand.
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200
    with pytest.raises(ImageError, match="Most Compatible"):
        check_photo(heic)
    (tmp_path / "IMG_0001.HEIC").write_bytes(heic)
    with pytest.raises(ImageError, match="HEIC"):
        load_image(tmp_path / "IMG_0001.HEIC")
