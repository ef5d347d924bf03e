"""Users, roles and the permission check used by every service function and every page.

Roles map to permissions in one table (:data:`ROLE_PERMISSIONS`), so what a role may do is read in
one place and enforced server-side by :func:`require`, whatever the page or command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, Engine, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from labsys.db import Base, UTCDateTime, run_in_transaction, utcnow
from labsys.errors import AuthenticationError, PermissionDenied, ValidationError

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=5)
MIN_PASSWORD_LENGTH = 8
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")

_hasher = PasswordHasher()


class Role(StrEnum):
    """What a person does in the service."""

    VOLUNTEER = "volunteer"
    COUNSELLOR = "counsellor"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class Permission(StrEnum):
    """One thing a person may do; roles are sets of these."""

    REGISTER_SAMPLE = "register_sample"
    VIEW_SAMPLES = "view_samples"
    LAB_WORK = "lab_work"
    REVIEW = "review"
    COUNSEL = "counsel"
    MONITOR = "monitor"
    MANAGE_ALERTS = "manage_alerts"
    MANAGE_REFERENCES = "manage_references"
    MANAGE_USERS = "manage_users"


_LAB = {Permission.REGISTER_SAMPLE, Permission.VIEW_SAMPLES, Permission.LAB_WORK}
_COUNSEL = {Permission.REGISTER_SAMPLE, Permission.VIEW_SAMPLES, Permission.COUNSEL}
_COORDINATE = (
    _LAB
    | _COUNSEL
    | {
        Permission.REVIEW,
        Permission.MONITOR,
        Permission.MANAGE_ALERTS,
        Permission.MANAGE_REFERENCES,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VOLUNTEER: frozenset(_LAB),
    Role.COUNSELLOR: frozenset(_COUNSEL),
    Role.COORDINATOR: frozenset(_COORDINATE),
    Role.ADMIN: frozenset(Permission),
}


class User(Base):
    """An account. Staff only: the people whose samples are tested never have one."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(2), default="en")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@dataclass(frozen=True)
class Actor:
    """Who is acting: what services receive instead of a live ORM object or a session cookie."""

    id: int
    username: str
    role: Role
    language: str = "en"

    def can(self, permission: Permission) -> bool:
        """Whether this actor's role grants ``permission``."""
        return permission in ROLE_PERMISSIONS[self.role]


def require(actor: Actor | None, permission: Permission) -> Actor:
    """Return ``actor`` if it holds ``permission``; raise :class:`PermissionDenied` otherwise."""
    if actor is None:
        raise PermissionDenied("Please sign in first.")
    if not actor.can(permission):
        raise PermissionDenied(
            f"Your role ({actor.role}) does not allow this ({permission.value.replace('_', ' ')})."
        )
    return actor


def _as_actor(user: User) -> Actor:
    return Actor(id=user.id, username=user.username, role=Role(user.role), language=user.language)


def create_user(
    session: Session,
    username: str,
    password: str,
    role: Role | str,
    *,
    actor: Actor | None = None,
    language: str = "en",
) -> Actor:
    """Create an account.

    ``actor`` is None only for the command line, run by whoever operates the server; through the
    application an admin must be acting.
    """
    if actor is not None:
        require(actor, Permission.MANAGE_USERS)
    username = username.strip().lower()
    if not USERNAME_PATTERN.fullmatch(username):
        raise ValidationError(
            "A user name is 2-40 lower-case letters, digits, dots, dashes or underscores "
            "(a nickname is fine; no real names needed)."
        )
    try:
        role = Role(role)
    except ValueError:
        raise ValidationError(
            f"Unknown role {role!r}; choose one of: {', '.join(r.value for r in Role)}."
        ) from None
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    if language not in ("en", "fr"):
        raise ValidationError("Language must be 'en' or 'fr'.")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValidationError(f"The user name {username!r} is taken.")
    user = User(
        username=username, password_hash=_hasher.hash(password), role=role.value, language=language
    )
    session.add(user)
    session.flush()
    return _as_actor(user)


def _check_credentials(
    session: Session, username: str, password: str
) -> Actor | AuthenticationError:
    """Check a name and password, updating the failure counter; return the outcome.

    The failure is returned rather than raised so that the counter update is committed.
    The same message is given for an unknown name and a wrong password, so names cannot be probed.
    """
    wrong = AuthenticationError("Wrong user name or password.")
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None or not user.active:
        _hasher.hash(password)  # spend the same time as a real check
        return wrong
    now = utcnow()
    if user.locked_until is not None and user.locked_until > now:
        minutes = max(1, round((user.locked_until - now).total_seconds() / 60))
        return AuthenticationError(
            f"Too many failed attempts: this account is locked for about {minutes} more minute(s)."
        )
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
        return wrong
    user.failed_logins = 0
    user.locked_until = None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return _as_actor(user)


def sign_in(engine: Engine, username: str, password: str) -> Actor:
    """Authenticate, locking the account for a while after repeated failures.

    Raises
    ------
    AuthenticationError
        Wrong name or password, or the account is locked.
    """
    outcome = run_in_transaction(
        engine, lambda session: _check_credentials(session, username, password)
    )
    if isinstance(outcome, AuthenticationError):
        raise outcome
    return outcome
