"""Small text utilities shared by retrieval, composing and judging: tokens and sentences."""

from __future__ import annotations

import functools
import re

import Stemmer

STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have
having he her here hers him his how i if in into is it its itself just me more most my no nor not now
of off on once only or other our ours out over own same she should so some such than that the their
theirs them then there these they this those through to too under until up very was we were what
when where which while who whom why will with would you your yours us also may might must shall
tell explain show give please need needs want know get
""".split())

_TOKEN = re.compile(r"[a-z]{1,3}\d{1,2}\.\d{1,2}|a\.\d{1,2}\.\d{1,2}|\d{1,2}(?:\.\d{1,2}){1,2}|[a-z0-9]+(?:[-'][a-z0-9]+)*")
# a full stop ends a sentence, except after an initial or a common abbreviation ("us-east-1 (N. Virginia)",
# "U.S. customers", "e.g. AWS")
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<![\s(][A-Z]\.)(?<!\.[A-Z]\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bvs\.)"
                           r"(?<!\bInc\.)(?<!\bLtd\.)(?<!\bSt\.)(?<!\bDr\.)(?<!\bMr\.)(?<!\bMs\.)\s+(?=[A-Z0-9\"'(\[])")


def tokens(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Lowercase word tokens; IDs such as `cc6.1` and `a.8.24` stay whole."""
    found = _TOKEN.findall(text.lower())
    out: list[str] = []
    for tok in found:
        if not keep_stopwords and tok in STOPWORDS:
            continue
        out.append(tok)
        if "-" in tok:  # "multi-factor" also matches "multi" and "factor"
            out.extend(part for part in tok.split("-") if part and part not in STOPWORDS)
    return out


_SNOWBALL = Stemmer.Stemmer("english")


@functools.lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """The Snowball (Porter2) English stem; IDs such as cc6.1 pass through unchanged."""
    if any(ch.isdigit() for ch in token):
        return token
    return _SNOWBALL.stemWord(token)


def same_term(a: str, b: str) -> bool:
    """Stems that agree, or long stems that share six letters ("certifi" / "certif")."""
    return a == b or (len(a) >= 6 and len(b) >= 6 and a[:6] == b[:6])


def terms(text: str) -> list[str]:
    """Stemmed content tokens: what lexical matching compares."""
    return [stem(t) for t in tokens(text)]


def sentences(text: str) -> list[str]:
    """Sentences and bullet items of a markdown passage, cleaned of markup."""
    out: list[str] = []
    # tables and headings are not sentences
    text = "\n".join(line for line in text.splitlines() if not re.match(r"\s*(\||#)", line))
    for block in re.split(r"\n\s*\n|\n(?=\s*[-*]\s)|\n(?=\s*\d+\.\s)", text):
        block = re.sub(r"^\s*(?:[-*]|\d+\.)\s+", "", block.strip())
        block = re.sub(r"\s*\n\s*", " ", block)
        block = block.replace("**", "").replace("`", "")
        if not block:
            continue
        out.extend(s.strip() for s in _SENTENCE_END.split(block) if s.strip())
    return out
