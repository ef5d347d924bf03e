"""Inconclusive samples on the review page: retest, send to an external lab, record its answer,
and propose the result from that answer (someone else then reviews it, as for any proposal).
"""

from __future__ import annotations

import streamlit as st

from labsys.auth import Actor
from labsys.db import run_in_transaction, utcnow
from labsys.results.findings import library, proposal_from_confirmation
from labsys.results.review import (
    propose_result,
    record_confirmation,
    result_version,
    send_for_confirmation,
    send_to_retest,
)
from labsys.results.views import Waiting, latest_confirmation, samples_in
from labsys.samples import State
from labsys.ui.actions import attempt, forget_seen, seen_version
from labsys.ui.context import engine
from labsys.ui.literal import literal
from labsys.ui.result_form import result_fields


def render(actor: Actor) -> None:
    """The three steps after an inconclusive result, each shown while a sample waits for it."""
    _inconclusive(actor)
    _confirmations(actor)
    _proposals(actor)


def _label(sample: Waiting) -> str:
    return f"{sample.code} (sold as {sample.sold_as})"


def _seen(step: str, waiting: list[Waiting]) -> dict[str, int]:
    """The version of each listed sample as the list first showed it, by code.

    The sample is chosen in a form, so it is only known on the submit run; every listed sample's
    version is kept from an earlier run so that a change someone else made meanwhile is refused.
    Samples no longer listed are forgotten, so one coming back later is not refused for nothing.
    """
    listed = {f"{step}_{sample.code}" for sample in waiting}
    kept = [k.removeprefix("seen_") for k in st.session_state if str(k).startswith(f"seen_{step}_")]
    for key in kept:
        if key not in listed:
            forget_seen(key)
    return {
        sample.code: seen_version(f"{step}_{sample.code}", sample.version) for sample in waiting
    }


def _inconclusive(actor: Actor) -> None:
    waiting = run_in_transaction(engine(), lambda s: samples_in(s, actor, State.INCONCLUSIVE))
    seen = _seen("next", waiting)
    if not waiting:
        return
    st.subheader("Inconclusive: retest or confirm elsewhere")
    with st.form("review_next_step"):
        sample = st.selectbox("Sample", waiting, format_func=_label, key="next_sample")
        retest, confirm = st.columns(2)
        reason = retest.text_input("Reason for a retest", key="next_reason")
        to_retest = retest.form_submit_button("Send to retest")
        lab = confirm.text_input("External lab", key="next_lab")
        to_lab = confirm.form_submit_button("Send for confirmation")
    if to_retest:
        attempt(
            lambda s: send_to_retest(
                s, actor, sample.code, reason=reason, expected_version=seen[sample.code]
            ),
            f"{sample.code} is back in the lab's queue for a retest.",
            seen=f"next_{sample.code}",
        )
    if to_lab:
        attempt(
            lambda s: send_for_confirmation(
                s, actor, sample.code, external_lab=lab, expected_version=seen[sample.code]
            ),
            f"{sample.code} is recorded as sent to {literal(lab)}.",
            seen=f"next_{sample.code}",
        )


def _confirmations(actor: Actor) -> None:
    waiting = run_in_transaction(
        engine(), lambda s: samples_in(s, actor, State.SENT_FOR_CONFIRMATION)
    )
    seen = _seen("conf", waiting)
    if not waiting:
        return
    st.subheader("Record an external confirmation")
    with st.form("review_confirmation"):
        sample = st.selectbox("Sample", waiting, format_func=_label, key="conf_sample")
        lab = st.text_input("External lab", key="conf_lab")
        found = st.multiselect(
            "Substances the lab found",
            sorted(library().substances),
            accept_new_options=True,
            key="conf_found",
        )
        received_on = st.date_input("Received on", value=utcnow().date(), key="conf_date")
        reference = st.text_input("The lab's report number", key="conf_reference")
        submitted = st.form_submit_button("Record confirmation", type="primary")
    if submitted:
        attempt(
            lambda s: record_confirmation(
                s,
                actor,
                sample.code,
                external_lab=lab,
                findings=found,
                received_on=received_on,
                reference=reference,
                expected_version=seen[sample.code],
            ),
            f"Confirmation recorded for {sample.code}: it is ready for a result proposal.",
            seen=f"conf_{sample.code}",
        )


def _proposals(actor: Actor) -> None:
    waiting = run_in_transaction(
        engine(), lambda s: samples_in(s, actor, State.CONFIRMATION_RECEIVED)
    )
    if not waiting:
        return
    st.subheader("Propose the result from a confirmation")
    sample = st.selectbox("Sample", waiting, format_func=_label, key="answer_sample")
    confirmation, current = run_in_transaction(
        engine(),
        lambda s: (
            latest_confirmation(s, actor, sample.code),
            result_version(s, actor, sample.code),
        ),
    )
    key = f"result_{sample.code}"
    seen = seen_version(key, current)
    if confirmation is None:
        st.caption("No answer is recorded for this sample; enter what the lab reported.")
        lab, names = "the external lab", ()
    else:
        lab, names = confirmation.external_lab, confirmation.findings
        found = ", ".join(names) or "nothing"
        st.caption(
            f"{literal(lab)} (report {literal(confirmation.reference or '—')}) "
            f"found: {literal(found)}"
        )
    suggested = proposal_from_confirmation(sample.sold_as, lab, names)
    with st.form("review_answer"):
        fields = result_fields(
            "answer",
            category=suggested["category"],
            findings=[
                {"substance": f.substance, "kind": str(f.kind), "confidence": str(f.confidence)}
                for f in suggested["findings"]
            ],
            purity_band=None,
        )
        submitted = st.form_submit_button("Propose for review", type="primary")
    if submitted:
        attempt(
            lambda s: propose_result(
                s,
                actor,
                sample.code,
                category=fields.category,
                findings=fields.findings,
                purity_band=fields.purity_band,
                summary=suggested["summary"],
                expected_version=seen,
            ),
            f"The result of {sample.code} is proposed; someone else reviews it.",
            seen=key,
        )
