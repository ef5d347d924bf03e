"""Proposing a sample's result for review, from the identification draft a plate page shows.

One call under each sample's draft (``propose_from_draft(actor, draft)``) gives the analyst the
button; the proposal then waits in the review queue for someone else (four eyes).
"""

from __future__ import annotations

import streamlit as st

from labsys.auth import Actor
from labsys.db import run_in_transaction
from labsys.results.findings import proposal_from_draft
from labsys.results.review import propose_result, result_version
from labsys.tlc.draft import ResultDraft
from labsys.ui.actions import attempt, flash, seen_version
from labsys.ui.context import engine


def propose_from_draft(actor: Actor, draft: ResultDraft) -> None:
    """A button that proposes ``draft`` as the sample's result (replacing an earlier proposal)."""
    flash()
    code = draft.sample_code
    key = f"result_{code}"
    seen = seen_version(key, run_in_transaction(engine(), lambda s: result_version(s, actor, code)))
    if st.button("Propose this result for review", type="primary", key=f"propose_{code}"):
        attempt(
            lambda s: propose_result(
                s, actor, code, **proposal_from_draft(draft), expected_version=seen
            ),
            f"The result of {code} is proposed; someone else reviews it before it is reported.",
            seen=key,
        )
