"""The analyse command: JSON, table, overlay file, and errors propagating as LabsysError."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from PIL import Image

from labsys.errors import ImageError
from labsys.tlc.cli import add_analyse_command
from tests.tlc.drawn_plates import photograph, render_drawn_plate, standard_plate


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="labsys")
    add_analyse_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.handler(args)


@pytest.fixture(scope="module")
def photo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plates") / "plate.jpg"
    Image.fromarray(photograph(render_drawn_plate(standard_plate()))[0]).save(path, quality=90)
    return path


def test_json_and_overlay(photo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    overlay = tmp_path / "overlay.png"
    assert (
        _run(["analyse", str(photo_path), "--lanes", "3", "--json", "--overlay", str(overlay)]) == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert [len(lane["spots"]) for lane in result["lanes"]] == [1, 2, 1]
    assert 0 < result["lanes"][0]["spots"][0]["rf"] < 1
    assert Image.open(overlay).format == "PNG"


def test_table(photo_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert _run(["analyse", str(photo_path)]) == 0
    out = capsys.readouterr().out
    assert "origin" in out and "0.36" in out


def test_bad_image_raises(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_text("not a photo")
    with pytest.raises(ImageError):
        _run(["analyse", str(bad)])
