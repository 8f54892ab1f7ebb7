"""A small local stand-in for Slack's Web API, and signed requests for the Bolt app.

The only fake in the Slack tests: Slack's servers are on the internet, so the app's
WebClient is pointed here (TRUSTDESK_SLACK_API_URL) and every call is recorded. It
answers the methods the app uses the way Slack documents them, and refuses a wrong
token the way Slack does.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BOT_USER, BOT_ID, TEAM = "UBOT0001", "BBOT0001", "T0TEAM01"


@dataclass
class Call:
    method: str
    args: dict
    at: float = field(default_factory=time.monotonic)


class SlackStub:
    """`url` + "/api/" is the Web API base; `url` + "/hooks/<id>" are response_urls."""

    def __init__(self, token: str, *, shared_channels: set[str] = frozenset(), groups: dict | None = None):
        self.token = token
        self.shared_channels = set(shared_channels)
        self.groups = groups or {}
        self.calls: list[Call] = []
        self.hooks: list[Call] = []
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8")
                if "json" in (self.headers.get("Content-Type") or ""):
                    args = json.loads(raw or "{}")
                else:
                    args = {k: v[0] for k, v in urllib.parse.parse_qs(raw).items()}
                if self.path.startswith("/hooks/"):
                    stub._record(stub.hooks, Call(self.path, args))
                    self._send(200, b"ok", "text/plain")
                    return
                method = self.path.removeprefix("/api/")
                auth = self.headers.get("Authorization", "")
                token = auth.removeprefix("Bearer ") if auth else args.get("token", "")
                if token != stub.token:
                    reply = {"ok": False, "error": "invalid_auth"}
                else:
                    reply = stub.reply(method, args)
                    stub._record(stub.calls, Call(method, args))
                self._send(200, json.dumps(reply).encode(), "application/json")

            def _send(self, status: int, body: bytes, kind: str):
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "SlackStub":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _record(self, into: list, call: Call) -> None:
        with self._cond:
            into.append(call)
            self._cond.notify_all()

    def reply(self, method: str, args: dict) -> dict:
        if method == "auth.test":
            return {"ok": True, "url": "https://northwind.slack.com/", "team": "Northwind", "user": "trustdesk",
                    "team_id": TEAM, "user_id": BOT_USER, "bot_id": BOT_ID}
        if method == "chat.postMessage":
            ts = f"{1800000000 + next(self._ts)}.000100"
            return {"ok": True, "channel": args.get("channel"), "ts": ts,
                    "message": {"text": args.get("text", ""), "ts": ts, "bot_id": BOT_ID}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{1800000000 + next(self._ts)}.000200"}
        if method == "chat.getPermalink":
            ts = str(args.get("message_ts", "")).replace(".", "")
            return {"ok": True, "channel": args.get("channel"),
                    "permalink": f"https://northwind.slack.com/archives/{args.get('channel')}/p{ts}"}
        if method == "conversations.info":
            channel = args.get("channel", "")
            return {"ok": True, "channel": {"id": channel, "is_channel": True,
                                            "is_ext_shared": channel in self.shared_channels,
                                            "is_shared": channel in self.shared_channels}}
        if method == "conversations.replies":
            return {"ok": True, "messages": [], "has_more": False}
        if method == "usergroups.users.list":
            group = args.get("usergroup", "")
            if group not in self.groups:
                return {"ok": False, "error": "no_such_subteam"}
            return {"ok": True, "users": self.groups[group]}
        if method == "views.open":
            return {"ok": True, "view": {"id": "V0000001"}}
        return {"ok": False, "error": "unknown_method"}

    # --- what the app did ---------------------------------------------------------------

    def posted(self, method: str = "chat.postMessage", **match) -> list[dict]:
        with self._lock:
            return [c.args for c in self.calls if c.method == method
                    and all(c.args.get(k) == v for k, v in match.items())]

    def wait_for(self, method: str = "chat.postMessage", count: int = 1, timeout: float = 30.0,
                 **match) -> list[dict]:
        """Block until `count` matching calls were recorded; fail clearly if they never come."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c.args for c in self.calls if c.method == method
                         and all(c.args.get(k) == v for k, v in match.items())]
                if len(found) >= count or time.monotonic() > deadline:
                    break
                self._cond.wait(timeout=0.2)
        assert len(found) >= count, f"expected {count} {method} call(s) matching {match}, got {len(found)}: " \
                                    f"{[c.method for c in self.calls]}"
        return found

    def wait_hook(self, count: int = 1, timeout: float = 30.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.hooks) < count and time.monotonic() < deadline:
                self._cond.wait(timeout=0.2)
            found = [c.args for c in self.hooks]
        assert len(found) >= count, f"expected {count} response_url call(s), got {len(found)}"
        return found


