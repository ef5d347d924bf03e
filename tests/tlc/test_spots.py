"""Spots: close pairs split, bright and coloured spots, residue at the origin."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage as ndi

from labsys.tlc import analyse_plate
from tests.tlc.drawn_plates import (
    WHITE_LAYER,
    DrawnPlate,
    DrawnSpot,
    analyse,
    photograph,
    render_drawn_plate,
    rfs,
    standard_plate,
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


def test_close_pair_of_saturated_spots_is_split() -> None:
    # Both cores saturate the strongest contrast across the lane, so only the mean across the
    # lane (the pair narrows at its waist) shows the valley between them.
    spots = [
        DrawnSpot(lane=1, rf=0.30, strength=1.0),
        DrawnSpot(lane=1, rf=0.35, strength=0.6),
        DrawnSpot(lane=2, rf=0.7),
    ]
    analysis = analyse(spots=spots)
    assert rfs(analysis) == [[], [0.3, 0.35], [0.7]]


def test_faint_spots_on_a_clean_layer_are_found() -> None:
    # Peak contrast about 0.045 (quenching) and 0.03 (blue): faint, but far above the noise.
    spots = [
        DrawnSpot(lane=0, rf=0.5, strength=0.07),
        DrawnSpot(lane=1, rf=0.3, strength=0.07, colour=(0.2, 0.2, 0.6)),
        DrawnSpot(lane=2, rf=0.6),
    ]
    analysis = analyse(spots=spots)
    assert rfs(analysis) == [[0.5], [0.3], [0.6]]


def _smeared_below_a_spot(
    plate: DrawnPlate, seed: int, texture: float, mottle: float, strength: float, spread: float
) -> np.ndarray:
    """Photo of ``plate`` (rendered with ``seed``) whose spot at Rf 0.6 in lane 1 is overloaded
    and smears down to the origin: a smear ``spread`` (variance, px²) wide, mottled by a texture
    of ``texture`` px, each bump ``mottle`` of the smear's ``strength``."""
    image = render_drawn_plate(plate, np.random.default_rng(seed))
    rows, cols = np.mgrid[0 : plate.height, 0 : plate.width]
    noise = ndi.gaussian_filter(np.random.default_rng(seed + 10).normal(size=rows.shape), texture)
    bumps = np.clip(1.0 + mottle * noise / noise.std(), 0.0, None)
    below = (rows > plate.spot_y(0.6)) & (rows < plate.origin_y)
    smear = strength * np.exp(-((cols - plate.centres()[0]) ** 2) / spread) * below * bumps
    image = image * (1 - smear[..., None]) + 0.25 * np.array(plate.layer) * smear[..., None]
    return photograph(np.clip(image, 0, 1), angle=3)[0]


@pytest.mark.parametrize(
    ("grain", "texture", "mottle", "strength", "spread"),
    [
        pytest.param(0.01, 3.0, 0.25, 0.3, 50.0, id="strong-smear-clean-layer"),
        # Averaged over a spot's size, a faint smear's mottle stands out of a grainy layer's
        # noise, but it rises from the smear, not from bare layer.
        pytest.param(0.03, 6.0, 0.6, 0.1, 200.0, id="faint-smear-grainy-layer"),
    ],
)
def test_mottled_smear_below_a_spot_makes_no_spots(
    grain: float, texture: float, mottle: float, strength: float, spread: float
) -> None:
    # The smear's mottled texture has bumps of its own, which must not be read as spots.
    plate = standard_plate(
        spots=[DrawnSpot(lane=0, rf=0.6, strength=0.9), DrawnSpot(lane=2, rf=0.4)], grain=grain
    )
    photo = _smeared_below_a_spot(plate, 1, texture, mottle, strength, spread)
    assert rfs(analyse_plate(photo, lanes=3)) == [[0.6], [], [0.4]]


def test_spot_on_an_overloaded_lanes_smear_is_found() -> None:
    # The smear covers most of the lane, so the densitogram's spread about its median is the smear,
    # not noise; the spot on it must still count.
    overloaded = DrawnSpot(lane=0, rf=0.85, strength=1.0, radius=12)
    plate = standard_plate(
        spots=[overloaded, DrawnSpot(lane=0, rf=0.35, strength=0.3), DrawnSpot(lane=2, rf=0.4)]
    )
    image = render_drawn_plate(plate)
    rows, cols = np.mgrid[0 : plate.height, 0 : plate.width]
    top = plate.spot_y(overloaded.rf)
    reach = np.clip((plate.origin_y - rows) / (plate.origin_y - top), 0.0, 1.0)
    below = (rows > top) & (rows < plate.origin_y)
    across = np.exp(-((cols - plate.centres()[0]) ** 2) / 128.0)
    smear = 0.4 * (0.3 + 0.7 * reach) * across * below
    image = image * (1 - smear[..., None]) + 0.25 * np.array(plate.layer) * smear[..., None]
    photo, _ = photograph(np.clip(image, 0, 1), angle=3)
    found = rfs(analyse_plate(photo, lanes=3))
    assert found[1:] == [[], [0.4]]
    assert found[0][0] == 0.35 and abs(found[0][1] - 0.85) <= 0.01


def test_broad_faint_shadow_is_not_a_spot() -> None:
    # A soft shadow about as dark as a faint spot, but broader than any spot, over lane 0; a faint
    # spot of ordinary size in lane 1 still counts.
    plate = standard_plate(
        spots=[DrawnSpot(lane=1, rf=0.3, strength=0.07), DrawnSpot(lane=2, rf=0.6)]
    )
    image = render_drawn_plate(plate)
    rows, cols = np.mgrid[0 : plate.height, 0 : plate.width]
    distance = (cols - plate.centres()[0]) ** 2 + (rows - plate.spot_y(0.5)) ** 2
    shadow = 0.12 * np.exp(-distance / (2 * 27.0**2))
    photo, _ = photograph(image * (1 - shadow[..., None]), angle=3)
    assert rfs(analyse_plate(photo, lanes=3)) == [[], [0.3], [0.6]]


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
