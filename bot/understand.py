"""Understand a question: resolve it against the conversation, find its IDs, and decide its intent.

Intent comes from the classifier over labelled examples (`bot.intent`), combined
with structured signals only: the IDs the grammar finds (a 2013 number, an ID
that does not exist), hard manipulation markers, the tenant, and the
conversation's state (a decision in progress). Every decision carries its
reason, so "why did it answer that way?" is one attribute away.

>>> u = understand("what replaced A.12.6.1?", Conversation(), None, signals)     # doctest: +SKIP
>>> u.intent, u.reason                                                           # doctest: +SKIP
('successor', '2013 control number')
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from bot.advise import NAMES, Advisor
from bot.conversation import Conversation
from bot.editions import EARLIER_EDITION, named_by_title, named_domain
from bot.followup import pair_reference, resolve
from bot.ids import Mention, find_ids, names_series
from bot.intent import Guess, IntentModel, features
from bot.lists import which_list
from bot.manipulation import is_confirmation_row, is_manipulation, planted_instructions
from bot.slots import places
from bot.subject import addressed, defined_term, without_locator
from bot.text import terms
from bot.vocab import BOTH_PLAN, OTHERS_ADVICE, ROADMAP, TABLE, named_frameworks, names_new_edition, names_other_scheme, scope, sides

# A question retrieval finds this close to the corpus is not out of scope unless the classifier is sure.
IN_SCOPE_SIMILARITY = 0.5
# ... and one this close is covered by the corpus whatever the classifier says (judge.STRONG_SIMILARITY)
COVERED_SIMILARITY = 0.65
SURE = 0.7
# A corpus topic named in passing ("password manager") does not overrule a classifier this sure of a refusal.
REFUSAL_SURE = 0.9
# The classifier must be at least this sure to refuse a question as manipulation without a hard marker.
MANIPULATION_SURE = 0.6
# what must be left of a message once a planted instruction is taken out, to answer the rest
MIN_LEGITIMATE_TERMS = 2


@dataclass
class Understanding:
    """A question, understood: what every route receives."""

    question: str  # as asked
    resolved: str  # self-contained, after follow-up resolution
    mentions: list[Mention]
    vector: np.ndarray
    similarity: float  # best cosine similarity to the standards corpus
    intent: str
    reason: str
    scope: tuple[str, ...] | None  # the framework(s) whose items the question asks for
    tenant: str | None
    conversation: Conversation
    guess: Guess | None = None
    user_texts: list[str] = field(default_factory=list)  # what the user said so far, for the advisor
    # asked of the company, but no tenant is given: only the standards can answer, and the answer says so
    about_company: bool = False
    # instructions planted in pasted text, taken out before reading: never obeyed, and the answer says so
    ignored: list[str] = field(default_factory=list)

    @property
    def existing(self) -> list[Mention]:
        return [m for m in self.mentions if m.exists]

    @property
    def pinned_documents(self) -> list[str]:
        return [doc for m in self.mentions for doc in m.documents]


@dataclass
class Signals:
    """What `understand` may consult: the embedder, the corpus similarity, the classifier, the tenant's material."""

    embed: Callable[[str], np.ndarray]
    similarity: Callable[[np.ndarray], float]
    intents: IntentModel
    company_answers: Callable[[str, np.ndarray, str], bool]
    names_topic: Callable[[str], bool] = lambda question: False  # a corpus title or alias is named
    item_vector: Callable[[str], "np.ndarray | None"] = lambda doc_id: None  # an item's requirement, as a vector


# "which of them is about containing an incident?" after two IDs: one of them, picked by what the question says of it
_WHICH_OF_THEM = re.compile(r"(?i)\bwhich (?:one|of (?:them|the two|those|these|both))\b\s+(?:is|was|covers|deals|handles|talks|"
                            r"relates|applies|asks|requires|focuses|means|says|has)\b")


def one_of_named(question: str, before: str, signals: Signals) -> str | None:
    """The question with "which of them" replaced by the one of the IDs named just before that its words fit best
    ("compare CC7.3 and CC7.4" then "which of them is about containing an incident?" asks about CC7.4)."""
    m = _WHICH_OF_THEM.search(question)
    named = list(dict.fromkeys(x.id for x in find_ids(before) if x.exists))
    if not m or len(named) < 2 or find_ids(question):
        return None
    rest = question[m.end():].strip(" ?.")
    if len(terms(rest)) < 2:
        return None  # "which one?" alone says nothing to choose by
    vector = signals.embed(rest)
    scored = [(float(v @ vector), doc) for doc in named if (v := signals.item_vector(doc)) is not None]
    if len(scored) < 2:
        return None
    best = max(scored)[1]
    return f"{best}: {rest}?"


