"""decide: the framework-fit advisor. A profile from everything the user said, then a cited recommendation.

The profile is slots read from the whole conversation (`bot.slots` via the
advisor): places and customer types, shares, who asks for which framework,
what is already held. The rule in `bot/data/advisor.yaml` decides; the answer
says which facts it used. When something decisive is missing (where the
customers are), the answer is one clarifying question (`ask_back`) that names
what is known and what is missing. A yes/no question ("is ISO 27001 enough
if ...?") is answered yes or no first. A follow-up of the advice (its time,
cost, order, report type) is answered about the recommended framework(s).
"""

from __future__ import annotations

import re

from bot.advise import NAMES, MARKET_WORDS, SEGMENT_WORDS, Advice, Advisor, CompanyProfile
from bot.compose import Draft, compose
from bot.routes import Kit
from bot.text import sentences, terms
from bot.understand import Understanding
from bot.vocab import BOTH_PLAN, OTHERS_ADVICE, ROADMAP, TABLE, named_frameworks

MAX_REASONS = 5
MAX_SCHEMES = 2  # sector or national schemes named beside the advice (TISAX, C5, DORA, SOC 1, ISMS-P)
FOLLOW_UP_POINTS = 3
FOLLOW_UP_REASONS = 2  # a follow-up recalls the advice briefly; its own subject comes first
CHOOSING = "choosing-a-framework"
# "is ISO 27001 enough ...?", "do we need SOC 2 if ...?", "can we just do ISO?": a yes/no about one framework
_YES_NO = re.compile(r"(?i)^\s*(?:yes\s*(?:/|or)\s*no\s*[:?-]\s*)?(?:\w+[,:]\s*)?(is|are|would|will|do|does|can|could|should|shall|must|isn'?t|"
                     r"wouldn'?t|don'?t)\b"
                     r"|\b(right|correct|good|best|smart|safe) (call|choice|move|option|pick|bet|one)\b|\benough\b"
                     r"|\bsufficient\b|\bthe way to go\b|\bright\?\s*$|\bis (he|she|they|that) right\b")
_EITHER = re.compile(r"(?i)\b(or|either|versus|vs\.?)\b")
_COST_TIME = {"timeline", "cost"}
_WHICH_FIRST = re.compile(r"(?i)\b(which|what) (one )?(first|comes first|to start with|should we start|do we start)\b"
                          r"|\b(start|begin) with\b|\border\b|\bsequenc|\bfirst\?")
BOTH = "pursuing-both-frameworks"
# "which one then?", "so what do you recommend?", "soc 2 or iso?": a bare choice, answered by the advice alone
_CHOICE_ONLY = re.compile(r"(?i)\b(which (one|framework|cert\w*|should|do|would)|what (do|would|should) (you|we|i) "
                          r"(recommend|suggest|do|get|pick|choose)|recommend\w*|your (call|advice|pick|take)|"
                          r"soc ?2 or iso|iso or soc ?2|what now|what next|the call)\b")
# the guidance's sentence on sequencing, by the framework that goes first
_SEQUENCING = {"soc2": re.compile(r"SOC 2 first\W+([^\n]+)"), "iso27001": re.compile(r"ISO first\W+([^\n]+)")}


