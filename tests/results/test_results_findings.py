"""Turning an identification draft into a result proposal."""

from __future__ import annotations

from labsys.results.categories import ResultCategory
from labsys.results.findings import proposal_from_confirmation, proposal_from_draft
from labsys.results.models import Confidence, FindingKind
from labsys.tlc.identify import Verdict
from tests.results.lab import cocaine_draft, draft_finding


def test_draft_findings_keep_kind_confidence_and_evidence() -> None:
    arguments = proposal_from_draft(
        cocaine_draft(
            ResultCategory.AS_EXPECTED_WITH_ADULTERANTS,
            draft_finding(48, Verdict.IDENTIFIED, "cocaine", expected=True),
            draft_finding(30, Verdict.PROBABLE, "levamisole"),
            draft_finding(31, Verdict.POSSIBLE, "levamisole"),
        )
    )
    assert arguments["category"] is ResultCategory.AS_EXPECTED_WITH_ADULTERANTS
    assert [(f.substance, f.kind, f.confidence) for f in arguments["findings"]] == [
        ("cocaine", FindingKind.EXPECTED, Confidence.HIGH),
        ("levamisole", FindingKind.ADULTERANT, Confidence.MEDIUM),
    ]
    assert arguments["findings"][0].evidence[-1] == "co-spotted cocaine"
    assert arguments["purity_band"] == "high"
    assert arguments["summary"] == "front uneven"


def test_unnamed_spots_go_to_the_summary_and_make_it_inconclusive() -> None:
    arguments = proposal_from_draft(
        cocaine_draft(
            ResultCategory.AS_EXPECTED_WITH_ADULTERANTS,
            draft_finding(48, Verdict.IDENTIFIED, "cocaine", expected=True),
            draft_finding(70, Verdict.UNKNOWN, None),
        )
    )
    assert arguments["category"] is ResultCategory.INCONCLUSIVE
    assert [f.substance for f in arguments["findings"]] == ["cocaine"]
    summary = arguments["summary"] or ""
    assert "not attributed: spot at hRf 70" in summary
    assert "proposed as inconclusive" in summary


def test_without_the_expected_substance_others_are_other() -> None:
    arguments = proposal_from_draft(
        cocaine_draft(
            ResultCategory.DIFFERENT_SUBSTANCE, draft_finding(40, Verdict.IDENTIFIED, "caffeine")
        )
    )
    assert [f.kind for f in arguments["findings"]] == [FindingKind.OTHER]
    assert arguments["category"] is ResultCategory.DIFFERENT_SUBSTANCE


def test_a_confirmation_suggests_findings_and_category() -> None:
    arguments = proposal_from_confirmation("coke", "LNS", ["Levamisole", "cocaine", "mannitol"])
    assert arguments["category"] is ResultCategory.AS_EXPECTED_WITH_ADULTERANTS
    assert [(f.substance, f.kind, f.confidence) for f in arguments["findings"]] == [
        ("levamisole", FindingKind.ADULTERANT, Confidence.HIGH),
        ("cocaine", FindingKind.EXPECTED, Confidence.HIGH),
    ]
    assert arguments["summary"] == (
        "confirmed by LNS; also reported, not in the reference library: mannitol"
    )
    assert proposal_from_confirmation("cocaine", "LNS", [])["category"] is (
        ResultCategory.NOTHING_DETECTED
    )
