"""Registering samples: validation, codes, audit, and no personal data."""

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine

from labsys.audit import history
from labsys.auth import Actor, Role
from labsys.db import transaction
from labsys.errors import PermissionDenied, ValidationError
from labsys.samples import Intake, State, get_sample, list_samples, register


def _intake(**changes: object) -> Intake:
    values: dict[str, object] = {
        "sold_as": "Cocaine",
        "form": "powder",
        "site": "Drop-in Gare",
        "received_on": date.today(),
        "monitoring_consent": True,
        "colour": "white",
    }
    values.update(changes)
    return Intake(**values)  # type: ignore[arg-type]


def test_register_issues_a_code_and_audits(engine: Engine, actors: dict[Role, Actor]) -> None:
    with transaction(engine) as session:
        sample = register(session, actors[Role.VOLUNTEER], _intake())
    with transaction(engine) as session:
        stored = get_sample(session, actors[Role.COUNSELLOR], sample.code.lower())
        events = history(session, "sample", stored.id)
    assert stored.state == State.RECEIVED
    assert stored.sold_as == "cocaine"
    assert [(e.action, e.actor_name, e.to_state) for e in events] == [
        ("registered", "volunteer", "received")
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sold_as": "  "}, "Sold as is required"),
        ({"form": "gas"}, "Form must be one of"),
        ({"received_on": date.today() + timedelta(days=3)}, "future"),
        ({"received_on": date(1999, 12, 31)}, "before 2000"),
        ({"lab_notes": "call me on +33 6 12 34 56 78"}, "contact details"),
        ({"lab_notes": "from jo@example.org"}, "contact details"),
        ({"lab_notes": "x" * 501}, "limited to 500"),
        ({"colour": "white\x00"}, "control characters"),
        ({"site": ""}, "Site is required"),
        ({"sold_as": "coke from Jo 0612345678"}, "Sold as looks like it contains contact"),
        ({"site": "ask jo@example.org"}, "Site looks like it contains contact"),
    ],
)
def test_invalid_intake_is_refused_and_nothing_is_stored(
    engine: Engine, actors: dict[Role, Actor], changes: dict, message: str
) -> None:
    with pytest.raises(ValidationError, match=message), transaction(engine) as session:
        register(session, actors[Role.VOLUNTEER], _intake(**changes))
    with transaction(engine) as session:
        assert list_samples(session, actors[Role.ADMIN]) == []


def test_notes_may_mention_markup_but_it_is_kept_as_text(
    engine: Engine, actors: dict[Role, Actor]
) -> None:
    notes = "<script>alert(1)</script> **bold** [link](http://x)"
    with transaction(engine) as session:
        sample = register(session, actors[Role.VOLUNTEER], _intake(lab_notes=notes))
    assert sample.lab_notes == notes


def test_signed_out_user_cannot_register(engine: Engine) -> None:
    with pytest.raises(PermissionDenied), transaction(engine) as session:
        register(session, None, _intake())  # type: ignore[arg-type]


def test_list_filters(engine: Engine, actors: dict[Role, Actor]) -> None:
    volunteer = actors[Role.VOLUNTEER]
    with transaction(engine) as session:
        a = register(session, volunteer, _intake(site="A", received_on=date(2026, 1, 5)))
        b = register(session, volunteer, _intake(site="B", received_on=date(2026, 2, 5)))
    with transaction(engine) as session:
        assert [s.code for s in list_samples(session, volunteer, site="A")] == [a.code]
        assert [
            s.code for s in list_samples(session, volunteer, received_from=date(2026, 2, 1))
        ] == [b.code]
        assert [s.code for s in list_samples(session, volunteer, code=b.code[:6])] == [b.code]
        assert [s.code for s in list_samples(session, volunteer, code=a.code.lower())] == [a.code]
        assert list_samples(session, volunteer, states=[State.CLOSED]) == []
        with pytest.raises(ValidationError, match="at least 2"):
            list_samples(session, volunteer, code="K")
        with pytest.raises(ValidationError, match="after"):
            list_samples(
                session, volunteer, received_from=date(2026, 3, 1), received_to=date(2026, 1, 1)
            )
