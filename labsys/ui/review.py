"""Review: the queue of proposed results, one result with its evidence, and the decisions.

A reviewer confirms, corrects (with a reason) or marks a result inconclusive; what happens to
inconclusive samples next is in :mod:`labsys.ui.review_external`, shown below.
"""

from __future__ import annotations

import streamlit as st

from labsys.auth import Actor, Permission
from labsys.db import run_in_transaction
from labsys.errors import LabsysError
from labsys.results.plate_evidence import overlay_png, plate_evidence
from labsys.results.review import confirm_result, correct_result, mark_inconclusive
from labsys.results.views import ReviewView, review_queue, review_view
from labsys.ui import review_external
from labsys.ui.actions import attempt, flash, seen_version
from labsys.ui.context import engine, require_page, show_error, show_fields
from labsys.ui.literal import literal
from labsys.ui.plate_context import photo_store
from labsys.ui.result_form import result_fields


def render() -> None:
    """The queue above the opened result; inconclusive and sent-out samples below."""
    actor = require_page(Permission.REVIEW)
    st.title("Review results")
    flash()
    queue = run_in_transaction(engine(), lambda s: review_queue(s, actor))
    if not queue:
        st.info("No result is waiting for review.")
    else:
        st.dataframe([row.__dict__ for row in queue], hide_index=True, width="stretch")
    code = st.selectbox(
        "Open a result",
        [row.code for row in queue],
        index=None,
        placeholder="Choose a sample, or type its code",
        accept_new_options=True,
        key="review_open",
    )
    if code:
        _result(actor, code)
    review_external.render(actor)


def _result(actor: Actor, code: str) -> None:
    try:
        view = run_in_transaction(engine(), lambda s: review_view(s, actor, code))
    except LabsysError as error:
        show_error(error)
        return
    st.subheader(f"{view.code}: {view.category.label}")
    intake, result = st.columns([2, 3])
    show_fields(intake, view.intake)
    with result:
        st.markdown(
            f"Proposed by **{view.proposed_by}** on {view.proposed_at}; "
            f"result {view.status.value}, sample {view.state.label}."
        )
        if view.purity_band:
            st.markdown(f"Purity of the expected substance: **{view.purity_band}**")
        if view.summary:
            st.markdown(f"Notes: {literal(view.summary)}")
        _findings(view)
        st.caption(view.caveat)
    _plates(actor, view.code)
    if view.confirmations:
        st.markdown("**External confirmation**")
        st.dataframe([c.__dict__ for c in view.confirmations], hide_index=True)
    if view.own and view.awaiting_review:
        st.warning("You proposed this result: someone else must review it (four eyes).")
    elif view.awaiting_review:
        _decisions(actor, view)


def _findings(view: ReviewView) -> None:
    if not view.findings:
        st.markdown("No substance found.")
    for finding in view.findings:
        where = "" if finding.hrf is None else f", hRf {finding.hrf:.0f}"
        st.markdown(
            f"**{finding.substance}**: {finding.kind}, {finding.confidence} confidence{where}"
        )
        for line in finding.evidence:
            st.markdown(f"- {literal(line)}")


def _plates(actor: Actor, code: str) -> None:
    plates = run_in_transaction(engine(), lambda s: plate_evidence(s, actor, code))
    if not plates:
        st.caption("No plate photo with an accepted analysis is recorded for this sample.")
    for plate in plates:
        st.markdown(f"**Plate {literal(plate.title)}**, sample in lane {plate.lane}")
        for photo in plate.photos:
            st.caption(f"{photo.visualisation}: Rf table of the accepted analysis")
            st.dataframe(photo.rf_table, hide_index=True)
            if st.button(
                f"Show the {photo.visualisation} overlay", key=f"overlay_{photo.photo_id}"
            ):
                try:
                    png = overlay_png(photo, photo_store())
                except LabsysError as error:
                    show_error(error)
                else:
                    st.image(
                        png, caption=literal(f"{plate.title}, {photo.visualisation}"), width=420
                    )


def _decisions(actor: Actor, view: ReviewView) -> None:
    key = f"result_{view.code}"
    seen = seen_version(key, view.result_version)
    confirm, correct, inconclusive = st.tabs(["Confirm", "Correct", "Inconclusive"])
    with confirm:
        if st.button("Confirm result", type="primary", key="review_confirm"):
            attempt(
                lambda s: confirm_result(s, actor, view.code, expected_version=seen),
                f"Result of {view.code} confirmed; the sample is ready to report.",
                seen=key,
            )
    with correct:
        _correction_form(actor, view, seen, key)
    with inconclusive, st.form("review_inconclusive"):
        reason = st.text_input("Why is it inconclusive?", key="review_inconclusive_reason")
        if st.form_submit_button("Mark inconclusive"):
            attempt(
                lambda s: mark_inconclusive(
                    s, actor, view.code, reason=reason, expected_version=seen
                ),
                f"{view.code} marked inconclusive: send it to retest or for confirmation below.",
                seen=key,
            )


def _correction_form(actor: Actor, view: ReviewView, seen: int, key: str) -> None:
    with st.form("review_correct"):
        fields = result_fields(
            "review",
            category=view.category,
            findings=[
                {"substance": f.substance, "kind": f.kind, "confidence": f.confidence}
                for f in view.findings
            ],
            purity_band=view.purity_band,
        )
        reason = st.text_input("Reason for the correction", key="review_reason")
        submitted = st.form_submit_button("Save correction", type="primary")
    if submitted:
        attempt(
            lambda s: correct_result(
                s,
                actor,
                view.code,
                category=fields.category,
                findings=fields.findings,
                reason=reason,
                purity_band=fields.purity_band,
                summary=view.summary,
                expected_version=seen,
            ),
            f"Result of {view.code} corrected and confirmed.",
            seen=key,
        )
