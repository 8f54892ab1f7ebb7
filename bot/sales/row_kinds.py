"""What each row of a questionnaire is, and what to ask the engine for it.

Kinds: `question`, `statement` (to confirm: "Please confirm that ...", "The
vendor maintains ..."), `prompt` ("Describe ...:", "List ..."), `caption` (the
head of a choice group: "Select the controls in place at your data centers:"),
`choice` (one option under a caption, asked in its context: "Do you have CCTV
at your data centers?"), `followup` ("If yes, ...", asked with its parent row),
`field` (company name, contact, URL), `heading` and `instruction` (skipped).
Decided from the row's words and its neighbours, one sheet at a time.

>>> [k.kind for k in classify_texts(["Encryption", "Do you encrypt data at rest?", "If yes, which algorithm?"])]
['heading', 'question', 'followup']
>>> option_question("Select the security controls in place at your data centers:", "CCTV")
'Do you have CCTV at your data centers?'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.workbook import INSTRUCTION, Item, looks_like_item

ANSWERED = ("question", "statement", "prompt", "choice", "followup")  # put to the engine
TAKES_CHOICE = ("question", "statement", "choice")  # a Yes/No cell means something for these
MAX_OPTION_WORDS = 12
_WH = r"(do|does|did|is|are|was|were|has|have|had|can|could|will|would|shall|should|may|must|who|what|when|where|why|how|which)"
_QUESTION = re.compile(rf"^\s*(\d+[.)]\s*)?{_WH}\b", re.I)
_CONFIRM = re.compile(r"^\s*(please\s+|kindly\s+)?(confirm|certify|attest|acknowledge|verify|affirm)\b"
                      r"(\s+(that|whether|if))?[\s,:]*", re.I)
_IMPERATIVE = re.compile(r"^\s*(please\s+|kindly\s+)?(describe|explain|list|provide|outline|detail|state|specify|give|"
                         r"identify|summari[sz]e|attach|upload|share|name|define|document|enumerate|supply|include|"
                         r"submit|demonstrate|note)\b", re.I)
_CAPTION = re.compile(r"^\s*(please\s+)?((select|check|tick|mark|indicate|choose)\b|which of the following\b)"
                      r"|\b(all|any) that apply\b", re.I)
_FOLLOWUP = re.compile(r"^\s*(if\s+(yes|no|so|not|applicable|any|answered|the answer|you answered|you do|you have|"
                       r"you are|this is|[\"'“]?(yes|no)[\"'”]?)\b|where applicable\b|otherwise\b|if\s*\"?y\"?\b)", re.I)
FIELDS = [  # (key, pattern): checked in this order on short rows
    ("contact_email", r"\be-?mail\b"),
    ("contact_phone", r"\b(phone|telephone|mobile)\b"),
    ("website", r"\b(website|web site|url|homepage|web address)\b"),
    ("company_name", r"\b(company|vendor|supplier|organi[sz]ation|legal entity|business|provider)('s)?\s+(legal\s+)?"
                     r"name\b|^\s*name of (the )?(company|vendor|supplier|organi[sz]ation)|^\s*legal name\b"),
    ("contact_name", r"\b(contact (name|person)|point of contact|completed by|person completing|respondent|"
                     r"name of (the )?(person|respondent|contact))\b|^\s*(primary |security )?contact\s*:?\s*$"),
    ("address", r"\b(postal |street |registered |business )?address\b|\bheadquarters\b"),
    ("date", r"^\s*date\b|\bdate (completed|of completion|submitted)\b"),
]
_FIELDS = [(key, re.compile(p, re.I)) for key, p in FIELDS]


@dataclass(frozen=True)
class RowKind:
    kind: str
    asked: str  # what the engine is asked ("" for skipped rows)
    parent: int | None = None  # the parent row of a follow-up, the caption row of a choice
    field: str | None = None  # company_name, contact_email, ... for a field

    @property
    def answered(self) -> bool:
        return self.kind in ANSWERED


def field_key(text: str) -> str | None:
    """The profile field a short label asks for ("Company name:" -> company_name), or None."""
    text = " ".join(text.split())
    if len(text.split()) > 8 or _FOLLOWUP.match(text):
        return None
    return next((key for key, pattern in _FIELDS if pattern.search(text)), None)


def option_question(caption: str, option: str) -> str:
    """An option of a choice group, asked as a question in its caption's context."""
    subject = re.sub(r"\([^)]*\)", "", caption).strip().rstrip(":.").strip()
    subject = re.sub(r"\b(select|check|tick|mark|indicate|choose)\s+(all|any)\s+that\s+apply\b[.,;]?", "", subject,
                     flags=re.I).strip()
    subject = re.sub(r"^(please\s+)?((select|check|tick|mark|indicate|choose|identify)\s+((all|any|each|which)\s+)?"
                     r"(of\s+)?(the\s+)?(following\s+)?|which of the following\s+)", "", subject, flags=re.I).strip()
    option = option.strip().rstrip(".:;")
    verb = re.match(r"^(do|does) (you|the vendor|your (company|organi[sz]ation))\s+(\w+)\s*(.*)$", subject, re.I)
    if verb:
        return f"Do you {verb.group(4)} {option} {verb.group(5)}".strip() + "?"
    tail = re.search(r"\b(at|in|on|for|within|across|to protect|used (at|in|for|by))\s+(your|the|our|all)\b.*$",
                     subject, re.I)
    if tail:
        return f"Do you have {option} {tail.group(0)}?"
    return f"Do you have {option}" + (f" ({subject})?" if subject else "?")


