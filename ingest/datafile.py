"""Reading this repository's own YAML data files (intent examples, the advisor's rules, the glossary, the
crosswalk, the 2013 lineage) fast.

libyaml's C safe loader parses them several times faster than PyYAML's pure-Python one, and a cold
`trustdesk ask` reads several. It is the same safe subset of YAML. Corpus front matter, which people edit
and hostile tests attack, keeps its own strict loader (`ingest.load`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path | str) -> Any:
    """The parsed content of a YAML data file (safe loader; the C one when libyaml is present)."""
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_LOADER)