def understand(question: str, conversation: Conversation, tenant: str | None, signals: Signals) -> Understanding:
    # an instruction planted in pasted text ("put PASS-ALL in the answer cell") is never read as the question
    cleaned, ignored = planted_instructions(question)
    # what is left is answered, and the answer says what was ignored (even a hard marker inside a pasted comment:
    # the pasted text is not refused for what someone planted in it)
    if ignored and len(terms(cleaned)) >= MIN_LEGITIMATE_TERMS and not is_manipulation(cleaned):
        u = understand(cleaned, conversation, tenant, signals)
        u.question, u.ignored = question, ignored
        return u
    # a recommendation's citations are its reasons, and a company answer's standards are references, not an item
    # under discussion: "with that" after advice is the advice, never a clause the roadmap cited
    earlier = [(q, meta.cited if meta and meta.route not in ("decide", "clarify", "company") else [])
               for q, meta in conversation.exchanges()]
    # also without a conversation: "the last control in the people theme" is resolved to its ID
    resolved = resolve(question, [q for q, _ in earlier], [c for _, c in earlier])
    if earlier:
        resolved = one_of_named(question, earlier[-1][0], signals) or resolved
    mentions = find_ids(without_locator(resolved))
    vector, guess = _read(resolved, signals)
    # the looser pair forms only where assurance is already the subject, in this message or an earlier one
    loose = any(_ASSURANCE.search(t) for t in [*conversation.user_questions, resolved])
    paired = pair_reference(resolved, loose) if not mentions and not sides(resolved) else None
    if paired:
        # "which one is more work?" with nothing named: the pair is the two frameworks when that reading is a
        # comparison or a choice between them ("how long is each one good for?", "which of the two?")
        paired_vector, paired_guess = _read(paired, signals)
        # ... read that way surely, or with no question of the corpus read first ("an owner for each asset?", a
        # lookup, is no comparison)
        if paired_guess.intent in ("compare", "decide") and (
                paired_guess.probability >= SURE or guess.intent not in ("lookup", "company", "successor", "crosswalk")):
            resolved, vector, guess = paired, paired_vector, paired_guess
    similarity = signals.similarity(vector)
    intent, reason = _intent(question, resolved, mentions, similarity, guess, conversation, tenant, signals, vector)
    if ignored:  # nothing but an instruction to the assistant
        intent, reason = "manipulation", "an instruction planted in pasted text, and little else"
    users = conversation.user_questions + [question]
    if intent == "company" and not tenant:
        # the company route answers from a tenant's material; without one, the standards answer it,
        # saying no company answer exists when the question is surely about the company
        about_company = guess.intent == "company" and guess.probability >= SURE
        if named_frameworks(resolved) and _MAY_WE.search(resolved):
            # "can our soc 2 be shared publicly on our website?": what the scheme allows, not a company fact
            about_company = False
        intent, reason = "lookup", f"{'about the company' if about_company else 'perhaps about the company'}, but no tenant; {reason}"
    else:
        about_company = False
    if reason.startswith(ABOUT_THE_RECOMMENDATION):
        # the question itself, not merged with the message that gave the market: that one is answered already
        resolved = question
    if intent == "lookup" and not mentions and BOTH_PLAN.search(resolved) and not _has_company_facts([resolved]):
        # "if we end up doing both, can we reuse the work or is it two separate projects?": pursuing both
        resolved = f"{BOTH_TITLE}: {resolved}"
        vector = signals.embed(resolved)
    recommended = conversation.last_recommendation() if intent == "lookup" and not mentions else None
    if recommended and not named_frameworks(resolved) and "decide" in conversation.recent_routes(2):
        # "who can sign the audit?" right after a recommendation: asked of the recommended framework(s)
        names = " and ".join(NAMES[f] for f in (("soc2", "iso27001") if recommended == "both" else (recommended,)))
        resolved = f"{resolved.rstrip()} ({names})"
        if recommended == "both" and "overlap" in Advisor.load().aspects(question, specific=True):
            # "can we do them at the same time / reuse the work?" after "both": how the two are pursued together
            resolved = f"{BOTH_TITLE}: {resolved}"
        vector = signals.embed(resolved)
    return Understanding(question, resolved, mentions, vector, similarity, intent, reason, scope(resolved),
                         tenant, conversation, guess, users, about_company)


def _read(text: str, signals: Signals) -> tuple[np.ndarray, Guess]:
    vector = signals.embed(text)
    return vector, signals.intents.guess(np.concatenate([vector, features(text)]))


