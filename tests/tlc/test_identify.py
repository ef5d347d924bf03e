"""Identification: co-spotted references first, RfC, cannot-tell-apart, unknown, opioid caution."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labsys.errors import ValidationError
from labsys.tlc.identify import PlateIdentification, SpotIdentification, Verdict, identify
from labsys.tlc.layout import parse_layout
from labsys.tlc.references import ReferenceLibrary, load_library
from labsys.tlc.rfc import Anchor, RfCorrection
from labsys.tlc.simulate import SpotSpec, plate_from_spots

LIBRARY = Path(__file__).resolve().parents[2] / "reference_spectra"
PURPLE = (110, 50, 120)


@pytest.fixture(scope="module")
def library() -> ReferenceLibrary:
    return load_library(LIBRARY)


def _identify(
    library: ReferenceLibrary,
    references: list[str],
    photos: dict[str, list[list[SpotSpec]]],
    system: str = "TA",
) -> PlateIdentification:
    """Lane 0 is the sample; lanes 1.. hold ``references`` in order."""
    layout = parse_layout(
        {
            "plate_id": "T1",
            "system": system,
            "development_distance_mm": 80,
            "date": "2026-11-20",
            "visualisations": list(photos),
            "lanes": [{"index": 0, "sample_code": "S1"}]
            + [
                {"index": i + 1, "reference": {"substance": name, "amount_ug": 5}}
                for i, name in enumerate(references)
            ],
        }
    )
    analyses = {name: plate_from_spots(lanes) for name, lanes in photos.items()}
    return identify(analyses, layout, library)


def _only_spot(result: PlateIdentification) -> SpotIdentification:
    (spot,) = result.lanes[0].spots
    return spot


def test_rfc_interpolates_between_bracketing_references() -> None:
    correction = RfCorrection.from_anchors(
        [Anchor("codeine", 30, 33), Anchor("chlorprothixene", 52, 56), Anchor("atropine", 16, 18)]
    )
    assert correction is not None
    assert correction.corrected(41) == pytest.approx(44.5)
    assert correction.on_plate(44.5) == pytest.approx(41)
    assert correction.corrected(23) == pytest.approx(25.5)
    assert correction.corrected(60) == pytest.approx(64)  # beyond: shifted like the last anchor
    assert correction.beyond(60) == pytest.approx(4)


def test_rfc_needs_two_consistent_anchors() -> None:
    assert RfCorrection.from_anchors([Anchor("codeine", 30, 33)]) is None
    crossed = RfCorrection.from_anchors(
        [Anchor("a", 30, 33), Anchor("b", 28, 56), Anchor("c", 70, 75)]
    )
    assert crossed is not None
    assert [a.substance for a in crossed.anchors] == ["a", "c"]


def test_cospotted_reference_wins_over_library(library: ReferenceLibrary) -> None:
    # cocaine has no library hRf in TA; codeine's library value (33) is 7 away from the spot.
    result = _identify(
        library,
        ["cocaine"],
        {"uv254": [[SpotSpec(40)], [SpotSpec(40.5)]]},
    )
    spot = _only_spot(result)
    assert spot.top.substance == "cocaine"
    assert spot.top.cospotted
    assert "same height as the cocaine reference on this plate (hRf 40 vs 40)" in spot.top.evidence
    assert "dark under UV 254 nm like the cocaine reference" in spot.top.evidence


def test_match_in_every_visualisation_is_identified(library: ReferenceLibrary) -> None:
    result = _identify(
        library,
        ["cocaine", "atropine", "diazepam"],
        {
            "uv254": [[SpotSpec(45)], [SpotSpec(45)], [SpotSpec(18)], [SpotSpec(75)]],
            "iodoplatinate": [[SpotSpec(45, colour=PURPLE)], [SpotSpec(45, colour=PURPLE)], [], []],
        },
    )
    spot = _only_spot(result)
    assert spot.verdict is Verdict.IDENTIFIED
    assert spot.top.score > 0.9
    assert result.correction is not None


def test_same_height_and_behaviour_cannot_be_told_apart(library: ReferenceLibrary) -> None:
    result = _identify(
        library,
        ["cocaine", "lidocaine"],
        {"uv254": [[SpotSpec(51)], [SpotSpec(50)], [SpotSpec(52)]]},
    )
    spot = _only_spot(result)
    assert spot.verdict is Verdict.CANNOT_TELL_APART
    assert set(spot.indistinguishable) == {"cocaine", "lidocaine"}
    assert "cannot tell apart" in spot.summary


def test_a_second_visualisation_tells_them_apart(library: ReferenceLibrary) -> None:
    result = _identify(
        library,
        ["cocaine", "lidocaine"],
        {
            "uv254": [[SpotSpec(45)], [SpotSpec(44)], [SpotSpec(46)]],
            "uv366": [[], [], [SpotSpec(46, "bright")]],
        },
    )
    spot = _only_spot(result)
    # Not seeing the fluorescence could still mean too little lidocaine: probable, not certain.
    assert spot.verdict is Verdict.PROBABLE
    assert spot.top.substance == "cocaine"
    lidocaine = next(c for c in spot.candidates if c.substance == "lidocaine")
    assert lidocaine.contradicted


def test_nothing_near_is_an_unknown_spot(library: ReferenceLibrary) -> None:
    result = _identify(library, [], {"uv254": [[SpotSpec(92)]]})
    spot = _only_spot(result)
    assert spot.verdict is Verdict.UNKNOWN
    assert spot.candidates == ()
    assert "unknown spot" in spot.summary
    assert any("neither show nor rule them out" in c for c in result.lanes[0].cautions)


def test_opioid_from_library_alone_is_never_identified(library: ReferenceLibrary) -> None:
    result = _identify(
        library,
        ["atropine", "diazepam"],
        {"uv254": [[SpotSpec(33)], [SpotSpec(18)], [SpotSpec(75)]]},
    )
    spot = _only_spot(result)
    assert spot.top.substance == "codeine"
    assert spot.verdict is not Verdict.IDENTIFIED
    assert any("co-spot it" in c for c in spot.cautions)


def test_plausible_opioid_stops_a_confident_other_answer(library: ReferenceLibrary) -> None:
    # The spot matches the cocaine reference, but codeine (library 33, no correction) is 7 away.
    result = _identify(library, ["cocaine"], {"uv254": [[SpotSpec(40)], [SpotSpec(40)]]})
    spot = _only_spot(result)
    assert spot.top.substance == "cocaine"
    assert spot.verdict is Verdict.PROBABLE
    assert any(c.startswith("codeine cannot be ruled out") for c in spot.cautions)


def test_spots_are_matched_across_photos_and_reported_as_json(library: ReferenceLibrary) -> None:
    result = _identify(
        library,
        ["cocaine"],
        {
            "uv254": [[SpotSpec(55), SpotSpec(80)], [SpotSpec(55)]],
            "uv366": [[SpotSpec(56, "bright")], [SpotSpec(55, "bright")]],
        },
    )
    spots = result.lanes[0].spots
    assert [round(s.hrf) for s in spots] == [56, 80]
    assert spots[0].band.response("uv366") == "bright"
    assert spots[1].band.response("uv366") == "none"
    data = json.loads(json.dumps(result.to_dict()))
    assert data["lanes"][0]["spots"][0]["seen"] == {"uv254": "dark", "uv366": "bright"}


def test_photo_not_in_layout_is_refused(library: ReferenceLibrary) -> None:
    layout = parse_layout(
        {
            "plate_id": "T1",
            "system": "TA",
            "development_distance_mm": 80,
            "date": "2026-11-20",
            "visualisations": ["uv254"],
            "lanes": [{"index": 0, "sample_code": "S1"}],
        }
    )
    with pytest.raises(
        ValidationError, match="dragendorff photographed but not in the plate layout"
    ):
        identify({"dragendorff": plate_from_spots([[]])}, layout, library)


def test_identify_command_prints_ranked_candidates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import labsys.tlc.identify_cli as identify_cli
    from labsys.cli import main

    photos = {
        "uv254": plate_from_spots([[SpotSpec(45)], [SpotSpec(45)]]),
        "uv366": plate_from_spots([[], []]),
    }
    by_path = {str(tmp_path / f"{name}.jpg"): analysis for name, analysis in photos.items()}
    monkeypatch.setattr(identify_cli, "analyse_plate", lambda path, lanes: by_path[str(path)])
    layout = tmp_path / "layout.json"
    layout.write_text(
        json.dumps(
            {
                "plate_id": "C1",
                "system": "TA",
                "development_distance_mm": 80,
                "date": "2026-11-20",
                "visualisations": ["uv254", "uv366"],
                "lanes": [
                    {"index": 0, "sample_code": "K7M2Q"},
                    {"index": 1, "reference": {"substance": "cocaine", "amount_ug": 5}},
                ],
            }
        ),
        encoding="utf-8",
    )
    photo_args = [str(tmp_path / "uv254.jpg"), f"uv366={tmp_path / 'uv366.jpg'}"]
    assert main(["identify", *photo_args, "--layout", str(layout)]) == 0
    text = capsys.readouterr().out
    assert "Lane 0: sample K7M2Q" in text
    assert "cocaine" in text and "same height as the cocaine reference" in text
    assert main(["identify", *photo_args, "--layout", str(layout), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["lanes"][0]["spots"][0]["candidates"][0]["substance"] == "cocaine"
    assert main(["identify", f"marquis={tmp_path / 'x.jpg'}", "--layout", str(layout)]) == 2
    assert "'marquis' is not in the layout" in capsys.readouterr().err


def test_reference_lane_without_a_spot_is_reported(library: ReferenceLibrary) -> None:
    result = _identify(
        library, ["codeine", "cocaine"], {"uv254": [[SpotSpec(40)], [SpotSpec(33)], []]}
    )
    assert "reference lane 2 (cocaine) shows no spot in any photo" in result.warnings
    assert "cocaine" not in result.references


def test_implausibly_spaced_references_put_the_lane_order_in_doubt(
    library: ReferenceLibrary,
) -> None:
    # codeine (listed 33) ran next to diazepam (75): a lane was read in the wrong place.
    result = _identify(
        library,
        ["cocaine", "atropine", "codeine"],
        {"uv254": [[SpotSpec(45)], [SpotSpec(45)], [SpotSpec(18)], [SpotSpec(74)]]},
    )
    assert any("check the lane order" in w for w in result.warnings)
    assert result.correction is None
    spot = _only_spot(result)
    assert spot.verdict is not Verdict.IDENTIFIED
    assert any("lane order of this plate is in doubt" in c for c in spot.cautions)


def test_lanes_placed_differently_in_two_photos_are_reported(library: ReferenceLibrary) -> None:
    uv254 = plate_from_spots([[SpotSpec(45)], [SpotSpec(45)], [SpotSpec(70)]])
    uv366 = plate_from_spots([[], [], [SpotSpec(70, "bright")]])
    uv366.lanes[1].centre_x = uv366.lanes[0].centre_x + 1.0
    layout = parse_layout(
        {
            "plate_id": "T2",
            "system": "TA",
            "development_distance_mm": 80,
            "date": "2026-11-20",
            "visualisations": ["uv254", "uv366"],
            "lanes": [
                {"index": 0, "sample_code": "S1"},
                {"index": 1, "reference": {"substance": "cocaine", "amount_ug": 5}},
                {"index": 2, "reference": {"substance": "lidocaine", "amount_ug": 5}},
            ],
        }
    )
    result = identify({"uv254": uv254, "uv366": uv366}, layout, library)
    assert (
        "lane(s) 1 sit elsewhere in the uv366 photo than in the uv254 photo: check the lane order"
        in result.warnings
    )
