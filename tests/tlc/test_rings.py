"""Pencil rings: on plates circled in pencil, the rings are the spots."""

from __future__ import annotations

from labsys.tlc.layer import contrast
from labsys.tlc.lines import find_lines, stroke_size
from labsys.tlc.rings import find_rings
from tests.tlc.drawn_plates import (
    WHITE_LAYER,
    DrawnSpot,
    analyse,
    render_drawn_plate,
    rfs,
    standard_plate,
)


def test_pencil_rings_are_the_spots() -> None:
    spots = [DrawnSpot(lane=0, rf=0.55), DrawnSpot(lane=1, rf=0.2), DrawnSpot(lane=2, rf=0.8)]
    analysis = analyse(layer=WHITE_LAYER, rings=True, show_spots=False, spots=spots)
    assert rfs(analysis) == [[0.55], [0.2], [0.8]]
    assert analysis.background == "daylight"


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