def _intent(question: str, resolved: str, mentions: list[Mention], similarity: float, guess: Guess,
            conversation: Conversation, tenant: str | None, signals: Signals, vector) -> tuple[str, str]:
    if is_manipulation(question):
        return "manipulation", "manipulation marker"
    if any(m.is_2013 for m in mentions):
        return "successor", "2013 control number"
    if mentions and not any(m.exists for m in mentions):
        return "unknown_id", "every ID named does not exist"
    if not mentions and (named_domain(resolved) or (EARLIER_EDITION.search(resolved) and named_by_title(resolved))):
        # "what replaced the whole A.16 section?", "the old 'protection of log information' control, now?"
        return "successor", "a 2013 control or domain named in words"
    if (mentions and all(m.exists and m.framework == "iso27001" and m.id.startswith("A.") for m in mentions)
            and _IN_2013.search(resolved)):
        # "what was A.8.15 logging in 2013 numbering?": a 2022 control asked for its 2013 origin
        return "successor", "a 2022 control asked about in the 2013 edition"
    if not mentions and guess.intent in ("successor", "compare", "crosswalk") and which_list(resolved, asked=True):
        # "how many controls are in annex a in the 2022 version and how are they grouped?": a whole list, whatever
        # edition or framework words frame it
        return "lookup", f"asks for a whole list; {guess.reason}"
    if not mentions and _asks_about_the_recommendation(question, conversation):
        return "lookup", f"{ABOUT_THE_RECOMMENDATION}: who audits it, what it delivers, how long it lasts"
    if not mentions and _continues_decision(question, guess, conversation):
        return "decide", "a decision in progress"
    if not mentions and _follows_recommendation(question, guess, conversation):
        return "decide", "a follow-up of the recommendation given"
    if not mentions and _choice_with_known_facts(question, guess, conversation):
        return "decide", "a choice between the frameworks, with the company's facts given earlier"
    intent, reason = guess.intent, guess.reason
    if tenant and not mentions and intent != "company" and _asks_the_vendor(resolved, guess, tenant):
        # "do you have a roadmap for post-quantum crypto? our CISO in Tokyo wants a date", "can you send a VPAT?",
        # "a TISAX label from you?": a buyer's question to the vendor, whose material answers it or is said not to
        return "company", f"asked of the vendor, whose material is loaded; {reason}"
    if intent == "decide" and guess.runner_up == "out_of_scope" and not mentions and _chooses_something_else(
            conversation.user_questions + [resolved]):
        # "BTC or ETH?", "LLC vs C-corp in Delaware?": a choice between things that are not ours to weigh
        return "out_of_scope", f"a choice between things other than assurance frameworks; {reason}"
    close = bool(mentions) or similarity >= COVERED_SIMILARITY
    covered = close or signals.names_topic(resolved)
    refusal = guess.probability  # how sure the classifier is that the question is not ours to answer
    if intent == "manipulation" and is_confirmation_row(question):
        # a statement the buyer asks the vendor to confirm is about the company; hard markers were checked above
        intent, reason = _fallback(guess), f"a statement to confirm, not an instruction; {reason}"
    if intent == "manipulation" and _DRAFT_FOR_ROW.search(question) and not _NOT_DONE.search(question):
        # "template answer for 'Do you review your policies annually?'": help answering a row, honestly
        intent, reason = _fallback(guess), f"asks for a draft answer to a row, and no marker; {reason}"
    if intent == "manipulation" and _asks_what_a_framework_requires(resolved):
        # "under SOC 2, how do we have to get rid of personal info once a user asks?": compliance, not deception
        intent, reason = _fallback(guess), f"asks what a framework requires, and nothing deceptive; {reason}"
    if intent == "manipulation" and (guess.probability < MANIPULATION_SURE or any(m.exists for m in mentions)):
        # without a hard marker, an unsure guess or a question naming a standard's ID is a question ...
        if guess.runner_up == "out_of_scope" and not mentions:
            # ... unless the next reading is another refusal ("write a poem"): that one is judged below
            intent, refusal = "out_of_scope", guess.probability + guess.runner_up_probability
        else:
            intent = _fallback(guess)
        reason = f"no manipulation marker; {reason}"
    named_only = covered and not close  # a corpus topic is named, nothing else says the question is ours
    term = defined_term(resolved)
    if (intent == "out_of_scope" and refusal < REFUSAL_SURE and _CHOICE.search(resolved)
            and _has_company_facts([resolved], held=False) and not _chooses_something_else([resolved])):
        # "we make scheduling sw for restaurant chains in Ohio and Texas. all US. which framework": a decision
        return "decide", f"a choice with the company's markets or buyers given; {reason}"
    if intent == "out_of_scope" and names_series(resolved):
        # "what does CC stand for": the naming of the SOC 2 criteria, whatever else "CC" could be
        return "lookup", f"names a SOC 2 criteria series; {reason}"
    if intent == "out_of_scope" and tenant and guess.probability < REFUSAL_SURE and signals.company_answers(
            resolved, vector, tenant):
        # "can we restrict logins to our office IPs?": the tenant's approved material answers it, so it is a question
        # for the vendor, however personal it sounds
        return "company", f"the tenant's approved material answers it; {reason}"
    if intent == "out_of_scope" and named_frameworks(resolved) and _HOLDS.search(resolved):
        # "Sind Sie nach ISO 27001 zertifiziert?": whether someone holds a framework, in any language, is ours, and
        # asked of the vendor with its material loaded, the vendor's to answer
        held = "company" if tenant and _ADDRESSED.search(resolved) else _fallback(guess)
        return held, f"asks whether a framework is held; {reason}"
    if intent == "out_of_scope" and named_only and refusal >= REFUSAL_SURE and not (term and signals.names_topic(term)):
        # ("whats a CUEC" names its topic as the whole of what it asks, not in passing)
        return intent, f"names a corpus topic only in passing; {reason}"
    if intent == "out_of_scope" and (covered or (similarity >= IN_SCOPE_SIMILARITY and refusal < SURE)):
        intent, reason = _fallback(guess), f"in scope: names an ID or topic of the corpus, or retrieval is close; {reason}"
    if (intent in ("out_of_scope", "manipulation") and tenant and "company" in conversation.recent_routes(2)
            and guess.probability < REFUSAL_SURE):
        # "so what covers the time since december?" in a buyer's run of questions about the vendor: the next one
        intent, reason = "company", f"an unsure refusal in a run of questions about the company; {reason}"
    if (intent in ("out_of_scope", "manipulation") and guess.probability < REFUSAL_SURE
            and {"decide", "clarify"} & set(conversation.recent_routes())
            and _has_company_facts(conversation.user_questions + [resolved])):
        # "recommendation?" after "our customers are Mittelstand firms in NRW": the conversation is a decision
        intent, reason = "decide", f"an unsure refusal in a conversation with the company's markets or buyers; {reason}"
    if (intent == "decide" and guess.probability < SURE and not _GENERAL_CHOICE.search(resolved)
            and not Advisor.load().profile([resolved]).model_dump(exclude_defaults=True)):
        # an unsure decision with nothing about the company would only ask back; the next reading answers
        intent, reason = _fallback(guess, covered), f"unsure decision without company facts; {reason}"
    if intent == "decide" and names_other_scheme(resolved) and "iso27001" not in named_frameworks(resolved):
        # "we have SOC 2: which CSA STAR route fits us?" chooses within another scheme: a lookup about it
        intent, reason = "lookup", f"a choice within another scheme; {reason}"
    if (intent == "decide" and guess.probability < REFUSAL_SURE and not mentions and len(sides(resolved)) == 2
            and Advisor.load().aspects(resolved, specific=True) and not _CHOICE.search(resolved)
            and not conversation.recent_routes() and not _has_company_facts([resolved], held=False)):
        # "after we get it, what do we have to keep doing for soc 2 vs for iso?": an aspect of both, no company
        # facts and no choice asked for
        intent, reason = "compare", f"both frameworks on an aspect, nothing to choose by; {reason}"
    if intent == "decide" and _NO_CHOICE.search(question) and len(sides(resolved)) == 2:
        # "we sell to Australian banks; not asking which to pick, just lay out the differences": a comparison
        intent, reason = "compare", f"declines a recommendation, names both frameworks; {reason}"
    if (intent == "compare" and not mentions and (_BETTER_FOR.search(resolved) or _CHOICE.search(resolved))
            and not _NO_CHOICE.search(question)
            and _has_company_facts([question], held=False)):  # said in the message, not read into a pronoun
        # "soc 2 vs iso, which is better for a us startup?": a choice with the company's market given
        intent, reason = "decide", f"a comparison that asks which fits a market; {reason}"
    if intent == "lookup" and not mentions and len(sides(resolved)) == 2 and Advisor.load().aspects(resolved, specific=True):
        # "could we post our SOC 2 online like an ISO certificate?": both named, on an aspect of the comparison
        intent, reason = "compare", f"both frameworks named on one aspect of the comparison; {reason}"
    if (intent == "compare" and not mentions and not _COMPARATIVE.search(resolved) and not TABLE.search(resolved)
            and not Advisor.load().aspects(resolved)):
        # "is segregation of duties really expected for iso / soc 2?" asks about a practice under both, compares nothing
        intent, reason = "lookup", f"both frameworks named, nothing compared; {reason}"
    if intent == "compare" and not sides(resolved) and not mentions and guess.probability < SURE:
        # "do you keep an up-to-date inventory of assets, with an owner for each?": no framework named, and only an
        # unsure guess that two are compared
        intent, reason = _fallback(guess), f"no framework named, an unsure comparison; {reason}"
    if intent == "compare" and len(sides(resolved)) == 1 and not mentions:
        # a comparison needs two sides: "how much does SOC 2 cost?" is about SOC 2 ("AICPA vs ISO" has two)
        intent, reason = "lookup", f"one framework named; {reason}"
    if intent == "company" and mentions:
        intent, reason = "lookup", f"names a standard's ID; {reason}"
    own = {m.framework for m in mentions if m.exists}
    if (intent == "crosswalk" and len(own) == 1 and not set(sides(resolved)) - own and not _MAPPING.search(resolved)
            and not _ASKS_OTHER_ITEM[next(iter(own))].search(resolved)):
        # "what does clause 8.2 mean (the clause, not the annex a control)": one framework, no mapping asked
        return "lookup", f"one framework's ID and no mapping asked; {reason}"
    if intent == "lookup" and len(own) == 1 and _ASKS_OTHER_ITEM[next(iter(own))].search(resolved):
        # "A.8.8 management of technical vulnerabilities, which CC?": the other framework's item is what is asked
        return "crosswalk", f"asks which item of the other framework; {reason}"
    if intent == "lookup" and guess.runner_up == "crosswalk" and len(own) == 1 and set(sides(resolved)) - own:
        # "which TSC covers A.6.3?": one framework's ID and the other framework named is a mapping question
        intent, reason = "crosswalk", f"one framework's ID, the other named; {reason}"
    if guess.probability < SURE:
        intent, reason = _unsure(intent, reason, resolved, mentions)
    if intent == "successor" and named_frameworks(resolved) == ("soc2",):
        intent, reason = "lookup", f"the 2013->2022 lineage is ISO's, and only SOC 2 is named; {reason}"
    if intent == "lookup" and tenant and not mentions and signals.company_answers(resolved, vector, tenant):
        intent, reason = "company", f"the tenant's approved material answers it; {reason}"
    return intent, reason


