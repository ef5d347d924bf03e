"""Origin and front: pencil lines, tilted lines, edge ticks, refusals naming what is missing."""

from __future__ import annotations

import numpy as np
import pytest

from labsys.errors import PlateNotFound
from labsys.tlc.layer import contrast
from labsys.tlc.lines import find_lines
from tests.tlc.drawn_plates import WHITE_LAYER, _hline, render_drawn_plate, standard_plate


def _darkness(**overrides: object) -> np.ndarray:
    return contrast(render_drawn_plate(standard_plate(**overrides))).darkness


def test_lines_found_to_subpixel() -> None:
    origin, front, warnings = find_lines(_darkness())
    assert origin.source == front.source == "line"
    assert abs(origin.y - 440) < 0.5
    assert abs(front.y - 70) < 0.5
    assert warnings == []


def test_tilted_line_gets_its_slope() -> None:
    image = render_drawn_plate(standard_plate(origin_line=False))
    for x in range(10, 290):
        y = round(440 + 0.03 * (x - 149.5))
        image[y - 1 : y + 2, x] *= 0.55
    origin, _, _ = find_lines(contrast(image).darkness)
    assert abs(origin.slope - 0.03) < 0.006
    assert abs(float(origin.y_at(20)) - (440 + 0.03 * (20 - 149.5))) < 1.5


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
