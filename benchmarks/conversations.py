"""Load: many concurrent conversations through one engine, with follow-ups and two tenants. Prints figures.

    .venv/bin/python benchmarks/conversations.py [--conversations 32] [--questions 20] [--server]

Each conversation is one thread asking its own script in turn: a control, follow-ups that only make sense
with that conversation's history ("what evidence do auditors want for it?"), and questions to its company.
Odd conversations belong to Northwind (the example trust pack), even ones to "contoso-load", a small pack
written here whose facts differ (Google Cloud in the Netherlands, not AWS). Bounded: it stops by itself.

What counts as cross-talk, and fails the run:
- any answer that differs from the one the same script gets when asked alone, one question at a time (the
  engine is deterministic: route, citations, resolved question and text must be identical under load);
- a company answer carrying the other tenant's facts or sources.

`--server` runs the same load against a Chroma server (`chroma run` on a loopback port, started and stopped
here) instead of the embedded store.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUBJECTS = ["CC6.1", "CC7.2", "CC8.1", "CC6.3", "A.8.24", "A.5.15", "A.8.8", "A.5.23", "CC3.2", "A.8.15",
            "CC9.2", "A.5.30", "CC6.6", "A.8.13", "CC7.3", "A.6.3"]
FOLLOW_UPS = ["what evidence do auditors want for it?", "how does it map to {other}?"]
COMPANY = ["Where is the platform hosted?", "Do you encrypt customer data at rest?"]
CONTOSO = {"Where is the platform hosted?": "Contoso Ledger runs on Google Cloud in europe-west4 (Netherlands) only.",
           "Do you encrypt customer data at rest?": "Yes. Contoso encrypts data at rest with Google Cloud KMS keys "
                                                     "that Contoso rotates every 90 days.",
           "Who is your security contact?": "security@contoso.example answers within one business day."}
# each tenant's facts, which must never appear in the other tenant's answers
MARKERS = {"northwind": ("AWS", "us-east-1", "Northwind"), "contoso-load": ("Google Cloud", "europe-west4", "Contoso")}


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    firsts: list[float] = field(default_factory=list)  # each conversation's first question: all start at once
    errors: list[str] = field(default_factory=list)
    crosstalk: list[str] = field(default_factory=list)


def script(n: int, questions: int) -> list[tuple[str, str | None]]:
    """(question, the control a follow-up must resolve to) pairs for conversation n."""
    steps, k = [], 0
    while len(steps) < questions:
        subject = SUBJECTS[(n + k) % len(SUBJECTS)]
        other = "SOC 2" if subject.startswith("A.") else "ISO"
        steps += [(f"What does {subject} require?", subject)] + [(f.format(other=other), subject) for f in FOLLOW_UPS] + \
                 [(COMPANY[k % len(COMPANY)], None)]
        k += 1
    return steps[:questions]


def contoso_pack(folder: Path) -> Path:
    import csv

    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "answer-library.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["question", "answer"])
        writer.writerows(CONTOSO.items())
    return folder


def tenant_of(n: int) -> str:
    return "northwind" if n % 2 else "contoso-load"


def signature(answer) -> tuple:
    return answer.route, tuple(answer.cited_ids), answer.meta.resolved if answer.meta else "", answer.text


def alone(assistant, n: int, questions: int) -> list[tuple]:
    """The answers conversation n's script gets with nobody else asking: the reference for cross-talk."""
    from bot.conversation import Conversation

    conversation, signatures = Conversation(), []
    for question, _ in script(n, questions):
        answer = assistant.ask(question, conversation, tenant=tenant_of(n))
        conversation.add(question, answer)
        signatures.append(signature(answer))
    return signatures


def converse(assistant, n: int, questions: int, reference: list[tuple], outcome: Outcome, lock: threading.Lock) -> None:
    from bot.conversation import Conversation

    tenant = tenant_of(n)
    other = next(t for t in MARKERS if t != tenant)
    conversation = Conversation()
    for step, (question, subject) in enumerate(script(n, questions)):
        started = time.perf_counter()
        try:
            answer = assistant.ask(question, conversation, tenant=tenant)
        except Exception as exc:  # a load run counts every failure, whatever its kind
            with lock:
                outcome.errors.append(f"conversation {n}: {question!r}: {type(exc).__name__}: {exc}")
            continue
        elapsed = time.perf_counter() - started
        conversation.add(question, answer)
        problems = []
        if signature(answer) != reference[step]:
            got, want = signature(answer), reference[step]
            problems.append(f"differs from the answer asked alone: route {got[0]} vs {want[0]}, "
                            f"cites {list(got[1])[:3]} vs {list(want[1])[:3]}, resolved {got[2]!r} vs {want[2]!r}")
        if subject is None:
            leaked = [m for m in MARKERS[other] if m in answer.text or any(m in c.source for c in answer.citations)]
            if leaked:
                problems.append(f"{tenant} answer carries {other}'s {leaked}")
        with lock:
            outcome.latencies.append(elapsed)
            if step == 0:
                outcome.firsts.append(elapsed)
            outcome.crosstalk += [f"conversation {n} ({tenant}): {question!r}: {p}" for p in problems]


