"""Every table as JSON lines and back: a logical dump that either backend can load.

A dump is one file per table, one JSON object per row, written in dependency order (parents before
children) so loading never trips a foreign key. Values are encoded by what they are (dates as ISO
text, bytes as base64) and decoded by the column's type in :data:`labsys.schema.metadata`, so an
SQLite dump loads into PostgreSQL and back.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import Column, Connection, Table, func, insert, inspect, select, text
from sqlalchemy.types import TypeDecorator

from labsys.errors import LabsysError
from labsys.schema import metadata

ALEMBIC_TABLE = "alembic_version"
BATCH_ROWS = 1000


def tables() -> list[Table]:
    """labsys's tables, parents before children (the order to load them in)."""
    return list(metadata.sorted_tables)


def check_all_tables_known(connection: Connection) -> None:
    """Refuse to dump a database holding tables that labsys.schema does not describe.

    A table missing from the schema module would silently be left out of the backup; better to
    stop and say so than to hand over an archive that cannot bring the lab back.
    """
    known = {table.name for table in tables()} | {ALEMBIC_TABLE}
    unknown = sorted(set(inspect(connection).get_table_names()) - known)
    if unknown:
        raise LabsysError(
            f"The database has tables labsys.schema does not list ({', '.join(unknown)}); "
            "add their models to labsys/schema.py so backups include them."
        )


def alembic_revisions(connection: Connection) -> list[str]:
    """The migration revisions the database is at (one per branch head)."""
    if not inspect(connection).has_table(ALEMBIC_TABLE):
        return []
    rows = connection.execute(text(f"SELECT version_num FROM {ALEMBIC_TABLE}"))
    return sorted(row[0] for row in rows)


def present_tables(connection: Connection) -> list[Table]:
    """labsys's tables that exist in this database (an older revision may lack newer ones)."""
    existing = set(inspect(connection).get_table_names())
    return [table for table in tables() if table.name in existing]


def row_counts(connection: Connection) -> dict[str, int]:
    """Rows per table, for the manifest and for checking a restore."""
    return {
        table.name: connection.scalar(select(func.count()).select_from(table)) or 0
        for table in present_tables(connection)
    }


def encode_value(value: Any) -> Any:
    """A JSON-ready form of a column value (dates and times as ISO text, bytes as base64)."""
    if isinstance(value, date | time):  # datetime is a date too
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


def decoder_for(column: Column[Any]) -> Callable[[Any], Any]:
    """The inverse of :func:`encode_value` for ``column``, chosen by the type it stores."""
    stored = column.type.impl_instance if isinstance(column.type, TypeDecorator) else column.type
    try:
        python_type = stored.python_type
    except NotImplementedError:
        return lambda value: value
    if issubclass(python_type, datetime):
        decode: Callable[[Any], Any] = datetime.fromisoformat
    elif issubclass(python_type, date):
        decode = date.fromisoformat
    elif issubclass(python_type, time):
        decode = time.fromisoformat
    elif issubclass(python_type, UUID):
        decode = UUID
    elif issubclass(python_type, bytes):
        decode = base64.b64decode
    elif issubclass(python_type, Decimal):
        decode = Decimal
    else:
        return lambda value: value
    return lambda value: None if value is None else decode(value)


def dump_table(connection: Connection, table: Table, path: Path) -> int:
    """Write every row of ``table`` to ``path`` as JSON lines, in primary-key order."""
    statement = select(table).order_by(*table.primary_key.columns)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for row in connection.execution_options(stream_results=True).execute(statement):
            record = {name: encode_value(value) for name, value in row._mapping.items()}
            out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    return count


def _batches(path: Path, table: Table) -> Iterator[list[dict[str, Any]]]:
    decoders = {column.name: decoder_for(column) for column in table.columns}
    batch: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            unknown = set(record) - set(decoders)
            if unknown:
                raise LabsysError(
                    f"The backup has columns {sorted(unknown)} in {table.name} that this version "
                    "of labsys does not know; restore it with the labsys version that made it."
                )
            batch.append({name: decoders[name](value) for name, value in record.items()})
            if len(batch) == BATCH_ROWS:
                yield batch
                batch = []
    if batch:
        yield batch


def load_table(connection: Connection, table: Table, path: Path) -> int:
    """Insert the rows dumped in ``path`` into ``table``, keeping their primary keys."""
    count = 0
    for batch in _batches(path, table):
        connection.execute(insert(table), batch)
        count += len(batch)
    if connection.dialect.name == "postgresql":
        _advance_sequences(connection, table)
    return count


def _advance_sequences(connection: Connection, table: Table) -> None:
    """Move PostgreSQL's id sequences past the restored ids, so new rows do not collide."""
    for column in table.primary_key.columns:
        sequence = connection.scalar(
            text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": table.name, "column": column.name},
        )
        if sequence is not None:
            connection.execute(
                text(
                    f'SELECT setval(:sequence, COALESCE((SELECT MAX("{column.name}") '
                    f'FROM "{table.name}"), 0) + 1, false)'
                ),
                {"sequence": sequence},
            )
