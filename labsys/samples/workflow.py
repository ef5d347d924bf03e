"""The drug-checking workflow: the states a sample passes through and who may move it.

The rules are data (:data:`TRANSITIONS`), checked by pure functions, so a page, the command line
and the tests all enforce exactly the same thing.
"""

from __future__ import annotations

from enum import StrEnum

from labsys.auth import Actor, Permission
from labsys.errors import InvalidTransition


class State(StrEnum):
    """Where a sample is in the lab."""

    RECEIVED = "received"
    QUEUED = "queued"
    ON_PLATE = "on_plate"
    IMAGED = "imaged"
    ANALYSED = "analysed"
    REVIEWED = "reviewed"
    REPORTED = "reported"
    CLOSED = "closed"
    INCONCLUSIVE = "inconclusive"
    RETEST = "retest"
    SENT_FOR_CONFIRMATION = "sent_for_confirmation"
    CONFIRMATION_RECEIVED = "confirmation_received"
    WITHDRAWN = "withdrawn"
    DESTROYED = "destroyed"

    @property
    def label(self) -> str:
        """Human label, e.g. "sent for confirmation"."""
        return self.value.replace("_", " ")


S = State
_STOPPABLE = (S.WITHDRAWN, S.DESTROYED)

TRANSITIONS: dict[State, tuple[State, ...]] = {
    S.RECEIVED: (S.QUEUED, *_STOPPABLE),
    S.QUEUED: (S.ON_PLATE, *_STOPPABLE),
    S.ON_PLATE: (S.IMAGED, S.QUEUED, *_STOPPABLE),
    S.IMAGED: (S.ANALYSED, S.ON_PLATE, *_STOPPABLE),
    S.ANALYSED: (S.REVIEWED, S.INCONCLUSIVE, *_STOPPABLE),
    S.INCONCLUSIVE: (S.RETEST, S.SENT_FOR_CONFIRMATION, S.REVIEWED, *_STOPPABLE),
    S.RETEST: (S.QUEUED, *_STOPPABLE),
    S.SENT_FOR_CONFIRMATION: (S.CONFIRMATION_RECEIVED, S.WITHDRAWN),
    S.CONFIRMATION_RECEIVED: (S.REVIEWED, S.WITHDRAWN),
    S.REVIEWED: (S.REPORTED, S.ANALYSED, S.WITHDRAWN),
    S.REPORTED: (S.CLOSED,),
    S.CLOSED: (),
    S.WITHDRAWN: (S.DESTROYED,),
    S.DESTROYED: (),
}
"""Allowed next states for each state."""

REQUIRED_PERMISSION: dict[State, Permission] = {
    S.QUEUED: Permission.LAB_WORK,
    S.ON_PLATE: Permission.LAB_WORK,
    S.IMAGED: Permission.LAB_WORK,
    S.ANALYSED: Permission.LAB_WORK,
    S.INCONCLUSIVE: Permission.LAB_WORK,
    S.RETEST: Permission.LAB_WORK,
    S.SENT_FOR_CONFIRMATION: Permission.LAB_WORK,
    S.CONFIRMATION_RECEIVED: Permission.LAB_WORK,
    S.DESTROYED: Permission.LAB_WORK,
    S.REVIEWED: Permission.REVIEW,
    S.REPORTED: Permission.COUNSEL,
    S.CLOSED: Permission.COUNSEL,
    S.WITHDRAWN: Permission.VIEW_SAMPLES,
}
"""The permission needed to move a sample *into* each state."""

REASON_REQUIRED = frozenset({S.WITHDRAWN, S.DESTROYED, S.INCONCLUSIVE, S.RETEST})
"""States whose entry must be explained."""


MANAGED_TARGETS: dict[State, str] = {
    S.REVIEWED: "a second person confirms or corrects its result on the Review page",
    S.CONFIRMATION_RECEIVED: "the external laboratory's answer is recorded on the Review page",
    S.REPORTED: "the counsellor records the conversation on the Counsellor page",
    S.CLOSED: "the counsellor records the conversation on the Counsellor page",
}
"""States that stand for a record (a reviewed result, a conversation): only the service that
writes the record moves a sample into them, so the four-eyes rule cannot be skipped."""


def check_transition(current: State, target: State) -> None:
    """Raise :class:`InvalidTransition` unless ``current → target`` is allowed."""
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(s.label for s in TRANSITIONS[current]) or "nowhere (it is finished)"
        raise InvalidTransition(
            f"A sample that is {current.label!r} cannot be moved to {target.label!r}. "
            f"From {current.label!r} it can go to: {allowed}."
        )


def needs_reason(current: State, target: State) -> bool:
    """Whether moving ``current → target`` must be explained (stops, failures, corrections)."""
    is_correction = current is S.REVIEWED and target is S.ANALYSED
    return is_correction or target in REASON_REQUIRED


def allowed_transitions(current: State, actor: Actor) -> list[State]:
    """Next states ``actor`` may move a sample to by hand from ``current`` (the action buttons)."""
    return [
        t
        for t in TRANSITIONS[current]
        if t not in MANAGED_TARGETS and actor.can(REQUIRED_PERMISSION[t])
    ]
