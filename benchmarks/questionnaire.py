"""Benchmark: fill a realistic 300-row questionnaire (benchmarks/data/questionnaire-300.csv, as an XLSX with
section headings) against the Northwind pack with the extractive composer. Prints time, rows/s and tiers.

    .venv/bin/python benchmarks/questionnaire.py [--data-dir DIR]

Uses DIR's standards index (built if missing) and a scratch tenant `bench-northwind`.
"""

from __future__ import annotations

import argparse
import csv
import resource
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[1]


def workbook(path: Path) -> Path:
    rows = list(csv.DictReader((ROOT / "benchmarks/data/questionnaire-300.csv").open(encoding="utf-8")))
    book = Workbook()
    ws = book.active
    ws.title = "Vendor assessment"
    ws.append(["Ref", "Question", "Response"])
    section = None
    for row in rows:
        if row["section"] != section:
            section = row["section"]
            ws.append([section])
        ws.append([row["ref"], row["question"], None])
    book.save(path)
    return path


def northwind(data_dir: Path):
    """Settings, records and an Assistant over DIR's standards index (built if missing) and the Northwind pack
    loaded as tenant `bench-northwind`: what every questionnaire benchmark starts from."""
    from bot import Assistant, Settings
    from bot.sales.tenant import load_pack
    from ingest import STANDARDS, Store, ingest, load_corpus
    from ingest.records import Records

    settings = Settings(data_dir=data_dir, corpus_dir=ROOT / "corpus")
    store = Store(settings.data_dir, settings.chroma_url)
    if store.published(STANDARDS) is None:
        ingest(load_corpus(settings.corpus_dir), store)
    records = Records.open(settings)
    load_pack(ROOT / "corpus/examples/northwind", "bench-northwind", records, store)
    return settings, records, Assistant(settings, store=store)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".trustdesk")
    args = parser.parse_args()

    from bot.sales.questionnaire import fill

    settings, records, assistant = northwind(args.data_dir)
    started = time.perf_counter()
    assistant.warm()
    warm = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        source = workbook(Path(tmp) / "questionnaire.xlsx")
        report = fill(assistant, records, source, Path(tmp) / "filled.xlsx", "bench-northwind", restart=True)
    total = report.total
    print(f"rows: {total} (section headings skipped)")
    print(f"fill: {report.seconds:.1f} s end to end (load, answer, checkpoint, write), {report.rate:.1f} rows/s; "
          f"warm-up before it {warm:.1f} s")
    for tier in ("high", "medium", "low"):
        n = report.tiers.get(tier, 0)
        print(f"  {tier:6s} {n:4d}  {n / total:.0%}")
    print(f"needs review: {report.needs_review} ({report.needs_review / total:.0%})")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
