"""Optional LLM phrasing: the same evidence, phrased by a chat model, with its citations checked.

`TRUSTDESK_LLM=provider:model` (for example `openai:gpt-4o-mini`,
`anthropic:claude-3-5-haiku-latest` or `ollama:llama3.1`) builds a LangChain
chat model with `init_chat_model`. Whatever the model writes, a citation is
kept only if it names a document in the retrieved evidence; others are
removed and counted. Provider errors and timeouts become `LLMUnavailable`,
which the engine turns into the extractive answer with a note.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.errors import ConfigError, LLMUnavailable
from bot.prompts import ANSWER

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from bot.retrieve import Evidence

_SPEC = re.compile(r"^(?P<provider>[a-z][a-z0-9_]*):(?P<model>\S+)$")
_CITATION = re.compile(r"\s*\[(?P<id>[^\[\]\n]{1,80})\]")
PACKAGES = {"openai": "langchain-openai", "anthropic": "langchain-anthropic", "ollama": "langchain-ollama"}
# What a provider's error may carry of its credentials: a key in a URL's query or an Authorization header, or a
# key in a provider's own format (OpenAI sk-, Google AIza, Slack xox).
_SECRETS = re.compile(r"(?i)(?P<keep>[?&;](?:key|api_key|api-key|apikey|token|access_token|secret|password)=|bearer )"
                      r"[^&\s'\"]{6,}|\b(?:sk|rk|pk)-[A-Za-z0-9_-]{12,}|\bAIza[0-9A-Za-z_-]{20,}|\bxox[abprs]-[A-Za-z0-9-]{8,}")


def redacted(message: str) -> str:
    """A provider's error message without the credentials it may echo: it is logged, and may be shown."""
    return _SECRETS.sub(lambda m: (m["keep"] or "") + "***", message)


def chat_model(spec: str, timeout: float) -> "BaseChatModel":
    """Build the chat model named by `provider:model`; raise ConfigError or LLMUnavailable with a fix."""
    m = _SPEC.match(spec.strip())
    if not m:
        raise ConfigError(f"TRUSTDESK_LLM={spec!r} is not provider:model, e.g. openai:gpt-4o-mini or ollama:llama3.1")
    from langchain.chat_models import init_chat_model

    provider, model = m["provider"], m["model"]
    try:
        return init_chat_model(model, model_provider=provider, timeout=timeout, max_retries=1)
    except ImportError:
        package = PACKAGES.get(provider, f"langchain-{provider}")
        raise LLMUnavailable(f"TRUSTDESK_LLM uses {provider}, but {package} is not installed: pip install {package}") from None
    except ValueError as exc:
        raise ConfigError(f"TRUSTDESK_LLM={spec!r}: {str(exc).splitlines()[0]}") from None
    except Exception as exc:  # a provider's client refusing its configuration (a missing API key, say)
        raise LLMUnavailable(f"cannot set up {spec}: {redacted(str(exc))}") from None


# the prompt's own delimiters: text from a document or the question can never open or close them
_DELIMITER = re.compile(r"<(\s*/?\s*(?:evidence|document|draft)\b)", re.I)


def quoted(text: str) -> str:
    """Text for inside the evidence block: its own <evidence>, <document> and <draft> tags are defused."""
    return _DELIMITER.sub(r"‹\1", text)


def render_evidence(evidence: list["Evidence"]) -> str:
    """Each chunk as a <document> element: the ID to cite in an attribute, the passage as its content."""
    from html import escape

    blocks = []
    for ev in evidence:
        blocks.append(f'<document id="{escape(ev.doc_id)}" title="{escape(ev.title)}" section="{escape(ev.section)}">\n'
                      f"{quoted(ev.text)}\n</document>")
    return "\n".join(blocks)


@dataclass(frozen=True)
class Checked:
    text: str
    cited: list[str]  # allowed IDs, in order of first use
    dropped: list[str]  # IDs the model invented or took from elsewhere


def check_citations(text: str, allowed: set[str]) -> Checked:
    """Keep citations of retrieved documents; remove every other bracketed reference."""
    cited: list[str] = []
    dropped: list[str] = []

    def keep_or_drop(m: re.Match) -> str:
        ref = m["id"].strip()
        if ref in allowed:
            if ref not in cited:
                cited.append(ref)
            return f" [{ref}]"
        dropped.append(ref)
        return ""

    clean = _CITATION.sub(keep_or_drop, text)
    return Checked(clean.strip(), cited, dropped)


def without_instructions(text: str) -> tuple[str, int]:
    """A model's text without the sentences that instruct rather than answer (a planted instruction it repeated
    from a document), and how many were dropped. The evidence is data; the answer never passes its orders on."""
    from bot.manipulation import is_planted_instruction

    pieces = re.split(r"(?<=[.!?])(\s+)", text)  # sentence, gap, sentence, gap, ...
    kept, dropped = [], 0
    for n in range(0, len(pieces), 2):
        if is_planted_instruction(pieces[n]):
            dropped += 1
            continue
        kept.append(pieces[n] + (pieces[n + 1] if n + 1 < len(pieces) else ""))
    return "".join(kept).strip(), dropped


class Phraser:
    """Streams an answer from a chat model within a time budget."""

    def __init__(self, model: "BaseChatModel", timeout: float):
        if timeout <= 0:
            raise ConfigError(f"the LLM timeout must be positive, got {timeout}")
        self.model = model
        self.timeout = timeout

    def stream(self, question: str, evidence: list["Evidence"], draft: str) -> Iterator[str]:
        messages = ANSWER.format_messages(question=quoted(question), evidence=render_evidence(evidence),
                                          draft=quoted(draft))
        started = time.monotonic()
        try:
            for chunk in self.model.stream(messages):
                if time.monotonic() - started > self.timeout:
                    raise LLMUnavailable(f"the language model took longer than {self.timeout:g} s")
                text = chunk.content if isinstance(chunk.content, str) else "".join(
                    part.get("text", "") for part in chunk.content if isinstance(part, dict))
                if text:
                    yield text
        except LLMUnavailable:
            raise
        except Exception as exc:  # every provider has its own error types; all mean "not now"
            raise LLMUnavailable(f"the language model failed: {type(exc).__name__}: {redacted(str(exc))}") from None
