"""Demo data: one user per role and samples in several states, for trying labsys out.

Only ``labsys demo`` (run by ``make run``) creates these; a production database never has them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from labsys.auth import Actor, Role, User, create_user
from labsys.config import load_settings
from labsys.counselling.knowledge import Referral
from labsys.db import transaction, utcnow
from labsys.plates.demo import load_demo_plate
from labsys.results.conversation import record_conversation
from labsys.results.findings import ProposedFinding
from labsys.results.models import Confidence
from labsys.results.review import confirm_result, propose_result
from labsys.samples.intake import Intake, register
from labsys.samples.models import Form
from labsys.samples.transitions import move_sample
from labsys.samples.workflow import State
from labsys.storage.photos import PhotoStore
from labsys.tlc.references import load_library

DEMO_PASSWORDS = {role: f"{role.value}-demo" for role in Role}
"""Demo accounts: the user name is the role, the password is ``<role>-demo``."""

_LAB_PATH = (State.QUEUED, State.ON_PLATE, State.IMAGED, State.ANALYSED)


@dataclass(frozen=True)
class _DemoSample:
    """One demo sample and how far it gets: a lab state, or "proposed", "reviewed", "closed"."""

    sold_as: str
    form: Form
    colour: str
    site: str
    stage: str
    found: tuple[tuple[str, str], ...] = ()
    category: str = "as_expected"
    purity: str | None = None
    logo: str | None = None


_SAMPLES = (
    _DemoSample("cocaine", Form.POWDER, "white", "Drop-in Gare", "received"),
    _DemoSample("ketamine", Form.CRYSTAL, "white", "Outreach squat", "queued"),
    _DemoSample("3-mmc", Form.POWDER, "white", "Drop-in Gare", "on_plate"),
    _DemoSample(
        "amphetamine",
        Form.POWDER,
        "off-white",
        "Festival tent",
        "proposed",
        found=(("amphetamine", "expected"), ("caffeine", "adulterant")),
        category="as_expected_with_adulterants",
    ),
    _DemoSample(
        "cocaine",
        Form.POWDER,
        "white",
        "Outreach squat",
        "reviewed",
        found=(("cocaine", "expected"), ("levamisole", "adulterant")),
        category="as_expected_with_adulterants",
    ),
    _DemoSample(
        "heroin",
        Form.POWDER,
        "brown",
        "Drop-in Gare",
        "reviewed",
        found=(("heroin", "expected"), ("fentanyl", "adulterant")),
        category="as_expected_with_adulterants",
    ),
    _DemoSample(
        "mdma",
        Form.TABLET,
        "pink",
        "Festival tent",
        "closed",
        found=(("mdma", "expected"),),
        purity="high",
        logo="skull",
    ),
    _DemoSample("mdma", Form.CRYSTAL, "brown", "Festival tent", "inconclusive"),
)


def load_demo(engine: Engine, *, seed: int = 7) -> bool:
    """Create demo users, samples and an analysed plate; return False if any user exists already."""
    with transaction(engine) as session:
        if session.scalar(select(func.count()).select_from(User)):
            return False
        actors = {
            role: create_user(session, role.value, DEMO_PASSWORDS[role], role) for role in Role
        }
        _demo_samples(session, actors, random.Random(seed))
    settings = load_settings()
    load_demo_plate(
        engine,
        actors[Role.VOLUNTEER],
        load_library(settings.reference_dir),
        PhotoStore(settings.data_dir),
        seed=seed,
    )
    return True


def _lab_path(demo: _DemoSample) -> tuple[State, ...]:
    """The lab states a demo sample passes through before any result."""
    if demo.found or demo.stage == "inconclusive":
        return _LAB_PATH
    if demo.stage == "received":
        return ()
    return _LAB_PATH[: _LAB_PATH.index(State(demo.stage)) + 1]


def _demo_samples(session: Session, actors: dict[Role, Actor], rng: random.Random) -> None:
    """Take each demo sample as far as its stage, the way the lab would (four eyes included)."""
    volunteer, coordinator = actors[Role.VOLUNTEER], actors[Role.COORDINATOR]
    today = utcnow().date()
    for demo in _SAMPLES:
        intake = Intake(
            sold_as=demo.sold_as,
            form=demo.form,
            site=demo.site,
            colour=demo.colour,
            logo=demo.logo,
            received_on=today - timedelta(days=rng.randint(0, 20)),
            monitoring_consent=True,
        )
        sample = register(session, volunteer, intake)
        for target in _lab_path(demo):
            move_sample(session, volunteer, sample.code, target, expected_version=sample.version)
        if demo.stage == "inconclusive":
            move_sample(
                session,
                volunteer,
                sample.code,
                State.INCONCLUSIVE,
                expected_version=sample.version,
                reason="spots too faint to read",
            )
        if not demo.found:
            continue
        findings = [ProposedFinding(name, kind, Confidence.HIGH) for name, kind in demo.found]
        propose_result(
            session,
            volunteer,
            sample.code,
            category=demo.category,
            findings=findings,
            purity_band=demo.purity,
            expected_version=None,
        )
        if demo.stage == "proposed":
            continue
        confirm_result(session, coordinator, sample.code, expected_version=1)
        if demo.stage == "closed":
            record_conversation(
                session,
                actors[Role.COUNSELLOR],
                sample.code,
                language="en",
                offered=[Referral.HCV_HIV_TESTING],
                accepted=[],
                expected_version=sample.version,
            )
