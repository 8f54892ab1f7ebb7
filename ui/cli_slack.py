"""`trustdesk slack`: the Slack app, Socket Mode by default, HTTP with `--http --port N`."""

from __future__ import annotations

from typing import Annotated

import typer

from ui.console import err, fail, friendly_errors, out, settings

SETUP = "create the app from ui/slack/manifest.yml (README: Slack), then"


def register(app: typer.Typer) -> None:
    @app.command()
    def slack(
        http: Annotated[bool, typer.Option("--http", help="Serve Slack's HTTP events at /slack/events instead of "
                                           "Socket Mode (needs a public HTTPS URL and SLACK_SIGNING_SECRET).")] = False,
        port: Annotated[int, typer.Option(help="Port for --http.", min=1, max=65535)] = 3000,
        address: Annotated[str, typer.Option(help="Address for --http to bind.")] = "0.0.0.0",
    ) -> None:
        """Answer questions in Slack: mentions, DMs, threads and /trustdesk, with citations and feedback.

        Needs SLACK_BOT_TOKEN, and SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (--http).
        Channels, tenants and experts: TRUSTDESK_SLACK_CONFIG (see ui/slack/settings.py).
        """
        from slack_bolt.error import BoltError

        from bot.engine import Assistant
        from ingest.records import Records
        from ui.slack import settings as slack_settings
        from ui.slack.server import build_app, http_server

        s = settings(log_level="INFO")
        bot_token, app_token, secret = _tokens(s, http)
        with friendly_errors():
            channels = slack_settings.load(s.slack_config)
            assistant = Assistant(s)
            assistant.warm()
            records = Records.open(s)
            try:
                bolt = build_app(assistant, records, channels, bot_token=bot_token,
                                 signing_secret=secret if http else None, api_url=s.slack_api_url,
                                 web_url=s.web_url)
            except BoltError as exc:  # auth.test failed
                fail(f"Slack did not accept SLACK_BOT_TOKEN ({exc}): check the token, and that the app is "
                     "installed in the workspace")
            where = "every channel it is invited to, mention-only" if channels.channels is None else \
                f"{len(channels.channels)} configured channel(s)"
            if http:
                server = http_server(bolt, address, port)
                out.print(f"trustdesk Slack app (HTTP) on http://{address}:{server.effective_port}/slack/events, "
                          f"answering in {where} and DMs (Ctrl-C stops it)")
                try:
                    server.run()
                except KeyboardInterrupt:
                    err.print("stopped")
                return
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            out.print(f"trustdesk Slack app (Socket Mode), answering in {where} and DMs (Ctrl-C stops it)")
            try:
                SocketModeHandler(bolt, app_token).start()
            except KeyboardInterrupt:
                err.print("stopped")


def _tokens(s, http: bool) -> tuple[str, str | None, str | None]:
    """The bot token, app token and signing secret; stops, saying where to find each, if one this mode needs
    is missing."""
    bot_token = s.slack_bot_token.get_secret_value() if s.slack_bot_token else None
    app_token = s.slack_app_token.get_secret_value() if s.slack_app_token else None
    secret = s.slack_signing_secret.get_secret_value() if s.slack_signing_secret else None
    if not bot_token:
        fail(f"SLACK_BOT_TOKEN is not set: {SETUP} copy the Bot User OAuth Token (xoxb-...) from "
             "OAuth & Permissions")
    if http and not secret:
        fail(f"--http needs SLACK_SIGNING_SECRET: {SETUP} copy it from Basic Information > App Credentials")
    if not http and not (app_token or "").startswith("xapp-"):
        fail(f"Socket Mode needs SLACK_APP_TOKEN (xapp-...): {SETUP} create one under Basic Information > "
             "App-Level Tokens with the connections:write scope; or use --http")
    return bot_token, app_token, secret