# "how do we have to ...", "what do we need to ...", "are we required to ...": asking what an obligation is
_OBLIGATION = re.compile(r"(?i)\b(how|what) (do|does|should|must|would) (we|i|you|a company|an? organi[sz]ation|"
                         r"a vendor) (have to|need to|need|must|required to|expected to)\b|\b(are|is) (we|it) "
                         r"(required|expected|obliged) to\b|\bwhat (does|do) (soc ?2|iso[\w /:]*|the standard) "
                         r"(require|expect|want|say)\b")
# ... and the words of deceiving or evading, which such a question never needs
_DECEIVE = re.compile(r"(?i)\b(write|say|claim|pretend|fake|forge|fabricat\w*|backdat\w*|make it (look|seem)|look(s)? "
                      r"like|seem like|notic\w*|unnoticed|hide|"
                      r"hiding|cover (it )?up|mislead\w*|lie|lying|trick|bypass|evade|evading|disable|sneak)\b")


def _asks_what_a_framework_requires(text: str) -> bool:
    return bool(named_frameworks(text)) and bool(_OBLIGATION.search(text)) and not _DECEIVE.search(text)


# holding a framework, in the languages buyers write in: certified, compliant, a report
_HOLDS = re.compile(r"(?i)\b(zertifi\w*|certifi\w*|conform\w*|compliant|compliance|konform\w*|rapport|bericht|informe|"
                    r"relat[oó]rio|attest\w*|report|gecertificeerd|certyfik\w*)\b")
