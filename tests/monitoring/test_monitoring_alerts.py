"""Alert rules fire on the evidence they name, never twice, and every step is audited."""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from labsys.audit import history
from labsys.auth import Actor, Role
from labsys.db import transaction
from labsys.errors import (
    ConcurrentEdit,
    InvalidTransition,
    PermissionDenied,
    ReferenceDataError,
    ValidationError,
)
from labsys.monitoring.alert_rules import AlertRules, load_rules
from labsys.monitoring.alerts import (
    active_alerts_for,
    evaluate_all,
    evaluate_for_result,
    list_alerts,
    move_alert,
)
from labsys.monitoring.models import Alert, AlertState
from labsys.results.models import SampleResult

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)
TODAY = NOW.date()
RULES_YAML = """\
version: 1
lookback_days: 28
rules:
  - {name: synthetic-opioid, kind: detection, substances: [fentanyl, isotonitazene]}
  - {name: pmma-sold-as-mdma, kind: mismatch, sold_as: [MDMA], found: [pmma]}
  - name: levamisole-rising
    kind: prevalence
    adulterant: levamisole
    sold_as: [cocaine]
    window_days: 14
    baseline_days: 60
    margin_percent: 20
    min_count: 3
  - {name: strong-mdma, kind: high_purity, substance: mdma}
"""
Seed = Callable[..., SampleResult]


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> AlertRules:
    path = tmp_path_factory.mktemp("rules") / "rules.yaml"
    path.write_text(RULES_YAML)
    return load_rules(path)


def _evaluate(engine: Engine, result: SampleResult, rules: AlertRules) -> list[Alert]:
    with transaction(engine) as session:
        return evaluate_for_result(session, result.id, rules=rules, now=NOW)


def _days_ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def test_a_single_fentanyl_detection_raises_an_alert_with_its_evidence(
    engine: Engine, seed: Seed, rules: AlertRules
) -> None:
    result = seed(
        "heroin",
        _days_ago(1),
        {"heroin": "expected", "fentanyl": "adulterant"},
        site="Outreach squat",
    )
    (alert,) = _evaluate(engine, result, rules)
    assert (alert.rule, alert.kind, alert.substance, alert.state) == (
        "synthetic-opioid",
        "detection",
        "fentanyl",
        "new",
    )
    assert "fentanyl found in a sample sold as heroin" in alert.title
    (sample,) = alert.evidence["samples"]
    assert sample["site"] == "Outreach squat"
    assert sample["received_on"] == _days_ago(1).isoformat()
    assert sample["found"] == ["fentanyl", "heroin"]
    with transaction(engine) as session:
        (event,) = history(session, "alert", alert.id)
    assert (event.action, event.actor_name, event.to_state) == ("raised", "system", "new")


@pytest.mark.parametrize(
    ("sold_as", "findings", "options"),
    [
        ("heroin", {"heroin": "expected"}, {}),
        ("heroin", {"fentanyl": "adulterant"}, {"consent": False}),
        ("heroin", {"fentanyl": "adulterant"}, {"confirmed": False}),
        ("mdma", {"MDMA": "expected"}, {"purity_band": "medium"}),
        ("speed", {"PMMA": "other"}, {}),
    ],
    ids=["no-listed-substance", "no-consent", "not-confirmed", "medium-purity", "not-sold-as-mdma"],
)
def test_no_alert_without_matching_confirmed_consented_evidence(
    engine: Engine, seed: Seed, rules: AlertRules, sold_as: str, findings: dict, options: dict
) -> None:
    assert _evaluate(engine, seed(sold_as, _days_ago(1), findings, **options), rules) == []


def test_pmma_sold_as_mdma_raises_a_mismatch_alert(
    engine: Engine, seed: Seed, rules: AlertRules
) -> None:
    result = seed("mdma", _days_ago(2), {"PMMA": "other"}, category="different_substance")
    (alert,) = _evaluate(engine, result, rules)
    assert (alert.rule, alert.substance) == ("pmma-sold-as-mdma", "PMMA")
    assert alert.title.startswith("Sold as mdma, found PMMA")


def test_high_purity_band_raises_an_alert(engine: Engine, seed: Seed, rules: AlertRules) -> None:
    result = seed("mdma", _days_ago(2), {"MDMA": "expected"}, purity_band="high")
    (alert,) = _evaluate(engine, result, rules)
    assert (alert.rule, alert.title.split(" (")[0]) == ("strong-mdma", "MDMA of high purity")


def _cocaine(seed: Seed, days_ago: int, levamisole: bool) -> SampleResult:
    findings = {"cocaine": "expected"} | ({"levamisole": "adulterant"} if levamisole else {})
    return seed("cocaine", _days_ago(days_ago), findings)


