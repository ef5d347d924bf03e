"""Spots: close pairs split, bright and coloured spots, pencil rings, residue at the origin."""

from __future__ import annotations

import numpy as np

from labsys.tlc import analyse_plate
from labsys.tlc.layer import contrast
from labsys.tlc.lines import find_lines, stroke_size
from labsys.tlc.results import PlateAnalysis
from labsys.tlc.spots import find_rings
from tests.tlc.drawn_plates import (
    WHITE_LAYER,
    DrawnSpot,
    photograph,
    render_drawn_plate,
    standard_plate,
)


def _analyse(**overrides: object) -> PlateAnalysis:
    photo, _ = photograph(render_drawn_plate(standard_plate(**overrides)), angle=3)
    return analyse_plate(photo, lanes=3)


def _rfs(analysis: PlateAnalysis) -> list[list[float]]:
    return [[round(spot.rf, 2) for spot in lane.spots] for lane in analysis.lanes]


def test_close_spots_are_split_with_accurate_rf() -> None:
    analysis = _analyse()
    assert _rfs(analysis) == [[0.4], [0.3, 0.36], [0.7]]
    errors = [
        abs(spot.rf - truth)
        for spot, truth in zip(
            [s for lane in analysis.lanes for s in lane.spots], [0.4, 0.3, 0.36, 0.7], strict=True
        )
    ]
    assert max(errors) < 0.006


def test_bright_fluorescent_spot() -> None:
    spots = [DrawnSpot(lane=0, rf=0.5, bright=True), DrawnSpot(lane=2, rf=0.2)]
    analysis = _analyse(spots=spots)
    assert _rfs(analysis) == [[0.5], [], [0.2]]
    assert analysis.lanes[0].spots[0].appearance == "bright"
    assert analysis.lanes[2].spots[0].appearance == "dark"


def test_coloured_spots_on_white_layer() -> None:
    spots = [
        DrawnSpot(lane=0, rf=0.6, colour=(0.95, 0.85, 0.15)),
        DrawnSpot(lane=1, rf=0.45, colour=(0.15, 0.35, 0.85)),
        DrawnSpot(lane=2, rf=0.25, colour=(0.85, 0.15, 0.15)),
    ]
    analysis = _analyse(layer=WHITE_LAYER, spots=spots)
    assert _rfs(analysis) == [[0.6], [0.45], [0.25]]
    red = analysis.lanes[2].spots[0].colour
    assert red[0] > red[1] + 40


def test_pencil_rings_are_the_spots() -> None:
    spots = [DrawnSpot(lane=0, rf=0.55), DrawnSpot(lane=1, rf=0.2), DrawnSpot(lane=2, rf=0.8)]
    analysis = _analyse(layer=WHITE_LAYER, rings=True, show_spots=False, spots=spots)
    assert _rfs(analysis) == [[0.55], [0.2], [0.8]]
    assert analysis.background == "daylight"


def test_residue_at_origin_is_flagged_not_a_spot() -> None:
    spots = [DrawnSpot(lane=0, rf=0.0, strength=0.6), DrawnSpot(lane=0, rf=0.5)]
    analysis = _analyse(spots=spots)
    assert analysis.lanes[0].origin_residue
    assert _rfs(analysis)[0] == [0.5]


def test_densitogram_runs_origin_to_front() -> None:
    analysis = _analyse()
    profile = analysis.lanes[2].profile
    assert len(profile) > 100
    assert abs(np.argmax(profile) / len(profile) - 0.7) < 0.03


def test_pencil_ring_with_a_gap_is_a_spot() -> None:
    """A ring drawn in one go that does not quite close (gaps as wide as a stroke is thick) still
    marks its spot, centred where it was drawn; here the gap is cut through both sides."""
    plate = standard_plate(
        layer=WHITE_LAYER, rings=True, show_spots=False, spots=[DrawnSpot(lane=1, rf=0.5)]
    )
    image = render_drawn_plate(plate)
    centre_x, centre_y = plate.centres()[1], plate.spot_y(0.5)
    gap = stroke_size(max(plate.width, plate.height))
    image[round(centre_y) - 30 : round(centre_y) + 30, round(centre_x) : round(centre_x) + gap] = (
        WHITE_LAYER
    )
    darkness = contrast(image).darkness
    origin, front, _ = find_lines(darkness)
    rings = find_rings(darkness, origin, front, max(plate.width, plate.height))
    assert len(rings) == 1
    assert abs(rings[0].x - centre_x) < 2 and abs(rings[0].y - centre_y) < 2