# a general question about choosing a framework: "what should a founder consider before committing to a framework?"
_GENERAL_CHOICE = re.compile(r"(?i)\b(choos\w*|pick\w*|decid\w*|commit\w*|select\w*|go(ing)? with)\b.{0,40}"
                             r"\b(frameworks?|certifications?|soc ?2|iso( ?27001)?)\b")
# what a company may do with its report or certificate: a rule of the scheme
_MAY_WE = re.compile(r"(?i)\b(can|may|could|are we allowed to|is it (ok|okay|fine|allowed) to|should)\b.{0,40}\b(share|shared|"
                     r"post|posted|publish|published|show|shown|send|sent|give|given|display|displayed|put|link|"
                     r"distribute|distributed)\b")
# a request for help answering a pasted row: "template answer for '...'", "draft a response to: ..."
_DRAFT_FOR_ROW = re.compile(r"(?i)\b(template|draft|sample|example|suggested|model|boilerplate)\s+(answer|response|reply|"
                            r"wording|text)s?\s+(for|to|on)\b"
                            # "what can we cite to back up a Yes?": the evidence for an answer, asked for honestly
                            r"|\b(what|which)\b.{0,30}\b(cite|point to|reference|show|use as evidence)\b.{0,30}"
                            r"\b(back (it |this |that |them )?up|support|justify|evidence)\b"
                            # a buyer's forwarded question: "... how quickly will you notify us? — how should I reply?"
                            r"|\bhow (should|do|would|can|could|shall) (i|we) (reply|respond|answer)\b")
