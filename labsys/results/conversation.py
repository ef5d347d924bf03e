"""Recording that a result was talked through, and closing the sample.

What is recorded is what the service needs to know it did its job, and nothing about the person:
the counsellor, when, in which language, the knowledge entries on screen, and which of the fixed
referrals (:class:`labsys.counselling.knowledge.Referral`) were offered and which accepted. There
is deliberately no free-text field. Recording moves the sample reviewed → reported, and on to
closed unless the counsellor keeps it open (reported only).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from labsys.audit import record
from labsys.auth import Actor, Permission, User, require
from labsys.counselling.knowledge import LANGUAGES, Referral, default_knowledge
from labsys.errors import ValidationError
from labsys.results.records import Conversation, ConversationReferral
from labsys.results.review import confirmed_result
from labsys.samples import State, get_sample, move_sample
from labsys.samples.models import Sample


@dataclass(frozen=True)
class ConversationSummary:
    """A recorded conversation as the counsellor's page shows it."""

    held_at: datetime
    counsellor: str
    language: str
    offered: tuple[Referral, ...]
    accepted: tuple[Referral, ...]


def _referrals(values: Iterable[Referral | str], field: str) -> tuple[Referral, ...]:
    try:
        return tuple(dict.fromkeys(Referral(value) for value in values))
    except ValueError:
        allowed = ", ".join(r.value for r in Referral)
        raise ValidationError(f"{field}: choose from the fixed list ({allowed}).") from None


def _prompt_keys(keys: Sequence[str]) -> list[str]:
    known = {entry.key for entry in default_knowledge().entries}
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise ValidationError(f"Unknown counselling entry {unknown[0]!r}.")
    return list(dict.fromkeys(keys))


def conversation_of(session: Session, sample: Sample) -> ConversationSummary | None:
    """The conversation recorded for ``sample``, if any."""
    conversation = session.scalar(select(Conversation).where(Conversation.sample_id == sample.id))
    if conversation is None:
        return None
    counsellor = session.get(User, conversation.counsellor_id)
    referrals = conversation.referrals
    return ConversationSummary(
        held_at=conversation.held_at,
        counsellor=counsellor.username if counsellor else "?",
        language=conversation.language,
        offered=tuple(Referral(r.referral) for r in referrals),
        accepted=tuple(Referral(r.referral) for r in referrals if r.accepted),
    )


def record_conversation(
    session: Session,
    actor: Actor,
    code: str,
    *,
    language: str,
    offered: Iterable[Referral | str],
    accepted: Iterable[Referral | str],
    prompt_keys: Sequence[str] = (),
    close: bool = True,
    expected_version: int,
) -> Sample:
    """Record the conversation about a reviewed result and report (and by default close) it.

    Parameters
    ----------
    session, actor
        The transaction and the counsellor (needs the counsel permission).
    code
        The sample code.
    language
        ``"en"`` or ``"fr"``: the language the conversation and the card were in.
    offered, accepted
        Referrals from the fixed list; what was accepted must have been offered.
    prompt_keys
        The knowledge entries the counsellor had on screen.
    close
        False keeps the sample reported but open (closed later with :func:`close_sample`).
    expected_version
        The sample's version as the counsellor saw it.

    Returns
    -------
    Sample
        Reported, or closed.
    """
    require(actor, Permission.COUNSEL)
    if language not in LANGUAGES:
        raise ValidationError(f"Language must be one of: {', '.join(LANGUAGES)}.")
    offered_ = _referrals(offered, "Referrals offered")
    accepted_ = _referrals(accepted, "Referrals accepted")
    not_offered = [r.value for r in accepted_ if r not in offered_]
    if not_offered:
        raise ValidationError(
            f"Accepted but not offered: {', '.join(not_offered)}. Tick it as offered too."
        )
    keys = _prompt_keys(prompt_keys)
    sample = get_sample(session, actor, code)
    confirmed_result(session, sample)
    if conversation_of(session, sample) is not None:
        raise ValidationError(f"A conversation is already recorded for sample {sample.code}.")
    sample = move_sample(
        session,
        actor,
        sample.code,
        State.REPORTED,
        expected_version=expected_version,
        by_record_service=True,
    )
    conversation = Conversation(
        sample_id=sample.id,
        counsellor_id=actor.id,
        language=language,
        prompt_keys=keys,
        referrals=[
            ConversationReferral(referral=r.value, accepted=r in accepted_) for r in offered_
        ],
    )
    session.add(conversation)
    session.flush()
    record(
        session,
        actor,
        "sample",
        sample.id,
        "conversation_recorded",
        details={
            "language": language,
            "offered": [r.value for r in offered_],
            "accepted": [r.value for r in accepted_],
        },
    )
    if close:
        return close_sample(session, actor, sample.code, expected_version=sample.version)
    return sample


def close_sample(session: Session, actor: Actor, code: str, *, expected_version: int) -> Sample:
    """Close a reported sample: the person has their result and nothing more is to be done."""
    require(actor, Permission.COUNSEL)
    return move_sample(
        session,
        actor,
        code,
        State.CLOSED,
        expected_version=expected_version,
        by_record_service=True,
    )
