"""Alembic migrations of the records database; `ingest.db.Records` runs them to the newest revision on open."""
