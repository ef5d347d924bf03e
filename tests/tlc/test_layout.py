"""Plate layouts validate every field and round-trip through JSON."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from labsys.errors import ValidationError
from labsys.tlc.layout import load_layout, parse_layout, save_layout
from labsys.tlc.references import ReferenceLibrary, load_library

LIBRARY = Path(__file__).resolve().parents[2] / "reference_spectra"


@pytest.fixture(scope="module")
def library() -> ReferenceLibrary:
    return load_library(LIBRARY)


def _layout(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "plate_id": "P-2026-001",
        "system": "TA",
        "plate_type": "silica gel 60 F254",
        "lot": "HX123",
        "development_distance_mm": 80,
        "date": "2026-11-20",
        "visualisations": ["uv254", "uv366", "iodoplatinate"],
        "lanes": [
            {"index": 0, "sample_code": "K7M2Q", "spotted_amount_ug": 20},
            {"index": 1, "reference": {"substance": "Codeine", "amount_ug": 5}},
            {"index": 2, "sample_code": "R4T9W"},
        ],
    }
    data.update(changes)
    return data


def test_valid_layout_resolves_substance_names(library: ReferenceLibrary) -> None:
    layout = parse_layout(_layout(), library)
    assert layout.lane(1).reference.substance == "codeine"
    assert layout.lane(0).sample_code == "K7M2Q"
    assert layout.lane_count == 3 and layout.lane(5) is None


def test_json_round_trip(tmp_path: Path, library: ReferenceLibrary) -> None:
    layout = parse_layout(_layout(), library)
    path = tmp_path / "plate.json"
    save_layout(layout, path)
    assert load_layout(path, library) == layout


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"system": "XX"}, "system: unknown solvent system"),
        ({"development_distance_mm": -5}, "development_distance_mm:"),
        ({"date": (date.today() + timedelta(days=3)).isoformat()}, "date: is in the future"),
        ({"date": "1890-01-01"}, "date: is before 1950"),
        ({"visualisations": ["uv254", "uv254"]}, "visualisations: a visualisation is listed twice"),
        ({"visualisations": ["UV 254"]}, "visualisations:"),
        (
            {"lanes": [{"index": 0, "sample_code": "A"}, {"index": 0, "sample_code": "B"}]},
            "lanes: lane 0 is assigned twice",
        ),
        (
            {"lanes": [{"index": 0, "reference": {"substance": "codeine", "amount_ug": -1}}]},
            "lanes.0.reference.amount_ug:",
        ),
        (
            {"lanes": [{"index": 0, "reference": {"substance": "unobtainium", "amount_ug": 1}}]},
            "lanes.0.reference.substance: 'unobtainium' is not in the reference library",
        ),
        ({"lanes": [{"index": 0}]}, "lanes.0: give either sample_code or reference"),
        ({"lanes": []}, "lanes:"),
    ],
)
def test_invalid_layouts_name_the_field(
    changes: dict[str, Any], field: str, library: ReferenceLibrary
) -> None:
    with pytest.raises(ValidationError) as error:
        parse_layout(_layout(**changes), library)
    assert str(error.value).startswith(field)


def test_unreadable_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"broken\.json: cannot be read as JSON"):
        load_layout(path)
