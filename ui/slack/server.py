"""The Slack app as a server: Bolt's App with request ids, its worker pool, and the WSGI/waitress front for
HTTP mode (`trustdesk slack --http`); Socket Mode uses `build_app` alone."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App

from bot import logs
from bot.engine import Assistant
from ingest.records import Records
from ui.slack.app import SlackDesk, web_client
from ui.slack.settings import SlackSettings

log = logging.getLogger("trustdesk.slack")


class _QuietTokenWarning(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and warns that our client (which carries it) wins: it does, by design."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def _kind(body: dict) -> str:
    """What a request is, for its log line: `event app_mention`, `command /trustdesk`, `action td_helpful`."""
    if body.get("type") == "event_callback":
        return f"event {(body.get('event') or {}).get('type', '?')}"
    if body.get("command"):
        return f"command {body['command']}"
    if body.get("actions"):
        return f"action {body['actions'][0].get('action_id', '?')}"
    return str(body.get("type") or "request")


def _channel(body: dict) -> str | None:
    return ((body.get("event") or {}).get("channel") or body.get("channel_id")
            or (body.get("channel") or {}).get("id") or None)


class _TracedApp(App):
    """Bolt's App, each request dispatched under a request id: its middleware, and its listener on a worker
    thread (`_ContextExecutor`), log under the event id for an event, a new id otherwise."""

    def dispatch(self, req):
        body = req.body if isinstance(req.body, dict) else {}
        event_id = body.get("event_id")
        with logs.request(str(event_id) if event_id else None, surface="slack", event_id=event_id):
            log.info("slack %s", _kind(body), extra={"channel": _channel(body)})
            return super().dispatch(req)


class _ContextExecutor(ThreadPoolExecutor):
    """Bolt's worker pool, each task run in a copy of its submitter's context: the request id goes along."""

    def submit(self, fn, /, *args, **kwargs):
        return super().submit(contextvars.copy_context().run, fn, *args, **kwargs)


def build_app(assistant: Assistant, records: Records, settings: SlackSettings, *, bot_token: str | None,
              signing_secret: str | None, api_url: str | None = None, web_url: str | None = None,
              workers: int = 8) -> App:
    """The Bolt app with every handler registered. Verifies the bot token with `auth.test` at once.

    Requests are verified (signature and timestamp) whenever a signing secret is given; HTTP mode
    requires one (`trustdesk slack --http`), Socket Mode needs none.
    """
    bolt_log = logging.getLogger("trustdesk.slack.bolt")
    if not any(isinstance(f, _QuietTokenWarning) for f in bolt_log.filters):
        bolt_log.addFilter(_QuietTokenWarning())
    app = _TracedApp(client=web_client(bot_token, api_url), signing_secret=signing_secret,
                     process_before_response=False, request_verification_enabled=signing_secret is not None,
                     listener_executor=_ContextExecutor(max_workers=workers, thread_name_prefix="trustdesk-slack"),
                     logger=bolt_log)
    SlackDesk(assistant, records, settings, web_url=web_url).register(app)
    return app


def wsgi(app: App) -> Callable:
    """Bolt's `/slack/events` (events, commands, interactions) plus `/healthz` for a load balancer."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    events = SlackRequestHandler(app)

    def handle(environ, start_response):
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        return events(environ, start_response)

    return handle


def http_server(app: App, host: str, port: int, threads: int = 8):
    """A waitress server for HTTP mode (call `.run()`; `.close()` stops it). Port 0 picks a free one."""
    from waitress.server import create_server

    return create_server(wsgi(app), host=host, port=port, threads=threads, ident="trustdesk",
                         max_request_body_size=1 << 20, clear_untrusted_proxy_headers=True)