def run(assistant, conversations: int = 32, questions: int = 20) -> dict:
    """Run the conversations concurrently, one thread each; return the figures."""
    outcome, lock = Outcome(), threading.Lock()
    kinds = {}  # conversations with the same script and tenant share one reference
    for n in range(conversations):
        key = (tuple(script(n, questions)), tenant_of(n))
        if key not in kinds:
            kinds[key] = alone(assistant, n, questions)
    from bot.retrieve import forget_embeddings

    forget_embeddings()  # the load starts cold: each distinct question is embedded once more, under load
    started = time.perf_counter()
    with ThreadPoolExecutor(conversations) as pool:
        for future in [pool.submit(converse, assistant, n, questions,
                                   kinds[(tuple(script(n, questions)), tenant_of(n))], outcome, lock)
                       for n in range(conversations)]:
            future.result()
    seconds = time.perf_counter() - started
    times = sorted(outcome.latencies)

    def pct(q: float, among: list[float] = times) -> float:
        return among[min(len(among) - 1, round(q * (len(among) - 1)))] * 1000 if among else float("nan")

    firsts = sorted(outcome.firsts)

    return {"conversations": conversations, "questions": conversations * questions, "answered": len(times),
            "references": len(kinds),
            "errors": outcome.errors, "crosstalk": outcome.crosstalk, "seconds": seconds,
            "throughput": len(times) / seconds, "p50": pct(0.5), "p95": pct(0.95), "p99": pct(0.99),
            "mean": statistics.fmean(times) * 1000 if times else float("nan"),
            "first_p50": pct(0.5, firsts), "first_max": pct(1.0, firsts)}


def prepare(data_dir: Path, chroma_url: str | None):
    """An Assistant over the standards and both tenants, built in `data_dir` (or on the server) if missing."""
    from bot import Assistant, Settings
    from bot.sales.tenant import load_pack
    from ingest import STANDARDS, Store, ingest, load_corpus
    from ingest.records import Records
    from ingest.store import company_index

    settings = Settings(data_dir=data_dir, corpus_dir=ROOT / "corpus", chroma_url=chroma_url)
    store = Store(settings.data_dir, settings.chroma_url)
    if store.published(STANDARDS) is None:
        ingest(load_corpus(settings.corpus_dir), store)
    records = Records.open(settings)
    packs = {"northwind": ROOT / "corpus/examples/northwind", "contoso-load": contoso_pack(data_dir / "contoso-pack")}
    for tenant, folder in packs.items():
        if store.published(company_index(tenant)) is None:
            load_pack(folder, tenant, records, store)
    assistant = Assistant(settings, store=store)
    assistant.warm()
    return assistant


def chroma_server(folder: Path) -> tuple[subprocess.Popen, str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    chroma = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen([str(chroma), "run", "--path", str(folder), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"chroma run did not start on {url}")


def report(mode: str, f: dict) -> None:
    print(f"conversations ({mode} store): {f['conversations']} concurrent x {f['questions'] // f['conversations']} "
          f"questions = {f['questions']}; answered {f['answered']} in {f['seconds']:.1f} s, "
          f"{f['throughput']:.1f} answers/s")
    print(f"  latency p50 {f['p50']:.0f} ms, p95 {f['p95']:.0f} ms, p99 {f['p99']:.0f} ms, mean {f['mean']:.0f} ms")
    print(f"  first question of each conversation (all {f['conversations']} at once, cold): p50 {f['first_p50']:.0f} ms, "
          f"max {f['first_max']:.0f} ms")
    print(f"  errors: {len(f['errors'])}; cross-talk: {len(f['crosstalk'])} (every answer compared with its script "
          f"asked alone: {f['references']} distinct scripts)")
    for line in (f["errors"] + f["crosstalk"])[:10]:
        print(f"    {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=32)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--server", action="store_true", help="against `chroma run` on loopback, not embedded")
    parser.add_argument("--data-dir", type=Path, default=None, help="default: a fresh temporary folder")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp) / "data"
        server = None
        if args.server:
            server, url = chroma_server(Path(tmp) / "chroma-server")
        try:
            assistant = prepare(data_dir, url if server else None)
            f = run(assistant, args.conversations, args.questions)
        finally:
            if server:
                server.terminate()
                server.wait(timeout=30)
    report("server" if args.server else "embedded", f)
    if f["errors"] or f["crosstalk"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
