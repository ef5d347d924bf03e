"""Alerts on both backends: raised with their evidence, never twice, every step audited."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from labsys.audit import history
from labsys.auth import Actor, Role
from labsys.db import transaction
from labsys.errors import PermissionDenied
from labsys.monitoring.alert_rules import AlertRules
from labsys.monitoring.alerts import (
    active_alerts_for,
    evaluate_all,
    list_alerts,
    move_alert,
)
from labsys.monitoring.models import Alert, AlertState
from tests.monitoring.alerting import (
    NOW,
    Seed,
    days_ago,
    evaluate,
    prevalence_alerts,
    raise_fentanyl_alert,
)


def test_a_single_fentanyl_detection_raises_an_alert_with_its_evidence(
    engine: Engine, seed: Seed, rules: AlertRules
) -> None:
    result = seed(
        "heroin",
        days_ago(1),
        {"heroin": "expected", "fentanyl": "adulterant"},
        site="Outreach squat",
    )
    (alert,) = evaluate(engine, result, rules)
    assert (alert.rule, alert.kind, alert.substance, alert.state) == (
        "synthetic-opioid",
        "detection",
        "fentanyl",
        "new",
    )
    assert "fentanyl found in a sample sold as heroin" in alert.title
    (sample,) = alert.evidence["samples"]
    assert sample["site"] == "Outreach squat"
    assert sample["received_on"] == days_ago(1).isoformat()
    assert sample["found"] == ["fentanyl", "heroin"]
    with transaction(engine) as session:
        (event,) = history(session, "alert", alert.id)
    assert (event.action, event.actor_name, event.to_state) == ("raised", "system", "new")


def test_prevalence_rising_above_baseline_raises_one_alert_with_figures(
    engine: Engine, seed: Seed, rules: AlertRules
) -> None:
    (alert,) = prevalence_alerts(engine, seed, rules, window_with=3, window_without=2)
    figures = alert.evidence["figures"]
    assert (figures["window_with"], figures["window_samples"]) == (3, 5)
    assert (figures["baseline_with"], figures["baseline_samples"]) == (1, 10)
    assert len(alert.evidence["samples"]) == 3
    assert alert.title.startswith("levamisole in cocaine: 60 % of 5 samples")


def test_re_evaluation_raises_nothing_twice(engine: Engine, seed: Seed, rules: AlertRules) -> None:
    result = seed("heroin", days_ago(1), {"fentanyl": "adulterant", "isotonitazene": "other"})
    seed("heroin", days_ago(40), {"fentanyl": "adulterant"})  # before the look-back
    assert len(evaluate(engine, result, rules)) == 2
    assert evaluate(engine, result, rules) == []
    with transaction(engine) as session:
        assert evaluate_all(session, NOW, rules=rules) == []
        assert len(session.scalars(select(Alert)).all()) == 2


def test_lifecycle_is_audited_with_who_and_why(
    engine: Engine, actors: dict[Role, Actor], seed: Seed, rules: AlertRules
) -> None:
    alert = raise_fentanyl_alert(engine, seed, rules)
    coordinator = actors[Role.COORDINATOR]
    with transaction(engine) as session:
        alert = move_alert(session, coordinator, alert.id, "acknowledged", expected_version=1)
    with transaction(engine) as session:
        alert = move_alert(
            session,
            coordinator,
            alert.id,
            AlertState.PUBLISHED,
            expected_version=alert.version,
            reason="sent to partner services and posted",
        )
        events = history(session, "alert", alert.id)
    assert alert.published_at is not None
    assert [(e.action, e.actor_name, e.from_state, e.to_state, e.reason) for e in events] == [
        ("raised", "system", None, "new", None),
        ("state_changed", "coordinator", "new", "acknowledged", None),
        (
            "state_changed",
            "coordinator",
            "acknowledged",
            "published",
            "sent to partner services and posted",
        ),
    ]


def test_open_alerts_come_first_and_counsellors_see_published_ones(
    engine: Engine, actors: dict[Role, Actor], seed: Seed, rules: AlertRules
) -> None:
    first = raise_fentanyl_alert(engine, seed, rules)
    second = raise_fentanyl_alert(engine, seed, rules)
    coordinator = actors[Role.COORDINATOR]
    with transaction(engine) as session:
        move_alert(session, coordinator, first.id, "acknowledged", expected_version=1)
        move_alert(session, coordinator, first.id, "published", expected_version=2, reason="ok")
    with transaction(engine) as session:
        assert [a.id for a in list_alerts(session, coordinator)] == [second.id, first.id]
        (active,) = active_alerts_for(session, ["Heroin", "FENTANYL"])
        assert active_alerts_for(session, ["cocaine"]) == []
        later = datetime.now(UTC) + timedelta(days=200)
        assert active_alerts_for(session, ["fentanyl"], now=later) == []
    assert (active.id, active.substance) == (first.id, "fentanyl")


def test_a_check_asked_for_by_a_person_needs_the_role_and_names_them(
    engine: Engine, actors: dict[Role, Actor], seed: Seed, rules: AlertRules
) -> None:
    seed("heroin", days_ago(1), {"fentanyl": "adulterant"})
    with transaction(engine) as session, pytest.raises(PermissionDenied):
        evaluate_all(session, NOW, rules=rules, actor=actors[Role.VOLUNTEER])
    with transaction(engine) as session:
        (alert,) = evaluate_all(session, NOW, rules=rules, actor=actors[Role.COORDINATOR])
        (event,) = history(session, "alert", alert.id)
    assert (event.action, event.actor_name) == ("raised", "coordinator")
