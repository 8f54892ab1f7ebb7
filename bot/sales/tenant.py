"""`trustdesk company ingest DIR --tenant NAME`: a folder of policies and answer libraries into the records database.

Documents (md, txt, pdf, docx, html) are stored as text; CSV and XLSX files
with question and answer columns are imported into the answer library as
approved entries (a company's existing library is its approved material).
Every file that cannot be read is reported with its reason, and the others
still go in. Then the tenant's index is rebuilt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.sales.library import ImportReport, Library, LibraryError
from ingest.documents import DocumentText, Unreadable, document_files, read_document
from ingest.tables import read_table

TABLE_SUFFIXES = {".csv", ".xlsx", ".xlsm"}


@dataclass
class FolderReport:
    documents: dict[str, list[str]] = field(default_factory=dict)
    library: list[tuple[str, ImportReport]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "name: reason", one per file not taken

    @property
    def taken(self) -> int:
        return sum(len(v) for k, v in self.documents.items() if k != "removed") + len(self.library)


def read_folder(folder: Path, max_bytes: int) -> tuple[list[DocumentText], list[tuple[Path, str]], list[str]]:
    """The readable documents, the library tables, and one problem line per file that cannot be read."""
    if not folder.is_dir():
        raise LibraryError(f"{folder} is not a folder: give the folder that holds the company's policies and "
                           "answer libraries")
    docs: list[DocumentText] = []
    problems: list[str] = []
    for path in document_files(folder):
        name = path.relative_to(folder).as_posix()
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise Unreadable(f"is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit")
            docs.append(read_document(path.read_bytes(), name))
        except Unreadable as exc:
            problems.append(f"{name}: {exc}")
        except OSError as exc:
            problems.append(f"{name}: cannot be read ({exc.strerror or exc})")
    tables = [(p, p.relative_to(folder).as_posix()) for p in sorted(folder.rglob("*"))
              if p.is_file() and p.suffix.lower() in TABLE_SUFFIXES
              and not any(part.startswith(".") for part in p.relative_to(folder).parts)]
    return docs, tables, problems


def ingest_folder(library: Library, folder: Path, *, max_bytes: int = 25_000_000, prune: bool = False) -> FolderReport:
    docs, tables, problems = read_folder(folder, max_bytes)
    report = FolderReport(problems=problems)
    for path, name in tables:
        try:
            rows = read_table(path, max_bytes)
        except Unreadable as exc:
            report.problems.append(f"{name}: {exc}")
            continue
        report.library.append((name, library.import_rows(rows, status="approved", origin=name)))
    report.documents = library.store_documents(docs, prune=prune)
    return report


def load_pack(folder: Path, tenant: str, records, store, embed=None) -> FolderReport:
    """A trust pack folder as a tenant, index included (what `company ingest` does; evals and demos use it too)."""
    from bot.sales.library import rebuild_index

    library = Library(records, tenant, embed)
    report = ingest_folder(library, folder)
    rebuild_index(library, store)
    return report


def tenants(records) -> list[str]:
    """The tenants that have an answer library or documents in the records database, sorted."""
    from sqlalchemy import select, union

    from ingest.records import CompanyDocument, LibraryEntry

    with records.session() as s:
        return sorted(s.scalars(union(select(LibraryEntry.tenant), select(CompanyDocument.tenant))))
