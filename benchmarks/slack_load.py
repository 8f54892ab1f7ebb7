"""Benchmark: 50 signed Slack events from 10 concurrent senders into the real Bolt app in HTTP mode on
loopback (Slack's Web API answered by the tests' local stub). Prints ack and answer times.

    .venv/bin/python benchmarks/slack_load.py [--events 50] [--senders 10] [--data-dir DIR]

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


def run_load(url: str, stub, secret: str, *, channel: str, events: int = 50, senders: int = 10,
             timeout: float = 120.0) -> dict:
    """Send `events` app_mentions from `senders` threads; wait for every answer; return the figures."""
    sys.path.insert(0, str(ROOT))
    from tests.slack_stub import event, post

    bot_user = "UBOT0001"
    jobs = [event("app_mention", text=f"<@{bot_user}> {QUESTIONS[n % len(QUESTIONS)]}", channel=channel,
                  user=f"U0LOAD{n % senders:03d}") for n in range(events)]
    sent_at: dict[str, float] = {}

    def send(ev: dict) -> tuple[int, float]:
        sent_at[ev["event"]["ts"]] = time.monotonic()
        status, _, seconds = post(url, json.dumps(ev), "application/json", secret)
        return status, seconds

    started = time.monotonic()
    with ThreadPoolExecutor(senders) as pool:
        acks = list(pool.map(send, jobs))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len({c.args.get("thread_ts") for c in stub.calls
                                               if c.method == "chat.postMessage"}) < events:
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    replies: dict[str, list[float]] = {}
    for call in list(stub.calls):
        if call.method == "chat.postMessage" and call.args.get("channel") == channel:
            replies.setdefault(call.args.get("thread_ts"), []).append(call.at)
    answer_times = [replies[ts][0] - sent_at[ts] for ts in sent_at if ts in replies]
    ack_times = [seconds for status, seconds in acks if status == 200]
    return {"events": events, "senders": senders, "acked": len(ack_times),
            "answered_once": sum(1 for ts in sent_at if len(replies.get(ts, [])) == 1),
            "answered_twice": sum(1 for ts in sent_at if len(replies.get(ts, [])) > 1),
            "ack_p50": percentile(ack_times, 0.5), "ack_p95": percentile(ack_times, 0.95), "ack_max": max(ack_times),
            "answer_p50": percentile(answer_times, 0.5) if answer_times else float("nan"),
            "answer_p95": percentile(answer_times, 0.95) if answer_times else float("nan"),
            "seconds": elapsed, "throughput": len(answer_times) / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--senders", type=int, default=10)
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".trustdesk")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))

    from bot import Assistant, Settings
    from ingest import STANDARDS, Store, ingest, load_corpus
    from ingest.db import Records
    from tests.slack_stub import SlackStub
    from ui.slack.app import build_app, http_server
    from ui.slack.settings import SlackSettings

    import logging

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # queueing is what this measures; no chatter
    settings = Settings(data_dir=args.data_dir, corpus_dir=ROOT / "corpus")
    store = Store(settings.data_dir, settings.chroma_url)
    if store.published(STANDARDS) is None:
        ingest(load_corpus(settings.corpus_dir), store)
    assistant = Assistant(settings, store=store)
    assistant.warm()
    token, secret = "xoxb-bench", "bench-secret"
    stub = SlackStub(token).start()
    with tempfile.TemporaryDirectory() as tmp:
        records = Records(f"sqlite:///{Path(tmp) / 'slack.db'}")
        app = build_app(assistant, records, SlackSettings(rate_per_minute=600), bot_token=token,
                        signing_secret=secret, api_url=stub.url + "/api/")
        server = http_server(app, "127.0.0.1", 0)
        threading.Thread(target=server.run, daemon=True).start()
        try:
            f = run_load(f"http://127.0.0.1:{server.effective_port}/slack/events", stub, secret,
                         channel="C0BENCH01", events=args.events, senders=args.senders)
        finally:
            server.close()
            stub.stop()
            records.dispose()
    print(f"slack load: {f['events']} signed events from {f['senders']} concurrent senders, "
          f"{f['seconds']:.1f} s, {f['throughput']:.1f} answers/s")
    print(f"  acknowledged: {f['acked']}/{f['events']}; ack p50 {f['ack_p50'] * 1000:.0f} ms, "
          f"p95 {f['ack_p95'] * 1000:.0f} ms, max {f['ack_max'] * 1000:.0f} ms (Slack's limit: 3000 ms)")
    print(f"  answered exactly once: {f['answered_once']}/{f['events']}, twice or more: {f['answered_twice']}")
    print(f"  answer p50 {f['answer_p50'] * 1000:.0f} ms, p95 {f['answer_p95'] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