# --- signed requests, as Slack sends them ------------------------------------------------------------

def signature(secret: str, timestamp: str, body: str) -> str:
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


def post(url: str, body: str, content_type: str, secret: str, *, timestamp: float | None = None,
         forged: bool = False, headers: dict | None = None) -> tuple[int, str, float]:
    """POST a signed request; returns (status, body, seconds until the response)."""
    ts = str(int(timestamp if timestamp is not None else time.time()))
    sig = signature("not-the-secret" if forged else secret, ts, body)
    request = urllib.request.Request(url, data=body.encode(), method="POST", headers={
        "Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig, **(headers or {})})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode(), time.monotonic() - started
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), time.monotonic() - started


_event_ids = itertools.count(1)


def event(kind: str, *, text: str, channel: str, user: str = "U0ASKER1", ts: str | None = None,
          thread_ts: str | None = None, channel_type: str = "channel", event_id: str | None = None,
          **extra) -> dict:
    ts = ts or f"{1700000000 + next(_event_ids)}.000100"
    inner = {"type": kind, "user": user, "text": text, "ts": ts, "channel": channel, "event_ts": ts,
             "channel_type": channel_type, **extra}
    if thread_ts:
        inner["thread_ts"] = thread_ts
    inner = {k: v for k, v in inner.items() if v is not None}
    return {"token": "legacy", "team_id": TEAM, "api_app_id": "A0APP001", "type": "event_callback",
            "event_id": event_id or f"Ev{next(_event_ids):08d}", "event_time": int(time.time()), "event": inner}


def slash(text: str, *, channel: str, response_url: str, user: str = "U0ASKER1") -> str:
    return urllib.parse.urlencode({"token": "legacy", "team_id": TEAM, "channel_id": channel,
                                   "channel_name": "sales", "user_id": user, "user_name": "ana",
                                   "command": "/trustdesk", "text": text, "api_app_id": "A0APP001",
                                   "response_url": response_url, "trigger_id": "1.2.3"})


def action(action_id: str, value: str, *, channel: str, message_ts: str, thread_ts: str | None = None,
           user: str = "U0ASKER1", response_url: str = "") -> str:
    payload = {"type": "block_actions", "team": {"id": TEAM}, "user": {"id": user, "team_id": TEAM},
               "api_app_id": "A0APP001", "trigger_id": "1.2.3", "response_url": response_url,
               "channel": {"id": channel}, "container": {"type": "message", "message_ts": message_ts},
               "message": {"ts": message_ts, "thread_ts": thread_ts or message_ts, "bot_id": BOT_ID},
               "actions": [{"type": "button", "action_id": action_id, "value": value, "block_id": "b1",
                            "action_ts": str(time.time())}]}
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


def view_submission(callback_id: str, private_metadata: str, reason: str, user: str = "U0ASKER1") -> str:
    payload = {"type": "view_submission", "team": {"id": TEAM}, "user": {"id": user, "team_id": TEAM},
               "api_app_id": "A0APP001",
               "view": {"id": "V0000001", "type": "modal", "callback_id": callback_id, "private_metadata": private_metadata,
                        "state": {"values": {"reason": {"text": {"type": "plain_text_input", "value": reason}}}}}}
    return urllib.parse.urlencode({"payload": json.dumps(payload)})
