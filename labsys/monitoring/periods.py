"""Weeks and months as SQL expressions, so counts per period are grouped by the database.

SQLite and PostgreSQL spell "the Monday of this date's week" differently; the constructs here
compile to each, so a query is written once and aggregated where the rows are.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

Period = Literal["week", "month"]
PERIODS: tuple[Period, ...] = ("week", "month")


class WeekStart(FunctionElement[date]):
    """The Monday of the ISO week containing a date column."""

    type = Date()
    inherit_cache = True


class MonthStart(FunctionElement[date]):
    """The first day of the calendar month containing a date column."""

    type = Date()
    inherit_cache = True


@compiles(WeekStart, "sqlite")
def _sqlite_week_start(element: WeekStart, compiler: SQLCompiler, **kw: Any) -> str:
    # 'weekday 0' moves forward to the next Sunday (or stays on one); six days back is Monday.
    return f"date({compiler.process(element.clauses, **kw)}, 'weekday 0', '-6 days')"


@compiles(MonthStart, "sqlite")
def _sqlite_month_start(element: MonthStart, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


@compiles(WeekStart, "postgresql")
def _postgresql_week_start(element: WeekStart, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(date_trunc('week', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(MonthStart, "postgresql")
def _postgresql_month_start(element: MonthStart, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


def period_start(column: ColumnElement[date], period: Period) -> FunctionElement[date]:
    """The first day of the week or month of ``column``, as an SQL expression to group by."""
    if period == "week":
        return WeekStart(column)
    if period == "month":
        return MonthStart(column)
    raise ValueError(f"period must be one of {PERIODS}, not {period!r}")
