"""Pencil rings: on plates circled in pencil, the rings are the spots."""

from __future__ import annotations

import numpy as np

from labsys.tlc.layer import contrast
from labsys.tlc.lines import find_lines, stroke_size
from labsys.tlc.results import PlateLine
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


# A plate 60 x 100 mm photographed at 8 px/mm, as the analyser rectifies a phone photo.
WIDTH, HEIGHT = 480, 800
ORIGIN = PlateLine(y=720.0, source="line", x_centre=WIDTH / 2)
FRONT = PlateLine(y=80.0, source="line", x_centre=WIDTH / 2)


def _pencil_plate(
    rings: list[tuple[float, float, float, float]],
    *,
    sweep: float = 2 * np.pi,
    marks: list[tuple[float, float, float, float]] | None = None,
    stains: tuple[tuple[float, float, float], ...] = (),
) -> np.ndarray:
    """Darkness of a white plate with the origin and front ruled in pencil and hand-drawn rings
    (x, y, rx, ry), each started at the top and drawn through ``sweep`` radians; ``marks`` are
    further pencil-dark loops (handwriting, a stained spot's rim) drawn closed, over brown
    ``stains`` (x, y, radius)."""
    image = np.ones((HEIGHT, WIDTH, 3)) * np.array(WHITE_LAYER)
    rows, cols = np.mgrid[0:HEIGHT, 0:WIDTH]
    pencil = np.zeros((HEIGHT, WIDTH), dtype=bool)
    for line in (ORIGIN, FRONT):
        pencil |= (np.abs(rows - line.y) <= 1.5) & (cols > 10) & (cols < WIDTH - 10)
    loops = [(ring, sweep) for ring in rings] + [(mark, 2 * np.pi) for mark in marks or []]
    for (x, y, rx, ry), drawn in loops:
        across = np.hypot((cols - x) / rx, (rows - y) / ry)
        along = np.mod(np.arctan2(rows - y, cols - x) + np.pi / 2, 2 * np.pi)
        pencil |= (np.abs(across - 1) * np.sqrt(rx * ry) <= 1.5) & (along <= drawn)
    for x, y, radius in stains:
        inside = np.hypot(cols - x, rows - y) <= radius
        image[inside] = image[inside] * 0.6 + np.array([0.45, 0.3, 0.2]) * 0.4
    image[pencil] = image[pencil] * 0.55 + 0.3 * 0.45
    image += np.random.default_rng(1).normal(0, 0.01, image.shape)
    return contrast(np.clip(image, 0, 1)).darkness


def _assert_found(darkness: np.ndarray, drawn: list[tuple[float, float]]) -> None:
    """The rings found in ``darkness`` are those drawn, each centred within 2.5 px (Rf 0.004)."""
    found = [(ring.x, ring.y) for ring in find_rings(darkness, ORIGIN, FRONT, HEIGHT)]
    assert len(found) == len(drawn), found
    for true_x, true_y in drawn:
        assert min(np.hypot(x - true_x, y - true_y) for x, y in found) < 2.5, (found, drawn)


def test_crossing_rings_are_each_a_spot() -> None:
    """Close spots circled as rings drawn across one another: each ring is a spot at its own
    centre, and neither the lens between two rings nor the crescents are."""
    rings = [(150, 400, 40, 34), (160, 450, 36, 30), (330, 300, 38, 32), (330, 352, 38, 32)]
    _assert_found(_pencil_plate(rings), [(x, y) for x, y, _, _ in rings])


def test_touching_rings_are_each_a_spot_and_their_outline_is_not() -> None:
    """Four rings touching in a square leave a space between them outlined by their strokes, and
    an outline around all four: neither is a ring of its own."""
    rings = [(180, 350, 40, 40), (260, 350, 40, 40), (180, 430, 40, 40), (260, 430, 40, 40)]
    _assert_found(_pencil_plate(rings), [(x, y) for x, y, _, _ in rings])


def test_open_ring_is_a_spot() -> None:
    """A ring that stops a tenth of the way short of closing (a gap several strokes wide)."""
    rings = [(240, 400, 44, 36)]
    _assert_found(_pencil_plate(rings, sweep=0.9 * 2 * np.pi), [(240, 400)])


def test_ring_running_into_a_line_is_a_spot() -> None:
    """A ring around a spot near the origin runs into the origin line, which hides its stroke
    there; the rest of the ring still marks the spot."""
    rings = [(200, 690, 40, 32), (300, 110, 40, 32)]
    _assert_found(_pencil_plate(rings), [(200, 690), (300, 110)])


def test_handwriting_beside_the_lines_is_not_a_ring() -> None:
    """Loops of a note written just above the front and of lane labels just under the origin
    look like small rings, but no spot lies outside the lines."""
    marks = [(200, 57, 10, 11), (226, 57, 10, 11), (120, 743, 10, 11), (240, 743, 10, 11)]
    _assert_found(_pencil_plate([(240, 400, 40, 34)], marks=marks), [(240, 400)])


def test_dark_loop_inside_a_stained_spot_is_not_a_ring() -> None:
    """The darker rim of a stained spot's core can look like a small ring, but a pencil ring is
    drawn on the layer around a spot, not inside one."""
    darkness = _pencil_plate(
        [(150, 300, 40, 34)], marks=[(330, 500, 14, 14)], stains=[(330, 500, 34)]
    )
    _assert_found(darkness, [(150, 300)])
