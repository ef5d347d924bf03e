"""Origin and front: pencil lines, tilted lines, edge ticks, refusals naming what is missing."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage as ndi

from labsys.errors import PlateNotFound
from labsys.tlc import analyse_plate
from labsys.tlc.layer import contrast
from labsys.tlc.lines import find_lines
from labsys.tlc.synthetic import render_unusable
from tests.tlc.drawn_plates import (
    WHITE_LAYER,
    DrawnSpot,
    _hline,
    render_drawn_plate,
    standard_plate,
)


def _darkness(**overrides: object) -> np.ndarray:
    return contrast(render_drawn_plate(standard_plate(**overrides))).darkness


def test_lines_found_to_subpixel() -> None:
    origin, front, warnings = find_lines(_darkness())
    assert origin.source == front.source == "line"
    assert abs(origin.y - 440) < 0.5
    assert abs(front.y - 70) < 0.5
    assert warnings == []


def _tilted_origin(slope: float) -> np.ndarray:
    """Darkness of the standard plate with its origin drawn at ``slope`` about the middle."""
    image = render_drawn_plate(standard_plate(origin_line=False))
    for x in range(10, 290):
        y = round(440 + slope * (x - 149.5))
        image[y - 1 : y + 2, x] *= 0.55
    return contrast(image).darkness


def test_tilted_line_gets_its_slope() -> None:
    origin, _, _ = find_lines(_tilted_origin(0.03))
    assert abs(origin.slope - 0.03) < 0.006
    assert abs(float(origin.y_at(20)) - (440 + 0.03 * (20 - 149.5))) < 1.5


def test_an_origin_sheared_by_a_hidden_corner_is_found() -> None:
    """A pen over one corner puts the plate's found corner a few percent off, which tilts the
    rectified origin by some 5° while the front, far from that corner, stays level."""
    origin, front, _ = find_lines(_tilted_origin(0.085))
    assert abs(origin.slope - 0.085) < 0.006
    assert abs(float(origin.y_at(20)) - (440 + 0.085 * (20 - 149.5))) < 1.5
    assert abs(front.y - 70) < 0.5


def test_front_from_edge_ticks_warns() -> None:
    _, front, warnings = find_lines(_darkness(front_line=False, front_ticks=True))
    assert front.source == "ticks"
    assert abs(front.y - 70) < 1.0
    assert any("ticks" in warning for warning in warnings)


def test_short_faint_edge_ticks_mark_the_origin() -> None:
    """Faint ticks 2.5 % of the plate long, on a grainy layer, are enough for an origin: they are
    measured over their own length, not diluted over a strip reaching into the layer."""
    plate = standard_plate(origin_line=False, line_darkness=0.25)
    image = render_drawn_plate(plate)
    image += np.random.default_rng(1).normal(0, 0.06, image.shape)
    length = round(0.025 * max(plate.width, plate.height))
    _hline(image, plate.origin_y, 0, length, plate.line_darkness)
    _hline(image, plate.origin_y, plate.width - length, plate.width, plate.line_darkness)
    origin, _, _ = find_lines(contrast(image).darkness)
    assert origin.source == "ticks"
    assert abs(origin.y - plate.origin_y) < 1.0


def test_front_ticks_a_little_inside_the_edges_mark_the_front() -> None:
    """Ticks drawn from a few millimetres inside each edge (rather than from the edge itself)
    still mark the front where nothing else does."""
    plate = standard_plate(front_line=False)
    image = render_drawn_plate(plate)
    inset, length = 14, round(0.025 * max(plate.width, plate.height))
    _hline(image, plate.front_y, inset, inset + length, plate.line_darkness)
    _hline(image, plate.front_y - 2, plate.width - inset - length, plate.width - inset, 0.45)
    _, front, _ = find_lines(contrast(image).darkness)
    assert front.source == "ticks"
    assert abs(front.y - (plate.front_y - 1)) < 1.0


def test_a_lane_near_the_edge_gives_no_ticks_inside_the_edge() -> None:
    """Strips a little inside the edges cross the smeared lanes spotted near them on a noisy dark
    layer; the texture there must not pair into an origin."""
    photo = render_unusable("no_origin", np.random.default_rng([26, 1_000_002, 3]))
    with pytest.raises(PlateNotFound):
        analyse_plate(photo.jpeg_bytes)


def test_spot_rows_and_rings_are_not_lines() -> None:
    origin, front, _ = find_lines(_darkness(layer=WHITE_LAYER, rings=True))
    assert abs(origin.y - 440) < 0.5 and abs(front.y - 70) < 0.5


def test_missing_front_is_refused() -> None:
    with pytest.raises(PlateNotFound, match="front"):
        find_lines(_darkness(front_line=False))


def test_blank_plate_is_refused_for_its_origin() -> None:
    with pytest.raises(PlateNotFound, match="origin"):
        find_lines(_darkness(front_line=False, origin_line=False, spots=[]))


def test_hints_replace_lines() -> None:
    origin, front, _ = find_lines(_darkness(front_line=False), origin_y=400.0, front_y=100.0)
    assert (origin.y, origin.source, front.y, front.source) == (400.0, "hint", 100.0, "hint")


UV366_LAYER = (0.22, 0.17, 0.5)


def test_lines_on_a_noisy_dark_layer_with_bright_spots_across_the_origin() -> None:
    """UV 366 nm: a dark layer, strong sensor noise, and fluorescent spots smeared across the
    origin in two of three lanes, under vignetting (the noise grows towards the corners); strips
    are averaged before the thin-mark filter, so the noise does not pile up into the line
    measure."""
    spots = [
        DrawnSpot(lane=0, rf=0.0, radius=18, strength=0.9, bright=True),
        DrawnSpot(lane=1, rf=0.02, radius=18, strength=0.9, bright=True),
        DrawnSpot(lane=2, rf=0.5),
    ]
    plate = standard_plate(layer=UV366_LAYER, spots=spots, origin_line=False, front_line=False)
    image = render_drawn_plate(plate)
    for y in (plate.origin_y, plate.front_y):  # graphite is darker than the glowing layer
        image[round(y) - 1 : round(y) + 2, 8:-8] *= 0.6
    yy, xx = np.mgrid[0 : plate.height, 0 : plate.width]
    vignette = 1 - 0.3 * (((yy - 250) / 250) ** 2 + ((xx - 150) / 150) ** 2)
    image = image * vignette[..., None] + np.random.default_rng(2).normal(0, 0.05, image.shape)
    origin, front, _ = find_lines(contrast(np.clip(image, 0, 1)).darkness)
    assert abs(origin.y - plate.origin_y) < 1.0
    assert abs(front.y - plate.front_y) < 1.0


def _with_rim(image: np.ndarray, width: int, fray: float = 0.0) -> np.ndarray:
    """The plate with a rim of bare backing ``width`` pixels wide on all four sides, frayed at
    the left and right by a smooth random ``fray`` (standard deviation, pixels)."""
    framed = image.copy()
    framed[:width] = framed[-width:] = 0.15
    rng = np.random.default_rng(4)
    for side in (slice(None), slice(None, None, -1)):
        wobble = ndi.gaussian_filter1d(rng.normal(size=image.shape[0]), 2.0)
        reach = np.round(width + fray * wobble / wobble.std()).astype(int)
        for row, columns in enumerate(reach):
            framed[row, side][:columns] = 0.15
    return framed


def test_edge_ticks_are_found_inside_a_rim_of_bare_backing() -> None:
    """A glass plate's bare, frayed rim runs along each side; the ticks start where the layer
    does, and the rim's columns are left out of the strips that measure them."""
    plate = standard_plate(origin_line=False, front_line=False)
    image = render_drawn_plate(plate)
    rim = 8
    for y in (plate.origin_y, plate.front_y):
        _hline(image, y, rim, rim + 14, plate.line_darkness)
        _hline(image, y, plate.width - rim - 14, plate.width - rim, plate.line_darkness)
    origin, front, _ = find_lines(contrast(_with_rim(image, rim, fray=1.5)).darkness)
    assert origin.source == front.source == "ticks"
    assert abs(origin.y - plate.origin_y) < 1.0
    assert abs(front.y - plate.front_y) < 1.0


