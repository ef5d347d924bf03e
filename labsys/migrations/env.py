"""Alembic environment: runs migrations on the engine labsys hands over (or the configured URL).

A connection handed over in ``config.attributes["connection"]`` is used as is, inside the caller's
transaction and without committing: a restore on PostgreSQL drops, migrates and loads in one
transaction so that a failure leaves the old database in place.
"""

from alembic import context
from sqlalchemy import Connection

from labsys.db import make_engine
from labsys.schema import metadata

config = context.config


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


given = config.attributes.get("connection")
if given is not None:
    _configure(given)
    with context.begin_transaction():  # inside the caller's transaction: no begin, no commit
        context.run_migrations()
else:
    engine = config.attributes.get("engine") or make_engine(
        config.get_main_option("sqlalchemy.url")
    )
    with engine.connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
