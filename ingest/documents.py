"""A company's own documents as text: md, txt, pdf (pypdf), docx (python-docx) and html.

Each reader returns the text with its headings as `## ` lines, so a policy is
chunked by section like the corpus. What cannot be read raises
`Unreadable` with a reason a person can act on (an encrypted PDF, a scan
without text, a corrupt file), and one bad file never stops the others.

>>> read_document(b"# Access control\\n\\nMFA everywhere.", "access.md").title
'Access control'
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

DOCUMENT_SUFFIXES = {".md": "md", ".markdown": "md", ".txt": "txt", ".pdf": "pdf", ".docx": "docx",
                     ".html": "html", ".htm": "html"}
MIN_TEXT_CHARS = 40  # less than this from a whole PDF means it is a scan
# An OOXML file (docx, xlsx) unpacks to at most this much, and at most this many times its size.
MAX_UNPACKED_BYTES = 200_000_000
MAX_RATIO = 120
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEADING = re.compile(r"^#{1,3}\s+(.+?)\s*#*\s*$", re.M)
# Control characters other than tab and newlines: invisible in a policy, refused by PostgreSQL (NUL) and by
# XLSX (most of them), and able to drive a terminal (ESC). Extracted text never keeps them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Unreadable(ValueError):
    """This file cannot be read as text; the message says why and what to do."""


@dataclass(frozen=True)
class DocumentText:
    name: str  # path inside the folder, POSIX style
    title: str
    kind: str  # md, txt, pdf, docx, html
    text: str  # markdown-ish: `## ` headings, paragraphs


def clean_text(text: str) -> str:
    """`text` without control characters (tab and newlines stay): what a document or an answer may hold."""
    return _CONTROL.sub(lambda m: "" if m.group() == "\x00" else " ", text)


def decode_text(raw: bytes) -> str:
    """Bytes -> text: UTF-8 (with or without BOM), UTF-16 with BOM, else the encoding charset-normalizer finds."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise Unreadable("is not text in any encoding trustdesk recognises: save it as UTF-8")
    return str(best)


def decode_csv(raw: bytes) -> str:
    """A CSV's text (as `decode_text`); a NUL character means a binary file or an export gone wrong, not a table."""
    text = decode_text(raw)
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise Unreadable(f"holds a NUL character on line {line}, so it is not a plain-text CSV: "
                         "export it again as CSV (UTF-8), or upload the .xlsx")
    return text


def check_zip(raw: bytes, what: str) -> zipfile.ZipFile:
    """Open an OOXML container, refusing a password-protected file and a zip bomb before anything unpacks it."""
    if raw.startswith(_OLE_MAGIC):
        raise Unreadable(f"is password-protected or an old binary {what} (.doc/.xls): save an unprotected "
                         f"copy in the current format (.{what})")
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise Unreadable(f"is not a readable .{what} file (corrupt or truncated?): open and re-save it") from None
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_RATIO * max(len(raw), 1) + 10_000_000:
        raise Unreadable(f"unpacks to {unpacked:,} bytes from {len(raw):,}: refused as a likely zip bomb (if the file "
                         "is genuine, open it and save it again, or split it)")
    return archive


def _title_from(text: str, fallback: str) -> str:
    match = _HEADING.search(text)
    title = (match.group(1) if match else fallback).strip()
    return (title[:197] + "...") if len(title) > 200 else (title if len(title) >= 3 else f"Document {fallback}")


def _as_sections(text: str) -> str:
    """Top-level `#` and `###` headings become `##`, the level the chunker splits on."""
    return re.sub(r"^#{1,3}\s+", "## ", text, flags=re.M)


def _markdown(raw: bytes) -> str:
    # front matter (a trust pack's policies carry one) is kept: the index reads its title and aliases
    return decode_text(raw).replace("\r\n", "\n")


def _front_matter_title(text: str) -> str | None:
    if not text.startswith("---\n") or text.find("\n---", 4) < 0:
        return None
    match = re.search(r"^title:\s*(.+)$", text[4:text.find("\n---", 4)], re.M)
    return match.group(1).strip().strip("\"'") if match else None


