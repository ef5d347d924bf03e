"""What the counsellor sees for one sample: the reviewed result in plain words and the prompts.

Only a reviewed result reaches the counsellor. Every finding is passed to the prompt rules, however
sure the lab is of it (a possible fentanyl is still worth talking about); the page shows how sure
each one is next to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy.orm import Session

from labsys.auth import Actor, Permission, require
from labsys.counselling import PromptSet, select_prompts
from labsys.counselling.card import ResultCard
from labsys.counselling.knowledge import Lang, Purity, default_knowledge
from labsys.monitoring.alerts import ActiveAlert, active_alerts_for
from labsys.results.categories import ResultCategory
from labsys.results.conversation import ConversationSummary, conversation_of
from labsys.results.findings import library
from labsys.results.models import Confidence, FindingKind
from labsys.results.review import confirmed_result
from labsys.samples import State, get_sample


@dataclass(frozen=True)
class FoundSubstance:
    """One finding, named for the person."""

    substance: str
    """The library's name (what prompts, alerts and the card use)."""
    plain_name: str
    """The name in the page's language (``names.yaml``)."""
    kind: FindingKind
    confidence: Confidence


@dataclass(frozen=True)
class CounsellorView:
    """Everything the counsellor's page shows for one sample, in one language."""

    code: str
    sold_as: str
    expected: str | None
    """What it was sold as, as the library names it; None when the library does not know it."""
    state: State
    version: int
    tested_on: date
    found: tuple[FoundSubstance, ...]
    prompts: PromptSet
    conversation: ConversationSummary | None
    alerts: tuple[ActiveAlert, ...]
    """Published alerts about a substance found (what coordinators warned about lately)."""

    @property
    def category(self) -> ResultCategory:
        """The reviewed result category."""
        return self.prompts.category

    def card(self) -> ResultCard:
        """The take-away card for this result (anonymous: the code, the date, the result)."""
        return ResultCard(
            sample_code=self.code,
            tested_on=self.tested_on,
            expected=self.expected,
            found=tuple(f.substance for f in self.found),
            category=self.category,
            purity=self.prompts.purity,
        )


def counsellor_view(session: Session, actor: Actor, code: str, lang: Lang) -> CounsellorView:
    """The reviewed result of sample ``code`` and its counselling prompts in ``lang``.

    Raises
    ------
    ValidationError
        For a mistyped code, or a sample whose result is not reviewed yet.
    NotFound
        When no sample has the code.
    """
    require(actor, Permission.COUNSEL)
    sample = get_sample(session, actor, code)
    result = confirmed_result(session, sample)
    known = library().find(sample.sold_as)
    expected = known.name if known else None
    findings = result.findings
    prompts = select_prompts(
        expected,
        [f.substance for f in findings],
        purity=cast(Purity | None, result.purity_band),
        category=ResultCategory(result.category),
        lang=lang,
    )
    knowledge = default_knowledge()
    return CounsellorView(
        code=sample.code,
        sold_as=sample.sold_as,
        expected=expected,
        state=State(sample.state),
        version=sample.version,
        tested_on=(result.reviewed_at or result.proposed_at).date(),
        found=tuple(
            FoundSubstance(
                substance=f.substance,
                plain_name=knowledge.plain_name(f.substance, lang),
                kind=FindingKind(f.kind),
                confidence=Confidence(f.confidence),
            )
            for f in findings
        ),
        prompts=prompts,
        conversation=conversation_of(session, sample),
        alerts=tuple(active_alerts_for(session, [f.substance for f in findings])),
    )
