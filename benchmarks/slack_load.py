"""Benchmark: signed Slack events from concurrent senders into real Bolt apps in HTTP mode on loopback
(Slack's Web API answered by the tests' local stub). Prints ack and answer times.

    .venv/bin/python benchmarks/slack_load.py [--events 50] [--senders 10] [--data-dir DIR]
    .venv/bin/python benchmarks/slack_load.py --events 200 --instances 2 --postgres

With `--instances 2` two apps share one records database and every event is delivered to both, as when
Slack retries a delivery and the retry lands on the other instance: each must still be answered once.
`--postgres` puts that database on a throwaway PostgreSQL (Debian's package), as a team deployment does.

Bounded: it sends a fixed number of events and stops by itself. "Ack" is the HTTP response
to Slack's delivery (Slack's rule: within 3 s); "answer" is until the threaded reply reaches
chat.postMessage.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ["What does CC6.1 require?", "Which ISO 27001 controls cover access reviews?",
             "Do we need a SOC 2 Type II or is Type I enough?", "What is A.8.24 about?",
             "How does CC7.2 map to Annex A?", "What evidence do auditors want for change management?",
             "What is the 2022 equivalent of A.12.4.1?", "What does clause 9.2 require?",
             "Is ISO 27001 a certification?", "What is a bridge letter?"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def run_load(url: str | list[str], stub, secret: str, *, channel: str, events: int = 50, senders: int = 10,
             timeout: float = 300.0) -> dict:
    """Send `events` app_mentions from `senders` threads, each to every URL; wait for every answer; return figures."""
    urls = [url] if isinstance(url, str) else list(url)
    sys.path.insert(0, str(ROOT))
    from tests.slack_stub import event, post

    bot_user = "UBOT0001"
    jobs = [event("app_mention", text=f"<@{bot_user}> {QUESTIONS[n % len(QUESTIONS)]}", channel=channel,
                  user=f"U0LOAD{n % senders:03d}") for n in range(events)]
    sent_at: dict[str, float] = {}

    def send(job: tuple[str, dict]) -> tuple[int, float]:
        target, ev = job
        sent_at.setdefault(ev["event"]["ts"], time.monotonic())
        status, _, seconds = post(target, json.dumps(ev), "application/json", secret)
        return status, seconds

    started = time.monotonic()
    with ThreadPoolExecutor(senders) as pool:
        acks = list(pool.map(send, [(target, ev) for ev in jobs for target in urls]))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len({c.args.get("thread_ts") for c in stub.calls
                                               if c.method == "chat.postMessage"}) < events:
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    time.sleep(1.0)  # a duplicate answer would arrive after the first: give it the time to show
    replies: dict[str, list[float]] = {}
    for call in list(stub.calls):
        if call.method == "chat.postMessage" and call.args.get("channel") == channel:
            replies.setdefault(call.args.get("thread_ts"), []).append(call.at)
    answer_times = [replies[ts][0] - sent_at[ts] for ts in sent_at if ts in replies]
    ack_times = [seconds for status, seconds in acks if status == 200]
    return {"events": events, "senders": senders, "deliveries": len(acks), "acked": len(ack_times),
            "answered_once": sum(1 for ts in sent_at if len(replies.get(ts, [])) == 1),
            "answered_twice": sum(1 for ts in sent_at if len(replies.get(ts, [])) > 1),
            "ack_p50": percentile(ack_times, 0.5), "ack_p95": percentile(ack_times, 0.95), "ack_max": max(ack_times),
            "answer_p50": percentile(answer_times, 0.5) if answer_times else float("nan"),
            "answer_p95": percentile(answer_times, 0.95) if answer_times else float("nan"),
            "answer_p99": percentile(answer_times, 0.99) if answer_times else float("nan"),
            "seconds": elapsed, "throughput": len(answer_times) / elapsed}


def serve(assistant, records, stub, token: str, secret: str, instances: int) -> list:
    """`instances` Bolt apps in HTTP mode on loopback ports, sharing `records`."""
    from ui.slack.server import build_app, http_server
    from ui.slack.settings import SlackSettings

    servers = []
    for _ in range(instances):
        app = build_app(assistant, records, SlackSettings(rate_per_minute=600), bot_token=token,
                        signing_secret=secret, api_url=stub.url + "/api/")
        server = http_server(app, "127.0.0.1", 0)
        threading.Thread(target=server.run, daemon=True).start()
        servers.append(server)
    return servers


def database(use_postgres: bool, folder: Path, stack: ExitStack) -> str:
    if not use_postgres:
        return f"sqlite:///{folder / 'slack.db'}"
    from tests.pg import new_database, throwaway_postgres

    return new_database(stack.enter_context(throwaway_postgres()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--senders", type=int, default=10)
    parser.add_argument("--instances", type=int, default=1, help="apps sharing one database; each event goes to all")
    parser.add_argument("--postgres", action="store_true", help="the shared database on a throwaway PostgreSQL")
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".trustdesk")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))

    import logging

    from bot import Assistant, Settings
    from ingest import STANDARDS, Store, ingest, load_corpus
    from ingest.records import Records
    from tests.slack_stub import SlackStub

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # queueing is what this measures; no chatter
    settings = Settings(data_dir=args.data_dir, corpus_dir=ROOT / "corpus")
    store = Store(settings.data_dir, settings.chroma_url)
    if store.published(STANDARDS) is None:
        ingest(load_corpus(settings.corpus_dir), store)
    assistant = Assistant(settings, store=store)
    assistant.warm()
    token, secret = "xoxb-bench", "bench-secret"
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        stub = SlackStub(token).start()
        stack.callback(stub.stop)
        records = Records(database(args.postgres, Path(tmp), stack))
        stack.callback(records.dispose)
        servers = serve(assistant, records, stub, token, secret, args.instances)
        for server in servers:
            stack.callback(server.close)
        f = run_load([f"http://127.0.0.1:{s.effective_port}/slack/events" for s in servers], stub, secret,
                     channel="C0BENCH01", events=args.events, senders=args.senders)
    where = "PostgreSQL" if args.postgres else "SQLite"
    print(f"slack load: {f['events']} signed events from {f['senders']} concurrent senders to {args.instances} "
          f"instance(s) sharing {where} ({f['deliveries']} deliveries), {f['seconds']:.1f} s, "
          f"{f['throughput']:.1f} answers/s")
    print(f"  acknowledged: {f['acked']}/{f['deliveries']}; ack p50 {f['ack_p50'] * 1000:.0f} ms, "
          f"p95 {f['ack_p95'] * 1000:.0f} ms, max {f['ack_max'] * 1000:.0f} ms (Slack's limit: 3000 ms)")
    print(f"  answered exactly once: {f['answered_once']}/{f['events']}, twice or more: {f['answered_twice']}")
    print(f"  answer p50 {f['answer_p50'] * 1000:.0f} ms, p95 {f['answer_p95'] * 1000:.0f} ms, "
          f"p99 {f['answer_p99'] * 1000:.0f} ms")
    if f["answered_once"] != f["events"] or f["acked"] != f["deliveries"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
