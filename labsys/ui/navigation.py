"""Which pages each role sees. Pages check the role again themselves on every run."""

from __future__ import annotations

import streamlit as st

from labsys.auth import Actor, Permission
from labsys.ui import (
    alerts,
    counsellor,
    dashboard,
    intake,
    plate_identify,
    plate_layout,
    plate_photo,
    reference_import,
    review,
    sample_detail,
    sample_list,
)


def _pages() -> dict[str, tuple[st.Page, Permission, str]]:
    return {
        "intake": (
            st.Page(
                intake.render, title="Register sample", icon=":material/science:", url_path="intake"
            ),
            Permission.REGISTER_SAMPLE,
            "Samples",
        ),
        "samples": (
            st.Page(
                sample_list.render, title="Sample list", icon=":material/list:", url_path="samples"
            ),
            Permission.VIEW_SAMPLES,
            "Samples",
        ),
        "sample": (
            st.Page(
                sample_detail.render, title="Sample", icon=":material/search:", url_path="sample"
            ),
            Permission.VIEW_SAMPLES,
            "Samples",
        ),
        "plate_layout": (
            st.Page(
                plate_layout.render,
                title="Lay out a plate",
                icon=":material/view_week:",
                url_path="plate-layout",
            ),
            Permission.LAB_WORK,
            "Plates",
        ),
        "plate_photo": (
            st.Page(
                plate_photo.render,
                title="Plate photos",
                icon=":material/photo_camera:",
                url_path="plate-photo",
            ),
            Permission.LAB_WORK,
            "Plates",
        ),
        "plate_identify": (
            st.Page(
                plate_identify.render,
                title="Identify spots",
                icon=":material/biotech:",
                url_path="plate-identify",
            ),
            Permission.LAB_WORK,
            "Plates",
        ),
        "reference_import": (
            st.Page(
                reference_import.render,
                title="Import references",
                icon=":material/library_add:",
                url_path="reference-import",
            ),
            Permission.MANAGE_REFERENCES,
            "Plates",
        ),
        "review": (
            st.Page(
                review.render,
                title="Review results",
                icon=":material/fact_check:",
                url_path="review",
            ),
            Permission.REVIEW,
            "Results",
        ),
        "counsel": (
            st.Page(
                counsellor.render, title="Counselling", icon=":material/forum:", url_path="counsel"
            ),
            Permission.COUNSEL,
            "Results",
        ),
        "dashboard": (
            st.Page(
                dashboard.render,
                title="Monitoring",
                icon=":material/monitoring:",
                url_path="monitoring",
            ),
            Permission.MONITOR,
            "Monitoring",
        ),
        "alerts": (
            st.Page(alerts.render, title="Alerts", icon=":material/campaign:", url_path="alerts"),
            Permission.MANAGE_ALERTS,
            "Monitoring",
        ),
    }


def page(name: str) -> st.Page:
    """The page registered under ``name`` (for st.switch_page)."""
    return _pages()[name][0]


def pages_for(actor: Actor) -> dict[str, list[st.Page]]:
    """The pages ``actor`` may open, grouped into sections."""
    sections: dict[str, list[st.Page]] = {}
    for page_, permission, section in _pages().values():
        if actor.can(permission):
            sections.setdefault(section, []).append(page_)
    return sections