@pytest.mark.parametrize(
    ("window_with", "window_without", "fires"),
    [(3, 2, True), (2, 0, False), (3, 9, False)],
    ids=["rising", "below-min-count", "below-margin"],
)
def test_prevalence_rising_above_baseline(
    engine: Engine,
    seed: Seed,
    rules: AlertRules,
    window_with: int,
    window_without: int,
    fires: bool,
) -> None:
    for index in range(10):  # baseline: 1 in 10 (10 %)
        _cocaine(seed, 20 + index, levamisole=index == 0)
    for index in range(window_without):
        _cocaine(seed, index, levamisole=False)
    for index in range(window_with):
        _cocaine(seed, index, levamisole=True)
    with transaction(engine) as session:
        raised = [a for a in evaluate_all(session, NOW, rules=rules) if a.kind == "prevalence"]
    assert bool(raised) is fires
    if fires:
        figures = raised[0].evidence["figures"]
        assert (figures["window_with"], figures["window_samples"]) == (3, 5)
        assert (figures["baseline_with"], figures["baseline_samples"]) == (1, 10)
        assert len(raised[0].evidence["samples"]) == 3
        assert raised[0].title.startswith("levamisole in cocaine: 60 % of 5 samples")


def test_re_evaluation_raises_nothing_twice(engine: Engine, seed: Seed, rules: AlertRules) -> None:
    result = seed("heroin", _days_ago(1), {"fentanyl": "adulterant", "isotonitazene": "other"})
    seed("heroin", _days_ago(40), {"fentanyl": "adulterant"})  # before the look-back
    assert len(_evaluate(engine, result, rules)) == 2
    assert _evaluate(engine, result, rules) == []
    with transaction(engine) as session:
        assert evaluate_all(session, NOW, rules=rules) == []
        assert len(session.scalars(select(Alert)).all()) == 2


def _raise_one(engine: Engine, seed: Seed, rules: AlertRules) -> Alert:
    (alert,) = _evaluate(engine, seed("heroin", _days_ago(1), {"fentanyl": "adulterant"}), rules)
    return alert


def test_lifecycle_is_audited_with_who_and_why(
    engine: Engine, actors: dict[Role, Actor], seed: Seed, rules: AlertRules
) -> None:
    alert = _raise_one(engine, seed, rules)
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


def test_lifecycle_refusals(
    engine: Engine, actors: dict[Role, Actor], seed: Seed, rules: AlertRules
) -> None:
    alert = _raise_one(engine, seed, rules)
    coordinator = actors[Role.COORDINATOR]
    with transaction(engine) as session, pytest.raises(PermissionDenied):
        move_alert(session, actors[Role.COUNSELLOR], alert.id, "acknowledged", expected_version=1)
    with transaction(engine) as session, pytest.raises(InvalidTransition):
        move_alert(session, coordinator, alert.id, "published", expected_version=1, reason="x")
    with transaction(engine) as session, pytest.raises(ValidationError, match="Reason"):
        move_alert(session, coordinator, alert.id, "dismissed", expected_version=1)
    with transaction(engine) as session:
        move_alert(session, coordinator, alert.id, "dismissed", expected_version=1, reason="test")
    with transaction(engine) as session, pytest.raises(ConcurrentEdit):
        move_alert(session, coordinator, alert.id, "acknowledged", expected_version=1)


def test_open_alerts_come_first_and_counsellors_see_published_ones(
    engine: Engine, actors: dict[Role, Actor], seed: Seed, rules: AlertRules
) -> None:
    first = _raise_one(engine, seed, rules)
    second = _raise_one(engine, seed, rules)
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


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: 2\nrules: []\n", "version: must be 1"),
        (
            "version: 1\nrules:\n  - {name: x1, kind: detection, substances: [fentanil]}\n",
            "rules.0.substances.0: 'fentanil' is not in the reference library",
        ),
        ("version: 1\nrules:\n  - {name: x1, kind: alarm}\n", "rules.0: Input tag 'alarm'"),
        (
            "version: 1\nrules:\n  - {name: x1, kind: high_purity}\n",
            "rules.0.substance: Field required",
        ),
        (
            "version: 1\nrules:\n  - {name: x1, kind: detection, substances: [fentanyl]}\n"
            "  - {name: x1, kind: detection, substances: [xylazine]}\n",
            "rules.1.name: 'x1' is used twice",
        ),
    ],
)
def test_rules_file_errors_name_the_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    with pytest.raises(ReferenceDataError, match=str(path)) as error:
        load_rules(path)
    assert message in str(error.value)


def test_the_shipped_rules_load() -> None:
    kinds = {rule.kind for rule in load_rules().rules}
    assert kinds == {"detection", "mismatch", "prevalence", "high_purity"}
