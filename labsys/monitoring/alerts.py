"""Raising alerts from confirmed results, and their lifecycle: new → acknowledged → published.

Alerts are raised when a result is reviewed (:func:`evaluate_for_result`, called by the review
code) and by the scheduled ``labsys alerts check`` (:func:`evaluate_all`). Both store only
evidence not seen before (the unique evidence key), so running them again raises nothing twice.
Every step of an alert's life is written to the audit trail with who and why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from labsys.audit import record
from labsys.auth import Actor, Permission, require
from labsys.db import utcnow
from labsys.errors import ConcurrentEdit, InvalidTransition, NotFound, ValidationError
from labsys.monitoring.alert_matching import Scope, match_rule
from labsys.monitoring.alert_rules import AlertRules, load_rules
from labsys.monitoring.models import Alert, AlertState
from labsys.text import clean_text, refuse_personal_data

TRANSITIONS: dict[AlertState, frozenset[AlertState]] = {
    AlertState.NEW: frozenset({AlertState.ACKNOWLEDGED, AlertState.DISMISSED}),
    AlertState.ACKNOWLEDGED: frozenset({AlertState.PUBLISHED, AlertState.DISMISSED}),
}
"""Published and dismissed are final; a false alarm can be dismissed before acknowledging."""

NEEDS_REASON = frozenset({AlertState.PUBLISHED, AlertState.DISMISSED})
ACTIVE_DAYS = 90
"""A published alert is shown to counsellors for this many days."""
_ENTITY = "alert"


@dataclass(frozen=True)
class ActiveAlert:
    """A published alert as a counsellor sees it next to a result."""

    id: int
    title: str
    substance: str
    published_at: datetime


def evaluate_for_result(
    session: Session,
    result_id: int,
    *,
    rules: AlertRules | None = None,
    now: datetime | None = None,
) -> list[Alert]:
    """Raise the alerts a just-confirmed result justifies; return those newly raised.

    Call it in the review's transaction, after the result is confirmed: a result that is not
    confirmed, or whose sample has no monitoring consent, raises nothing.

    Parameters
    ----------
    rules
        The alert rules; read from ``alerts/rules.yaml`` (about 0.1 s) when not given.
    now
        Ends the window of prevalence rules; the current time by default.

    Raises
    ------
    ReferenceDataError
        The rules file is broken (the message names the file and field). Whether the review then
        waits for a fixed file is the caller's choice; ``labsys alerts check`` fails loudly too.
    """
    scope = Scope(today=(now or utcnow()).date(), result_id=result_id)
    return _raise(session, rules or load_rules(), scope)


def evaluate_all(
    session: Session,
    now: datetime,
    *,
    rules: AlertRules | None = None,
    actor: Actor | None = None,
) -> list[Alert]:
    """The scheduled check: results confirmed within the look-back, and every prevalence rule.

    ``actor`` is the person who asked for the check from the alerts page: they must manage
    alerts, and the audit names them. None only for the scheduled command-line run.

    Raises
    ------
    PermissionDenied
        ``actor`` may not manage alerts.
    ReferenceDataError
        The rules file is broken.
    """
    if actor is not None:
        require(actor, Permission.MANAGE_ALERTS)
    rules = rules or load_rules()
    scope = Scope(today=now.date(), reviewed_since=now - timedelta(days=rules.lookback_days))
    return _raise(session, rules, scope, actor)


def _raise(
    session: Session, rules: AlertRules, scope: Scope, actor: Actor | None = None
) -> list[Alert]:
    """Store the drafts whose evidence is new, in one INSERT; audit and return them."""
    drafts = {
        draft.evidence_key: draft
        for rule in rules.rules
        for draft in match_rule(session, rule, scope)
    }
    if not drafts:
        return []
    now = utcnow()
    rows = [
        {
            "evidence_key": key,
            "rule": draft.rule,
            "kind": draft.kind,
            "substance": draft.substance,
            "title": draft.title[:300],
            "evidence": draft.evidence,
            "state": AlertState.NEW.value,
            "raised_at": now,
            "updated_at": now,
            "version": 1,
        }
        for key, draft in drafts.items()
    ]
    ids = session.scalars(_insert_new_evidence(session).returning(Alert.id), rows).all()
    raised = list(session.scalars(select(Alert).where(Alert.id.in_(ids)).order_by(Alert.id)))
    for alert in raised:
        record(
            session,
            actor,
            _ENTITY,
            alert.id,
            "raised",
            to_state=alert.state,
            details={"rule": alert.rule},
        )
    return raised


def _insert_new_evidence(session: Session) -> sqlite.Insert | postgresql.Insert:
    """INSERT that skips evidence already stored (also by a concurrent check, at the same time).

    The unique evidence key decides; SQLite and PostgreSQL spell "ON CONFLICT DO NOTHING" alike.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(Alert).on_conflict_do_nothing(index_elements=[Alert.evidence_key])