def test_a_front_close_to_the_cut_edge_is_found() -> None:
    """A plate cut (or framed) just above its front: the line is near the image's edge but has
    layer beyond it, so it is no rim."""
    _, front, _ = find_lines(_darkness(front_y=9.0))
    assert abs(front.y - 9.0) < 0.5 and front.source == "line"


def test_a_rim_is_no_line() -> None:
    """The dark rim along a plate's edges is not taken for a front when none was marked."""
    image = render_drawn_plate(standard_plate(front_line=False))
    with pytest.raises(PlateNotFound, match="front"):
        find_lines(contrast(_with_rim(image, 4)).darkness)


def test_front_ticks_win_over_the_solvents_faint_trace() -> None:
    """Impurities leave a faint line where the solvent stopped, a little off the chemist's ticks;
    ticks much darker than that trace are the front as marked."""
    plate = standard_plate(front_line=False, front_ticks=True)
    image = render_drawn_plate(plate)
    _hline(image, plate.front_y - 4, 0, plate.width, 0.08)
    _, front, _ = find_lines(contrast(image).darkness)
    assert front.source == "ticks"
    assert abs(front.y - plate.front_y) < 1.0


@pytest.mark.parametrize("kind", ["no_front", "no_origin", "blank_plate"])
@pytest.mark.parametrize("index", [0, 1])
def test_unusable_rendered_plates_are_refused(kind: str, index: int) -> None:
    """Plates without a front or origin (but with spots, smears, labels, notes, rims, noise) are
    refused: no line is invented from what else is on the plate."""
    photo = render_unusable(kind, np.random.default_rng([21, 7, index]), megapixels=1.0)  # type: ignore[arg-type]
    with pytest.raises(PlateNotFound):
        analyse_plate(photo.jpeg_bytes)


@pytest.mark.parametrize(
    ("kind", "seed"), [("no_front", [21, 1_000_001, 6]), ("no_origin", [21, 1_000_002, 8])]
)
def test_faint_grain_at_both_edges_is_no_tick_pair(kind: str, seed: list[int]) -> None:
    """Where a line is missing, the frayed rim and grain at both edges can line up at one height
    at a darkness of 0.03; ticks that alone mark a line must be plainer than that."""
    photo = render_unusable(kind, np.random.default_rng(seed))  # type: ignore[arg-type]
    with pytest.raises(PlateNotFound):
        analyse_plate(photo.jpeg_bytes)


def test_a_rim_dark_and_bright_in_turn_is_no_origin() -> None:
    """A cut edge's shadow, its lit face and the background beyond it lie along the bottom; where
    one band turns into the next the rim passes the layer's level for a row, and that row is no
    layer: the rim's dark band is not taken for the (fainter) origin above it."""
    plate = standard_plate(line_darkness=0.2)
    image = render_drawn_plate(plate)
    image[-12:-9] = 0.3  # the edge's shadow
    image[-8:-2] = 1.0  # its lit face
    image[-1:] = 0.3  # the background
    origin, _, _ = find_lines(contrast(image).darkness)
    assert abs(origin.y - plate.origin_y) < 1.0
