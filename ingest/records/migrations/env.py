"""Alembic's entry point: run migrations on the connection `Records.migrate` hands over (or on the configured URL)."""

from alembic import context
from sqlalchemy import create_engine

from ingest.records.models import Base

config = context.config


def _run(connection) -> None:
    # batch mode lets ALTER-style migrations work on SQLite too
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    with create_engine(config.get_main_option("sqlalchemy.url")).begin() as conn:
        _run(conn)
