"""Alerts for coordinators: open ones first, with their evidence; acknowledge, publish, dismiss."""

from __future__ import annotations

import streamlit as st

from labsys.auth import Actor, Permission
from labsys.db import run_in_transaction, utcnow
from labsys.errors import LabsysError
from labsys.monitoring.alerts import (
    NEEDS_REASON,
    TRANSITIONS,
    evaluate_all,
    list_alerts,
    move_alert,
)
from labsys.monitoring.models import Alert, AlertState
from labsys.ui.actions import attempt, flash, seen_version
from labsys.ui.context import engine, read, require_page, show_error

ACTIONS = {
    AlertState.ACKNOWLEDGED: "Acknowledge",
    AlertState.PUBLISHED: "Publish",
    AlertState.DISMISSED: "Dismiss",
}


def render() -> None:
    """Open alerts with their evidence and actions; closed ones folded away below."""
    actor = require_page(Permission.MANAGE_ALERTS)
    st.title("Alerts")
    flash()
    if st.button("Check the rules now", key="alerts_check"):
        _check(actor)
    alerts = read(lambda s: list_alerts(s, actor))
    open_alerts = [a for a in alerts if AlertState(a.state) in TRANSITIONS]
    closed = [a for a in alerts if AlertState(a.state) not in TRANSITIONS]
    if not open_alerts:
        st.info("No open alert.")
    for alert in open_alerts:
        with st.container(border=True):
            _show(alert)
            _actions(actor, alert)
    if closed:
        with st.expander(f"Published and dismissed ({len(closed)})"):
            for alert in closed:
                _show(alert)


def _check(actor: Actor) -> None:
    """Evaluate every rule as ``actor``; a broken rules file is a message, not a traceback."""
    try:
        raised = run_in_transaction(engine(), lambda s: evaluate_all(s, utcnow(), actor=actor))
    except LabsysError as error:
        show_error(error)
        return
    st.success(f"{len(raised)} new alert(s).")


def _show(alert: Alert) -> None:
    st.text(alert.title)  # literally: it holds typed text (sold as, site), never Markdown
    st.caption(f"{alert.state} · raised {alert.raised_at:%Y-%m-%d %H:%M} UTC · rule `{alert.rule}`")
    st.dataframe(alert.evidence["samples"], hide_index=True, use_container_width=True)
    if alert.evidence["figures"]:
        st.json(alert.evidence["figures"], expanded=False)


def _actions(actor: Actor, alert: Alert) -> None:
    """Buttons that move the alert from the version the coordinator first saw.

    A change someone else made meanwhile is then refused, not silently overridden.
    """
    key = f"alert_{alert.id}"
    seen = seen_version(key, alert.version)
    reason = st.text_input(
        "Why (needed to publish or dismiss)",
        key=f"alert_reason_{alert.id}",
        placeholder="e.g. sent to partner services and posted at the drop-in",
    )
    targets = sorted(TRANSITIONS[AlertState(alert.state)], key=list(ACTIONS).index)
    for column, target in zip(st.columns(len(targets)), targets, strict=True):
        label = ACTIONS[target] + (" (with reason)" if target in NEEDS_REASON else "")
        if column.button(label, key=f"alert_{alert.id}_{target.value}"):
            attempt(
                lambda s, target=target: move_alert(
                    s, actor, alert.id, target, expected_version=seen, reason=reason
                ),
                f"Alert {alert.id} {target.value}.",
                seen=key,
            )
            return