def move_alert(
    session: Session,
    actor: Actor,
    alert_id: int,
    target: AlertState | str,
    *,
    expected_version: int,
    reason: str | None = None,
) -> Alert:
    """Acknowledge, publish or dismiss an alert, recording who and why.

    Raises
    ------
    ConcurrentEdit
        Someone else moved the alert since ``expected_version`` was read.
    InvalidTransition
        The alert cannot go from its state to ``target``.
    ValidationError
        Publishing or dismissing without a reason.
    """
    require(actor, Permission.MANAGE_ALERTS)
    try:
        target = AlertState(target)
    except ValueError:
        raise ValidationError(f"{target!r} is not an alert state.") from None
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(f"There is no alert {alert_id}.")
    if alert.version != expected_version:
        raise ConcurrentEdit(
            f"This alert was changed by someone else (it is now {alert.state}). Nothing was "
            "overwritten: reload and try again."
        )
    current = AlertState(alert.state)
    if target not in TRANSITIONS.get(current, frozenset()):
        raise InvalidTransition(f"An alert that is {current.value} cannot become {target.value}.")
    why = clean_text(reason, "Reason", max_length=500, required=target in NEEDS_REASON)
    refuse_personal_data(why, "Reason")
    alert.state = target.value
    alert.updated_by_id = actor.id
    if target is AlertState.PUBLISHED:
        alert.published_at = utcnow()
    try:
        session.flush()
    except StaleDataError:
        raise ConcurrentEdit(
            "This alert was changed by someone else at the same moment. Nothing was "
            "overwritten: reload and try again."
        ) from None
    record(
        session,
        actor,
        _ENTITY,
        alert.id,
        "state_changed",
        from_state=current.value,
        to_state=target.value,
        reason=why or None,
    )
    return alert


def list_alerts(session: Session, actor: Actor, *, limit: int = 200) -> list[Alert]:
    """Alerts for the coordinators' page: open ones (new, then acknowledged) first, newest first."""
    require(actor, Permission.MANAGE_ALERTS)
    order = case(
        {AlertState.NEW.value: 0, AlertState.ACKNOWLEDGED.value: 1, AlertState.PUBLISHED.value: 2},
        value=Alert.state,
        else_=3,
    )
    statement = select(Alert).order_by(order, Alert.raised_at.desc(), Alert.id.desc()).limit(limit)
    return list(session.scalars(statement))


def active_alerts_for(
    session: Session,
    substances: Iterable[str],
    *,
    now: datetime | None = None,
    max_age_days: int = ACTIVE_DAYS,
) -> list[ActiveAlert]:
    """Published alerts about any of ``substances`` (case ignored), newest first.

    For the counsellor's page, next to a result: what coordinators have warned about lately.
    """
    names = {name.strip().lower() for name in substances}
    if not names:
        return []
    since = (now or utcnow()) - timedelta(days=max_age_days)
    statement = (
        select(Alert.id, Alert.title, Alert.substance, Alert.published_at)
        .where(
            Alert.state == AlertState.PUBLISHED.value,
            Alert.published_at >= since,
            func.lower(Alert.substance).in_(names),
        )
        .order_by(Alert.published_at.desc())
    )
    return [ActiveAlert(*row) for row in session.execute(statement)]
