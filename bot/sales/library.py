"""A tenant's answer library and documents, in the records database, and the tenant index built from them.

The library holds entries (question, answer, optional yes/no, source, owner,
status `candidate` | `approved` | `retired`, review dates). Only approved
entries and the tenant's documents reach the tenant's Chroma collection, which
`rebuild_index` refreshes after every change (incrementally: unchanged chunks
keep their embeddings).

>>> library = Library(Records("sqlite://"), "northwind")                       # doctest: +SKIP
>>> library.import_rows([{"question": "Do you use MFA?", "answer": "Yes."}]).added   # doctest: +SKIP
[('lib-...', 'Do you use MFA?')]
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path, PurePosixPath

from sqlalchemy import select

from bot.compose import APPROVED_ANSWER
from bot.errors import TrustdeskError
from ingest.documents import DocumentText, clean_text
from ingest.load import CorpusDoc, parse_markdown
from ingest.records import STATUSES, YES_NO, CompanyDocument, LibraryEntry, Records, entry_id, question_key
from ingest.schema import DocMeta
from ingest.store import company_index
from ingest.workbook import csv_safe

REVIEW_INTERVAL = timedelta(days=365)  # an approved answer is due for review a year after approval
NEAR_DUPLICATE_FUZZ = 90  # rapidfuzz token_set_ratio
NEAR_DUPLICATE_COSINE = 0.93
MAX_QUESTION_CHARS = 2000
MAX_ANSWER_CHARS = 8000
_YES_NO_WORDS = {"y": "yes", "yes": "yes", "true": "yes", "n": "no", "no": "no", "false": "no",
                 "partial": "partial", "partially": "partial", "na": "n/a", "n/a": "n/a", "n.a.": "n/a",
                 "not applicable": "n/a", "": None}
EXPORT_COLUMNS = ("id", "question", "answer", "yes_no", "source", "owner", "status", "last_reviewed", "review_due")


class LibraryError(TrustdeskError):
    """A library operation cannot be done as asked (unknown entry, bad value)."""


@dataclass
class ImportReport:
    added: list[tuple[str, str]] = field(default_factory=list)  # (id, question)
    changed: list[tuple[str, str]] = field(default_factory=list)
    unchanged: list[tuple[str, str]] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # the same question twice in one file, answered differently
    near_duplicates: list[tuple[str, str, str]] = field(default_factory=list)  # (question, similar question, why)
    problems: list[str] = field(default_factory=list)  # rows skipped, with the reason

    @property
    def touched(self) -> bool:
        return bool(self.added or self.changed)


def yes_no_value(raw: str) -> str | None:
    value = _YES_NO_WORDS.get(str(raw or "").strip().lower().rstrip("."), "?")
    if value == "?":
        raise ValueError(f"yes/no value {raw!r} is not one of {', '.join(YES_NO)}")
    return value


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def _date(raw: str) -> date | None:
    raw = (raw or "").strip()[:10]
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"review_due {raw!r} is not a date (YYYY-MM-DD)") from None


class Library:
    """One tenant's answer library and documents."""

    def __init__(self, records: Records, tenant: str, embed: Callable[[list[str]], "object"] | None = None):
        company_index(tenant)  # checks the name
        self.records = records
        self.tenant = tenant
        self.embed = embed  # texts -> unit vectors, for near-duplicate questions

    # --- reading -------------------------------------------------------------

    def entries(self, status: str | None = None) -> list[LibraryEntry]:
        if status is not None and status not in STATUSES:
            raise LibraryError(f"status {status!r} is not one of {', '.join(STATUSES)}")
        with self.records.session() as s:
            query = select(LibraryEntry).where(LibraryEntry.tenant == self.tenant)
            if status:
                query = query.where(LibraryEntry.status == status)
            return list(s.scalars(query.order_by(LibraryEntry.created_at, LibraryEntry.id)))

    def get(self, entry: str) -> LibraryEntry:
        with self.records.session() as s:
            found = s.get(LibraryEntry, entry)
            if found is None or found.tenant != self.tenant:
                raise LibraryError(f"no library entry {entry!r} for tenant {self.tenant}: "
                                   f"`trustdesk library list --tenant {self.tenant}` shows the IDs")
            return found

    def due(self, today: date | None = None) -> list[LibraryEntry]:
        today = today or date.today()
        return [e for e in self.entries("approved") if e.review_due is not None and e.review_due <= today]

    # --- writing -------------------------------------------------------------

    def import_rows(self, rows: list[dict[str, str]], status: str = "approved", origin: str = "") -> ImportReport:
        """Upsert rows by question: a report of added, changed and unchanged entries, conflicts and near-duplicates."""
        if status not in STATUSES:
            raise LibraryError(f"status {status!r} is not one of {', '.join(STATUSES)}")
        report = ImportReport()
        seen: dict[str, tuple[str, str]] = {}
        with self.records.session() as s:
            for row in rows:
                where = f"{origin} row {row.get('_row', '?')}".strip()
                try:
                    values = self._values(row, status)
                except ValueError as exc:
                    report.problems.append(f"{where}: {exc}")
                    continue
                key = question_key(values["question"])
                if key in seen:
                    if not _same_text(seen[key][1], values["answer"]):
                        report.conflicts.append(f"{where}: {values['question']!r} is answered differently on "
                                                f"{seen[key][0]}; kept the first")
                    continue
                seen[key] = (where, values["answer"])
                self._upsert(s, key, values, report)
        report.near_duplicates = self.near_duplicates([q for _, q in report.added + report.changed])
        return report

    def _values(self, row: dict[str, str], default_status: str) -> dict:
        # control characters (a NUL PostgreSQL refuses, a bell XLSX cannot hold) never enter the library
        row = {k: clean_text(v) if isinstance(v, str) else v for k, v in row.items()}
        question = (row.get("question") or "").strip()
        answer = (row.get("answer") or "").strip()
        if len(question) < 3 or not answer:
            raise ValueError("empty question or answer")
        if len(question) > MAX_QUESTION_CHARS or len(answer) > MAX_ANSWER_CHARS:
            raise ValueError(f"question or answer longer than {MAX_QUESTION_CHARS}/{MAX_ANSWER_CHARS} characters")
        status = (row.get("status") or default_status).strip().lower()
        if status not in STATUSES:
            raise ValueError(f"status {status!r} is not one of {', '.join(STATUSES)}")
        return {"question": question, "answer": answer, "yes_no": yes_no_value(row.get("yes_no", "")),
                "source": (row.get("source") or "").strip(), "owner": (row.get("owner") or "").strip(),
                "status": status, "review_due": _date(row.get("review_due", ""))}

    def _upsert(self, s, key: str, values: dict, report: ImportReport) -> None:
        existing = s.scalar(select(LibraryEntry).where(LibraryEntry.tenant == self.tenant,
                                                        LibraryEntry.question_key == key))
        if existing is None:
            entry = LibraryEntry(id=entry_id(self.tenant, values["question"]), tenant=self.tenant,
                                 question_key=key, **values)
            if entry.status == "approved":
                entry.last_reviewed = datetime.now(timezone.utc)
                entry.review_due = entry.review_due or (date.today() + REVIEW_INTERVAL)
            s.add(entry)
            report.added.append((entry.id, entry.question))
            return
        if values["status"] == "candidate" and existing.status == "approved" and not _same_text(existing.answer,
                                                                                                 values["answer"]):
            # a proposal never overwrites an approved answer: it waits beside it until someone approves it
            proposal_key = f"{key}~{hashlib.sha1(values['answer'].encode()).hexdigest()[:8]}"
            if s.scalar(select(LibraryEntry).where(LibraryEntry.tenant == self.tenant,
                                                   LibraryEntry.question_key == proposal_key)) is None:
                entry = LibraryEntry(id=entry_id(self.tenant, proposal_key), tenant=self.tenant,
                                     question_key=proposal_key, **values)
                s.add(entry)
                report.added.append((entry.id, entry.question))
            else:
                report.unchanged.append((existing.id, existing.question))
            return
        # the question matched by its key: a re-spelling is not a change, the stored wording stays
        differs = [k for k, v in values.items() if k != "question" and v not in (None, "") and getattr(existing, k) != v
                   and not (k == "answer" and _same_text(existing.answer, v))]
        if not differs:
            report.unchanged.append((existing.id, existing.question))
            return
        for k in differs:
            setattr(existing, k, values[k])
        report.changed.append((existing.id, existing.question))

    def add_candidate(self, question: str, answer: str, source: str = "", owner: str = "") -> tuple[LibraryEntry, bool]:
        """Propose an answer for review (Slack experts, reviewed questionnaires); an identical one is not added twice."""
        report = self.import_rows([{"question": question, "answer": answer, "source": source, "owner": owner,
                                    "status": "candidate"}], status="candidate")
        if report.problems:
            raise LibraryError(report.problems[0])
        entry_ref = (report.added or report.changed or report.unchanged)[0][0]
        return self.get(entry_ref), bool(report.added or report.changed)

    def approve(self, entry: str, reviewer: str = "") -> LibraryEntry:
        """Approve an entry; a proposal that differs from an approved answer replaces it (the old one is retired)."""
        proposal = self.get(entry)
        if "~" in proposal.question_key:
            base = proposal.question_key.split("~", 1)[0]
            with self.records.session() as s:
                old = s.scalar(select(LibraryEntry).where(LibraryEntry.tenant == self.tenant,
                                                          LibraryEntry.question_key == base))
                if old is not None:
                    old.status, old.question_key = "retired", f"{base}~{old.id}"
                    s.flush()
                s.get(LibraryEntry, entry).question_key = base
        return self._update(entry, status="approved", owner=reviewer or None, reviewed=True)

    def retire(self, entry: str) -> LibraryEntry:
        return self._update(entry, status="retired")

    def edit(self, entry: str, *, question: str | None = None, answer: str | None = None,
             yes_no: str | None = None, source: str | None = None) -> LibraryEntry:
        question, answer, source = (clean_text(v) if v is not None else None for v in (question, answer, source))
        if answer is not None and not answer.strip():
            raise LibraryError("an answer cannot be empty: retire the entry instead")
        return self._update(entry, question=question, answer=answer,
                            yes_no=yes_no_value(yes_no) if yes_no is not None else None, source=source)

    def _update(self, entry: str, *, reviewed: bool = False, **changes) -> LibraryEntry:
        self.get(entry)  # a clear error for an unknown ID
        with self.records.session() as s:
            row = s.get(LibraryEntry, entry)
            for key, value in changes.items():
                if value is not None:
                    setattr(row, key, value.strip() if isinstance(value, str) else value)
            if changes.get("question"):
                row.question_key = question_key(row.question)
            if reviewed:
                row.last_reviewed = datetime.now(timezone.utc)
                row.review_due = date.today() + REVIEW_INTERVAL
            return row

    def near_duplicates(self, questions: list[str]) -> list[tuple[str, str, str]]:
        """Library questions that ask nearly the same thing as `questions` (by wording, and by meaning if embedded)."""
        from rapidfuzz import fuzz, process

        others = [e.question for e in self.entries() if e.status != "retired"]
        found: list[tuple[str, str, str]] = []
        pairs: set[frozenset] = set()
        for question in questions:
            for other, score, _ in process.extract(question, others, scorer=fuzz.token_set_ratio,
                                                   score_cutoff=NEAR_DUPLICATE_FUZZ, limit=5):
                pair = frozenset((question_key(question), question_key(other)))
                if len(pair) == 2 and pair not in pairs:
                    pairs.add(pair)
                    found.append((question, other, f"wording {score:.0f}%"))
        if self.embed is not None and questions and others:
            a, b = self.embed(questions), self.embed(others)
            for i, j in zip(*((a @ b.T) >= NEAR_DUPLICATE_COSINE).nonzero()):
                pair = frozenset((question_key(questions[i]), question_key(others[j])))
                if len(pair) == 2 and pair not in pairs:
                    pairs.add(pair)
                    found.append((questions[i], others[j], f"meaning {float(a[i] @ b[j]):.2f}"))
        return found

    def export(self, path: Path) -> int:
        """Write every entry to CSV or XLSX (by suffix); returns the number written."""
        entries = self.entries()
        rows = [[str(getattr(e, c) or "") if c not in ("last_reviewed", "review_due")
                 else (getattr(e, c).isoformat()[:10] if getattr(e, c) else "") for c in EXPORT_COLUMNS]
                for e in entries]
        if path.suffix.lower() == ".xlsx":
            from openpyxl import Workbook

            book = Workbook()
            sheet = book.active
            sheet.title = "Answer library"
            sheet.append(list(EXPORT_COLUMNS))
            for row in rows:
                sheet.append(row)
                for cell in sheet[sheet.max_row]:
                    cell.data_type = "s"  # an answer starting with '=' stays text
            book.save(path)
        else:
            with path.open("w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(EXPORT_COLUMNS)
                writer.writerows([[csv_safe(v) for v in row] for row in rows])
        return len(rows)

    # --- documents -------------------------------------------------------------

    def store_documents(self, docs: list[DocumentText], prune: bool = False) -> dict[str, list[str]]:
        """Add or update documents by name; with `prune`, remove the tenant's documents not in `docs`."""
        report: dict[str, list[str]] = {"added": [], "changed": [], "unchanged": [], "removed": []}
        with self.records.session() as s:
            stored = {d.name: d for d in s.scalars(select(CompanyDocument).where(CompanyDocument.tenant == self.tenant))}
            for doc in docs:
                digest = hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
                old = stored.get(doc.name)
                if old is None:
                    s.add(CompanyDocument(tenant=self.tenant, name=doc.name, title=doc.title, kind=doc.kind,
                                          text=doc.text, sha256=digest))
                    report["added"].append(doc.name)
                elif old.sha256 != digest or old.title != doc.title:
                    old.title, old.kind, old.text, old.sha256 = doc.title, doc.kind, doc.text, digest
                    old.ingested_at = datetime.now(timezone.utc)
                    report["changed"].append(doc.name)
                else:
                    report["unchanged"].append(doc.name)
            if prune:
                keep = {d.name for d in docs}
                for name, old in stored.items():
                    if name not in keep:
                        s.delete(old)
                        report["removed"].append(name)
        return report

    def documents(self) -> list[CompanyDocument]:
        with self.records.session() as s:
            return list(s.scalars(select(CompanyDocument).where(CompanyDocument.tenant == self.tenant)
                                  .order_by(CompanyDocument.name)))

    # --- what the tenant's index holds -------------------------------------------

    def corpus(self) -> list[CorpusDoc]:
        """Approved entries and documents as corpus documents, for `ingest`."""
        docs = [entry_document(e) for e in self.entries("approved")]
        used = {d.meta.id for d in docs}
        for stored in self.documents():
            doc = document_corpus_doc(stored, used)
            used.add(doc.meta.id)
            docs.append(doc)
        return docs


def entry_document(entry: LibraryEntry) -> CorpusDoc:
    title = entry.question if len(entry.question) <= 200 else entry.question[:197] + "..."
    meta = DocMeta(id=entry.id, framework="company", kind="company", title=title if len(title) >= 3 else "Answer",
                   theme="answer library", related=[])
    source = f"answer library ({entry.source})" if entry.source else "answer library"
    return CorpusDoc(meta=meta, body=f"## {APPROVED_ANSWER}\n\n{entry.answer}\n", source=source)


def document_corpus_doc(stored: CompanyDocument, used: set[str]) -> CorpusDoc:
    """A stored document as a corpus document: its own front matter if it has valid one, else its text."""
    if stored.kind == "md" and stored.text.startswith("---\n"):
        try:
            doc = parse_markdown(stored.text.encode("utf-8"), stored.name, framework="company")
            if doc.meta.framework == "company" and doc.meta.id not in used:
                return doc
        except ValueError:
            pass
    stem = re.sub(r"[^a-z0-9]+", "-", PurePosixPath(stored.name).stem.lower()).strip("-") or "document"
    doc_id = (stem if stem not in used else re.sub(r"[^a-z0-9]+", "-", stored.name.lower()).strip("-"))[:80]
    if not doc_id or doc_id in used:  # names of other scripts ("政策.md", "規則.md") slug to the same ID
        doc_id = f"{stem[:69]}-{hashlib.sha1(stored.name.encode('utf-8')).hexdigest()[:10]}"
    meta = DocMeta(id=doc_id, framework="company", kind="company", title=stored.title, theme="policy")
    body = stored.text
    if body.startswith("---\n") and body.find("\n---", 4) > 0:
        body = body[body.find("\n---", 4) + 4:].split("\n", 1)[-1]
    return CorpusDoc(meta=meta, body=body.strip() + "\n", source=stored.name)


def rebuild_index(library: Library, store, progress=None):
    """Publish the tenant's index from its approved entries and documents (incremental)."""
    from ingest.pipeline import ingest

    docs = library.corpus()
    if not docs:
        raise LibraryError(f"tenant {library.tenant} has no approved entries or documents yet: "
                           f"`trustdesk company ingest DIR --tenant {library.tenant}` or `trustdesk library import`")
    return ingest(docs, store, company_index(library.tenant), progress=progress, records=library.records)