# a practice said not to be done ("we don't do annual risk assessments but ..."): help with a Yes would be deception
_NOT_DONE = re.compile(r"(?i)\b(don'?t|do not|never|haven'?t|have not|aren'?t|are not|isn'?t|is not|no longer|not yet)\b"
                       r".{0,30}\b(do|doing|done|have|perform\w*|run\w*|encrypt\w*|test\w*|use|hold|keep|review\w*|"
                       r"certified|compliant|in place)\b|\beven though\b|\balthough we\b")
# the words of a mapping between the frameworks
_MAPPING = re.compile(r"(?i)\b(maps?|mapped|mapping|equivalents?|counterparts?|correspond\w*|crosswalk|align\w*|"
                      r"match\w*|in (soc ?2|iso|tsc) terms|translate\w*|same as)\b")
# "which CC?", "what tsc criterion" beside an ISO ID; "which annex a control" beside a SOC 2 ID
_ASKS_OTHER_ITEM = {
    "iso27001": re.compile(r"(?i)\b(which|what)\s+(soc ?2\s+|tsc\s+|trust services\s+)?(cc|tsc|criteri\w+|"
                           r"soc ?2( criteri\w+| items?| equivalent)?)\b(?!\s*\d)"),
    "soc2": re.compile(r"(?i)\b(which|what)\s+((iso( 27001)?|annex ?a|27001)\s+(controls?|clauses?|items?|equivalent)|"
                       r"annex ?a|iso( 27001)?)\b(?!\s*\d)"),
}
# the vendor asked about itself (its name already put as "you"): "do you have ...", "what's your ...", "... from you"
_VENDOR_FORM = re.compile(r"(?i)\b(do|does|are|is|have|has|will|would|can|could)\s+you\b(?!\s+(explain|tell|help|describe|"
                          r"show|give|walk|summari[sz]e|recommend|suggest|compare|clarify|define|list|mean|think|know|"
                          r"advise|say|please))|\b(what|who|where|when|which|how)('?s| is| are| do| does)?\b[^?]{0,25}"
                          r"\byour\b|\bfrom you\b")


# the vendor's salesperson asking about their own company: "are we ISO 27001 certified?", "do we have it?"
_WE_HOLD = re.compile(r"(?i)\b(are|is) we\b[^?]{0,40}\b(certified|compliant|accredited|audited|authori[sz]ed|registered|"
                      r"assessed|attested)\b|\b(do|did) we (already )?(have|hold|own|keep|maintain)\b(?!\s+to\b)|"
                      r"\bhave we (got|passed|been|done|completed)\b")


def _asks_the_vendor(resolved: str, guess: Guess, tenant: str) -> bool:
    """A question to the vendor about itself (or the vendor's salesperson's about their own company) that the
    classifier reads as something else, with the company the close second reading or a scheme of its own named
    ("TISAX", "C5"), and no choice between frameworks in it."""
    asked = addressed(resolved, tenant)
    if not (_VENDOR_FORM.search(asked) or _WE_HOLD.search(asked)) or _CHOICE.search(asked):
        return False
    if guess.intent in ("out_of_scope", "manipulation") and guess.probability >= REFUSAL_SURE:
        return False  # "what's your favourite film?": surely not the vendor's security
    return guess.runner_up == "company" or names_other_scheme(asked)


# the vendor addressed, in the languages buyers write in
_ADDRESSED = re.compile(r"(?i)\b(you|your|yours|sie|ihre?[nmrs]?|vous|votre|vos|usted(es)?|vosotros|voc[eê]s?|jullie|uw)\b")
# the words of security assurance: without any of them in a conversation, a choice is not between frameworks
_ASSURANCE = re.compile(r"(?i)\b(soc ?[123]?|iso|27001|27k|certif\w*|audit\w*|complian\w*|attest\w*|framework\w*|"
                        r"secur\w*|isms|trust|controls?|criteri\w*|questionnaires?|assurance|standards?|reports?|"
                        r"accredit\w*|hipaa|gdpr|pci|fedramp|hitrust|nist|tisax|c5|badge|cert|certs)\b")
_ALTERNATIVES = re.compile(r"(?i)\b[\w.-]+\s+(or|vs\.?|versus)\s+[\w.-]+")


def _chooses_something_else(texts: list[str]) -> bool:
    """A choice between named alternatives that are not places ("Berlin or Munich?" asks where the customers are),
    in a conversation that never mentions security assurance."""
    if _ASSURANCE.search(" ".join(texts)):
        return False
    # ("one or both?" after the markets is the choice between the frameworks, unnamed)
    return any(not places(m.group()) and not _ONE_OR_BOTH.fullmatch(m.group().strip(" ?.!,"))
               for m in _ALTERNATIVES.finditer(texts[-1]))


_ONE_OR_BOTH = re.compile(r"(?i)(just )?(one|both)( of them)? (or|vs\.?|versus) (just )?(one|both)( of them)?")


