"""Demo data: one user per role and samples in several states, for trying labsys out.

Only ``labsys demo`` (run by ``make run``) creates these; a production database never has them.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from labsys.auth import Actor, Role, User, create_user
from labsys.config import load_settings
from labsys.db import transaction, utcnow
from labsys.plates.demo import load_demo_plate
from labsys.samples.intake import Intake, register
from labsys.samples.models import Form
from labsys.samples.transitions import move_sample
from labsys.samples.workflow import State
from labsys.storage.photos import PhotoStore
from labsys.tlc.references import load_library

DEMO_PASSWORDS = {role: f"{role.value}-demo" for role in Role}
"""Demo accounts: the user name is the role, the password is ``<role>-demo``."""

_PATHS = {
    State.RECEIVED: [],
    State.QUEUED: [State.QUEUED],
    State.ON_PLATE: [State.QUEUED, State.ON_PLATE],
    State.ANALYSED: [State.QUEUED, State.ON_PLATE, State.IMAGED, State.ANALYSED],
    State.REVIEWED: [State.QUEUED, State.ON_PLATE, State.IMAGED, State.ANALYSED, State.REVIEWED],
    State.CLOSED: [
        State.QUEUED,
        State.ON_PLATE,
        State.IMAGED,
        State.ANALYSED,
        State.REVIEWED,
        State.REPORTED,
        State.CLOSED,
    ],
    State.INCONCLUSIVE: [
        State.QUEUED,
        State.ON_PLATE,
        State.IMAGED,
        State.ANALYSED,
        State.INCONCLUSIVE,
    ],
}
_SAMPLES = [
    ("cocaine", Form.POWDER, "white", None, "Drop-in Gare"),
    ("heroin", Form.POWDER, "brown", None, "Drop-in Gare"),
    ("mdma", Form.TABLET, "pink", "skull", "Festival tent"),
    ("amphetamine", Form.POWDER, "off-white", None, "Festival tent"),
    ("ketamine", Form.CRYSTAL, "white", None, "Outreach squat"),
    ("cocaine", Form.POWDER, "white", None, "Outreach squat"),
    ("mdma", Form.CRYSTAL, "brown", None, "Festival tent"),
    ("heroin", Form.POWDER, "grey", None, "Drop-in Gare"),
    ("3-mmc", Form.POWDER, "white", None, "Drop-in Gare"),
    ("cocaine", Form.POWDER, "white", None, "Festival tent"),
]


def _reason(target: State) -> str | None:
    return "spots too faint to read" if target is State.INCONCLUSIVE else None


def load_demo(engine: Engine, *, seed: int = 7) -> bool:
    """Create demo users, samples and an analysed plate; return False if any user exists already."""
    with transaction(engine) as session:
        if session.scalar(select(func.count()).select_from(User)):
            return False
        actors = {
            role: create_user(session, role.value, DEMO_PASSWORDS[role], role) for role in Role
        }
        _demo_samples(session, actors[Role.ADMIN], random.Random(seed))
    settings = load_settings()
    load_demo_plate(
        engine,
        actors[Role.VOLUNTEER],
        load_library(settings.reference_dir),
        PhotoStore(settings.data_dir),
        seed=seed,
    )
    return True


def _demo_samples(session: Session, actor: Actor, rng: random.Random) -> None:
    today = utcnow().date()
    targets = list(_PATHS)
    for index, (sold_as, form, colour, logo, site) in enumerate(_SAMPLES):
        sample = register(
            session,
            actor,
            Intake(
                sold_as=sold_as,
                form=form,
                site=site,
                received_on=today - timedelta(days=rng.randint(0, 20)),
                monitoring_consent=rng.random() < 0.8,
                colour=colour,
                logo=logo,
            ),
        )
        for target in _PATHS[targets[index % len(targets)]]:
            move_sample(
                session,
                actor,
                sample.code,
                target,
                expected_version=sample.version,
                reason=_reason(target),
            )
