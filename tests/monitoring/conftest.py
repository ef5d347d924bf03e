"""Fixtures for monitoring tests: quick actors and a ``seed`` that adds one sample's result."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from labsys.auth import Actor, Role
from labsys.monitoring.alert_rules import AlertRules, load_rules
from labsys.results.models import SampleResult
from tests.monitoring.alerting import RULES_YAML
from tests.monitoring.seeding import add_actors, add_result


@pytest.fixture(scope="session")
def rules(tmp_path_factory: pytest.TempPathFactory) -> AlertRules:
    """The test alert rules (:data:`tests.monitoring.alerting.RULES_YAML`), loaded once."""
    path = tmp_path_factory.mktemp("rules") / "rules.yaml"
    path.write_text(RULES_YAML)
    return load_rules(path)


@pytest.fixture
def actors(engine: Engine) -> dict[Role, Actor]:
    """One actor per role (overrides the shared fixture: no password hashing, much faster)."""
    return add_actors(engine)


@pytest.fixture
def seed(engine: Engine, actors: dict[Role, Actor]) -> Callable[..., SampleResult]:
    """Add one sample with its result to ``engine`` (see :func:`add_result`)."""

    def _seed(*args: object, **kwargs: object) -> SampleResult:
        return add_result(engine, actors[Role.VOLUNTEER], *args, **kwargs)  # type: ignore[arg-type]

    return _seed
