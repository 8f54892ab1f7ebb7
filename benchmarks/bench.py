"""Ingest and answer benchmark: prints figures, asserts nothing (this machine is shared and noisy).

    python benchmarks/bench.py [--questions 200]

Measures, on the full corpus in a fresh temporary data directory:
cold ingest, no-change re-ingest, one-file-changed re-ingest, warm answer
latency p50/p95 over N questions, `trustdesk ask` cold wall time, and peak RSS.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUESTIONS = [
    "What does CC6.1 require?", "Do you enforce MFA for admins?", "What is a bridge letter?",
    "How long does ISO 27001 certification take?", "Which ISO controls cover CC7.2?", "What does A.8.24 map to in SOC 2?",
    "SOC 2 vs ISO 27001 cost", "What is the statement of applicability?", "who issues a SOC 2 report",
    "data backup requirements", "What is threat intelligence in ISO 27001?", "Is SOC 2 a certification?",
    "Should a US startup selling to enterprises do SOC 2 or ISO 27001?", "What evidence do auditors want for CC8.1?",
    "clause 9.2 internal audit", "What does P4.2 say about retention?", "How do we meet A.8.8 vulnerability management?",
    "What is the difference between Type 1 and Type 2?", "Explain annex a 5.23 cloud services",
    "What's a good banana bread recipe?",
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=200, help="warm questions to time (default 200)")
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="trustdesk-bench-"))
    ingests = _ingest_figures(data)
    first_s, latencies = _warm_figures(data, args.questions)
    colds, cold_rss_mb, uncopied_s, help_s = _cold_figures(data)

    cold, cold_s = ingests["cold"]
    again, again_s = ingests["again"]
    one, one_s = ingests["one"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"corpus                      {cold.documents} documents, {cold.chunks} chunks")
    print(f"cold ingest                 {cold_s:6.1f} s   (target < 60 s)")
    print(f"no-change re-ingest         {again_s:6.2f} s   (target < 5 s; embedded {again.embedded})")
    print(f"one-file-changed re-ingest  {one_s:6.2f} s   (embedded {one.embedded}, reused {one.reused})")
    print(f"first answer (loads index)  {first_s * 1000:6.0f} ms")
    print(f"warm answer p50             {statistics.median(latencies):6.1f} ms over {len(latencies)} questions")
    print(f"warm answer p95             {percentile(latencies, 95):6.1f} ms   (target < 150 ms)")
    print(f"warm answer max             {max(latencies):6.1f} ms")
    print(f"`trustdesk ask` cold        {statistics.median(colds):6.2f} s   median of {len(colds)} fresh processes "
          "(target <= 2.5 s): " + ", ".join(f"{c:.2f}" for c in colds))
    print(f"`trustdesk ask` cold, RSS   {cold_rss_mb:6.0f} MB" if cold_rss_mb else "`trustdesk ask` cold, RSS   (no /usr/bin/time)")
    print(f"`trustdesk ask`, no copies  {uncopied_s:6.2f} s   (through Chroma, as before ingest/snapshot.py)")
    print(f"`trustdesk --help`          {help_s:6.2f} s")
    print(f"peak RSS (this process)     {peak_mb:6.0f} MB   (ingest, 1 index, {args.questions} warm questions)")


def _timed(fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - started


def _ingest_figures(data: Path) -> dict:
    """Cold ingest, no-change re-ingest, and one file changed: (report, seconds) each."""
    from ingest import Store, ingest, load_corpus

    corpus = ROOT / "corpus"
    store = Store(data)
    figures = {"cold": _timed(lambda: ingest(load_corpus(corpus), store)),
               "again": _timed(lambda: ingest(load_corpus(corpus), store))}
    work = Path(tempfile.mkdtemp(prefix="trustdesk-bench-corpus-")) / "corpus"
    subprocess.run(["cp", "-r", str(corpus), str(work)], check=True)
    target = work / "soc2" / "CC6.1.md"
    target.write_text(target.read_text().replace("## How teams meet it\n", "## How teams meet it\n\nBenchmark edit.\n"))
    figures["one"] = _timed(lambda: ingest(load_corpus(work), store))
    return figures


def _warm_figures(data: Path, questions: int) -> tuple[float, list[float]]:
    """The first answer (loads the index and the classifier), then each warm answer's milliseconds."""
    from bot import Assistant, Settings

    assistant = Assistant(Settings(data_dir=data))
    _, first_s = _timed(assistant.ask, "warm up: what is CC6.1?")
    latencies = []
    for n in range(questions):
        _, seconds = _timed(assistant.ask, QUESTIONS[n % len(QUESTIONS)])
        latencies.append(seconds * 1000)
    return first_s, latencies


def _cold_figures(data: Path) -> tuple[list[float], float | None, float, float]:
    """Fresh `trustdesk ask` processes: their seconds, one's peak RSS, one without the generation copies, and
    `--help`."""
    script = Path(sys.executable).with_name("trustdesk")
    env = {**os.environ, "TRUSTDESK_DATA_DIR": str(data)}

    def ask(question: str) -> None:
        subprocess.run([str(script), "ask", question, "--json"], env=env, check=True, capture_output=True, cwd=ROOT)

    ask("warm the cache")  # the first process after an ingest also fits the intent classifier's cache
    colds = [_timed(ask, q)[1] for q in ("What does CC6.1 require?", "we sell to german banks, soc 2 or iso?",
                                         "what replaced A.12.6.1", "which iso controls cover cc7.2",
                                         "do we need a pen test for soc 2?")]
    rss_mb = _cold_ask_rss_mb(script, env)
    # without the generation's copies (ingest/snapshot.py) a cold ask reads through Chroma, and writes them again
    subprocess.run(["rm", "-rf", str(data / "snapshots")], check=True)
    uncopied_s = _timed(ask, "What does CC6.1 require?")[1]
    help_s = _timed(lambda: subprocess.run([str(script), "--help"], env=env, check=True, capture_output=True))[1]
    return colds, rss_mb, uncopied_s, help_s


def _cold_ask_rss_mb(script: Path, env: dict) -> float | None:
    """Peak RSS of one cold `trustdesk ask`, from GNU time's %M (kilobytes), if it is installed."""
    if not Path("/usr/bin/time").exists():
        return None
    done = subprocess.run(["/usr/bin/time", "-f", "%M", str(script), "ask", "What does CC6.1 require?", "--json"],
                          env=env, capture_output=True, text=True, cwd=ROOT)
    last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    return int(last) / 1024 if done.returncode == 0 and last.isdigit() else None


if __name__ == "__main__":
    main()
