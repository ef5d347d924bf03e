"""Realistic results give the prompts a counsellor needs, most urgent first."""

from __future__ import annotations

from typing import Any

import pytest

from labsys.counselling.knowledge import Referral
from labsys.counselling.rules import derive_category, select_prompts
from labsys.errors import ValidationError
from labsys.results.categories import ResultCategory as C


def keys(expected: str | None, found: list[str], **kwargs: Any) -> list[str]:
    return [p.key for p in select_prompts(expected, found, **kwargs).prompts]


def test_fentanyl_in_heroin_comes_first_and_offers_naloxone() -> None:
    result = select_prompts("heroin", ["heroin", "fentanyl"])
    assert result.category is C.AS_EXPECTED_WITH_ADULTERANTS
    first = result.prompts[0]
    assert first.key == "substances/fentanyl"
    assert first.referrals[0] is Referral.NALOXONE
    assert any("repeated doses" in risk for risk in first.risks)
    assert result.referrals[0] is Referral.NALOXONE
    assert result.prompts[-1].key == "general/any-result"


def test_nitazene_in_heroin_is_a_dangerous_find() -> None:
    assert keys("heroin", ["heroin", "isotonitazene"])[0] == "substances/nitazenes"


def test_an_opioid_where_none_was_expected_comes_before_everything() -> None:
    found = keys("cocaine", ["cocaine", "levamisole", "fentanyl"])
    assert found[:3] == [
        "mismatches/unexpected-opioid",
        "adulterants/levamisole",
        "substances/fentanyl",
    ]


def test_levamisole_in_cocaine_sends_fever_and_sore_throat_to_a_doctor() -> None:
    result = select_prompts("Cocaine", ["cocaine", "levamisole"])
    levamisole = result.prompts[0]
    assert levamisole.key == "adulterants/levamisole"
    assert Referral.DOCTOR in levamisole.referrals
    assert "sore throat" in levamisole.advice[0] and "doctor" in levamisole.advice[0]
    assert "70 %" in levamisole.text
    assert any("Drug Enforcement Administration" in source for source in levamisole.sources)
    assert "substances/cocaine" in [p.key for p in result.prompts]


def test_caffeine_in_speed() -> None:
    result = select_prompts("speed", ["amphetamine", "caffeine"])
    assert result.expected == "amphetamine"
    assert result.category is C.AS_EXPECTED_WITH_ADULTERANTS
    assert [p.key for p in result.prompts] == [
        "substances/amphetamine",
        "adulterants/caffeine",
        "general/any-result",
    ]


def test_high_purity_mdma_gets_high_dose_advice_before_the_substance() -> None:
    result = select_prompts("ecstasy", ["MDMA"], purity="high")
    assert result.category is C.AS_EXPECTED
    assert [p.key for p in result.prompts][:2] == ["purity/high", "substances/mdma"]
    assert "smaller amount" in result.prompts[0].advice[0]
    assert "redosing" in result.prompts[0].advice[1]


def test_pmma_sold_as_mdma() -> None:
    result = select_prompts("MDMA", ["PMMA"])
    assert result.category is C.DIFFERENT_SUBSTANCE
    assert [p.key for p in result.prompts][:3] == [
        "substances/pmma-pma",
        "mismatches/pmma-sold-as-mdma",
        "mismatches/different-substance",
    ]


def test_nothing_detected_still_gets_useful_advice() -> None:
    result = select_prompts("cocaine", [])
    assert result.category is C.NOTHING_DETECTED
    assert [p.key for p in result.prompts] == ["results/nothing-detected", "general/any-result"]
    assert Referral.HCV_HIV_TESTING in result.referrals


def test_inconclusive_is_taken_as_given() -> None:
    result = select_prompts("heroin", ["heroin"], category=C.INCONCLUSIVE)
    assert result.category is C.INCONCLUSIVE
    assert result.prompts[0].key == "results/inconclusive"


def test_nothing_alarming_still_gets_substance_and_general_advice() -> None:
    assert keys("cocaine", ["cocaine"]) == ["substances/cocaine", "general/any-result"]


