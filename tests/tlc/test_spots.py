"""Spots: close pairs split, bright and coloured spots, residue at the origin."""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi

from labsys.tlc import analyse_plate
from tests.tlc.drawn_plates import (
    WHITE_LAYER,
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


def test_mottled_smear_below_a_spot_makes_no_spots() -> None:
    # An overloaded spot smears down to the origin; the smear's mottled texture has bumps of a
    # quarter of its strength, which must not be read as spots.
    plate = standard_plate(
        spots=[DrawnSpot(lane=0, rf=0.6, strength=0.9), DrawnSpot(lane=2, rf=0.4)]
    )
    image = render_drawn_plate(plate)
    rows, cols = np.mgrid[0 : plate.height, 0 : plate.width]
    texture = ndi.gaussian_filter(np.random.default_rng(1).normal(size=rows.shape), 3.0)
    mottle = np.clip(1.0 + 0.25 * texture / texture.std(), 0.0, None)
    below = (rows > plate.spot_y(0.6)) & (rows < plate.origin_y)
    smear = 0.3 * np.exp(-((cols - plate.centres()[0]) ** 2) / 50.0) * below * mottle
    image = image * (1 - smear[..., None]) + 0.25 * np.array(plate.layer) * smear[..., None]
    photo, _ = photograph(np.clip(image, 0, 1), angle=3)
    assert rfs(analyse_plate(photo, lanes=3)) == [[0.6], [], [0.4]]


def test_bumps_of_a_faint_smear_on_a_grainy_layer_are_no_spots() -> None:
    # Averaged over a spot's size, the mottle of a faint smear below an overloaded spot stands
    # out of a grainy layer's noise, but it rises from the smear, not from bare layer.
    plate = standard_plate(
        spots=[DrawnSpot(lane=0, rf=0.6, strength=0.9), DrawnSpot(lane=2, rf=0.4)], grain=0.03
    )
    image = render_drawn_plate(plate, np.random.default_rng(1))
    rows, cols = np.mgrid[0 : plate.height, 0 : plate.width]
    texture = ndi.gaussian_filter(np.random.default_rng(11).normal(size=rows.shape), 6.0)
    mottle = np.clip(1.0 + 0.6 * texture / texture.std(), 0.0, None)
    below = (rows > plate.spot_y(0.6)) & (rows < plate.origin_y)
    smear = 0.1 * np.exp(-((cols - plate.centres()[0]) ** 2) / 200.0) * below * mottle
    image = image * (1 - smear[..., None]) + 0.25 * np.array(plate.layer) * smear[..., None]
    photo, _ = photograph(np.clip(image, 0, 1), angle=3)
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
