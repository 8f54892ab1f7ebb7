"""Alembic migrations of the records database; `ingest.records.Records` runs them to the newest revision on open."""
