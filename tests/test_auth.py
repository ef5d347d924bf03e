"""Accounts, password hashing, sign-in throttling and the role table."""

import pytest
from sqlalchemy import Engine, select

from labsys.auth import (
    MAX_FAILED_LOGINS,
    ROLE_PERMISSIONS,
    Actor,
    Permission,
    Role,
    User,
    create_user,
    require,
    sign_in,
)
from labsys.db import transaction
from labsys.errors import AuthenticationError, PermissionDenied, ValidationError


def test_passwords_are_hashed_with_argon2(sqlite_engine: Engine) -> None:
    with transaction(sqlite_engine) as session:
        create_user(session, "Robin", "correct horse", "volunteer")
    with transaction(sqlite_engine) as session:
        user = session.scalar(select(User))
    assert user.username == "robin"
    assert user.password_hash.startswith("$argon2")
    assert "correct horse" not in user.password_hash


def test_sign_in(engine: Engine, actors: dict[Role, Actor]) -> None:
    actor = sign_in(engine, "Counsellor", "counsellor-pass")
    assert actor.role is Role.COUNSELLOR
    with pytest.raises(AuthenticationError, match="Wrong user name or password"):
        sign_in(engine, "counsellor", "nope")
    with pytest.raises(AuthenticationError, match="Wrong user name or password"):
        sign_in(engine, "nobody", "nope")


def test_repeated_failures_lock_the_account(engine: Engine, actors: dict[Role, Actor]) -> None:
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationError, match="Wrong"):
            sign_in(engine, "volunteer", "guess")
    with pytest.raises(AuthenticationError, match="locked"):
        sign_in(engine, "volunteer", "volunteer-pass")  # even the right password, for a while


@pytest.mark.parametrize(
    ("name", "password", "role", "message"),
    [
        ("x", "long enough", "volunteer", "user name"),
        ("Jean Dupont", "long enough", "volunteer", "user name"),
        ("robin", "short", "volunteer", "at least 8"),
        ("robin", "long enough", "boss", "Unknown role"),
    ],
)
def test_account_validation(
    sqlite_engine: Engine, name: str, password: str, role: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message), transaction(sqlite_engine) as session:
        create_user(session, name, password, role)


def test_duplicate_user_name(sqlite_engine: Engine) -> None:
    with transaction(sqlite_engine) as session:
        create_user(session, "robin", "long enough", "volunteer")
    with pytest.raises(ValidationError, match="taken"), transaction(sqlite_engine) as session:
        create_user(session, "ROBIN", "long enough", "admin")


def test_only_admins_create_accounts_in_the_app(
    sqlite_actors: dict[Role, Actor], sqlite_engine: Engine
) -> None:
    for role in (Role.VOLUNTEER, Role.COUNSELLOR, Role.COORDINATOR):
        with pytest.raises(PermissionDenied), transaction(sqlite_engine) as session:
            create_user(session, "newbie", "long enough", "admin", actor=sqlite_actors[role])
    with transaction(sqlite_engine) as session:
        create_user(session, "newbie", "long enough", "volunteer", actor=sqlite_actors[Role.ADMIN])


def test_role_table() -> None:
    assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)
    assert Permission.REVIEW not in ROLE_PERMISSIONS[Role.VOLUNTEER]
    assert Permission.MONITOR not in ROLE_PERMISSIONS[Role.COUNSELLOR]
    assert Permission.LAB_WORK not in ROLE_PERMISSIONS[Role.COUNSELLOR]
    assert Permission.MANAGE_USERS not in ROLE_PERMISSIONS[Role.COORDINATOR]
    with pytest.raises(PermissionDenied, match="sign in"):
        require(None, Permission.VIEW_SAMPLES)
