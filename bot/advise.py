"""The framework-fit advisor: a company profile from the conversation, then a cited recommendation.

All knowledge (how facts are recognised, scoring rules, reasons, the comparison
table and the roadmap) is data in `bot/data/advisor.yaml`; this module only
applies it. When something decisive is missing, the advisor asks one
clarifying question instead of guessing.

>>> advisor = Advisor.load()
>>> profile = advisor.profile(["We sell to US enterprises and a prospect asked for SOC 2"])
>>> sorted(profile.markets), sorted(profile.customer_asks)
(['us'], ['soc2'])
>>> advisor.advise(profile).recommendation
'soc2'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from bot import slots
from ingest.datafile import read_yaml

RULES_PATH = Path(__file__).with_name("data") / "advisor.yaml"
Framework = Literal["soc2", "iso27001"]
NAMES = {"soc2": "SOC 2", "iso27001": "ISO/IEC 27001", "both": "both"}
MINOR_SHARE = 15  # percent: a market this small or smaller beside the others does not change the advice


class CompanyProfile(BaseModel):
    """What the advisor knows about the company asking."""

    markets: set[str] = Field(default_factory=set)  # us, canada, europe, uk, dach, japan, apac, latam, mea, global
    segments: set[str] = Field(default_factory=set)  # enterprise, public_sector, healthcare, financial_services, startup
    industry: str | None = None
    existing: set[str] = Field(default_factory=set)  # soc2, iso27001: reports or certificates already held
    customer_asks: set[str] = Field(default_factory=set)  # soc2, iso27001: what buyers ask for by name
    deadline_months: float | None = None
    pushed: set[str] = Field(default_factory=set)  # frameworks a consultant, investor or board pushes: not a buyer's
    places: list[str] = Field(default_factory=list)  # the places read as markets, as written ("Lyon", "NHS trusts")
    minor: set[str] = Field(default_factory=set)  # markets named with a small share ("5% in Canada")
    exclusive: set[str] = Field(default_factory=set)  # markets said to be all there is ("all our customers are in Denver")
    asked_by_all: set[str] = Field(default_factory=set)  # frameworks every customer is said to require
    buyer_places: set[str] = Field(default_factory=set)  # markets of single buyers who require a framework
    home: set[str] = Field(default_factory=set)  # where the company itself is ("a Denver startup"): a market only
    # when no customer is placed anywhere

    def known(self, name: str) -> bool:
        return bool(getattr(self, name))


@dataclass(frozen=True)
class Phase:
    """One bar of the roadmap timeline: typical months, all estimates."""

    framework: str
    phase: str
    start: float  # months from now, at the typical (middle) durations of the phases before it
    low: float
    high: float
    duration: str  # the estimate in words
    cite: str

    @property
    def end(self) -> float:
        return self.start + (self.low + self.high) / 2


# The words the advisor's own patterns recognise, for a form's choices (`describe`).
MARKET_WORDS = {"us": "the United States", "canada": "Canada", "europe": "Europe", "uk": "the UK",
                "dach": "DACH (Germany, Austria, Switzerland)", "japan": "Japan", "apac": "Asia-Pacific",
                "latam": "Latin America", "mea": "the Middle East and Africa", "global": "worldwide"}
SEGMENT_WORDS = {"enterprise": "large enterprises", "public_sector": "government", "healthcare": "healthcare",
                 "financial_services": "financial services", "startup": "startups"}
_FRAMEWORK_WORDS = {"soc2": "SOC 2", "iso27001": "ISO 27001"}


def describe(markets: Iterable[str] = (), segments: Iterable[str] = (), customer_asks: Iterable[str] = (),
             existing: Iterable[str] = (), deadline_months: int | None = None) -> str:
    """A form's answers as the message a founder would type, so a form and the chat reach the same advisor.

    >>> describe(["us"], customer_asks=["soc2"])
    'Should we do SOC 2 or ISO 27001 first? Our customers are in the United States. Customers have asked us for SOC 2.'
    """
    words = ["Should we do SOC 2 or ISO 27001 first?"]
    markets, segments = [m for m in MARKET_WORDS if m in set(markets)], [s for s in SEGMENT_WORDS if s in set(segments)]
    if markets:
        names = [MARKET_WORDS[m] for m in markets]
        words.append("Our customers are in " + (", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1
                                                 else names[0]) + ".")
    if segments:
        names = [SEGMENT_WORDS[s] for s in segments]
        words.append("We sell to " + (", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]) + ".")
    asks = [_FRAMEWORK_WORDS[f] for f in _FRAMEWORK_WORDS if f in set(customer_asks)]
    if asks:
        words.append("Customers have asked us for " + " and for ".join(asks) + ".")
    held = set(existing)
    if "soc2" in held:
        words.append("We already have SOC 2.")
    if "iso27001" in held:
        words.append("We are ISO 27001 certified.")
    if deadline_months:
        words.append(f"We need it within {int(deadline_months)} months.")
    return " ".join(words)


@dataclass
class Advice:
    recommendation: Literal["soc2", "iso27001", "both"] | None
    order: list[Framework] = field(default_factory=list)
    reasons: list[tuple[str, str]] = field(default_factory=list)  # (sentence, guidance doc id)
    clarify: str | None = None
    scores: dict[str, float] = field(default_factory=dict)
    held_both: bool = False
    held: tuple[str, ...] = ()

    def headline(self) -> str:
        if self.held_both:
            return "You already hold both: keep them current rather than adding a third framework."
        if self.recommendation == "both" and self.held:
            kept, added = (NAMES[f] for f in self.order)
            return f"Recommendation: both. Keep your {kept} current and add {added} on the same control set."
        if self.recommendation == "both":
            first, second = (NAMES[f] for f in self.order)
            return f"Recommendation: pursue both, starting with {first}, then {second} on the same control set."
        if self.recommendation:
            return f"Recommendation: start with {NAMES[self.recommendation]}."
        return ""


# the part of a message a "lost" or "gone" speaks of: "that's gone now, today every customer is in Miami" ends at "today"
_PART = re.compile(r"(?i)[.;,!?]|\b(?:but|today|nowadays|these days|while|whereas)\b")
_ONE_BUYER = re.compile(r"(?i)\b(a|an|one|another|prospects?|pitching|talking to|bidding|tender|rfp)\b")


def _one_buyer(text: str, ask: "slots.Ask") -> bool:
    """Is the asker one outside buyer ("a bank in Charlotte", "our biggest prospect"), not the customers at large?"""
    return ask.who == "buyer" and not ask.everyone and bool(_ONE_BUYER.search(text[ask.asker[0]:ask.asker[1]]))


GLOBAL = "market-global"
BROAD_SEGMENT = "segment-enterprise"  # most B2B buyers are enterprises: it says less than a market does


def _specificity(cite: str, explicit: bool, recommendation: str | None, both: dict | None) -> int:
    """Where a reason goes: what the user told us that outranks the rest (a framework held, a deadline); for "both",
    running the two together and business on both sides; then the buyers' sector, their market."""
    if explicit:
        return 0
    if recommendation == "both" and both and cite == both["cite"]:
        return 1
    if recommendation == "both" and cite == GLOBAL:
        return 2
    if cite.startswith("segment-") and cite != BROAD_SEGMENT:
        return 3
    if cite.startswith("market-") or cite == BROAD_SEGMENT:
        return 4
    return 5


