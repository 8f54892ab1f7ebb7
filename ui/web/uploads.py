"""Uploaded files, checked at the edge and kept in a private folder under the data dir for the workflow that reads them.

>>> save("q.exe", b"...", {".csv"}, 25, Path("/tmp"))      # doctest: +SKIP
UploadRejected: q.exe is not a supported file: use .csv
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path, PurePosixPath

from bot.errors import TrustdeskError


class UploadRejected(TrustdeskError):
    """An uploaded file that trustdesk will not take (type or size)."""


def save(name: str, data: bytes, suffixes: set[str], max_mb: float, folder: Path, *, fresh: bool = True) -> Path:
    """The upload written under a safe name to a new folder under `folder` (or `folder` itself with fresh=False);
    raises UploadRejected with the reason."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in suffixes:
        raise UploadRejected(f"{name} is not a supported file: use {', '.join(sorted(suffixes))}")
    if len(data) > max_mb * 1_000_000:
        raise UploadRejected(f"{name} is {len(data) / 1e6:.1f} MB, over the {max_mb:g} MB limit "
                             "(TRUSTDESK_MAX_UPLOAD_MB)")
    if not data:
        raise UploadRejected(f"{name} is empty")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", PurePosixPath(name).stem).strip("-.")[:80] or "upload"
    parent = folder / secrets.token_hex(8) if fresh else folder
    parent.mkdir(parents=True, exist_ok=True)
    target, n = parent / f"{stem}{suffix}", 1
    while target.exists():  # "政策.md" and "規則.md" are both "upload.md" here: neither replaces the other
        n += 1
        target = parent / f"{stem}-{n}{suffix}"
    target.write_bytes(data)
    return target
