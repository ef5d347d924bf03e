"""What a result says, checked before it is stored: findings, category and their agreement.

An analyst's proposal and a reviewer's correction go through the same checks, so a reported result
always names substances the reference library knows, with a kind and a confidence, in a category
that agrees with them (monitoring and counselling rely on that agreement).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any, TypedDict, TypeVar

from labsys.errors import ValidationError
from labsys.results.categories import ResultCategory
from labsys.results.models import Confidence, FindingKind, ResultFinding, SampleResult
from labsys.text import clean_text, refuse_personal_data
from labsys.tlc.draft import ResultDraft
from labsys.tlc.identify import Verdict
from labsys.tlc.references import ReferenceLibrary, load_library

PURITY_BANDS = ("low", "medium", "high")
SUMMARY_MAX = 1000
EVIDENCE_LINE_MAX = 500

_CONFIDENCE_OF_VERDICT = {
    Verdict.IDENTIFIED: Confidence.HIGH,
    Verdict.PROBABLE: Confidence.MEDIUM,
    Verdict.POSSIBLE: Confidence.LOW,
}
"""How sure a stored finding is, from the identification's verdict; unknown spots and spots that
cannot be told apart name no substance and become a line of the summary instead."""

_E = TypeVar("_E", bound=StrEnum)


@dataclass(frozen=True)
class ProposedFinding:
    """One substance a result states, as an analyst proposes or a reviewer corrects it.

    Attributes
    ----------
    substance
        A name or synonym the reference library knows; stored under the library's name.
    kind
        Expected (what it was sold as), adulterant (beside the expected substance) or other.
    confidence
        How sure the lab is.
    amount_mg, hrf, evidence
        Optional: amount in the sample, where the spot ran, and why it was attributed.
    """

    substance: str
    kind: FindingKind | str
    confidence: Confidence | str
    amount_mg: float | None = None
    hrf: float | None = None
    evidence: tuple[str, ...] = ()


class ProposalArguments(TypedDict):
    """The keyword arguments of :func:`labsys.results.review.propose_result` from a draft."""

    category: ResultCategory
    findings: list[ProposedFinding]
    purity_band: str | None
    summary: str | None


@cache
def library() -> ReferenceLibrary:
    """The reference library, read once per process (read-only while the app runs)."""
    return load_library()


def _member(enum: type[_E], value: object, field: str) -> _E:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise ValidationError(f"{field} {value!r} is not one of: {allowed}.") from None


def check_findings(findings: Sequence[ProposedFinding]) -> list[ProposedFinding]:
    """The findings with library names and enum values, or a message saying what is wrong."""
    checked: dict[str, ProposedFinding] = {}
    for finding in findings:
        substance = library().find(finding.substance)
        if substance is None:
            raise ValidationError(
                f"Unknown substance {finding.substance!r}: not in the reference library "
                "(check the spelling, or add it to reference_spectra/substances/)."
            )
        if substance.name in checked:
            raise ValidationError(f"{substance.name} is listed twice; list each substance once.")
        if finding.amount_mg is not None and not 0 <= finding.amount_mg < math.inf:  # NaN too
            raise ValidationError(
                f"The amount of {substance.name} must be a number of mg, 0 or more "
                f"(not {finding.amount_mg})."
            )
        if finding.hrf is not None and not 0 <= finding.hrf <= 100:
            raise ValidationError(f"The hRf of {substance.name} must be between 0 and 100.")
        checked[substance.name] = ProposedFinding(
            substance=substance.name,
            kind=_member(FindingKind, finding.kind, "Finding kind"),
            confidence=_member(Confidence, finding.confidence, "Confidence"),
            amount_mg=finding.amount_mg,
            hrf=finding.hrf,
            evidence=tuple(
                clean_text(line, "Evidence", max_length=EVIDENCE_LINE_MAX)
                for line in finding.evidence
            ),
        )
    return list(checked.values())


def check_category(
    category: ResultCategory | str, findings: Sequence[ProposedFinding], sold_as: str
) -> ResultCategory:
    """The category, if it agrees with the (checked) findings and with what was expected.

    The expected substance is the one the sample was sold as, when the library knows that name;
    "as expected" needs it found and nothing else, "with adulterants" needs something besides it,
    "different substance" and "not detected" need it absent. Inconclusive goes with anything.
    """
    category = _member(ResultCategory, category, "Result category")
    expected = library().find(sold_as)
    expected_findings = [f.substance for f in findings if f.kind == FindingKind.EXPECTED]
    if expected is not None and any(name != expected.name for name in expected_findings):
        raise ValidationError(
            f"The sample was sold as {sold_as}: only {expected.name} can be the expected "
            "substance; mark the others as adulterant or other."
        )
    if expected is not None and any(
        f.substance == expected.name and f.kind != FindingKind.EXPECTED for f in findings
    ):
        raise ValidationError(f"{expected.name} is what the sample was sold as: mark it expected.")
    others = len(findings) - len(expected_findings)
    problem = {
        ResultCategory.AS_EXPECTED: None
        if expected_findings and not others
        else "needs the expected substance and nothing else",
        ResultCategory.AS_EXPECTED_WITH_ADULTERANTS: None
        if expected_findings and others
        else "needs the expected substance and at least one other",
        ResultCategory.DIFFERENT_SUBSTANCE: None
        if others and not expected_findings
        else "needs at least one substance found and not the expected one",
        ResultCategory.NOTHING_DETECTED: None
        if not expected_findings
        else "cannot list the expected substance as found",
        ResultCategory.INCONCLUSIVE: None,
    }[category]
    if problem:
        raise ValidationError(f"The category {category.label!r} {problem}.")
    return category


def check_purity(purity_band: str | None) -> str | None:
    """A purity band (``low``, ``medium``, ``high``) or None."""
    if purity_band is not None and purity_band not in PURITY_BANDS:
        raise ValidationError(f"Purity {purity_band!r} is not one of: {', '.join(PURITY_BANDS)}.")
    return purity_band


def check_summary(summary: str | None) -> str | None:
    """The reviewer-facing summary, cleaned; None when empty."""
    text = clean_text(summary, "Summary", max_length=SUMMARY_MAX)
    refuse_personal_data(text, "Summary")
    return text or None


def finding_rows(findings: Sequence[ProposedFinding]) -> list[ResultFinding]:
    """Table rows for checked findings."""
    return [
        ResultFinding(
            substance=f.substance,
            kind=str(f.kind),
            confidence=str(f.confidence),
            amount_mg=f.amount_mg,
            hrf=f.hrf,
            evidence=list(f.evidence) or None,
        )
        for f in findings
    ]


def snapshot(result: SampleResult) -> dict[str, Any]:
    """What a result states, JSON-ready, for the audit trail's before/after of a correction."""
    return {
        "category": result.category,
        "purity_band": result.purity_band,
        "summary": result.summary,
        "findings": [
            {
                "substance": f.substance,
                "kind": f.kind,
                "confidence": f.confidence,
                "amount_mg": f.amount_mg,
            }
            for f in result.findings
        ],
    }