def _side(markets: Iterable[str]) -> set[str]:
    """The framework each market leans to: SOC 2 for North America, ISO/IEC 27001 elsewhere."""
    return {"soc2" if m in ("us", "canada") else "iso27001" for m in markets}


# a share of the business that leaves the rest unnamed ("about half our revenue", "~40% of ARR")
_PART_SHARE = re.compile(r"(?i)\b(half|a third|one third|two thirds|[3-6]\d ?(%|percent|per cent))\W+(\w+\W+){0,4}?"
                         r"(revenue|arr|sales|customers|business|pipeline|deals|bookings)\b")
_REST_NAMED = re.compile(r"(?i)\b(the rest|remainder|the other half|other \d{1,2} ?%|remaining)\b")
_WE_ARE = re.compile(r"(?i)\b(we'?re|we are|i'?m|i am)\s+$")
_ALONE = re.compile(r"\s*([,;!?)]|\.(\s|$)|$|(and|too|ourselves)\b)")
# "all of our customers are ...", "moved entirely to ...", "100% ...": the places after it are every market there is
_EXCLUSIVE = re.compile(r"(?i)\b(all|every|only|entirely|exclusively|solely|100 ?%|purely)\b")



def _said_of_all(text: str, start: int) -> bool:
    """Is the place at `start` said to be every market there is ("all of our customers are in ...")?"""
    return bool(_EXCLUSIVE.search(text[max(0, start - 60):start]))


