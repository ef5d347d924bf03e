"""Column values survive the JSON-lines encoding whatever their type (for tables added later)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    LargeBinary,
    Numeric,
    Time,
    Uuid,
)
from sqlalchemy.types import TypeEngine

from labsys.db import UTCDateTime
from labsys.storage.table_dump import decoder_for, encode_value


@pytest.mark.parametrize(
    ("column_type", "value"),
    [
        (UTCDateTime(), datetime(2026, 11, 24, 7, 30, 1, 123456, tzinfo=UTC)),
        (DateTime(), datetime(2026, 11, 24, 7, 30)),
        (Date(), date(2026, 2, 28)),
        (Time(), time(23, 59, 59)),
        (LargeBinary(), bytes(range(256))),
        (Numeric(10, 3), Decimal("12.345")),
        (Uuid(), uuid.UUID("12345678-1234-5678-1234-567812345678")),
        (JSON(), {"lanes": [1, 2], "note": "é — <b>", "none": None}),
        (Float(), 0.1),
        (Boolean(), False),
        (UTCDateTime(), None),
    ],
)
def test_value_round_trips_through_json(column_type: TypeEngine[Any], value: object) -> None:
    line = json.dumps(encode_value(value))
    assert decoder_for(Column("value", column_type))(json.loads(line)) == value