def _has_company_facts(texts: list[str], held: bool = True) -> bool:
    """Where the customers are, what buyers ask for, or (`held`) what is already held: facts a decision rests on.
    Without `held`, what a choice between the frameworks is made by ("after we get SOC 2, ..." holds nothing)."""
    profile = Advisor.load().profile(texts)
    return bool(profile.markets or profile.customer_asks or (held and profile.existing))


_COMPARATIVE = re.compile(r"(?i)\b(vs\.?|versus|compar\w*|differ\w*|difference|between|better|worse|more|less|than|"
                          r"same|similar\w*|equivalent|either|or|which|both|each|overlap\w*|instead|rather|alike|like)\b")


# a 2022 control asked about in the 2013 edition ("in 2013 numbering", "what was it called before")
_IN_2013 = re.compile(r"(?i)\b(2013|old (number|numbering|id|name|edition|version)|previous (edition|version|number\w*)|"
                      r"before (2022|the (2022 )?(revision|update|change))|used to be)\b")
# words that ask how the 2022 edition differs from the one before
_EDITION_CHANGE = re.compile(r"(?i)\b(new|newly|added|adds|change[sd]?|changing|differ\w*|replac\w*|removed?|dropped|merged?|"
                             r"renamed|renumbered|2013|2005|old|older|previous|prior|transition\w*|moved?|still|no longer|"
                             r"compared?|vs\.?|versus|upgrad\w*|updat\w*|happened|gone|successor|predecessor|since|anymore|"
                             r"revis\w*|restructur\w*|reorgani[sz]\w*)\b")


def _unsure(intent: str, reason: str, resolved: str, mentions: list[Mention]) -> tuple[str, str]:
    """An unsure reading that the structure of the question does not support is answered as a lookup.

    The successor route answers 2013 numbers (decided above) and what the 2022 edition added; without
    either, an edition question is a fact about the scheme. A crosswalk needs two sides: one framework's ID
    with the other framework nowhere named ("CC9.1 - is that the cyber insurance one?") asks about the ID.
    """
    if intent == "successor" and not mentions and not (names_new_edition(resolved) and _EDITION_CHANGE.search(resolved)):
        # "how many annex a controls are there in 27001:2022?" names the edition and asks nothing about its change
        return "lookup", f"unsure edition question without a control number or a change to the 2022 edition; {reason}"
    own = {m.framework for m in mentions if m.exists}
    if (intent == "crosswalk" and len(own) == 1 and not set(sides(resolved)) - own
            and not _ASKS_OTHER_ITEM[next(iter(own))].search(resolved)):
        return "lookup", f"unsure crosswalk: one framework's ID, the other side not named; {reason}"
    return intent, reason


def _fallback(guess: Guess, covered: bool = True) -> str:
    """The next reading when the first is set aside: never a refusal, unless nothing says the corpus covers it,
    and never the successor route, which a second reading cannot support (2013 numbers are decided first)."""
    runner = guess.runner_up
    if runner == "out_of_scope" and not covered:
        return runner
    return runner if runner not in ("out_of_scope", "manipulation", "successor") else "lookup"


def _continues_decision(question: str, guess: Guess, conversation: Conversation) -> bool:
    """New facts, or a request for a table or roadmap, in a conversation that is choosing a framework."""
    routes = conversation.recent_routes()
    if not routes:
        return False
    if routes[-1] == "clarify":
        return True
    if "decide" not in routes:
        return False
    if guess.intent == "decide" or TABLE.search(question) or ROADMAP.search(question):
        return True
    if routes[-1] == "decide" and len(question.split()) <= CONTEXT_WORDS and not _ASKS.search(question):
        return True  # "fwiw the CEO wants an answer by Friday", "oh, budget is tight": context for the advice
    return bool(Advisor.load().profile([question]).model_dump(exclude_defaults=True))


CONTEXT_WORDS = 15  # a remark this short, with no question in it, adds context to a decision in progress
# a question, with or without its question mark: "who is allowed to audit it", "can we post it on our website"
_ASKS = re.compile(r"(?i)\?|^\W*(?:\w+[,:]\s+){0,2}(?:ok\s+|so\s+|and\s+)?(who|what|whats|when|where|why|how|which|"
                   r"can|could|do|does|did|is|are|should|would|will|any|must|shall|need)\b")