_GENERAL_ASPECTS = ("basics", "market")
_INDUSTRY = {"healthcare": "healthcare", "financial_services": "financial services", "public_sector": "public sector"}


class Advisor:
    def __init__(self, data: dict):
        self.data = data
        ex = data["extract"]
        self._sets = {
            name: {key: [re.compile(p, re.I) for p in pats] for key, pats in ex[name].items()}
            for name in ("markets", "segments", "existing", "customer_asks")
        }
        self._deadline = [(re.compile(p, re.I), factor) for p, factor in ex["deadline_months"]]
        self._not_a_market = [re.compile(p, re.I) for p in ex.get("not_a_market", [])]
        self._not_a_market_after = [re.compile(p, re.I) for p in ex.get("not_a_market_after", [])]
        self._a_market_after_all = [re.compile(p, re.I) for p in ex.get("a_market_after_all", [])]
        self._lost_market = [re.compile(p, re.I) for p in data.get("lost_market", [])]
        self._lost_before = [re.compile(p, re.I) for p in data.get("lost_market_before", [])]
        self._lost_after = [re.compile(p, re.I) for p in data.get("lost_market_after", [])]
        self._small_before = [re.compile(p, re.I) for p in data.get("small_market_before", [])]
        self._small_after = [re.compile(p, re.I) for p in data.get("small_market_after", [])]
        self._correction = re.compile(data.get("correction", r"(?!)"), re.I)
        self._negated = re.compile(data.get("negated_before", r"(?!)"), re.I)
        self._elsewhere = re.compile(data.get("not_a_market_correction", r"(?!)"), re.I)
        self._self_before = re.compile(ex["self_description"]["before"], re.I)
        self._self_after = re.compile(ex["self_description"]["after"], re.I)

    @classmethod
    @functools.cache
    def load(cls, path: Path = RULES_PATH) -> "Advisor":
        return cls(read_yaml(path))

    # --- the profile --------------------------------------------------------------

    def profile(self, texts: Iterable[str]) -> CompanyProfile:
        """A profile from what the user has said (all user turns, oldest first).

        Markets are read from the gazetteer's places (`bot.slots`) and the data's own patterns; a market named with
        a small share ("5% from Canada") is minor. Who asks decides: a framework that only a consultant, investor
        or board pushes is not a customer's request.
        """
        texts = list(texts)
        profile = CompanyProfile()
        major: set[str] = set()  # markets named at least once without a small share
        corrected: set[str] = set()  # markets a correction calls token ones ("wait no, that's just one pilot")
        for text in texts:
            for name, table in self._sets.items():
                counted = {key: [m for p in pats for m in p.finditer(text) if self._counts(name, text, m)]
                           for key, pats in table.items()}
                if name == "markets":
                    # "our last US contracts end this year": named, and no longer a market
                    gone = {key for key, ms in counted.items() if ms and all(self._lost(text, m, near=True) for m in ms)}
                    # "a handful of German SMBs": named, as a token market
                    token = {key for key, ms in counted.items() if ms and all(self._small(text, m) for m in ms)}
                    gone |= token
                    corrected |= {key for key in token if self._correction.search(text)}
                    profile.minor |= gone
                    counted = {key: ms for key, ms in counted.items() if key not in gone}
                    # "all our new customers are US"
                    profile.exclusive |= {key for key, ms in counted.items()
                                          if any(_said_of_all(text, m.start()) for m in ms)}
                getattr(profile, name).update(key for key, ms in counted.items() if ms)
                if name == "markets":
                    profile.home |= {key for key, pats in table.items()
                                     if any(self._describes_company(text, m.span()) for p in pats for m in p.finditer(text))}
            named, tokens = self._read_slots(text, profile)
            major |= named
            corrected |= tokens
            for pattern, factor in self._deadline:
                m = pattern.search(text)
                if m:
                    number = m.group(1)
                    profile.deadline_months = float(number) * factor if number and number.isdigit() else float(factor)
                    break
        # "we have SOC 2" is not a customer asking for it
        profile.customer_asks -= profile.existing
        profile.minor -= major - corrected
        profile.markets -= profile.minor
        if not profile.markets:
            profile.markets |= profile.buyer_places - profile.minor
        if not profile.markets and not profile.customer_asks:
            # "US healthtech selling to hospitals": with no customers placed anywhere, the company's own market
            profile.markets |= profile.home - profile.minor
        elif (profile.markets and profile.home and len(_side(profile.markets)) == 1
              and _side(profile.home) != _side(profile.markets) and any(_PART_SHARE.search(t) for t in texts)
              and not any(_REST_NAMED.search(t) for t in texts)):
            # "a US company in Seattle; ~50% of ARR now comes from Japan": the other half is at home
            profile.markets |= profile.home - profile.minor
        profile.industry = next((_INDUSTRY[s] for s in sorted(profile.segments) if s in _INDUSTRY), None)
        return profile

    def _read_slots(self, text: str, profile: CompanyProfile) -> tuple[set[str], set[str]]:
        """Add the places and requests of one message to the profile; the markets named without a small share, and
        those a correction calls token ones."""
        major: set[str] = set()
        corrected: set[str] = set()
        correcting = bool(self._correction.search(text))  # "sorry, correction: ... NOT the US", "wait, I got that backwards"
        asked = slots.asks(text)
        for place in slots.places(text):
            if any(_one_buyer(text, a) and a.asker[0] <= place.start < a.asker[1] for a in asked):
                # "a bank in Charlotte requires ISO": what that buyer wants counts, not where it is (unless nothing
                # else says where the customers are: then the buyer is the market, see `profile`)
                profile.buyer_places.add(place.market)
                continue
            if self._describes_company(text, (place.start, place.end)):
                profile.home.add(place.market)
            if self._lost(text, place):
                profile.markets.discard(place.market)
                profile.minor.add(place.market)  # named, but no longer a market: only a new mention brings it back
                if correcting:
                    corrected.add(place.market)
                continue
            if correcting and self._elsewhere.search(text[place.end:place.end + 80]):
                profile.minor.add(place.market)  # "i said chicago, but that's just where our investor sits"
                corrected.add(place.market)
                continue
            if not self._counts("markets", text, place):
                if correcting and self._negated.search(text[max(0, place.start - 60):place.start]):
                    profile.minor.add(place.market)  # "hospitals in the Netherlands, NOT the US. zero US customers"
                    corrected.add(place.market)
                continue
            share = slots.share_near(text, place)
            if (share is not None and share <= MINOR_SHARE) or self._small(text, place):
                profile.minor.add(place.market)
                if correcting:
                    corrected.add(place.market)
                continue
            profile.markets.add(place.market)
            major.add(place.market)
            if _said_of_all(text, place.start):
                profile.exclusive.add(place.market)
            if place.text not in profile.places:
                profile.places.append(place.text)
        buyers = {a.framework for a in asked if a.who == "buyer"}
        others = {a.framework for a in asked if a.who == "other"} - buyers
        profile.asked_by_all |= {a.framework for a in asked if a.who == "buyer" and a.everyone}
        if others and "global" in major and not slots.global_from_buyers(text):
            # "a consultant says ISO is 'global'": a word of the adviser's pitch, not where the customers are
            major.discard("global")
            profile.markets.discard("global")
        profile.customer_asks |= buyers
        profile.customer_asks -= others
        profile.pushed |= others
        return major, corrected

    def _lost(self, text: str, place: "slots.Place | re.Match", near: bool = False) -> bool:
        """"we lost the customers in Mexico City": the sentence around the place says the market is gone (`near`:
        the words just before or after it do, as in "our US contracts end this year")."""
        begin, end = (place.start(), place.end()) if isinstance(place, re.Match) else (place.start, place.end)
        start = max(m.end() for m in _PART.finditer(text, 0, begin)) if _PART.search(text, 0, begin) else 0
        after = _PART.search(text, end)
        sentence = text[start:after.start() if after else len(text)]
        before, after = text[max(0, begin - 60):begin], text[end:end + 60]
        return ((not near and any(p.search(sentence) for p in self._lost_market))
                or any(p.search(before) for p in self._lost_before)
                or any(p.search(after) for p in self._lost_after))

    def _small(self, text: str, place: "slots.Place | re.Match") -> bool:
        """"a handful of German SMBs", "Canada, basically zero revenue": the place is named as a token market."""
        begin, end = (place.start(), place.end()) if isinstance(place, re.Match) else (place.start, place.end)
        before, after = text[max(0, begin - 60):begin], text[end:end + 80]
        return any(p.search(before) for p in self._small_before) or any(p.search(after) for p in self._small_after)

    def _describes_company(self, text: str, span: tuple[int, int]) -> bool:
        """"UK company, London HQ", "Denver startup": the place says where the company is, not its customers."""
        before, after = text[max(0, span[0] - 60):span[0]], text[span[1]:span[1] + 40]
        if _WE_ARE.search(before) and _ALONE.match(after):
            return True  # "since we're European, or do we need SOC 2?": the place alone is what the company is
        return bool(self._self_before.search(before) and self._self_after.search(after))

    def _counts(self, name: str, text: str, match: "re.Match | slots.Place") -> bool:
        """A place counts as a market unless the words before it say otherwise ("no US", "based in London")."""
        if name != "markets":
            return True
        start, end = (match.start, match.end) if isinstance(match, slots.Place) else match.span()
        before = text[max(0, start - 60):start]
        after = text[end:end + 40]
        if any(p.search(before) for p in self._a_market_after_all):
            return True
        if self._describes_company(text, (start, end)):
            return False
        return not (any(p.search(before) for p in self._not_a_market)
                    or any(p.search(after) for p in self._not_a_market_after))

    # --- the advice -------------------------------------------------------------------

    def _matches(self, when: dict, profile: CompanyProfile, leaning: str | None) -> bool:
        for key, wanted in when.items():
            values = wanted if isinstance(wanted, list) else [wanted]
            if key == "also_markets":
                if not profile.markets.intersection(values):
                    return False
            elif key == "deadline_within":
                if profile.deadline_months is None or profile.deadline_months > wanted:
                    return False
            elif key == "leaning":
                if leaning != wanted:
                    return False
            elif not getattr(profile, key).intersection(values):
                return False
        return True

    def schemes(self, profile: CompanyProfile, texts: Iterable[str]) -> list[tuple[str, str]]:
        """(reason, cite) for each scheme beside SOC 2 and ISO/IEC 27001 that the company's buyers may require
        (TISAX for German automotive suppliers, SOC 1 for a payroll service): `schemes` in bot/data/advisor.yaml."""
        said = " ".join(texts)
        found = []
        for scheme in self.data.get("schemes", []):
            when = dict(scheme["when"])
            pattern = when.pop("text", None)
            if pattern and not re.search(pattern, said, re.I):
                continue
            if self._matches(when, profile, None):
                found.append((scheme["reason"], scheme["cite"]))
        return found

    def clarifying_question(self, profile: CompanyProfile) -> str | None:
        for item in self.data["clarify"]:
            if not any(profile.known(name) for name in item["need"]):
                return item["question"]
        return None

    def advise(self, profile: CompanyProfile) -> Advice:
        question = self.clarifying_question(profile)
        if question:
            return Advice(recommendation=None, clarify=question)
        scores = {"soc2": 0.0, "iso27001": 0.0, "both": 0.0}
        fired: list[tuple[float, str, str]] = []
        deferred = []
        for rule in self.data["rules"]:
            if "leaning" in rule["when"]:
                deferred.append(rule)
                continue
            if self._matches(rule["when"], profile, None):
                for key, points in rule.get("points", {}).items():
                    scores[key] += points
                weight = rule.get("priority", max([abs(p) for p in rule.get("points", {}).values()] or [0]))
                fired.append((weight, rule["reason"], rule["cite"], "priority" in rule))
        recommendation, order = self._decide(scores, profile)
        both = self.data.get("both_reason")
        if recommendation == "both" and both and all(f[2] != both["cite"] for f in fired):
            # "both" rests on the guidance about running the two on one control set, whichever rules fired
            fired.append((both["priority"], both["reason"], both["cite"], False))
        for rule in deferred:
            if self._matches(rule["when"], profile, order[0] if order else None):
                fired.append((rule.get("priority", 0.5), rule["reason"], rule["cite"], "priority" in rule))
        # the most specific guidance leads: running both, what is already held, the buyers' sector, their market;
        # then the general rules by weight
        fired.sort(key=lambda f: (_specificity(f[2], f[3], recommendation, both), -f[0]))
        return Advice(recommendation, order, [(r, c) for _, r, c, _ in fired], scores=scores,
                      held_both=profile.existing >= {"soc2", "iso27001"}, held=tuple(sorted(profile.existing)))

    def _decide(self, scores: dict[str, float], profile: CompanyProfile) -> tuple[str | None, list[Framework]]:
        rules = self.data["decision"]
        soc2, iso = scores["soc2"], scores["iso27001"]
        held = profile.existing
        if held >= {"soc2", "iso27001"}:
            return "both", ["soc2", "iso27001"]
        us = "us" in profile.markets or "canada" in profile.markets
        if soc2 > iso or (soc2 == iso and us):
            order: list[Framework] = ["soc2", "iso27001"]
        else:
            order = ["iso27001", "soc2"]
        if held:  # what is already held stays; the advice is about what to add
            kept: Framework = next(iter(held))
            other: Framework = "iso27001" if kept == "soc2" else "soc2"
            if scores[other] <= 0:
                return kept, [kept]
            # A report or certificate already held is kept (its customers are why it was bought), so adding the
            # other makes both; only a held side said to be gone ("we lost our US customers") drops it.
            north_america = {"us", "canada"}
            held_side = (profile.markets & north_america) if kept == "soc2" else (profile.markets - north_america)
            gone = (profile.minor & north_america) if kept == "soc2" else (profile.minor - north_america)
            # ... or "all of our customers are in Denver" (with ISO held): every customer is on the other side now
            return (other, [other]) if not held_side and (gone or profile.exclusive) else ("both", [kept, other])
        if profile.customer_asks >= {"soc2", "iso27001"}:
            return "both", order  # buyers ask for each by name: both, whatever the markets
        if len(profile.customer_asks) == 1 and not self._both_sides(profile):
            # the buyers' one requirement decides when it is every customer's ("our two US banks both wrote ISO
            # 27001 into their contracts") or the markets are on its side; one buyer's requirement beside markets on
            # the other side ("all our customers are in München; an insurer in Hartford requires SOC 2") adds it
            asked = next(iter(profile.customer_asks))
            other = "iso27001" if asked == "soc2" else "soc2"
            if profile.markets and asked not in profile.asked_by_all and _side(profile.markets) == {other}:
                return "both", [asked, other]
            return asked, [asked]
        both_fired = scores["both"] > 0 and min(soc2, iso) >= rules["both_min"]
        close = soc2 >= rules["both_min"] and iso >= rules["both_min"] and abs(soc2 - iso) <= rules["both_gap"]
        if both_fired or close:
            return "both", order
        return order[0], order[:1]

    @staticmethod
    def _both_sides(profile: CompanyProfile) -> bool:
        """Markets where SOC 2 leads (the US, Canada) and markets where ISO/IEC 27001 does."""
        north_america = {"us", "canada"}
        return bool(profile.markets & north_america) and bool(profile.markets - north_america)

    # --- tables -----------------------------------------------------------------------

    def comparison_table(self, keys: Iterable[str] | None = None) -> tuple[str, list[str]]:
        """A markdown side-by-side table (all rows, or the given aspect keys) and the docs it cites."""
        rows = [r for r in self.data["comparison"] if keys is None or r["key"] in set(keys)]
        lines = ["| | SOC 2 | ISO/IEC 27001 |", "|---|---|---|"]
        cites: list[str] = []
        for row in rows:
            lines.append(f"| {row['aspect']} | {row['soc2']} | {row['iso27001']} |")
            cites += [c for c in row["cite"] if c not in cites]
        return "\n".join(lines), cites

    def comparison_row(self, key: str) -> dict | None:
        return next((r for r in self.data["comparison"] if r["key"] == key), None)

    def aspects(self, question: str, specific: bool = False) -> list[str]:
        """Comparison aspects a question asks about ("which takes longer?" -> ["timeline"]); `specific` leaves out
        the general rows ("what is the difference", "where")."""
        found = [r["key"] for r in self.data["comparison"] if re.search(r["match"], question, re.I)
                 and not (specific and r["key"] in _GENERAL_ASPECTS)]
        # the general rows ("what is the difference", "where") only when nothing more specific is asked
        return sorted(found, key=lambda key: key in _GENERAL_ASPECTS)

    def roadmap(self, order: list[Framework]) -> tuple[str, list[str], list[str]]:
        """A title, the numbered steps, and the documents they cite."""
        title = "Rough roadmap (typical durations, estimates that depend on size, scope and readiness):"
        steps: list[str] = []
        cites: list[str] = []
        for position, framework in enumerate(order):
            if position:
                steps.append(f"Reuse the controls already running for {NAMES[order[0]]}: most of the work carries over.")
            for step in self.data["roadmap"][framework]:
                steps.append(f"{step['phase']}: {step['duration']}.")
                if step["cite"] not in cites:
                    cites.append(step["cite"])
        return title, steps, cites

    def timeline(self, order: list[Framework]) -> list[Phase]:
        """The roadmap as bars for a chart: the second framework starts once the first has its first report."""
        phases: list[Phase] = []
        start = 0.0
        for framework in order:
            steps = self.data["roadmap"][framework]
            for n, step in enumerate(steps):
                low, high = (float(v) for v in step["months"])
                phase = Phase(framework, step["phase"], start, low, high, step["duration"], step["cite"])
                phases.append(phase)
                if n < len(steps) - 1:  # the last phase repeats yearly; the next framework does not wait for it
                    start = phase.end
        return phases
