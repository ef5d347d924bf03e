"""What the plate pages show and how their inputs become a layout, without Streamlit."""

from __future__ import annotations

from datetime import date

import pytest

from labsys.errors import ValidationError
from labsys.plates.views import LaneChoice, lane_options, layout_from_form, parse_lane_centres
from labsys.samples.models import Sample
from labsys.tlc import analyse_plate
from labsys.tlc.results import PlateAnalysis
from tests.plates.plate_photos import library, plate_jpeg


def _form(lanes: list[LaneChoice], **overrides: object) -> dict[str, object]:
    form: dict[str, object] = {
        "label": "",
        "system": "TA",
        "plate_type": "",
        "lot": " L42 ",
        "development_distance_mm": 80.0,
        "developed_on": date(2026, 11, 20),
        "visualisations": ["uv254", "iodoplatinate"],
        "lanes": lanes,
        "library": library(),
    }
    return form | overrides


def test_form_becomes_a_layout_with_lanes_numbered_left_to_right() -> None:
    sample = Sample(code="7K3M-9QXR-T", sold_as="heroin")
    options = lane_options([sample], library())
    assert options[0] == "sample 7K3M-9QXR-T (heroin)"
    assert "reference codeine" in options
    layout = layout_from_form(
        **_form([LaneChoice(options[0], 40.0), LaneChoice("reference codeine", 5.0)])  # type: ignore[arg-type]
    )
    assert (layout.plate_id, layout.plate_type, layout.lot) == (
        "2026-11-20 TA",
        "silica gel 60 F254",
        "L42",
    )
    assert layout.lanes[0].sample_code == "7K3M-9QXR-T"
    assert layout.lanes[0].spotted_amount_ug == 40.0
    assert layout.lanes[1].reference is not None
    assert (layout.lanes[1].index, layout.lanes[1].reference.amount_ug) == (1, 5.0)


@pytest.mark.parametrize(
    ("lanes", "overrides", "message"),
    [
        ([], {}, "lanes: List should have at least 1 item"),
        ([LaneChoice("reference codeine")], {}, "lanes.0.reference.amount_ug"),
        ([LaneChoice("reference codeine", 5)], {"system": "XX"}, "unknown solvent system"),
        ([LaneChoice("reference codeine", 5)], {"visualisations": ["UV 254"]}, "lower-case"),
        (
            [LaneChoice("reference codeine", 5)],
            {"developed_on": date(2999, 1, 1)},
            "date: is in the future",
        ),
    ],
)
def test_form_mistakes_name_the_field(
    lanes: list[LaneChoice], overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        layout_from_form(**_form(lanes, **overrides))  # type: ignore[arg-type]


def test_lane_centres_are_typed_as_numbers() -> None:
    assert parse_lane_centres(" ") is None
    assert parse_lane_centres("300, 100; 200") == (100.0, 200.0, 300.0)
    with pytest.raises(ValidationError, match="numbers separated by commas"):
        parse_lane_centres("left, middle")
    with pytest.raises(ValidationError, match="never negative"):
        parse_lane_centres("-5, 10")


def test_stored_analysis_comes_back_for_identification() -> None:
    stored = analyse_plate(plate_jpeg(), lanes=3).to_dict()
    again = PlateAnalysis.from_dict(stored).to_dict()
    assert again["origin"] == stored["origin"] and again["front"] == stored["front"]
    for lane, lane_again in zip(stored["lanes"], again["lanes"], strict=True):
        assert lane["profile"] == lane_again["profile"]
        for spot, spot_again in zip(lane["spots"], lane_again["spots"], strict=True):
            assert spot_again["hrf"] == pytest.approx(spot["hrf"], abs=0.11)  # rounded twice
            assert {**spot_again, "hrf": 0} == {**spot, "hrf": 0}