def handle(u: Understanding, kit: Kit) -> Draft:
    advisor = Advisor.load()
    profile = advisor.profile(u.user_texts)
    advice = advisor.advise(profile)
    if advice.clarify:
        return _clarify(advisor, profile, advice, kit, u)
    draft = Draft()
    draft.add(_changed(u, advice) + _yes_no(u.question, advice, profile.pushed) + advice.headline(), None)
    itself = bool(_ENOUGH_OR_BOTH.search(u.question) or OTHERS_ADVICE.search(u.question))  # a yes or no about it
    follow_up = (u.reason.startswith("a follow-up") and not itself) or _asks_about_the_advice(u, advisor)
    order = advice.order or ["soc2"]
    evidence = _follow_up(u, kit, draft, order) if follow_up else []
    used = facts_used(profile)
    if used:
        draft.add(used, None)
    if profile.pushed:
        pushed = " and ".join(NAMES[f] for f in sorted(profile.pushed))
        draft.add(f"An adviser's, investor's or board's preference for {pushed} is not a buyer requirement: "
                  "what your buyers ask for and where they are decide.", CHOOSING)
    if advice.recommendation == "both" and not advice.held and _WHICH_FIRST.search(u.question):
        sequencing = _sequencing(kit, order[0])
        if sequencing:
            draft.add(sequencing, BOTH)
    for reason, cite in advice.reasons[:FOLLOW_UP_REASONS if follow_up else MAX_REASONS]:
        draft.add(reason, cite)
    for reason, cite in advisor.schemes(profile, u.user_texts)[:MAX_SCHEMES]:
        draft.add(reason, cite)
    rule = advisor.data["clarify_lead"]
    if rule["cite"] not in draft.cited:
        # the rule every recommendation applies, and the guidance that states it: a reader can check the advice
        draft.add("The rule behind this: " + _lowered(rule["reason"]), rule["cite"])
    if TABLE.search(u.question):
        draft.table, cites = advisor.comparison_table()
        draft.extra_cites.extend(cites)
    aspects = set(advisor.aspects(u.question))
    if ROADMAP.search(u.question) or ROADMAP.search(u.resolved) or aspects & _COST_TIME:
        draft.steps_title, draft.steps, cites = advisor.roadmap(order)
        draft.extra_cites.extend(cites)
    draft.recommendation = advice.recommendation
    draft.evidence = [ev for doc in dict.fromkeys(draft.cited) for ev in kit.retriever.chunks_of(doc)] + evidence
    return draft


def _lowered(sentence: str) -> str:
    return sentence[:1].lower() + sentence[1:]


def _asks_about_the_advice(u: Understanding, advisor: Advisor) -> bool:
    """"do we need type 2 or is type 1 ok?", "what's the deliverable at the end?" in a decision under way: no new
    facts and no bare choice, so the question's own subject is answered after the advice."""
    if not u.conversation.turns or _WHICH_FIRST.search(u.question) or _CHOICE_ONLY.search(u.question):
        return False
    if _ENOUGH_OR_BOTH.search(u.question) or OTHERS_ADVICE.search(u.question):
        return False  # a yes or no about the advice itself, which the advice answers
    if advisor.profile([u.question]).model_dump(exclude_defaults=True):
        return False
    return len(terms(u.question)) >= 3


def _sequencing(kit: Kit, first: str) -> str | None:
    """Why the recommended framework goes first, in the guidance's words ("SOC 2 first suits US-heavy pipelines")."""
    for ev in kit.retriever.chunks_of(BOTH):
        m = _SEQUENCING[first].search(ev.text)
        if m:
            return f"{NAMES[first]} first: {m.group(1).strip()}"
    return None


GENERAL_POINTS = 2  # a general question about choosing gets this many points from the guidance beside the rule
# "what should we consider before picking?", "how do I justify the choice to my board?": asks how to decide, which the
# guidance answers with its questions that settle it, each one, and its default
_HOW_TO_DECIDE = re.compile(
    r"(?i)\b(consider\w*|factors?|criteria|questions? (should|do|to|must|would|could)\b[^?]{0,25}\bask|"
    r"what (should|do|would|could) (i|we) ask|does it (really )?matter|matters? (more|most)|"
    r"how (do|should|would|can|could) (we|i|you|one|a \w+) (decide|choose|pick|evaluate|weigh|think about)|"
    r"what (matters|drives|decides|should drive|should decide)|(explain|justify|defend|sell) (it |this |that )?to "
    r"(my|our|the) (board|investors?|ceo|cfo|leadership|management)|decision (framework|criteria|process))\b")
SETTLING = "Questions that settle it"
BARE_CHOICE_TERMS = 6  # "soc 2 or iso?" asks only for the choice; a longer question asks something of its own too


