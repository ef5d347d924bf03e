"""Corrected Rf: bracketing interpolation, and robustness to one misread reference."""

import pytest

from labsys.tlc.rfc import Anchor, RfCorrection

TA = [("atropine", 18), ("codeine", 33), ("chlorprothixene", 56), ("diazepam", 75)]


def _correction(measured: list[float]) -> RfCorrection:
    anchors = [Anchor(name, m, listed) for (name, listed), m in zip(TA, measured, strict=True)]
    correction = RfCorrection.from_anchors(anchors)
    assert correction is not None
    return correction


def test_bracketing_interpolation_as_in_clarkes_systems() -> None:
    correction = _correction([16, 30, 52, 72])
    assert correction.corrected(41) == pytest.approx(33 + (41 - 30) * (56 - 33) / (52 - 30))


def test_one_misread_reference_does_not_discard_the_good_ones() -> None:
    """Atropine misread high (60): codeine, chlorprothixene and diazepam still anchor the plate."""
    correction = _correction([60, 30, 52, 70])
    assert [a.substance for a in correction.anchors] == ["codeine", "chlorprothixene", "diazepam"]
    assert correction.corrected(41) == pytest.approx(33 + (41 - 30) * (56 - 33) / (52 - 30))


def test_corrected_values_stay_on_the_plate() -> None:
    correction = _correction([25, 40, 60, 80])
    assert correction.corrected(2) == 0.0
    assert correction.corrected(99) <= 100.0
