"""Who may do what: every service function, called as every role, against ROLE_PERMISSIONS.

The sample and account services are called for real (an allowed call must succeed). Every other
public service function taking an ``actor`` is discovered across labsys (plates, results,
monitoring, ... whichever exist) and called with placeholder arguments: a role without the
permission the function requires must get PermissionDenied before anything else happens, and a
role with it must not.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

import labsys
from labsys.auth import ROLE_PERMISSIONS, Actor, Permission, Role, User, create_user
from labsys.db import make_engine, transaction, upgrade
from labsys.errors import PermissionDenied
from labsys.samples import Intake, State, get_sample, list_samples, register
from labsys.samples.transitions import move_sample, update_intake
from labsys.samples.workflow import MANAGED_TARGETS, REQUIRED_PERMISSION, TRANSITIONS
from tests.conftest import make_actors, sqlite_url

CALLED_FOR_REAL = {register, get_sample, list_samples, update_intake, move_sample, create_user}
NOT_SERVICES = ("labsys.ui", "labsys.migrations", "labsys.tlc")
POLICY = {
    "labsys.plates": Permission.LAB_WORK,
    "labsys.plates.reference_plates": Permission.MANAGE_REFERENCES,
    "labsys.results": Permission.REVIEW,
    "labsys.results.review.propose_result": Permission.LAB_WORK,
    "labsys.results.conversation": Permission.COUNSEL,
    "labsys.results.counsel": Permission.COUNSEL,
    "labsys.monitoring": Permission.MONITOR,
    "labsys.monitoring.alerts": Permission.MANAGE_ALERTS,
    "labsys.samples.search": Permission.VIEW_SAMPLES,
}
"""Who may do what, by area (the longest matching prefix wins): the policy the code must follow."""
NOT_ROLE_CHECKED = {
    "labsys.audit.record": "writes the event inside a service that checked the role",
    "labsys.auth.require": "is the check",
    "labsys.samples.workflow.allowed_transitions": "only lists buttons; moving checks again",
}
_REQUIRE = re.compile(r"require\(\s*actor\s*,\s*Permission\.(\w+)\s*\)")
_CALLS = re.compile(r"\b(_[a-z]\w*)\(")


def _allowed(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, dict[Role, Actor]]]:
    """One migrated SQLite lab with an account per role, shared by the module."""
    engine = make_engine(sqlite_url(tmp_path_factory.mktemp("access")))
    upgrade(engine)
    yield engine, make_actors(engine)
    engine.dispose()


def _sample_in(engine: Engine, admin: Actor, state: State) -> tuple[str, int]:
    """A new sample put straight into ``state`` (set up only; the move under test is audited)."""
    with transaction(engine) as session:
        sample = register(session, admin, Intake(sold_as="mdma", form="tablet", site="Gare"))
        sample.state = state.value
        session.flush()
        return sample.code, sample.version


def _outcome(call: Callable[[], object]) -> bool:
    """True if the call was allowed, False if refused with PermissionDenied."""
    try:
        call()
    except PermissionDenied:
        return False
    return True


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("target", [s for s in State if s in REQUIRED_PERMISSION])
def test_move_sample_into_each_state(lab: tuple, role: Role, target: State) -> None:
    engine, actors = lab
    source = next(state for state, nexts in TRANSITIONS.items() if target in nexts)
    code, version = _sample_in(engine, actors[Role.ADMIN], source)

    def move() -> None:
        with transaction(engine) as session:
            moved = move_sample(
                session,
                actors[role],
                code,
                target,
                expected_version=version,
                reason="matrix",
                by_record_service=target in MANAGED_TARGETS,
            )
            assert moved.state == target.value

    assert _outcome(move) is _allowed(role, REQUIRED_PERMISSION[target])


@pytest.mark.parametrize("role", list(Role))
def test_register_view_list_and_correct(lab: tuple, role: Role) -> None:
    engine, actors = lab
    actor = actors[role]
    code, version = _sample_in(engine, actors[Role.ADMIN], State.RECEIVED)
    intake = Intake(sold_as="ketamine", form="powder", site="Gare", received_on=date.today())

    def in_session(work: Callable[[Session], object]) -> Callable[[], object]:
        def call() -> object:
            with transaction(engine) as session:
                return work(session)

        return call

    registering = _allowed(role, Permission.REGISTER_SAMPLE)
    assert _outcome(in_session(lambda s: register(s, actor, intake))) is registering
    viewing = _allowed(role, Permission.VIEW_SAMPLES)
    assert _outcome(in_session(lambda s: get_sample(s, actor, code))) is viewing
    assert _outcome(in_session(lambda s: list_samples(s, actor))) is viewing
    correct = in_session(lambda s: update_intake(s, actor, code, intake, expected_version=version))
    assert _outcome(correct) is registering


@pytest.mark.parametrize("role", list(Role))
def test_create_user_as_each_role(lab: tuple, role: Role) -> None:
    engine, actors = lab
    with transaction(engine) as session:
        allowed = _outcome(
            lambda: create_user(
                session, f"new-by-{role.value}", "long-password", Role.VOLUNTEER, actor=actors[role]
            )
        )
    assert allowed is _allowed(role, Permission.MANAGE_USERS)
    with transaction(engine) as session:
        exists = session.scalar(select(User.id).where(User.username == f"new-by-{role.value}"))
    assert (exists is not None) is allowed


def _actor_functions() -> Iterator[tuple[ModuleType, str, Callable[..., Any]]]:
    """Every public function outside the pages and the image analysis that takes an ``actor``."""
    root = Path(labsys.__file__).parent
    for module_info in pkgutil.walk_packages([str(root)], prefix="labsys."):
        if module_info.name.startswith(NOT_SERVICES):
            continue
        module = importlib.import_module(module_info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            if "actor" in inspect.signature(function).parameters:
                yield module, name, function


def _service_functions() -> Iterator[tuple[str, Callable[..., Any], Permission]]:
    """Service functions that start by requiring one named permission."""
    for module, name, function in _actor_functions():
        permission = _required_permission(module, function)
        if permission and function not in CALLED_FOR_REAL:
            yield f"{module.__name__}.{name}", function, permission


def _source_with_helpers(module: ModuleType, function: Callable[..., Any]) -> str:
    """The function's source and that of the module's private helpers it calls, transitively."""
    sources, seen, pending = [], set(), [function]
    while pending:
        current = pending.pop()
        source = inspect.getsource(current)
        sources.append(source)
        for name in _CALLS.findall(source):
            helper = getattr(module, name, None)
            if inspect.isfunction(helper) and name not in seen:
                seen.add(name)
                pending.append(helper)
    return "\n".join(sources)


def _required_permission(module: ModuleType, function: Callable[..., Any]) -> Permission | None:
    """The permission ``function`` requires, itself or through a private helper it calls."""
    found = _REQUIRE.search(_source_with_helpers(module, function))
    return Permission[found.group(1)] if found else None


DISCOVERED = sorted(_service_functions(), key=lambda found: found[0])


def _placeholder_arguments(
    function: Callable[..., Any], session: Session, engine: Engine, actor: Actor
) -> dict[str, Any]:
    """Real session, engine and actor; None for every other argument without a default."""
    given = {"session": session, "engine": engine, "actor": actor}
    arguments = {}
    for name, parameter in inspect.signature(function).parameters.items():
        if name in given:
            arguments[name] = given[name]
        elif parameter.default is inspect.Parameter.empty:
            arguments[name] = None
    return arguments


def test_every_service_function_checks_the_role() -> None:
    """Each public function taking an actor requires a permission itself or calls one that does.

    A new service function that forgot the role check fails here, whatever module it is in.
    """
    checked = {function.__name__ for _, function, _ in DISCOVERED} | {
        function.__name__ for function in CALLED_FOR_REAL
    }
    unchecked = {
        f"{module.__name__}.{name}": _source_with_helpers(module, function)
        for module, name, function in _actor_functions()
        if function.__name__ not in checked
    }
    while True:  # a function calling a checked function is checked too
        newly = {name for name, source in unchecked.items() if _calls_any(source, checked)}
        if not newly:
            break
        checked |= {name.rsplit(".", 1)[1] for name in newly}
        unchecked = {name: source for name, source in unchecked.items() if name not in newly}
    assert set(unchecked) <= set(NOT_ROLE_CHECKED)


@pytest.mark.parametrize(("name", "permission"), [(n, p) for n, _, p in DISCOVERED])
def test_services_require_what_the_policy_says(name: str, permission: Permission) -> None:
    areas = [area for area in POLICY if name == area or name.startswith(f"{area}.")]
    if not areas:
        pytest.skip(f"{name} is in an area without a written policy yet")
    assert permission is POLICY[max(areas, key=len)]


def _calls_any(source: str, names: set[str]) -> bool:
    return any(re.search(rf"\b{re.escape(name)}\(", source) for name in names)


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")  # placeholder ids are None
@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(
    ("function", "permission"),
    [pytest.param(function, permission, id=name) for name, function, permission in DISCOVERED],
)
def test_discovered_service_checks_the_role_first(
    lab: tuple, role: Role, function: Callable[..., Any], permission: Permission
) -> None:
    engine, actors = lab
    with Session(engine) as session:
        arguments = _placeholder_arguments(function, session, engine, actors[role])
        try:
            function(**arguments)
        except PermissionDenied:
            refused = True
        except Exception:  # placeholders may break the work itself; the role check came first
            refused = False
        else:
            refused = False
        session.rollback()
    assert refused is not _allowed(role, permission)