def _clarify(advisor: Advisor, profile: CompanyProfile, advice: Advice, kit: Kit, u: Understanding) -> Draft:
    """The rule of thumb the advisor will apply, cited; what it knows; then the one question it needs answered.

    A question about choosing in general ("when does it make sense to do both?", "how do startups sequence them?")
    is answered from the guidance too, before the question back: the rule alone would drop what retrieval found.
    """
    lead = advisor.data["clarify_lead"]
    draft = Draft()
    draft.add(lead["reason"], lead["cite"])
    known = facts_used(profile)
    if known:
        draft.add(f"{known} What I still need is where your customers are, or which framework they ask for.", None)
    evidence = kit.retriever.chunks_of(lead["cite"])
    bare_choice = _CHOICE_ONLY.search(u.question) and len(terms(u.question)) <= BARE_CHOICE_TERMS
    if not (profile.markets or profile.customer_asks) and not bare_choice and len(terms(u.question)) >= 4:
        # "if we'll eventually need both, what's the usual order?": how the two are pursued together leads
        pin = [BOTH] if BOTH_PLAN.search(u.question) else []
        found = kit.retriever.search(u.question, k=kit.settings.top_k, vector=u.vector, frameworks=("guidance",),
                                     pin=pin)
        for sentence, doc in compose(u.question, found, max_points=GENERAL_POINTS).lines:
            if not any(sentence == line for line, _ in draft.lines):
                draft.add(sentence, doc)
        evidence = evidence + found
        if _HOW_TO_DECIDE.search(u.question):
            _how_to_decide(kit, draft, lead["cite"])
    draft.ask_back = advice.clarify
    draft.confidence = 1.0
    draft.evidence = evidence
    return draft


def _how_to_decide(kit: Kit, draft: Draft, doc: str) -> None:
    """The guidance's questions that settle the choice, one line each, then its sensible default."""
    settling = kit.retriever.section(doc, SETTLING)
    if settling is None:
        return
    items = [re.sub(r"^\d+\.\s*", "", line).strip() for line in settling.text.splitlines() if re.match(r"\d+\.", line)]
    default = next((ev for ev in kit.retriever.chunks_of(doc) if ev.section == "A sensible default"), None)
    for line in items + ([sentences(default.text)[0]] if default else []):
        if line and not any(line == have for have, _ in draft.lines):
            draft.add(line, doc)


# "does that change the recommendation?", "is your advice still the same?": a yes or no about the advice given before
_CHANGES = re.compile(r"(?i)\b(does|would|will|did|could|should) (that|this|it|the new \w+) change\b"
                      r"|\bchange (the|your|my|our) (recommendation|advice|answer|plan|call)\b"
                      r"|\b(is|does) (that|the advice|your (advice|recommendation)) still (hold|stand|apply)\b")


def _changed(u: Understanding, advice: Advice) -> str:
    """"Yes, that changes the advice. " or "No, the advice stands. " when asked whether new facts change it."""
    before = u.conversation.last_recommendation()
    if not _CHANGES.search(u.question) or before is None or advice.recommendation is None:
        return ""
    return "Yes, that changes the advice. " if before != advice.recommendation else "No, the advice stands. "


def _yes_no(question: str, advice: Advice, pushed: set[str] = frozenset()) -> str:
    """"Yes. " or "No. " when the question asks whether one framework is the right (or enough) choice; the question
    is the message's last sentence that asks one ("...our customers are all US dental chains. should we switch our
    plan from soc 2 to iso?" asks whether to do ISO)."""
    asked = _asked(question)
    switch = _SWITCH.search(asked)
    enough = _ENOUGH_OR_BOTH.search(asked)
    named = named_frameworks(switch.group("to")) if switch else named_frameworks(asked)
    if enough:
        # "is ISO 27001 enough for us or do we need SOC 2 too?" asks whether ISO alone will do
        named, switch = named_frameworks(enough.group("one")), enough
    elif OTHERS_ADVICE.search(asked) and len(pushed) == 1:
        # "should we follow his advice?" after a consultant pushed ISO: whether to do ISO
        named, switch = sorted(pushed), OTHERS_ADVICE.search(asked)
    if advice.recommendation is None:
        return ""
    if not (enough or switch) and (_YES_NO.search(asked) or _SO_THAT_ONE.search(asked) or _CONFIRMING.search(asked)):
        # "do we need both soc 2 and iso 27001?", "can we pick just one?"
        if _BOTH_ASKED.search(asked):
            return "Yes. " if advice.recommendation == "both" else "No. "
        if _ONE_ASKED.search(asked):
            return "No. " if advice.recommendation == "both" else "Yes. "
        skipped = _SKIP.search(asked)
        if skipped and len(named_frameworks(skipped.group("what"))) == 1:
            # "can we skip iso 27001 if all our pipeline is US?": yes when the advice leaves it out
            left_out = named_frameworks(skipped.group("what"))[0]
            return "No. " if advice.recommendation in (left_out, "both") else "Yes. "
        if _SO_THAT_ONE.search(asked) and len(named) == 1:
            # "so soc 2 since we're a US company?"
            return "Yes. " if advice.recommendation == named[0] else "No. "
    if not _YES_NO.search(asked) or len(named) != 1 or (_EITHER.search(asked) and not switch):
        return ""  # ("should we do that or iso?" asks which, not whether)
    return "Yes. " if advice.recommendation == named[0] else "No. "


