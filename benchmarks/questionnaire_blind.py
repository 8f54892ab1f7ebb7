"""The blind questionnaire rows (evals/questionnaire_blind): does a row get the right approved library entry, or none?

Each row is answered as `trustdesk questionnaire fill` answers a row (Assistant.answer_for_company) for the sample
company (corpus/examples/northwind). A row keyed to library row N is right when the answer's approved entry is
that row's entry; a row with no key is right when no approved entry is used. Prints figures only.

    python benchmarks/questionnaire_blind.py [--limit N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config import Settings  # noqa: E402
from bot.engine import Assistant  # noqa: E402
from bot.sales.tenant import load_pack  # noqa: E402
from evals.runner import library_row_ids  # noqa: E402
from ingest.records import Records  # noqa: E402

ROWS = Path(__file__).resolve().parents[1] / "evals" / "questionnaire_blind" / "rows.yaml"
TENANT = "northwind"


def rows_and_assistant(path: Path, description: str) -> tuple[list[dict], Assistant, Path]:
    """The rows of a blind set (`--limit N` keeps the first N) and an Assistant with the sample company's pack loaded
    as tenant `northwind`, as `trustdesk company ingest` would: what each blind questionnaire benchmark starts from."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--limit", type=int, default=0, help="score only the first N rows")
    args = parser.parse_args()
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))["rows"]
    rows = rows[: args.limit] if args.limit else rows
    settings = Settings()
    assistant = Assistant(settings)
    pack = settings.corpus_dir / "examples" / TENANT
    records = Records.open(settings)
    try:
        load_pack(pack, TENANT, records, assistant.store)
    finally:
        records.dispose()
    return rows, assistant, pack


def main() -> None:
    rows, assistant, pack = rows_and_assistant(ROWS, __doc__.splitlines()[0])
    entries = library_row_ids(pack, TENANT)
    library = set(entries.values())
    counts = {"covered": 0, "right": 0, "chosen": 0, "wrong": 0, "uncovered": 0, "uncovered_clean": 0, "refused": 0}
    started = time.perf_counter()
    for row in rows:
        answer = assistant.answer_for_company(row["text"], TENANT)
        chosen = next((c.id for c in answer.citations if c.id in library), None)
        counts["refused"] += answer.refused
        counts["chosen"] += chosen is not None
        if row["entry"] is None:
            counts["uncovered"] += 1
            counts["uncovered_clean"] += chosen is None
            counts["wrong"] += chosen is not None
            continue
        counts["covered"] += 1
        want = entries.get(f"answer-library-{row['entry']}")
        counts["right"] += chosen == want
        counts["wrong"] += chosen is not None and chosen != want
    seconds = time.perf_counter() - started
    c = counts
    print(f"rows {len(rows)} ({c['covered']} with an approved answer, {c['uncovered']} without) in {seconds:.1f} s")
    print(f"recall (right entry on rows that have one)   {c['right'] / max(c['covered'], 1):.3f}")
    print(f"precision (right entries / entries used)     {c['right'] / max(c['chosen'], 1):.3f}")
    print(f"wrong-entry rate (wrong / entries used)      {c['wrong'] / max(c['chosen'], 1):.3f}")
    print(f"rows without an answer left without an entry {c['uncovered_clean'] / max(c['uncovered'], 1):.3f}")
    print(f"refused rows                                 {c['refused']}")


if __name__ == "__main__":
    main()