def statement_asked(text: str) -> str:
    """A statement to confirm, as the engine should read it: the claim itself ("Please confirm that X" -> X)."""
    claim = _CONFIRM.sub("", text, count=1).strip()
    return claim[:1].upper() + claim[1:] if len(claim) >= 8 else text


# an answer format written into the row itself: "(Y/N)", "Yes/No", "[yes | no]"
_ANSWER_FORMAT = re.compile(r"[\s(\[-]*\b(y\s*/\s*n|yes\s*/\s*no|yes\s*\|\s*no|true\s*/\s*false)\b[\s)\].:?-]*$", re.I)


def _single(item: Item) -> RowKind:
    """A row's kind on its own words (choice groups and follow-ups need the neighbours: see `classify`)."""
    text = item.text.strip()
    if item.banner:
        return RowKind("heading", "")
    if text.endswith(":") and _CAPTION.search(text) or _CAPTION.search(text) and len(text.split()) >= 4 \
            and "?" not in text and not looks_like_item(text.replace("all that apply", "")):
        return RowKind("caption", "")
    if INSTRUCTION.search(text) and not _CONFIRM.match(text):
        return RowKind("instruction", "")
    key = field_key(text)
    if key:
        return RowKind("field", text, field=key)
    if _CONFIRM.match(text):
        return RowKind("statement", statement_asked(text))
    if "?" in text or _QUESTION.match(text):
        return RowKind("question", text)
    if _IMPERATIVE.match(text) or (text.endswith(":") and len(text.split()) >= 3):
        return RowKind("prompt", text.rstrip(":").strip())
    if _ANSWER_FORMAT.search(text) and not item.bold:  # "Backups encrypted Y/N": a terse row that wants an answer
        return RowKind("statement", _ANSWER_FORMAT.sub("", text).strip(" .:-") or text)
    if looks_like_item(text) and not item.bold:
        return RowKind("statement", text)
    return RowKind("heading", "")


def _is_option(item: Item, alone: RowKind) -> bool:
    words = item.text.split()
    return (not item.banner and not item.bold and len(words) <= MAX_OPTION_WORDS and "?" not in item.text
            and not item.text.rstrip().endswith(":") and alone.kind not in ("caption", "instruction", "question", "field")
            and not _IMPERATIVE.match(item.text) and not _CONFIRM.match(item.text) and not _FOLLOWUP.match(item.text))


def classify(items: list[Item]) -> list[RowKind]:
    """The kind of each row of one sheet, in order."""
    kinds: list[RowKind] = []
    caption: Item | None = None
    parent: tuple[int, str] | None = None  # the last row a follow-up can hang on
    previous_row = None
    for item in items:
        alone = _single(item)
        if previous_row is not None and item.row > previous_row + 1:
            caption = None  # a blank row ends a choice group
        previous_row = item.row
        if caption is not None and _is_option(item, alone):
            kind = RowKind("choice", option_question(caption.text, item.text), parent=caption.row)
        elif _FOLLOWUP.match(item.text) and parent is not None:
            kind = RowKind("followup", f"{parent[1]} {item.text.strip()}", parent=parent[0])
        else:
            kind = alone
            caption = item if kind.kind == "caption" else None
        if kind.kind in TAKES_CHOICE or kind.kind == "prompt":
            parent = (item.row, kind.asked)
        elif kind.kind in ("heading", "caption"):
            parent = None
        kinds.append(kind)
    # a caption no option follows ("Indicate whether the solution is multi-tenant or dedicated:") asks for itself
    for n, kind in enumerate(kinds):
        if kind.kind == "caption" and (n + 1 == len(kinds) or kinds[n + 1].kind != "choice"):
            kinds[n] = RowKind("prompt", items[n].text.strip().rstrip(":").strip())
    return kinds


def classify_texts(texts: list[str]) -> list[RowKind]:
    """`classify` for plain texts on consecutive rows (tests, docs)."""
    return classify([Item("sheet", n, t) for n, t in enumerate(texts, start=1)])
