"""Semi-quantitation: a calibration line, refusal to extrapolate, purity only with an amount."""

from __future__ import annotations

from pathlib import Path

import pytest

from labsys.errors import ValidationError
from labsys.tlc.calibrate import estimate_amount, fit_calibration, plate_calibrations, purity_band
from labsys.tlc.identify import identify
from labsys.tlc.layout import parse_layout
from labsys.tlc.references import load_library
from labsys.tlc.simulate import SpotSpec, plate_from_spots

LINE = [(2.0, 2.0), (5.0, 5.1), (10.0, 9.9)]


def test_fit_recovers_a_straight_line() -> None:
    calibration = fit_calibration("cocaine", LINE)
    assert calibration.slope == pytest.approx(0.99, abs=0.02)
    assert calibration.r_squared > 0.99
    assert calibration.range_ug == (2.0, 10.0)


def test_reading_inside_and_just_outside_the_range() -> None:
    calibration = fit_calibration("cocaine", LINE)
    inside = estimate_amount(calibration, 7.0)
    assert inside.amount_ug == pytest.approx(7.0, abs=0.3)
    assert "within the calibrated range 2-10 µg" in inside.note
    edge = estimate_amount(calibration, 11.5)
    assert edge.amount_ug is not None and "slightly outside" in edge.note


@pytest.mark.parametrize(("intensity", "words"), [(20.0, "above"), (1.0, "below")])
def test_far_outside_the_range_is_refused(intensity: float, words: str) -> None:
    estimate = estimate_amount(fit_calibration("cocaine", LINE), intensity)
    assert estimate.refused
    assert estimate.note.startswith(f"{words} the calibrated range")


def test_calibration_needs_two_amounts_and_a_rising_line() -> None:
    with pytest.raises(ValidationError, match="two or more different amounts"):
        fit_calibration("cocaine", [(5.0, 1.0), (5.0, 1.2)])
    with pytest.raises(ValidationError, match="does not increase"):
        fit_calibration("cocaine", [(2.0, 5.0), (10.0, 1.0)])


def test_purity_band_only_with_the_spotted_amount() -> None:
    estimate = estimate_amount(fit_calibration("cocaine", LINE), 7.0)
    assert purity_band(estimate, None) is None
    assert purity_band(estimate, 40.0) == "low"
    assert purity_band(estimate, 14.0) == "medium"
    assert purity_band(estimate, 8.0) == "high"
    refused = estimate_amount(fit_calibration("cocaine", LINE), 50.0)
    assert purity_band(refused, 10.0) is None


def test_plate_calibrations_use_references_at_several_amounts() -> None:
    library = load_library(Path(__file__).resolve().parents[2] / "reference_spectra")
    layout = parse_layout(
        {
            "plate_id": "Q1",
            "system": "TA",
            "development_distance_mm": 80,
            "date": "2026-11-20",
            "visualisations": ["uv254"],
            "lanes": [
                {"index": 0, "sample_code": "S1"},
                {"index": 1, "reference": {"substance": "cocaine", "amount_ug": 2}},
                {"index": 2, "reference": {"substance": "cocaine", "amount_ug": 10}},
                {"index": 3, "reference": {"substance": "caffeine", "amount_ug": 5}},
            ],
        }
    )
    analysis = plate_from_spots(
        [
            [SpotSpec(45, intensity=6)],
            [SpotSpec(45, intensity=2)],
            [SpotSpec(46, intensity=10)],
            [SpotSpec(30)],
        ]
    )
    calibrations = plate_calibrations(identify({"uv254": analysis}, layout, library))
    assert set(calibrations) == {"cocaine"}
    assert calibrations["cocaine"].slope == pytest.approx(1.0)
