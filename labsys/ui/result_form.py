"""The fields that state a result (category, findings, purity), inside a reviewer's form.

Used to correct a proposal and to propose a result from an external lab's answer, so both ask for
a result the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from labsys.results.categories import ResultCategory
from labsys.results.findings import PURITY_BANDS, ProposedFinding, library
from labsys.results.models import Confidence, FindingKind

REPORTABLE = [c for c in ResultCategory if c is not ResultCategory.INCONCLUSIVE]
COLUMNS = ["substance", "kind", "confidence"]


@dataclass(frozen=True)
class ResultFields:
    """What the person entered."""

    category: ResultCategory
    findings: list[ProposedFinding]
    purity_band: str | None


def result_fields(
    key: str,
    *,
    category: ResultCategory | None,
    findings: Sequence[dict[str, str]],
    purity_band: str | None,
) -> ResultFields:
    """Category, an editable findings table and purity, prefilled; call inside ``st.form``.

    ``findings`` are rows with ``substance``, ``kind`` and ``confidence``.
    """
    chosen = st.selectbox(
        "Category",
        REPORTABLE,
        index=REPORTABLE.index(category) if category in REPORTABLE else 0,
        format_func=lambda c: c.label,
        key=f"{key}_category",
    )
    edited = st.data_editor(
        pd.DataFrame(list(findings), columns=COLUMNS),
        num_rows="dynamic",
        hide_index=True,
        column_config={
            "substance": st.column_config.SelectboxColumn(
                options=sorted(library().substances), required=True
            ),
            "kind": st.column_config.SelectboxColumn(
                options=[k.value for k in FindingKind], required=True
            ),
            "confidence": st.column_config.SelectboxColumn(
                options=[c.value for c in Confidence], required=True
            ),
        },
        key=f"{key}_findings",
    )
    purity = st.selectbox(
        "Purity of the expected substance",
        PURITY_BANDS,
        index=PURITY_BANDS.index(purity_band) if purity_band in PURITY_BANDS else None,
        key=f"{key}_purity",
    )
    return ResultFields(
        category=chosen,
        findings=[
            ProposedFinding(row["substance"], row["kind"], row["confidence"])
            for row in edited.dropna().to_dict("records")
        ],
        purity_band=purity,
    )
