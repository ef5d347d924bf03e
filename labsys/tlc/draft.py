"""Draft a sample's result: what it was sold as against what the plate shows.

The draft is what a chemist reviews (four eyes) before anything is reported: a result category,
each finding with how sure it is, and the caveats that always hold for TLC. It never decides more
than the evidence allows: anything short of a clear match of the expected substance, with every
other spot accounted for, is flagged for confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from labsys.errors import NotFound, ValidationError
from labsys.results.categories import ResultCategory
from labsys.tlc.calibrate import AmountEstimate, estimate_amount, plate_calibrations, purity_band
from labsys.tlc.identify import PlateIdentification, SpotIdentification, Verdict
from labsys.tlc.references import ReferenceLibrary, Substance

TLC_CAVEAT = (
    "TLC shows what is there, not everything that is there: inorganic cuts (carbonates, "
    "bicarbonate), sugars and substances that neither quench UV nor stain are invisible on the "
    "plate."
)
FOUND = (Verdict.IDENTIFIED, Verdict.PROBABLE)
"""Verdicts that count as "found" for the category; the finding keeps its own confidence."""


@dataclass(frozen=True)
class Finding:
    """One spot of the sample, as the result will describe it."""

    spot: SpotIdentification
    substance: str | None
    """Best candidate, or None for an unknown spot or one that cannot be told apart."""
    expected: bool
    alarming: bool
    amount: AmountEstimate | None = None
    purity: str | None = None

    @property
    def confidence(self) -> Verdict:
        """How sure the identification is."""
        return self.spot.verdict

    @property
    def description(self) -> str:
        """One line for the reviewer."""
        text = self.spot.summary
        if self.amount is not None:
            text += f"; {self.amount.note}"
        if self.purity is not None:
            text += f"; purity {self.purity}"
        return text


@dataclass(frozen=True)
class ResultDraft:
    """A result proposal for review."""

    sample_code: str
    sold_as: str | None
    category: ResultCategory
    findings: tuple[Finding, ...]
    notes: tuple[str, ...]
    caveat: str = TLC_CAVEAT

    @property
    def needs_confirmation(self) -> bool:
        """True when the sample should go to a confirmatory method (GC-MS at an external lab)."""
        return self.category is ResultCategory.INCONCLUSIVE or any(
            f.alarming and not f.confidence.confident for f in self.findings
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form for review pages and storage."""
        return {
            "sample_code": self.sample_code,
            "sold_as": self.sold_as,
            "category": self.category.value,
            "category_label": self.category.label,
            "needs_confirmation": self.needs_confirmation,
            "findings": [
                {
                    "substance": f.substance,
                    "confidence": f.confidence.value,
                    "score": None if f.spot.top is None else round(f.spot.top.score, 3),
                    "expected": f.expected,
                    "alarming": f.alarming,
                    "amount_ug": None if f.amount is None else f.amount.amount_ug,
                    "purity": f.purity,
                    "description": f.description,
                }
                for f in self.findings
            ],
            "notes": list(self.notes),
            "caveat": self.caveat,
        }


def draft_result(
    identification: PlateIdentification,
    sample_code: str,
    sold_as: str | None,
    library: ReferenceLibrary,
) -> ResultDraft:
    """Propose a result for the sample in lane ``sample_code`` of an identified plate.

    Parameters
    ----------
    identification
        The plate, identified with :func:`labsys.tlc.identify`.
    sample_code
        The sample's code as written in the plate layout.
    sold_as
        What the person was told the sample is (a library name or synonym), or None.
    library
        The reference library.

    Returns
    -------
    ResultDraft
        Category, findings with confidence (and amount and purity band where the plate carries a
        calibration), notes for the reviewer, and the standing TLC caveat.
    """
    lane = identification.lane(sample_code)
    if lane is None:
        raise NotFound(f"sample {sample_code} is not on plate {identification.layout.plate_id}")
    expected = library.find(sold_as) if sold_as else None
    notes = list(lane.cautions)
    findings = _findings(identification, lane.spots, lane.lane.spotted_amount_ug, expected, notes)
    category = _category(identification, findings, expected, sold_as, notes)
    for finding in findings:
        notes.extend(finding.spot.cautions)
    return ResultDraft(sample_code, sold_as, category, tuple(findings), tuple(notes))


def _findings(
    identification: PlateIdentification,
    spots: tuple[SpotIdentification, ...],
    spotted_amount_ug: float | None,
    expected: Substance | None,
    notes: list[str],
) -> list[Finding]:
    try:
        calibrations = plate_calibrations(identification)
    except ValidationError as exc:
        calibrations = {}
        notes.append(f"no amount estimate: {exc}")
    findings = []
    for spot in spots:
        named = spot.top is not None and spot.verdict not in (
            Verdict.UNKNOWN,
            Verdict.CANNOT_TELL_APART,
        )
        substance = spot.top.substance if named and spot.top else None
        candidates = spot.indistinguishable or ((substance,) if substance else ())
        amount = None
        if substance in calibrations:
            amount = estimate_amount(calibrations[substance], spot.band.intensity)
        findings.append(
            Finding(
                spot=spot,
                substance=substance,
                expected=expected is not None and substance == expected.name,
                alarming=any(c.alarming for c in spot.candidates if c.substance in candidates),
                amount=amount,
                purity=None if amount is None else purity_band(amount, spotted_amount_ug),
            )
        )
    return findings


def _category(
    identification: PlateIdentification,
    findings: list[Finding],
    expected: Substance | None,
    sold_as: str | None,
    notes: list[str],
) -> ResultCategory:
    if not findings:
        return ResultCategory.NOTHING_DETECTED
    if expected is None:
        notes.append(
            f"what it was sold as ({sold_as or 'not given'}) is not in the reference library: "
            "nothing to compare with"
        )
        return ResultCategory.INCONCLUSIVE
    system = identification.layout.system
    if expected.name not in identification.references and expected.hrf(system) is None:
        notes.append(
            f"{expected.name} has no hRf in system {system} and no reference on this plate: "
            "co-spot a reference to check for it"
        )
        return ResultCategory.INCONCLUSIVE
    found = [f for f in findings if f.confidence in FOUND]
    if any(f.expected for f in found):
        others = [f for f in findings if not f.expected]
        if not others:
            return ResultCategory.AS_EXPECTED
        if any(f.substance is None for f in others):
            notes.append("a spot besides the expected substance is not identified: confirm it")
        return ResultCategory.AS_EXPECTED_WITH_ADULTERANTS
    maybe = any(
        expected.name in f.spot.indistinguishable
        or (f.spot.top is not None and f.spot.top.substance == expected.name)
        for f in findings
    )
    if maybe or not found:
        return ResultCategory.INCONCLUSIVE
    return ResultCategory.DIFFERENT_SUBSTANCE
