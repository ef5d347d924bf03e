"""Each rule kind fires on its evidence and only on it; the rules file and lifecycle refuse errors.

The matching SQL runs on both backends in ``test_monitoring_alerts.py``; these variations are
about the rules' logic, so they run on SQLite only, to keep the suite fast.
"""

from pathlib import Path

import pytest
from sqlalchemy import Engine

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
from labsys.monitoring.alerts import move_alert
from tests.monitoring.alerting import (
    Seed,
    days_ago,
    evaluate,
    prevalence_alerts,
    raise_fentanyl_alert,
)


@pytest.fixture
def engine(sqlite_engine: Engine) -> Engine:
    """SQLite only (overrides the fixture that runs on both backends)."""
    return sqlite_engine


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
    assert evaluate(engine, seed(sold_as, days_ago(1), findings, **options), rules) == []


def test_pmma_sold_as_mdma_raises_a_mismatch_alert(
    engine: Engine, seed: Seed, rules: AlertRules
) -> None:
    result = seed("mdma", days_ago(2), {"PMMA": "other"}, category="different_substance")
    (alert,) = evaluate(engine, result, rules)
    assert (alert.rule, alert.substance) == ("pmma-sold-as-mdma", "PMMA")
    assert alert.title.startswith("Sold as mdma, found PMMA")


def test_high_purity_band_raises_an_alert(engine: Engine, seed: Seed, rules: AlertRules) -> None:
    result = seed("mdma", days_ago(2), {"MDMA": "expected"}, purity_band="high")
    (alert,) = evaluate(engine, result, rules)
    assert (alert.rule, alert.title.split(" (")[0]) == ("strong-mdma", "MDMA of high purity")


@pytest.mark.parametrize(
    ("window_with", "window_without"), [(2, 0), (3, 9)], ids=["below-min-count", "below-margin"]
)
def test_prevalence_does_not_fire_below_its_thresholds(
    engine: Engine, seed: Seed, rules: AlertRules, window_with: int, window_without: int
) -> None:
    assert prevalence_alerts(engine, seed, rules, window_with, window_without) == []


def test_prevalence_is_evaluated_on_review_only_for_results_bearing_on_it(
    engine: Engine, seed: Seed, rules: AlertRules
) -> None:
    assert prevalence_alerts(engine, seed, rules, window_with=2, window_without=2) == []
    third = seed("cocaine", days_ago(0), {"levamisole": "adulterant"})  # now 3 of 6: it rises
    unrelated = seed("cocaine", days_ago(0), {"cocaine": "expected"})
    assert evaluate(engine, unrelated, rules) == []
    (alert,) = evaluate(engine, third, rules)
    assert alert.rule == "levamisole-rising"


def test_lifecycle_refusals(
    engine: Engine, actors: dict[Role, Actor], seed: Seed, rules: AlertRules
) -> None:
    alert = raise_fentanyl_alert(engine, seed, rules)
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


def test_the_shipped_rules_load_with_library_spelling() -> None:
    rules = load_rules().rules
    assert {rule.kind for rule in rules} == {"detection", "mismatch", "prevalence", "high_purity"}
    assert "PMMA" in next(rule for rule in rules if rule.name == "pmma-sold-as-mdma").found
