"""Result drafts: expected against found, for the cases services meet."""

from __future__ import annotations

from pathlib import Path

import pytest

from labsys.errors import NotFound
from labsys.results.categories import ResultCategory
from labsys.tlc.draft import TLC_CAVEAT, draft_result
from labsys.tlc.identify import PlateIdentification, identify
from labsys.tlc.layout import parse_layout
from labsys.tlc.references import ReferenceLibrary, load_library
from labsys.tlc.simulate import SpotSpec, plate_from_spots

# Where the references run on the simulated TA plate (atropine and diazepam give the RfC).
POSITIONS = {
    "atropine": 18,
    "diazepam": 75,
    "cocaine": 45,
    "levamisole": 64,
    "heroin": 45,
    "fentanyl": 64,
    "lidocaine": 46,
}


@pytest.fixture(scope="module")
def library() -> ReferenceLibrary:
    return load_library(Path(__file__).resolve().parents[2] / "reference_spectra")


def _plate(
    library: ReferenceLibrary,
    sample: list[SpotSpec],
    references: list[str],
    spotted_amount_ug: float | None = None,
) -> PlateIdentification:
    names = ["atropine", "diazepam", *references]
    layout = parse_layout(
        {
            "plate_id": "D1",
            "system": "TA",
            "development_distance_mm": 80,
            "date": "2026-11-20",
            "visualisations": ["uv254"],
            "lanes": [{"index": 0, "sample_code": "S1", "spotted_amount_ug": spotted_amount_ug}]
            + [
                {"index": i + 1, "reference": {"substance": name, "amount_ug": 5}}
                for i, name in enumerate(names)
            ],
        }
    )
    lanes = [sample] + [[SpotSpec(POSITIONS[name], intensity=5)] for name in names]
    return identify({"uv254": plate_from_spots(lanes)}, layout, library)


CASES = [
    (
        "cocaine with levamisole",
        "cocaine",
        [45, 64],
        ["cocaine", "levamisole"],
        ResultCategory.AS_EXPECTED_WITH_ADULTERANTS,
    ),
    (
        "heroin with fentanyl",
        "heroin",
        [45, 64],
        ["heroin", "fentanyl"],
        ResultCategory.AS_EXPECTED_WITH_ADULTERANTS,
    ),
    ("cocaine alone", "coke", [45], ["cocaine", "levamisole"], ResultCategory.AS_EXPECTED),
    ("nothing on the plate", "cocaine", [], ["cocaine"], ResultCategory.NOTHING_DETECTED),
    (
        "levamisole sold as cocaine",
        "cocaine",
        [64],
        ["cocaine", "levamisole"],
        ResultCategory.DIFFERENT_SUBSTANCE,
    ),
    (
        "cocaine or lidocaine",
        "cocaine",
        [45.5],
        ["cocaine", "lidocaine"],
        ResultCategory.INCONCLUSIVE,
    ),
    (
        "cocaine not co-spotted, no library value",
        "cocaine",
        [45],
        ["levamisole"],
        ResultCategory.INCONCLUSIVE,
    ),
    (
        "sold as something not in the library",
        "unobtainium",
        [45],
        ["cocaine"],
        ResultCategory.INCONCLUSIVE,
    ),
]


@pytest.mark.parametrize(
    ("sold_as", "spots", "references", "category"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_categories(
    library: ReferenceLibrary,
    sold_as: str,
    spots: list[float],
    references: list[str],
    category: ResultCategory,
) -> None:
    plate = _plate(library, [SpotSpec(hrf, intensity=5) for hrf in spots], references)
    draft = draft_result(plate, "S1", sold_as, library)
    assert draft.category is category, draft.to_dict()
    assert draft.caveat == TLC_CAVEAT


def test_fentanyl_finding_is_alarming_with_its_confidence(library: ReferenceLibrary) -> None:
    plate = _plate(library, [SpotSpec(45), SpotSpec(64)], ["heroin", "fentanyl"])
    draft = draft_result(plate, "S1", "heroin", library)
    fentanyl = next(f for f in draft.findings if f.substance == "fentanyl")
    assert fentanyl.alarming and not fentanyl.expected
    assert fentanyl.confidence.value in ("identified", "probable")
    assert draft.to_dict()["findings"][1]["alarming"] is True


def test_uncertain_result_asks_for_confirmation(library: ReferenceLibrary) -> None:
    plate = _plate(library, [SpotSpec(45.5)], ["cocaine", "lidocaine"])
    draft = draft_result(plate, "S1", "cocaine", library)
    assert draft.needs_confirmation
    assert draft.findings[0].substance is None
    assert "cannot tell apart" in draft.findings[0].description


def test_purity_band_comes_with_a_calibration_and_spotted_amount(
    library: ReferenceLibrary,
) -> None:
    names = ["atropine", "diazepam", "cocaine", "cocaine"]
    layout = parse_layout(
        {
            "plate_id": "D2",
            "system": "TA",
            "development_distance_mm": 80,
            "date": "2026-11-20",
            "visualisations": ["uv254"],
            "lanes": [{"index": 0, "sample_code": "S1", "spotted_amount_ug": 20}]
            + [
                {"index": i + 1, "reference": {"substance": name, "amount_ug": amount}}
                for i, (name, amount) in enumerate(zip(names, [5, 5, 5, 10], strict=True))
            ],
        }
    )
    lanes = [
        [SpotSpec(45, intensity=7)],
        [SpotSpec(18)],
        [SpotSpec(75)],
        [SpotSpec(45, intensity=5)],
        [SpotSpec(45, intensity=10)],
    ]
    plate = identify({"uv254": plate_from_spots(lanes)}, layout, library)
    (finding,) = draft_result(plate, "S1", "cocaine", library).findings
    assert finding.amount is not None and finding.amount.amount_ug == pytest.approx(7.0)
    assert finding.purity == "medium"


def test_unknown_sample_code_is_not_found(library: ReferenceLibrary) -> None:
    plate = _plate(library, [], ["cocaine"])
    with pytest.raises(NotFound):
        draft_result(plate, "NOPE", "cocaine", library)
