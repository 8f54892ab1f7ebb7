"""The trustdesk engine. Knows nothing of Streamlit, Slack or the terminal.

Public surface: `Assistant`, `Settings`, `Answer`, `Citation`, `Turn`, and the
errors in `bot.errors`. The sales workflows over it (answer library, questionnaires,
tenants, chat threads, feedback) are the package `bot.sales`.

>>> from bot import Assistant, Settings       # doctest: +SKIP
>>> Assistant(Settings()).ask("What is CC6.1?").text   # doctest: +SKIP
"""

from bot.config import Settings
from bot.engine import Assistant
from bot.models import Answer, Citation, Turn

__all__ = ["Answer", "Assistant", "Citation", "Settings", "Turn"]