def proposal_from_draft(draft: ResultDraft) -> ProposalArguments:
    """Turn an identification draft into the arguments of a result proposal.

    Spots that name no substance (unknown, or cannot be told apart) cannot be stored as findings;
    they go into the summary with the draft's notes, so the reviewer still sees them. Amounts on
    the plate are micrograms in one spot, not an amount in the sample, so they are not stored; the
    purity band of the expected substance carries what the calibration says.

    Parameters
    ----------
    draft
        From :func:`labsys.tlc.draft.draft_result`.

    Returns
    -------
    ProposalArguments
        ``propose_result(session, actor, code, **arguments, expected_version=...)``.
    """
    best: dict[str, ProposedFinding] = {}
    unattributed = []
    expected_found = any(
        f.expected and f.confidence in _CONFIDENCE_OF_VERDICT for f in draft.findings
    )
    purity = None
    for finding in draft.findings:
        confidence = _CONFIDENCE_OF_VERDICT.get(finding.confidence)
        if finding.substance is None or confidence is None:
            unattributed.append(finding.description)
            continue
        if finding.expected:
            kind = FindingKind.EXPECTED
            purity = purity or finding.purity
        else:
            kind = FindingKind.ADULTERANT if expected_found else FindingKind.OTHER
        top = finding.spot.top
        proposed = ProposedFinding(
            substance=finding.substance,
            kind=kind,
            confidence=confidence,
            hrf=round(finding.spot.hrf, 1),
            evidence=(finding.description, *(top.evidence if top else ())),
        )
        previous = best.get(finding.substance)
        if previous is None or _rank(confidence) < _rank(Confidence(previous.confidence)):
            best[finding.substance] = proposed
    findings = list(best.values())
    notes = [*draft.notes, *(f"not attributed: {text}" for text in unattributed)]
    category = draft.category
    try:
        check_category(category, findings, draft.sold_as or "")
    except ValidationError as disagreement:
        notes.append(f"proposed as inconclusive: {disagreement}")
        category = ResultCategory.INCONCLUSIVE
    summary = "; ".join(notes)
    if len(summary) > SUMMARY_MAX:
        summary = summary[: SUMMARY_MAX - 1] + "…"
    return ProposalArguments(
        category=category, findings=findings, purity_band=purity, summary=summary or None
    )


def proposal_from_confirmation(
    sold_as: str, external_lab: str, names: Sequence[str]
) -> ProposalArguments:
    """The result an external lab's answer suggests, for a person to check and propose.

    A confirmatory method (GC-MS) is taken as sure of what it reports. Substances the reference
    library does not know cannot be stated as findings; the summary names them.
    """
    expected = library().find(sold_as)
    known = [s.name for s in map(library().find, names) if s is not None]
    unknown = [name for name in names if library().find(name) is None]
    has_expected = expected is not None and expected.name in known
    findings = [
        ProposedFinding(
            substance=name,
            kind=FindingKind.EXPECTED
            if expected is not None and name == expected.name
            else FindingKind.ADULTERANT
            if has_expected
            else FindingKind.OTHER,
            confidence=Confidence.HIGH,
        )
        for name in dict.fromkeys(known)
    ]
    others = len(findings) - has_expected
    if has_expected:
        category = (
            ResultCategory.AS_EXPECTED_WITH_ADULTERANTS if others else ResultCategory.AS_EXPECTED
        )
    else:
        category = ResultCategory.DIFFERENT_SUBSTANCE if others else ResultCategory.NOTHING_DETECTED
    summary = f"confirmed by {external_lab}"
    if unknown:
        summary += f"; also reported, not in the reference library: {', '.join(unknown)}"
    return ProposalArguments(
        category=category, findings=findings, purity_band=None, summary=summary[:SUMMARY_MAX]
    )


def _rank(confidence: Confidence) -> int:
    return list(Confidence).index(confidence)