def _pdf(raw: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PyPdfError

    locked = Unreadable("is encrypted (password-protected): save an unprotected copy and ingest that")
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise locked
        pages = [page.extract_text() or "" for page in reader.pages]
    except Unreadable:
        raise
    except DependencyError as exc:  # AES encryption (Acrobat's default) needs the optional `cryptography` package
        if "crypt" in str(exc).lower() or "AES" in str(exc):
            raise locked from None
        raise Unreadable(f"is not a PDF trustdesk can read ({exc}): save or print it to PDF again") from None
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        if "decrypt" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise locked from None
        raise Unreadable(f"is not a readable PDF ({type(exc).__name__}: corrupt or truncated?): open it and save "
                         "or print it to PDF again") from None
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if len(text.strip()) < MIN_TEXT_CHARS:
        raise Unreadable(f"has no text layer ({len(reader.pages)} page(s) of images: a scan?): "
                         "run OCR on it and ingest the result")
    return text


def _docx(raw: bytes) -> str:
    import docx

    check_zip(raw, "docx")
    try:
        document = docx.Document(io.BytesIO(raw))
    except Exception as exc:  # python-docx raises KeyError, lxml, attribute and value errors for a broken package
        reason = "not a Word document" if "content type" in str(exc) or "no item named" in str(exc) else \
            f"{type(exc).__name__}"
        raise Unreadable(f"is not a readable Word document ({reason}: corrupt, or another file renamed to .docx): "
                         "open it in Word and save it as .docx") from None
    lines: list[str] = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
        lines.append(f"## {text}" if style.startswith(("heading", "title")) else text)
    for table in document.tables:
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells if c.text.strip()]
            if cells:
                lines.append(" | ".join(dict.fromkeys(cells)))
    if not lines:
        raise Unreadable("has no text")
    return "\n\n".join(lines)


class _HtmlText(HTMLParser):
    SKIP = {"script", "style", "noscript", "template", "svg", "head"}
    BLOCK = {"p", "div", "li", "tr", "br", "section", "article", "table", "ul", "ol", "pre", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        if tag == "title":
            self._in_title = True
        elif tag in ("h1", "h2", "h3"):
            self.parts.append("\n\n## ")
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skip:
            self._skip -= 1
        if tag == "title":
            self._in_title = False
        elif tag in ("h1", "h2", "h3") or tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.parts.append(data)


def _html(raw: bytes) -> str:
    parser = _HtmlText()
    parser.feed(decode_text(raw))
    parser.close()
    text = re.sub(r"[ \t]+", " ", "".join(parser.parts))
    text = re.sub(r"\n\s*\n+", "\n\n", text).strip()
    if parser.title.strip() and not text.startswith("## "):
        text = f"# {parser.title.strip()}\n\n{text}"
    return text


_READERS = {"md": _markdown, "txt": lambda raw: decode_text(raw).replace("\r\n", "\n"), "pdf": _pdf,
            "docx": _docx, "html": _html}


def read_document(raw: bytes, name: str) -> DocumentText:
    """One file's text, or `Unreadable` saying why not."""
    kind = DOCUMENT_SUFFIXES.get(PurePosixPath(name).suffix.lower())
    if kind is None:
        raise Unreadable(f"is not a supported document type (use {', '.join(sorted(set(DOCUMENT_SUFFIXES)))})")
    utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff"))
    if kind in ("md", "txt", "html") and not utf16 and b"\x00" in raw:
        raise Unreadable("looks binary, not text (it holds NUL bytes): export it as text, PDF or Word")
    text = clean_text(_READERS[kind](raw)).strip()
    if not text:
        raise Unreadable("has no text")
    title = _front_matter_title(text) or _title_from(
        text, PurePosixPath(name).stem.replace("-", " ").replace("_", " ").strip().capitalize())
    if kind != "md" or _front_matter_title(text) is None:
        text = _as_sections(text)
    return DocumentText(name=name, title=title[:200], kind=kind, text=text.strip() + "\n")


def document_files(root: Path) -> list[Path]:
    """The supported documents under a folder, in a stable order (README files and dotfiles aside)."""
    return [p for p in sorted(root.rglob("*"))
            if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES and p.name.lower() != "readme.md"
            and not any(part.startswith(".") for part in p.relative_to(root).parts)]