def test_combinations_need_different_substances() -> None:
    assert "combinations/stimulant-opioid" in keys("heroin", ["heroin", "cocaine"])
    assert "combinations/opioid-xylazine" in keys("heroin", ["heroin", "xylazine"])
    assert "combinations/stimulants-together" in keys("MDMA", ["MDMA", "methamphetamine"])
    assert "combinations/stimulants-together" not in keys("cocaine", ["cocaine"])


def test_french_output() -> None:
    result = select_prompts("cocaïne", ["COCAINE", "lévamisole"], lang="fr")
    levamisole = result.prompts[0]
    assert levamisole.title == "Du lévamisole a été trouvé"
    assert "médecin" in levamisole.advice[0]
    assert levamisole.questions[0].endswith("?")
    assert result.prompts[-1].title == "Pour tout résultat"


def test_the_same_substance_twice_counts_once() -> None:
    result = select_prompts("coke", ["cocaine", "Cocaine "])
    assert result.found == ("cocaine",)
    assert result.category is C.AS_EXPECTED


@pytest.mark.parametrize(
    ("expected", "found", "kwargs", "message"),
    [
        ("unicorn dust", ["cocaine"], {}, "Unknown substance 'unicorn dust'"),
        ("cocaine", ["cocaine", "glitter"], {}, "Unknown substance 'glitter'"),
        ("cocaine", ["cocaine"], {"purity": "extreme"}, "Unknown purity"),
        ("cocaine", ["cocaine"], {"lang": "de"}, "Unknown language"),
        (None, ["cocaine"], {}, "sold as"),
    ],
)
def test_bad_input_is_a_clear_error(
    expected: str | None, found: list[str], kwargs: dict, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        select_prompts(expected, found, **kwargs)


@pytest.mark.parametrize(
    ("expected", "found", "category"),
    [
        ("cocaine", ["cocaine"], C.AS_EXPECTED),
        ("cocaine", ["cocaine", "caffeine"], C.AS_EXPECTED_WITH_ADULTERANTS),
        ("cocaine", ["caffeine"], C.DIFFERENT_SUBSTANCE),
        ("cocaine", [], C.NOTHING_DETECTED),
        (None, [], C.NOTHING_DETECTED),
    ],
)
def test_derive_category(expected: str | None, found: list[str], category: C) -> None:
    assert derive_category(expected, found) is category


@pytest.mark.parametrize(
    ("expected", "found", "purity", "category", "first", "offer"),
    [
        ("heroin", ["heroin", "fentanyl"], None, None, "substances/fentanyl", Referral.NALOXONE),
        ("heroin", ["heroin", "xylazine"], None, None, "substances/xylazine", Referral.WOUND_CARE),
        (
            "cocaine",
            ["cocaine", "levamisole"],
            None,
            None,
            "adulterants/levamisole",
            Referral.DOCTOR,
        ),
        (
            "cocaine",
            ["cocaine", "phenacetin"],
            "low",
            None,
            "adulterants/phenacetin",
            Referral.DOCTOR,
        ),
        ("speed", ["amphetamine", "caffeine"], None, None, "substances/amphetamine", None),
        ("MDMA", ["MDMA"], "high", None, "purity/high", None),
        ("MDMA", ["PMMA"], None, None, "substances/pmma-pma", None),
        ("MDMA", ["3-MMC"], None, None, "mismatches/different-substance", None),
        (
            "ketamine",
            ["ketamine", "heroin"],
            None,
            None,
            "mismatches/unexpected-opioid",
            Referral.NALOXONE,
        ),
        ("cocaine", ["cocaine", "lidocaine"], "medium", None, "substances/cocaine", None),
        ("cocaine", [], None, None, "results/nothing-detected", Referral.HCV_HIV_TESTING),
        ("heroin", ["heroin"], None, C.INCONCLUSIVE, "results/inconclusive", Referral.NALOXONE),
    ],
)
def test_realistic_results(
    expected: str,
    found: list[str],
    purity: Any,
    category: C | None,
    first: str,
    offer: Referral | None,
) -> None:
    result = select_prompts(expected, found, purity=purity, category=category)
    assert result.prompts[0].key == first
    assert result.prompts[-1].key == "general/any-result"
    if offer is not None:
        assert offer in result.referrals
    for prompt in result.prompts:
        assert prompt.advice and prompt.questions and prompt.sources
