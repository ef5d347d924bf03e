"""Spots: close pairs split, bright and coloured spots, residue at the origin."""

from __future__ import annotations

import numpy as np

from tests.tlc.drawn_plates import (
    WHITE_LAYER,
    DrawnSpot,
    analyse,
    rfs,
)


def test_close_spots_are_split_with_accurate_rf() -> None:
    analysis = analyse()
    assert rfs(analysis) == [[0.4], [0.3, 0.36], [0.7]]
    errors = [
        abs(spot.rf - truth)
        for spot, truth in zip(
            [s for lane in analysis.lanes for s in lane.spots], [0.4, 0.3, 0.36, 0.7], strict=True
        )
    ]
    assert max(errors) < 0.006


def test_bright_fluorescent_spot() -> None:
    spots = [DrawnSpot(lane=0, rf=0.5, bright=True), DrawnSpot(lane=2, rf=0.2)]
    analysis = analyse(spots=spots)
    assert rfs(analysis) == [[0.5], [], [0.2]]
    assert analysis.lanes[0].spots[0].appearance == "bright"
    assert analysis.lanes[2].spots[0].appearance == "dark"


def test_coloured_spots_on_white_layer() -> None:
    spots = [
        DrawnSpot(lane=0, rf=0.6, colour=(0.95, 0.85, 0.15)),
        DrawnSpot(lane=1, rf=0.45, colour=(0.15, 0.35, 0.85)),
        DrawnSpot(lane=2, rf=0.25, colour=(0.85, 0.15, 0.15)),
    ]
    analysis = analyse(layer=WHITE_LAYER, spots=spots)
    assert rfs(analysis) == [[0.6], [0.45], [0.25]]
    red = analysis.lanes[2].spots[0].colour
    assert red[0] > red[1] + 40


def test_residue_at_origin_is_flagged_not_a_spot() -> None:
    spots = [DrawnSpot(lane=0, rf=0.0, strength=0.6), DrawnSpot(lane=0, rf=0.5)]
    analysis = analyse(spots=spots)
    assert analysis.lanes[0].origin_residue
    assert rfs(analysis)[0] == [0.5]


def test_densitogram_runs_origin_to_front() -> None:
    analysis = analyse()
    profile = analysis.lanes[2].profile
    assert len(profile) > 100
    assert abs(np.argmax(profile) / len(profile) - 0.7) < 0.03
