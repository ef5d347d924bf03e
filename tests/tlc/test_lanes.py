"""Lane centres from evidence profiles: uneven spacing, a known count, empty lanes."""

from __future__ import annotations

import numpy as np

from labsys.tlc.lanes import find_lanes


def _profile(centres: list[float], width: int = 400, height: float = 3.0) -> np.ndarray:
    x = np.arange(width)
    return sum(height * np.exp(-((x - c) ** 2) / (2 * 6.0**2)) for c in centres)


def test_uneven_lanes_found_where_they_are() -> None:
    truth = [50.0, 115.0, 170.0, 240.0, 330.0]
    found = find_lanes(_profile(truth), threshold=1.0)
    assert np.allclose(found, truth, atol=1)


def test_known_count_takes_the_strongest() -> None:
    profile = _profile([60.0, 200.0, 340.0]) + _profile([130.0], height=1.2)
    assert len(find_lanes(profile, threshold=1.0)) == 4
    found = find_lanes(profile, threshold=1.0, count=3)
    assert np.allclose(found, [60, 200, 340], atol=1)


def test_known_count_places_empty_lanes_on_the_grid() -> None:
    found = find_lanes(_profile([80.0, 160.0, 320.0]), threshold=1.0, count=4)
    assert len(found) == 4
    assert np.allclose(found, [80, 160, 240, 320], atol=8)


def test_no_evidence() -> None:
    flat = np.zeros(300)
    assert len(find_lanes(flat, threshold=1.0)) == 0
    assert np.allclose(find_lanes(flat, threshold=1.0, count=2), [100, 200], atol=2)


def test_a_faint_mark_at_the_rim_does_not_shift_the_grid() -> None:
    """Five lanes with equal margins, the last one empty, and a faint stain near the left rim:
    the empty lane stays on the right, where the grid's equal margins put it."""
    lanes = [79.0, 142.0, 207.0, 264.0]
    profile = _profile(lanes) + _profile([32.0], height=1.3)
    found = find_lanes(profile, threshold=1.0, count=5)
    assert np.allclose(found[:4], lanes, atol=1)
    assert abs(found[4] - 330) < 15


def test_known_count_of_close_lanes_off_centre() -> None:
    """Two lanes a tenth of the plate apart, left of centre: the grid may be that tight."""
    found = find_lanes(_profile([150.0, 187.0]), threshold=1.0, count=2)
    assert np.allclose(found, [150, 187], atol=1)


def test_a_single_lane_sits_on_its_own_material() -> None:
    """One lane, with stains left and right of it: each peak is capped to count lanes, not loads,
    so among equally supported peaks the lane takes the one nearest the plate's middle."""
    profile = _profile([330.0], width=700, height=100.0) + _profile([173.0, 634.0], width=700)
    assert np.allclose(find_lanes(profile, threshold=1.0, count=1), [330], atol=1)
    # A heavily marked rim far from the middle loses to the lane near it just the same.
    rim = _profile([237.0], width=466, height=8.0) + _profile([459.0], width=466, height=90.0)
    assert np.allclose(find_lanes(rim, threshold=1.0, count=1), [237], atol=1)