_FRAMEWORK = r"(soc ?2|iso(/iec)?(\s?27001)?|27001)"
# "do we need both?", "we really need both, not just one?"; "can we pick just one?"; "can we skip iso 27001?"
_BOTH_ASKED = re.compile(r"(?i)\b(need|get|do|have|require|pursue|hold)\s+(really\s+)?(both|the two)\b|\bneed both\b")
_ONE_ASKED = re.compile(r"(?i)\b(pick|choose|do|get|go with|stick (to|with)|have)\s+(just|only)\s+one\b|\bone is enough\b")
_SKIP = re.compile(rf"(?i)\b(skip|drop|ignore|go without|do without|avoid|forget( about)?|not bother with|leave out)\s+"
                   rf"(the\s+)?(?P<what>{_FRAMEWORK})")
_CONFIRMING = re.compile(r"(?i)\b(to confirm|confirm(ing)?|just checking|to be sure|right\s*\?|correct\s*\?)|,\s*not\s+\w+")
# "so soc 2 since we're a US company?": a framework put as the conclusion, for a yes or no
_SO_THAT_ONE = re.compile(rf"(?i)^\W*(so|then|and|ok so)\s+(just\s+)?{_FRAMEWORK}\b[^?]*\?\s*$")


_ENOUGH_OR_BOTH = re.compile(r"(?i)\b(?P<one>soc ?2|iso(/iec)?(\s?27001)?|27001)\b.{0,40}?\b(enough|sufficient|do|suffice)\b"
                             r".{0,40}?\bor\b.{0,50}?\b(too|as well|also|in addition|additionally|both)\b")
# "switch our plan from soc 2 to iso", "move to ISO instead": the framework moved to is the one asked about
_SWITCH = re.compile(r"(?i)\b(switch|move|moving|change|changing|pivot|migrate|go|swap)\w*\b.{0,40}?\bto\s+"
                     r"(?P<to>(soc ?2|iso(/iec)?(\s?27001)?|27001)\b.{0,10})")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _asked(question: str) -> str:
    """The last sentence of a message that asks something (ends with a question mark), or the message."""
    asking = [s for s in _SENTENCE_END.split(question.strip()) if s.rstrip().endswith("?")]
    return asking[-1] if asking else question


def facts_used(profile: CompanyProfile) -> str:
    """The facts the advice rests on, in words: "From what you said: customers in Lyon and Texas (Europe, the United
    States); healthcare; buyers ask for SOC 2."""
    parts = []
    if profile.markets:
        where = ", ".join(MARKET_WORDS[m] for m in MARKET_WORDS if m in profile.markets)
        places = ", ".join(profile.places[:4])
        parts.append(f"where your customers are: {places} ({where})" if places else f"customers in {where}")
    if profile.segments:
        parts.append(", ".join(SEGMENT_WORDS[s] for s in SEGMENT_WORDS if s in profile.segments))
    if profile.customer_asks:
        parts.append("buyers ask for " + " and ".join(NAMES[f] for f in sorted(profile.customer_asks)))
    if profile.existing:
        parts.append("you already hold " + " and ".join(NAMES[f] for f in sorted(profile.existing)))
    if profile.minor:
        parts.append("a small share in " + ", ".join(MARKET_WORDS[m] for m in MARKET_WORDS if m in profile.minor))
    return f"From what you said: {'; '.join(parts)}." if parts else ""


def _follow_up(u: Understanding, kit: Kit, draft: Draft, order: list[str]) -> list:
    """The follow-up's own subject ("do we need type 2?", "what does it cost?"), asked of the recommended
    framework(s): a few cited points from retrieval, after the advice."""
    names = " and ".join(NAMES[f] for f in order)
    query = f"{u.resolved} {names}"
    evidence = kit.retriever.search(query, k=kit.settings.top_k)
    for sentence, doc in compose(query, evidence, max_points=FOLLOW_UP_POINTS).lines:
        if (sentence, doc) not in draft.lines:
            draft.add(sentence, doc)
    return evidence
