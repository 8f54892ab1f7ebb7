"""Benchmark: one process answering for many tenants of Northwind's size. Prints peak RSS and latency.

    .venv/bin/python benchmarks/tenants.py [--tenants 50] [--cached 8] [--data-dir DIR]

Loads the Northwind trust pack as tenants `bench-t00`... (built once, reused on later runs), then asks
each tenant two company questions, twice round, in one `Assistant` that keeps at most `--cached`
tenants' retrievers in memory (TRUSTDESK_MAX_CACHED_TENANTS). The target: peak RSS within 1.5 GB.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ["Do you encrypt customer data at rest?", "What is your RPO for production databases?"]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=50)
    parser.add_argument("--cached", type=int, default=8)
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".trustdesk")
    args = parser.parse_args()

    from bot import Assistant, Settings
    from bot.sales.tenant import load_pack
    from ingest import STANDARDS, Store, ingest, load_corpus
    from ingest.records import Records
    from ingest.store import company_index

    settings = Settings(data_dir=args.data_dir, corpus_dir=ROOT / "corpus", max_cached_tenants=args.cached)
    store = Store(settings.data_dir, settings.chroma_url)
    if store.published(STANDARDS) is None:
        ingest(load_corpus(settings.corpus_dir), store)
    records = Records.open(settings)
    names = [f"bench-t{n:02d}" for n in range(args.tenants)]
    started = time.perf_counter()
    built = 0
    for name in names:
        if store.published(company_index(name)) is None:
            load_pack(ROOT / "corpus/examples/northwind", name, records, store)
            built += 1
    print(f"tenants: {len(names)} ({built} built now in {time.perf_counter() - started:.0f} s)")
    print(f"RSS after building: {rss_mb():.0f} MB (peak so far)")

    assistant = Assistant(settings, store=store)
    assistant.warm()
    times = []
    for _ in range(2):
        for name in names:
            for question in QUESTIONS:
                t = time.perf_counter()
                assistant.answer_for_company(question, name)
                times.append(time.perf_counter() - t)
    times.sort()
    print(f"questions: {len(times)} across {len(names)} tenants, keeping {args.cached} in memory "
          f"(now holding {len(assistant.loaded) - 1})")
    print(f"latency p50 {statistics.median(times) * 1000:.0f} ms, p95 {times[int(0.95 * (len(times) - 1))] * 1000:.0f} ms "
          "(a tenant evicted earlier is reloaded on its next question)")
    print(f"peak RSS: {rss_mb():.0f} MB (target: 1536 MB)")


if __name__ == "__main__":
    main()
