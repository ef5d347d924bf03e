"""Which pages each role sees. Pages check the role again themselves on every run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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


@dataclass(frozen=True)
class _Entry:
    """One page: what renders it, how the sidebar shows it, and who may open it."""

    render: Callable[[], None]
    title: str
    icon: str
    url_path: str
    permission: Permission
    section: str


_ENTRIES = (
    _Entry(
        intake.render, "Register sample", "science", "intake", Permission.REGISTER_SAMPLE, "Samples"
    ),
    _Entry(
        sample_list.render, "Sample list", "list", "samples", Permission.VIEW_SAMPLES, "Samples"
    ),
    _Entry(sample_detail.render, "Sample", "search", "sample", Permission.VIEW_SAMPLES, "Samples"),
    _Entry(
        plate_layout.render,
        "Lay out a plate",
        "view_week",
        "plate-layout",
        Permission.LAB_WORK,
        "Plates",
    ),
    _Entry(
        plate_photo.render,
        "Plate photos",
        "photo_camera",
        "plate-photo",
        Permission.LAB_WORK,
        "Plates",
    ),
    _Entry(
        plate_identify.render,
        "Identify spots",
        "biotech",
        "plate-identify",
        Permission.LAB_WORK,
        "Plates",
    ),
    _Entry(
        reference_import.render,
        "Import references",
        "library_add",
        "reference-import",
        Permission.MANAGE_REFERENCES,
        "Plates",
    ),
    _Entry(review.render, "Review results", "fact_check", "review", Permission.REVIEW, "Results"),
    _Entry(counsellor.render, "Counselling", "forum", "counsel", Permission.COUNSEL, "Results"),
    _Entry(
        dashboard.render, "Monitoring", "monitoring", "monitoring", Permission.MONITOR, "Monitoring"
    ),
    _Entry(alerts.render, "Alerts", "campaign", "alerts", Permission.MANAGE_ALERTS, "Monitoring"),
)


def _page(entry: _Entry) -> st.Page:
    return st.Page(
        entry.render, title=entry.title, icon=f":material/{entry.icon}:", url_path=entry.url_path
    )


def page(url_path: str) -> st.Page:
    """The page at ``url_path`` (for st.switch_page)."""
    return next(_page(e) for e in _ENTRIES if e.url_path == url_path)


def pages_for(actor: Actor) -> dict[str, list[st.Page]]:
    """The pages ``actor`` may open, grouped into sections."""
    sections: dict[str, list[st.Page]] = {}
    for entry in _ENTRIES:
        if actor.can(entry.permission):
            sections.setdefault(entry.section, []).append(_page(entry))
    return sections
