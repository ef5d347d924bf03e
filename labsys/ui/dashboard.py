"""The monitoring dashboard: what circulates, as charts with the numbers behind them."""

from __future__ import annotations

from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from labsys.auth import Actor, Permission
from labsys.db import utcnow
from labsys.errors import LabsysError
from labsys.monitoring.dashboard import dashboard_tables, load_dashboard, table_csv
from labsys.monitoring.export import export_records, serialise
from labsys.monitoring.periods import PERIODS
from labsys.monitoring.queries import MonitoringFilters, filter_options
from labsys.ui.context import read, require_page, show_error

# Bars need a discrete axis; on a continuous time axis they shrink to hairlines.
_WEEK = alt.X("yearmonthdate(week):O", title="week")
_PERIOD = alt.X("yearmonthdate(period):O", title="period")

SECTIONS = {  # table: (heading, chart)
    "samples_per_week": ("Samples per week", lambda t: _bars(t, _WEEK, "samples:Q")),
    "sold_as_and_found": (
        "What was found, by what it was sold as",
        lambda t: _bars(t, "samples:Q", "sold as:N", colour="found:N"),
    ),
    "adulterant_prevalence": (
        "Adulterant prevalence (% of samples)",
        lambda t: _lines(t, "percent:Q", colour="adulterant:N"),
    ),
    "mismatch_rate": (
        "Not what was sold: different substance or expected not detected (% of conclusive)",
        lambda t: _lines(t, "percent:Q"),
    ),
    "by_site": ("By site", lambda t: _bars(t, _PERIOD, "samples:Q", colour="site:N")),
}


def _bars(table: pd.DataFrame, x: str | alt.X, y: str, colour: str | None = None) -> alt.Chart:
    chart = alt.Chart(table).mark_bar().encode(x=x, y=y, tooltip=list(table.columns))
    return chart.encode(color=colour) if colour else chart


def _lines(table: pd.DataFrame, y: str, colour: str | None = None) -> alt.Chart:
    chart = (
        alt.Chart(table)
        .mark_line(point=True)
        .encode(x="period:T", y=y, tooltip=list(table.columns))
    )
    return chart.encode(color=colour) if colour else chart


def render() -> None:
    """Filters, then one chart and its table per question; downloads for tables and export."""
    actor = require_page(Permission.MONITOR)
    st.title("Monitoring")
    st.caption("Confirmed results of samples with monitoring consent only.")
    options = read(lambda s: filter_options(s, actor))
    if options.first is None or options.last is None:
        st.info("No sample with monitoring consent yet.")
        return
    dates_col, site_col, substance_col, period_col = st.columns([3, 2, 2, 1])
    default_start = max(options.first, options.last - timedelta(days=365))
    dates = dates_col.date_input(
        "Received between", value=(default_start, options.last), key="dashboard_dates"
    )
    start, end = (*dates, None, None)[:2]
    site = site_col.selectbox(
        "Site", options.sites, index=None, placeholder="All sites", key="dashboard_site"
    )
    substance = substance_col.selectbox(
        "Substance (sold as or found)",
        options.substances,
        index=None,
        placeholder="All substances",
        key="dashboard_substance",
    )
    period = period_col.selectbox("Per", PERIODS, index=1, key="dashboard_period")
    filters = MonitoringFilters(start=start, end=end, site=site, substance=substance)
    try:
        dashboard = read(lambda s: load_dashboard(s, actor, filters, period))
    except LabsysError as error:
        show_error(error)
        return
    tables = dashboard_tables(dashboard)
    st.metric("Samples counted", sum(week.samples for week in dashboard.weeks))
    for name, (heading, chart) in SECTIONS.items():
        table = tables[name]
        st.subheader(heading)
        if table.empty:
            st.info("Nothing to show for these filters.")
            continue
        st.altair_chart(chart(table), use_container_width=True)
        with st.expander("The numbers"):
            st.dataframe(table, hide_index=True, use_container_width=True)
            st.download_button(
                "Download as CSV",
                table_csv(table),
                file_name=f"{name}.csv",
                mime="text/csv",
                key=f"download_{name}",
                on_click="ignore",
            )
    _export_section(actor, filters)


def _export_section(actor: Actor, filters: MonitoringFilters) -> None:
    """The early-warning export (docs/export.md), prepared on request: it reads every record."""
    st.subheader("Early-warning export")
    st.caption(
        "Anonymised: no sample codes; quiet site-weeks dated by ISO week. Samples received from "
        "the Monday of the start date's week; site and substance filters do not apply."
    )
    export_format = st.radio("Format", ["csv", "json"], horizontal=True, key="export_format")
    if not st.button("Prepare export", key="export_prepare"):
        return
    records = read(lambda s: export_records(s, actor, since=filters.start))
    st.download_button(
        f"Download {len(records)} record(s) as {export_format.upper()}",
        serialise(records, export_format, utcnow()),
        file_name=f"labsys-export.{export_format}",
        mime="text/csv" if export_format == "csv" else "application/json",
        key="export_download",
        on_click="ignore",
    )
