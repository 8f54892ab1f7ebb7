"""Follow-up questions: resolve "what about Type 2?" against the conversation so far.

Deterministic rewriting, no model: each earlier user turn is resolved in
order, and the new question is rewritten against the last resolved one by
two moves:

- substitution: "what about X?" / "and for X?" where X is a framework, a
  report type, an ID, a market or a comparison aspect replaces the slot of
  the same kind in the previous question ("and for ISO?" after "What does
  SOC 2 require for encryption?" -> "What does ISO 27001 require for
  encryption?");
- reference: "that one", "it", "this control", "which one" are replaced by
  what they point at: the last named ID, or both frameworks being compared.

Before either, a position in the catalog ("the control after A.5.15", "the next one")
becomes the ID it names (`bot.position`).

>>> resolve("and for ISO?", ["What does SOC 2 require for encryption?"])
'What does ISO 27001 require for encryption?'
>>> resolve("show me the evidence auditors want for that one", ["What does CC6.1 require?"])
'show me the evidence auditors want for CC6.1'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.advise import Advisor
from bot.ids import find_ids
from bot.position import place
from bot.text import terms
from bot.vocab import MAPPING_WORDS
from ingest.catalog import CATALOG

# Slot kinds, each a list of (canonical value, pattern). Order matters within a kind: first match wins.
SLOTS: dict[str, list[tuple[str, str]]] = {
    "framework": [
        ("SOC 2", r"\bsoc ?2\b|\bsoc two\b"),
        ("ISO 27001", r"\biso(?:/iec)?(?: ?27001(?::2022)?)?\b|\b27001\b"),
    ],
    "report_type": [
        ("Type 1", r"\btype (?:1|i|one)\b"),
        ("Type 2", r"\btype (?:2|ii|two)\b"),
    ],
    "market": [
        ("the United States", r"\b(?:the )?(?:us|usa|u\.s\.|united states|america|north america)\b"),
        ("Europe", r"\b(?:europe|eu|european)\b"),
        ("the UK", r"\b(?:the )?(?:uk|united kingdom|britain)\b"),
        ("Germany", r"\b(?:germany|dach|german)\b"),
        ("Japan", r"\bjapan(?:ese)?\b"),
        ("Asia-Pacific", r"\b(?:apac|asia(?:-pacific)?|australia|singapore)\b"),
    ],
}
_SLOT_RE = {kind: [(value, re.compile(p, re.I)) for value, p in pats] for kind, pats in SLOTS.items()}

_LEAD_IN = re.compile(
    r"^\s*(?:ok(?:ay)?,?\s*|and\s+|so\s+|but\s+|also\s+)*(?:what|how)\s+about\s+|^\s*(?:and|also|now)\s+(?:for|in|with)\s+"
    r"|^\s*(?:and|what of|same for|same question for|how does that work for|what if we (?:chose|pick|went with))\s+",
    re.I)
_STRONG_REF = (r"that one|this one|that control|this control|that criterion|this criterion|that clause|this clause|"
               r"that requirement|the same control|the same one|the same thing|the same topic")
_STRONG = re.compile(rf"\b(?:{_STRONG_REF})\b", re.I)
# "there" points back ("what evidence do auditors ask for there") unless it only opens a clause ("is there ...")
_ANAPHORA = re.compile(rf"\b(?:{_STRONG_REF}|it|its|that|this|them|those|they|one|each|both)\b"
                       r"|(?<!\bis )(?<!\bare )(?<!\bwas )(?<!\bwere )(?<!\bbe )\bthere\b(?!\s+(?:is|are|was|were|be)\b)", re.I)
_BARE_NUMBER = re.compile(r"^(?:clause\s+|control\s+)?(\d{1,2}(?:\.\d{1,2}){1,2})$", re.I)
_WHICH_ONE = re.compile(r"\bwhich (?:one|of (?:the|them|those|these)(?: two)?)\b|\bwhich is\b", re.I)
_SELF_CONTAINED_WORDS = 7
# "what's the iso equivalent?", "is there something similar in soc 2?": the other framework's counterpart of the
# control or criterion being discussed
_COUNTERPART = re.compile(r"\b(equivalents?|counterparts?|similar|the same thing|the same control|mapping|maps? (to|onto)"
                          r"|correspond\w*|matches|matching|match(ing)? (control|criteri\w+)|analog\w*)\b", re.I)
# what one asks of the item under discussion without naming it: "what evidence do we need to keep", "how often"
_ABOUT_THE_ITEM = re.compile(r"\b(evidence|auditors?|prove|proof|how often|how frequently|frequency|examples?|in practice|"
                             r"look for|ask (for|to see)|test(ed|ing)?|implement\w*|tools?|retain|retention|keep)\b", re.I)
ABOUT_ITEM_WORDS = 8  # content words: a longer question carries its own subject


@dataclass(frozen=True)
class Context:
    """What a conversation is about, as far as a follow-up needs to know."""

    question: str = ""  # the last resolved user question
    ids: tuple[str, ...] = ()
    frameworks: tuple[str, ...] = ()


def _slots(text: str, kind: str) -> list[tuple[str, re.Match]]:
    found = []
    for value, pattern in _SLOT_RE[kind]:
        for m in pattern.finditer(text):
            found.append((value, m))
    return sorted(found, key=lambda vm: vm[1].start())


def _content_words(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9]{3,}", text))


def context_of(question: str, cited: Sequence[str] = (), previous: Context = Context()) -> Context:
    """The context after one resolved question; `cited` are the IDs its answer cited (from the turn's meta)."""
    ids = tuple(m.id for m in find_ids(question) if m.exists)
    if not ids and cited:
        ids = tuple(c for c in list(cited)[:1] if c in CATALOG)
    named = [v for v, _ in _slots(question, "framework")]
    named += [{"soc2": "SOC 2", "iso27001": "ISO 27001"}[m.framework] for m in find_ids(question) if m.exists]
    # frameworks accumulate: "SOC 2 cost?" then "and for ISO?" makes a comparison of two
    frameworks = tuple(dict.fromkeys(list(previous.frameworks) + named))[-2:]
    return Context(question, ids, frameworks)


ASPECT_QUESTIONS = {
    "cost": "How much does {subject} cost?",
    "timeline": "How long does {subject} take?",
    "auditor": "Who audits {subject}?",
    "renewal": "How often is {subject} renewed?",
    "deliverable": "What is delivered at the end of {subject}?",
    "scope": "What is the scope of {subject}?",
    "market": "Where is {subject} accepted?",
}
OWN_WORDS = 2  # a follow-up with this many words of its own names a subject to keep
_COURTESY = re.compile(r"^\s*(?:ok(?:ay)?|thanks?|thank you|great|cool|got it|perfect|nice|bye|goodbye)\b[\s!.,]*"
                       r"(?:thanks?|thank you|a lot|so much)?[\s!.]*$", re.I)


# a question that asks where a subject of its own is covered: "where is logging itself covered?", "which control
# covers key rotation?" (not "where is that covered?")
_LOCATES = re.compile(r"(?i)\b(where (is|are|do|does) (?!(it|that|this|they|those|these|them)\b)\w+[\w\s-]{0,30}?\s"
                      r"(covered|addressed|handled|required|dealt with|mentioned)|(which|what) (control|criterion|clause|"
                      r"item)s? (covers?|addresses|handles|requires) (?!(it|that|this|them|those|these)\b)\w+)")


# one of two or more IDs the previous question named, by its place: "the first one", "the latter"
_ORDINAL = re.compile(r"(?i)\b(?:the\s+)(?P<which>first|former|second|latter|last)(?:\s+(?:one|control|criterion|clause|item))?\b"
                      r"(?!\s+(?:in|of)\b)")


def is_follow_up(question: str) -> bool:
    """A question that cannot be understood on its own."""
    if _LEAD_IN.search(question) or _WHICH_ONE.search(question):
        return True
    if _STRONG.search(question) and not find_ids(question):
        return True
    if _COUNTERPART.search(question) and _slots(question, "framework") and not find_ids(question):
        return True
    has_ref = bool(_ANAPHORA.search(question)) and not find_ids(question)
    short = _content_words(question) <= _SELF_CONTAINED_WORDS
    return short and (has_ref or _content_words(question) <= 3)


def rewrite(question: str, ctx: Context) -> str:
    """Rewrite one follow-up against the previous resolved question."""
    if not ctx.question or _COURTESY.match(question):
        return question
    # "the first one", "the latter": one of the IDs the previous question named, by its place there
    named_before = [m for m in find_ids(ctx.question) if m.exists]
    ordinal = _ORDINAL.search(question)
    if ordinal and len(named_before) >= 2 and not find_ids(question):
        which = ordinal.group("which").lower()
        ref = named_before[0] if which in ("first", "former") else named_before[1] if which == "second" else named_before[-1]
        spelled = f"clause {ref.id}" if ref.kind == "clause" else ref.id
        return question[: ordinal.start()] + spelled + question[ordinal.end():]
    named_frameworks_before = list(dict.fromkeys(v for v, _ in _slots(ctx.question, "framework")))
    if ordinal and len(named_frameworks_before) == 2 and not find_ids(question) and not _slots(question, "framework"):
        # "compare soc 2 vs iso 27001 on cost" then "ok the second one - how long does it take?": ISO 27001
        which = ordinal.group("which").lower()
        spelled = named_frameworks_before[0 if which in ("first", "former") else 1]
        return question[: ordinal.start()] + spelled + question[ordinal.end():]
    if not is_follow_up(question):
        return _about_the_item(question, ctx) or question
    if _LOCATES.search(question) and not find_ids(question):
        # "and where is logging itself covered, is that a different control?": its own subject, found afresh
        return question
    q = question.strip()
    tail = _LEAD_IN.sub("", q).strip().rstrip("?").strip()
    # 1. "which one" means the frameworks being compared.
    if _WHICH_ONE.search(q) and len(ctx.frameworks) >= 2:
        return _WHICH_ONE.sub("which of " + " or ".join(ctx.frameworks), q, count=1)
    if _WHICH_ONE.search(q) and not ctx.frameworks and re.search(r"(?i)\bsoc ?2\b.*\biso\b|\biso\b.*\bsoc ?2\b", ctx.question):
        return _WHICH_ONE.sub("which of SOC 2 or ISO 27001", q, count=1)
    # 2. a counterpart in the other framework of the ID being discussed
    named = _slots(tail, "framework")
    if _COUNTERPART.search(q) and named and ctx.ids and not find_ids(q):
        framework = named[0][0]
        target = {"SOC 2": "soc2", "ISO 27001": "iso27001"}[framework]
        ref = ctx.ids[0]
        if ref in CATALOG and CATALOG[ref].framework != target:
            spelled = f"clause {ref}" if CATALOG[ref].kind == "clause" else ref
            return f"Which {framework} {'criteria' if target == 'soc2' else 'controls'} map to {spelled}?"
    # 3. substitution: the follow-up names a slot value; swap it into the previous question.
    if _LEAD_IN.search(q) or _content_words(q) <= 4:
        aspects = [a for a in Advisor.load().aspects(tail) if a in ASPECT_QUESTIONS]
        if aspects and not _slots(tail, "framework") and not (ctx.ids and _ANAPHORA.search(q)):
            # ("how often do we need to do them?" after CC6.3 asks about the access reviews, not SOC 2's renewal)
            subject = " and ".join(ctx.frameworks) or (ctx.ids[0] if ctx.ids else "")
            if subject:
                return ASPECT_QUESTIONS[aspects[0]].format(subject=subject)
        for kind in SLOTS:
            new = _slots(tail, kind)
            old = _slots(ctx.question, kind)
            if kind == "framework" and new and not old and find_ids(ctx.question):
                # "and which iso control covers encryption of data in transit?" after CC6.7: its counterparts, and
                # the practice the question names goes along
                return _with_own_words(_swap_ids(ctx.question, new[0][0]), tail)
            if new and old:
                value = new[0][0]
                m = old[0][1]
                result = ctx.question[: m.start()] + value + ctx.question[m.end():]
                if kind == "framework":
                    result = _swap_ids(result, value)
                return result
        old_ids = find_ids(ctx.question)
        bare = _BARE_NUMBER.match(tail)
        if bare and old_ids:  # "what about 9.3?" after "clause 9.2": the same kind of ID
            tail = ("clause " if old_ids[0].kind == "clause" else "A.") + bare.group(1)
        new_ids = [m for m in find_ids(tail) if m.exists]
        if new_ids and old_ids:
            first, new = old_ids[0], new_ids[0]
            spelled = f"clause {new.id}" if new.kind == "clause" else new.id
            return ctx.question[: first.start] + spelled + ctx.question[first.start + len(first.raw):]
    # 4. reference: "that one" is the last named ID.
    if ctx.ids and _ANAPHORA.search(q):
        ref = ctx.ids[0]
        spelled = f"clause {ref}" if ref in CATALOG and CATALOG[ref].kind == "clause" else ref
        return _ANAPHORA.sub(spelled, q, count=1)
    # 5. otherwise the follow-up adds to the previous question.
    return f"{ctx.question.rstrip('?. ')}: {tail}?" if tail else ctx.question


def _about_the_item(question: str, ctx: Context) -> str | None:
    """"what evidence do we need to keep" or "do we have to keep logs a set time?" after A.8.15: a question about the
    item under discussion that does not name it (an ID named, or a subject of its own, is left alone)."""
    if not ctx.ids or ctx.ids[0] not in CATALOG or find_ids(question) or _slots(question, "framework"):
        return None
    if _content_words(question) > ABOUT_ITEM_WORDS:
        return None
    title = set(terms(CATALOG[ctx.ids[0]].title))
    if not (_ABOUT_THE_ITEM.search(question) or title & set(terms(question))):
        return None
    ref = ctx.ids[0]
    spelled = f"clause {ref}" if CATALOG[ref].kind == "clause" else ref
    return f"{question.rstrip(' ?.')} ({spelled})?"


# A pronoun for one or both of a pair: "which one", "each (one)", "the two", "either of them". The grammar of the
# reference, not a meaning: whether the pair is the two frameworks is the intent classifier's to judge (`understand`).
_PAIR = re.compile(r"\b(?:(which|either)(?: ones?\(s\)| ones?(?!\s+of\b)| of (?:them|the two|those|these))"
                   r"|(each)(?: one(?!\s+of\b)| of (?:them|the two|those|these)|(?=\s*[,.?!;:)]|\s*$))"
                   r"|(both) of (?:them|the two|those|these)|the (two)\b(?!\s+of\b))", re.I)
# ... and two looser forms, read as the pair only where assurance is already the subject (`loose`): "which is more
# expensive to maintain?", "how long does each take?" ("how long does each take to cook?" is no comparison of ours)
_LOOSE_PAIR = re.compile(r"\b(?:(which)(?= is (?:more|less|cheaper|costlier|faster|slower|easier|harder|better|longer|"
                         r"shorter|stricter)\b(?![^?]*\bor\b))"
                         r"|(each)(?=\s+(?:takes?|costs?|requires?|needs?|lasts?|involves?|gives?|delivers?|means?|works?|"
                         r"runs?)\b))", re.I)
PAIR = "SOC 2 {} ISO 27001"


def pair_reference(question: str, loose: bool = False) -> str | None:
    """The question with a pronoun for a pair spelled out as the two frameworks trustdesk covers, or None.

    >>> pair_reference("which one is more work for a small team?")
    'which of SOC 2 or ISO 27001 is more work for a small team?'
    >>> pair_reference("what do you get at the end of each, a report or a certificate?")
    'what do you get at the end of each of SOC 2 and ISO 27001, a report or a certificate?'
    >>> pair_reference("who owns each asset?") is None
    True
    """
    m = _PAIR.search(question)
    if m is None and loose and (m := _LOOSE_PAIR.search(question)):
        which, each, both, two = m.group(1), m.group(2), None, None
    elif m is None:
        return None
    else:
        which, each, both, two = m.group(1), m.group(2), m.group(3), m.group(4)
    if which:
        spelled = f"{which} of " + PAIR.format("or")
    elif each:
        spelled = f"{each} of " + PAIR.format("and")
    elif both:
        spelled = f"{both} " + PAIR.format("and")
    else:
        spelled = PAIR.format("and")
    return question[: m.start()] + spelled + question[m.end():]


def _with_own_words(rewritten: str, tail: str) -> str:
    """The rewritten question, with the follow-up's own words after it when they name something of their own."""
    own = [t for t in terms(tail) if t not in MAPPING_WORDS]
    return f"{rewritten.rstrip('?. ')}: {tail.rstrip('?. ')}?" if len(own) >= OWN_WORDS else rewritten


def _swap_ids(question: str, framework: str) -> str:
    """After switching framework, an ID of the old one would contradict it: ask for its counterparts."""
    mentions = [m for m in find_ids(question) if m.exists]
    if not mentions:
        return question
    target = {"SOC 2": "soc2", "ISO 27001": "iso27001"}[framework]
    if all(m.framework == target for m in mentions):
        return question
    m = mentions[0]
    spelled = f"clause {m.id}" if m.kind == "clause" else m.id
    return f"Which {framework} {'criteria' if target == 'soc2' else 'controls'} map to {spelled}?"


def resolve(question: str, earlier_questions: Sequence[str], cited: Sequence[Sequence[str]] = ()) -> str:
    """The self-contained form of `question`, given the earlier user questions (oldest first)
    and, for each, the IDs its answer cited (structured turn meta, never the answer's text)."""
    ctx = Context()
    cited = list(cited) + [()] * (len(earlier_questions) - len(cited))
    for previous, ids in zip(earlier_questions, cited):
        ctx = context_of(_resolve_one(previous, ctx), ids, ctx)
    return _resolve_one(question, ctx)


def _resolve_one(question: str, ctx: Context) -> str:
    """A position in the catalog ("the last people control", "the next one") is the ID it names;
    otherwise the question is rewritten against the previous one."""
    placed = place(question, ctx.ids[0] if ctx.ids else None)
    return placed if placed is not None else rewrite(question, ctx)
