"""The audit trail cannot be changed or deleted, through the ORM or behind its back."""

import pytest
from sqlalchemy import Engine, delete, text, update
from sqlalchemy.exc import DBAPIError

from labsys.audit import AuditEvent, history
from labsys.auth import Actor, Role
from labsys.db import transaction
from labsys.errors import PermissionDenied
from tests.conftest import registered_sample


def _sample_id(engine: Engine, actor: Actor) -> int:
    return registered_sample(engine, actor).id


def test_orm_refuses_to_edit_or_delete_events(engine: Engine, actors: dict[Role, Actor]) -> None:
    sample_id = _sample_id(engine, actors[Role.ADMIN])
    with pytest.raises(PermissionDenied, match="append-only"), transaction(engine) as session:
        history(session, "sample", sample_id)[0].reason = "rewritten"
    with pytest.raises(PermissionDenied, match="append-only"), transaction(engine) as session:
        session.delete(history(session, "sample", sample_id)[0])


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditEvent).values(actor_name="someone else"),
        delete(AuditEvent),
    ],
    ids=["update", "delete"],
)
def test_database_refuses_to_edit_or_delete_events(
    engine: Engine, actors: dict[Role, Actor], statement: object
) -> None:
    sample_id = _sample_id(engine, actors[Role.ADMIN])
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(statement)  # type: ignore[arg-type]
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM audit_events")).scalar_one()
    assert count == 1
    with transaction(engine) as session:
        assert history(session, "sample", sample_id)[0].actor_name == "admin"
