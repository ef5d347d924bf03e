"""Alert rules for tests, a fixed "now", and helpers that seed and evaluate."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine

from labsys.db import transaction
from labsys.monitoring.alert_rules import AlertRules
from labsys.monitoring.alerts import evaluate_all, evaluate_for_result
from labsys.monitoring.models import Alert
from labsys.results.models import SampleResult

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)
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


def days_ago(days: int) -> date:
    """A day before :data:`NOW`."""
    return NOW.date() - timedelta(days=days)


def evaluate(engine: Engine, result: SampleResult, rules: AlertRules) -> list[Alert]:
    """Evaluate the rules for one result, as the review does when it confirms it."""
    with transaction(engine) as session:
        return evaluate_for_result(session, result.id, rules=rules, now=NOW)


def raise_fentanyl_alert(engine: Engine, seed: Seed, rules: AlertRules) -> Alert:
    """A new alert: fentanyl found in heroin yesterday."""
    (alert,) = evaluate(engine, seed("heroin", days_ago(1), {"fentanyl": "adulterant"}), rules)
    return alert


def prevalence_alerts(
    engine: Engine, seed: Seed, rules: AlertRules, window_with: int, window_without: int
) -> list[Alert]:
    """Levamisole in 1 of 10 cocaine samples 20-29 days ago, then in ``window_with`` recent ones.

    ``window_without`` recent cocaine samples have none; returns the prevalence alerts raised.
    """
    for index in range(10):
        _cocaine(seed, 20 + index, levamisole=index == 0)
    for index in range(window_without):
        _cocaine(seed, index, levamisole=False)
    for index in range(window_with):
        _cocaine(seed, index, levamisole=True)
    with transaction(engine) as session:
        return [a for a in evaluate_all(session, NOW, rules=rules) if a.kind == "prevalence"]


def _cocaine(seed: Seed, days: int, levamisole: bool) -> SampleResult:
    findings = {"cocaine": "expected"} | ({"levamisole": "adulterant"} if levamisole else {})
    return seed("cocaine", days_ago(days), findings)
