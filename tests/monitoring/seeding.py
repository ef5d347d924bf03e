"""Samples and results written straight into the tables, for monitoring tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import Engine

from labsys.auth import Actor, Role, User
from labsys.db import transaction
from labsys.results.models import ResultFinding, SampleResult
from labsys.samples.codes import generate_code
from labsys.samples.models import Sample


def add_actors(engine: Engine) -> dict[Role, Actor]:
    """One actor per role, quickly: no password is hashed, as nobody signs in with them."""
    with transaction(engine) as session:
        users = [User(username=role.value, password_hash="!", role=role.value) for role in Role]
        session.add_all(users)
        session.flush()
        return {Role(user.role): Actor(user.id, user.username, Role(user.role)) for user in users}


def add_result(
    engine: Engine,
    proposer: Actor,
    sold_as: str,
    received_on: date,
    findings: dict[str, str],
    *,
    category: str = "as_expected",
    site: str = "Drop-in Gare",
    consent: bool = True,
    confirmed: bool = True,
    purity_band: str | None = None,
    colour: str | None = "white",
) -> SampleResult:
    """A sample and its result; ``findings`` maps substance to kind (expected, adulterant, ...)."""
    with transaction(engine) as session:
        sample = Sample(
            code=generate_code(),
            sold_as=sold_as,
            form="powder",
            colour=colour,
            site=site,
            received_on=received_on,
            monitoring_consent=consent,
            state="reviewed" if confirmed else "analysed",
        )
        session.add(sample)
        session.flush()
        result = SampleResult(
            sample_id=sample.id,
            category=category,
            purity_band=purity_band,
            status="confirmed" if confirmed else "proposed",
            proposed_by_id=proposer.id,
            reviewed_at=datetime.combine(received_on, time(20), UTC) if confirmed else None,
            findings=[
                ResultFinding(substance=name, kind=kind, confidence="high")
                for name, kind in findings.items()
            ],
        )
        session.add(result)
    return result