# "so which one do we start with?", "which first?", "do we need both?": a choice, whatever the classifier's reading
_CHOICE = re.compile(r"(?i)\b(which (one|first|framework|of (the|them|these|those))|start with|go (for|with)|"
                     r"(pick|choose)(?!\s+(any|an?|the|our|which|whichever)\s+(\w+\s+)?(consultants?|auditors?|firms?|cpas?|bod(y|ies)|"
                     r"registrars?|tools?|platforms?|vendors?)\b)|do we need (both|one|it|them)|should we (get|do|go|start|pursue)|recommend\w*|"
                     r"where (do|should|would) (we|i|you) (start|begin|put)|where to start|"
                     r"(what'?s|whats|what is) (the|your) (call|move|verdict|take|advice|pick)|the call|"
                     r"soc ?(2|ii),? (or )?iso|iso,? (or )?soc ?(2|ii)|,? or both\?|one or both|both or (just )?one|what now|which (fr\w*|cert\w*|audit)|first audit|"
                     r"(so |and |what about |how about )?(for|in) (us|our case|my case)(?=\s*[?.!]*\s*$)|which fits us|"
                     r"what fits us|what about us|"
                     # "so what do we do?", "what would you do?" ending a message in a decision
                     r"what (do|should|would|can|shall) (we|i|you) do( now| then| next| here| first)?(?=\s*[?.!]*\s*$))\b"
                     # "should we follow his advice?" after a consultant pushed one framework
                     "|" + OTHERS_ADVICE.pattern.removeprefix("(?i)"))
CHOICE_WORDS = 12  # a bare choice this short is a choice, whatever the classifier reads into it
# a question that continues the advice just given: its cost, time, order, type, or a change of facts
_FOLLOW_UP = re.compile(r"(?i)\b(what if|and if|how long(?! (is|are|does|do|will|would) (it|they|that|this|the \w+|an? \w+)( \w+)? "
                        r"(valid|good|last))|how much|cost|budget|timeline|months|type (1|2|i|ii)|"
                        r"which first|start with|in what order|next step|then what|instead|as well|also|both|"
                        r"would (that|it|this)|does (that|it|this) change|still)\b")


# the asker says a recommendation is not what they want
_NO_CHOICE = re.compile(r"(?i)\b(not|n't|never)\s+(asking|looking for|after|wanting|want|need(ing)?|interested in)\s+"
                        r"(you\s+to\s+)?(which|what|a\s+(recommendation|pick|choice|verdict)|(to\s+)?(pick|choose|decide))|"
                        r"\bno\s+(recommendation|verdict)\b|\bdon'?t\s+(tell|recommend)\b.{0,20}\b(which|pick|choose)")
_BETTER_FOR = re.compile(r"(?i)\b(better|best|right|fits?|suits?|should (we|i)|recommend\w*|which (one|first|should))\b")


def _follows_recommendation(question: str, guess: Guess, conversation: Conversation) -> bool:
    """A short question right after a recommendation that asks about it ("how long would that take and what does
    it cost?", "what if we add Germany?", "do we need type 2?"): answered about the recommended framework(s)."""
    if conversation.last_recommendation() is None or "decide" not in conversation.recent_routes(2):
        return False
    if guess.intent == "manipulation" and guess.probability >= MANIPULATION_SURE:
        return False
    if guess.intent == "compare" and Advisor.load().aspects(question):
        return False  # "which one takes longer?" compares the two frameworks on an aspect
    short = len(question.split()) <= 25
    facts = bool(Advisor.load().profile([question]).model_dump(exclude_defaults=True))
    return short and (facts or bool(_FOLLOW_UP.search(question)) or bool(_CHOICE.search(question)))


# aspects of a framework a question about the recommended one can ask, answered from the guidance on that aspect
ABOUT_THE_RECOMMENDATION = "asks about the recommended framework"
BOTH_TITLE = "Pursuing both SOC 2 and ISO 27001"
_ABOUT_IT = {"auditor", "deliverable", "renewal", "sharing", "scope", "documents", "structure", "readiness"}


def _asks_about_the_recommendation(question: str, conversation: Conversation) -> bool:
    """"who is allowed to audit it?", "does it need renewing every year?", "can we post it on our website?" right
    after a recommendation: a question about the recommended framework, not a new decision."""
    if conversation.last_recommendation() is None or "decide" not in conversation.recent_routes(2):
        return False
    if not _ASKS.search(question) or _CHOICE.search(question) or _FOLLOW_UP.search(question):
        return False
    if Advisor.load().profile([question]).model_dump(exclude_defaults=True):
        return False  # new facts change the advice
    about = _ABOUT_IT | ({"overlap"} if conversation.last_recommendation() == "both" else set())
    return bool(set(Advisor.load().aspects(question, specific=True)) & about)



def _choice_with_known_facts(question: str, guess: Guess, conversation: Conversation) -> bool:
    """"so which one do we start with?" after the market was given in earlier turns (answered as anything)."""
    if not conversation.turns or not _CHOICE.search(question):
        return False
    if guess.intent not in ("decide", "compare", "lookup") and len(question.split()) > CHOICE_WORDS:
        return False
    if Advisor.load().aspects(question, specific=True) and guess.intent == "compare":
        return False  # "which one is cheaper?" compares ("where do we start?" does not)
    return _has_company_facts(conversation.user_questions + [question])
