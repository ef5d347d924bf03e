"""What the sample pages show, as plain rows computed outside Streamlit (and tested there)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from labsys.audit import AuditEvent, history
from labsys.auth import Actor
from labsys.counselling.i18n import t
from labsys.results.categories import ResultCategory
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


def _substances(names: Iterable[str]) -> str:
    return ", ".join(names) or "nothing"


def _category(result: dict[str, Any]) -> str:
    return ResultCategory(result["category"]).label


def _found(result: dict[str, Any]) -> str:
    return _substances(finding["substance"] for finding in result["findings"])


def _purity(result: dict[str, Any]) -> str:
    return result["purity_band"] or "none"


def _result(result: dict[str, Any]) -> str:
    """A result snapshot (see :func:`labsys.results.findings.snapshot`) in one line."""
    purity = f"; purity {result['purity_band']}" if result["purity_band"] else ""
    return f"{_category(result)}; found {_found(result)}{purity}"


def _changes(before: dict[str, Any], after: dict[str, Any]) -> str:
    """Only what a correction changed, as before → after, so the analyst sees it at a glance."""
    parts = [
        f"{name} {show(before)} → {show(after)}"
        for name, show in (("category", _category), ("found", _found), ("purity", _purity))
        if show(before) != show(after)
    ]
    if not parts and before["findings"] != after["findings"]:
        parts.append("a finding's kind, confidence or amount changed")
    if before["summary"] != after["summary"]:
        parts.append("summary reworded")
    return "; ".join(parts) or "nothing changed"


def _referrals(values: list[str]) -> str:
    return ", ".join(t(f"referral.{value}", "en") for value in values) or "none"


def _state_changed(event: AuditEvent, _: dict[str, Any]) -> str:
    return f"{State(event.from_state).label} → {State(event.to_state).label}"


def _intake_corrected(_: AuditEvent, details: dict[str, Any]) -> str:
    return "Intake corrected: " + "; ".join(
        f"{field} {old!r} → {new!r}" for field, (old, new) in details.items()
    )


def _result_proposed(_: AuditEvent, details: dict[str, Any]) -> str:
    again = f" (replacing {_result(details['before'])})" if "before" in details else ""
    return f"Result proposed: {_result(details['after'])}{again}"


def _result_corrected(_: AuditEvent, details: dict[str, Any]) -> str:
    return f"Result corrected: {_changes(details['before'], details['after'])}"


def _result_inconclusive(_: AuditEvent, details: dict[str, Any]) -> str:
    return f"Marked inconclusive (proposed: {_result(details['before'])})"


def _confirmation_recorded(_: AuditEvent, details: dict[str, Any]) -> str:
    return (
        f"Confirmation received from {details['lab']} (report {details['reference']}): "
        f"found {_substances(details['findings'])}"
    )


def _conversation_recorded(_: AuditEvent, details: dict[str, Any]) -> str:
    if not details["offered"]:
        return "Conversation recorded (no referrals offered)"
    return (
        f"Conversation recorded (referrals offered: {_referrals(details['offered'])}; "
        f"accepted: {_referrals(details['accepted'])})"
    )


def _purged(_: AuditEvent, details: dict[str, Any]) -> str:
    notes = "lab notes blanked" if details["lab_notes_blanked"] else "no lab notes to blank"
    photos = len(details["photos_deleted"])
    return f"Purged after the retention period: {notes}, {photos} photo file(s) deleted"


_DESCRIBE: dict[str, Callable[[AuditEvent, dict[str, Any]], str]] = {
    "registered": lambda _, __: "Registered at intake",
    "state_changed": _state_changed,
    "intake_corrected": _intake_corrected,
    "result_proposed": _result_proposed,
    "result_confirmed": lambda _, __: "Result confirmed",
    "result_corrected": _result_corrected,
    "result_inconclusive": _result_inconclusive,
    "confirmation_recorded": _confirmation_recorded,
    "conversation_recorded": _conversation_recorded,
    "purged": _purged,
}
"""Every action the services record for a sample, in words (the details each one records)."""


def _describe(event: AuditEvent) -> str:
    """One event in plain words; an action added later and not described yet is still shown."""
    describe = _DESCRIBE.get(event.action)
    if describe is None:
        return event.action.replace("_", " ")
    return describe(event, event.details or {})


def sample_timeline(session: Session, actor: Actor, code: str) -> list[TimelineEntry]:
    """Every recorded event of a sample, oldest first, in words."""
    sample = get_sample(session, actor, code)
    return [
        TimelineEntry(
            when=event.at.strftime("%Y-%m-%d %H:%M UTC"),
            who=event.actor_name,
            what=_describe(event),
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
