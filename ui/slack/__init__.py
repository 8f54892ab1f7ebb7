"""The Slack surface: `build_app` (the Bolt app), `http_server` (HTTP mode) and the channel settings.

`trustdesk slack` (ui/cli_slack.py) is the entry point; handlers only call bot/ workflows.
"""

from ui.slack.server import build_app, http_server
from ui.slack.settings import SlackSettings, load

__all__ = ["SlackSettings", "build_app", "http_server", "load"]
