"""What indexes and their generations are called, and which generation is the published one.

An index ("standards", or "company-<tenant>") is a series of Chroma collections, one per generation:
`td-standards-g7`. These names are all a reader needs to find its way; `ingest.store` does the storing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.errors import InvalidTenant

STANDARDS = "standards"
SCHEMA_VERSION = 1
_TENANT = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
GENERATION_NAME = re.compile(r"^td-(?P<index>[a-z0-9_-]+)-g(?P<gen>\d+)$")


def company_index(tenant: str) -> str:
    """The index name of a tenant's own documents; the tenant name is checked.

    The name becomes part of a Chroma collection name and is stored beside every library entry, so only
    plain ASCII is allowed, matched whole (a trailing newline is not "the end of the name").
    """
    if not isinstance(tenant, str) or not _TENANT.fullmatch(tenant):
        shown = repr(tenant) if not isinstance(tenant, str) or len(tenant) <= 60 else repr(tenant[:60]) + "..."
        raise InvalidTenant(
            f"tenant name {shown} is not valid: use 1-40 lowercase letters, digits, '-' or '_', "
            "starting with a letter or digit (e.g. acme or acme-eu)"
        )
    return f"company-{tenant}"


def tenant_of(index: str) -> str | None:
    """The tenant whose index this is (`company_index`'s inverse), or None for the standards."""
    return index.removeprefix("company-") if index.startswith("company-") else None


@dataclass(frozen=True)
class Published:
    """The generation of an index that readers use."""

    index: str
    collection: str
    generation: int
    model: str
    created_at: str
    uid: str = ""  # Chroma's id of the collection: unique, where names restart at g1 in a rebuilt folder


@dataclass(frozen=True)
class Generation:
    """One collection of an index, as `trustdesk doctor` reports it."""

    index: str
    collection: str
    generation: int
    state: str  # published | retired (replaced, dropped by a later ingest) | unpublished (building, or a crash)
    retired_at: float | None = None


def newest_published(index: str, generations: list[tuple[int, str, str, dict]]) -> Published | None:
    """The newest of (generation, name, uid, metadata) flagged published in the current schema, or None."""
    best: Published | None = None
    for gen, name, uid, meta in sorted(generations):
        if meta.get("published") and meta.get("schema_version") == SCHEMA_VERSION:
            best = Published(index, name, gen, str(meta.get("model", "")), str(meta.get("created_at", "")), uid)
    return best


def collection_name(index: str, generation: int) -> str:
    return f"td-{index}-g{generation}"
