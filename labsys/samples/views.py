"""What the sample pages show, as plain rows computed outside Streamlit (and tested there)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from labsys.audit import history
from labsys.auth import Actor
from labsys.samples.models import Sample
from labsys.samples.search import get_sample
from labsys.samples.workflow import State


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a sample's timeline."""

    when: str
    who: str
    what: str
    reason: str


def _describe(
    action: str, from_state: str | None, to_state: str | None, details: dict | None
) -> str:
    if action == "registered":
        return "Registered at intake"
    if action == "state_changed" and from_state and to_state:
        return f"{State(from_state).label} → {State(to_state).label}"
    if action == "intake_corrected" and details:
        return "Intake corrected: " + "; ".join(
            f"{field} {old!r} → {new!r}" for field, (old, new) in details.items()
        )
    return action.replace("_", " ")


def sample_timeline(session: Session, actor: Actor, code: str) -> list[TimelineEntry]:
    """Every recorded event of a sample, oldest first, in words."""
    sample = get_sample(session, actor, code)
    return [
        TimelineEntry(
            when=event.at.strftime("%Y-%m-%d %H:%M UTC"),
            who=event.actor_name,
            what=_describe(event.action, event.from_state, event.to_state, event.details),
            reason=event.reason or "",
        )
        for event in history(session, "sample", sample.id)
    ]


def sample_row(sample: Sample) -> dict[str, object]:
    """One sample as a table row (the list page and exports of the list)."""
    return {
        "code": sample.code,
        "received": sample.received_on.isoformat(),
        "site": sample.site,
        "sold as": sample.sold_as,
        "form": sample.form,
        "colour": sample.colour or "",
        "logo": sample.logo or "",
        "state": State(sample.state).label,
        "consent": "yes" if sample.monitoring_consent else "no",
    }


def sample_details(sample: Sample) -> dict[str, str]:
    """The intake record as label → value pairs, for the detail page."""
    return {
        "Sold as": sample.sold_as,
        "Form": sample.form,
        "Colour": sample.colour or "—",
        "Logo": sample.logo or "—",
        "Shape": sample.shape or "—",
        "Site": sample.site,
        "Received": sample.received_on.isoformat(),
        "Monitoring consent": "yes" if sample.monitoring_consent else "no",
        "State": State(sample.state).label,
        "Lab notes": sample.lab_notes or "—",
    }
