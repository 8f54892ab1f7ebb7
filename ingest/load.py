"""Read corpus files into validated documents.

Every problem is collected as a `path: reason` line, so one run reports every
bad file at once; `load_corpus` raises `CorpusInvalid` if there is any.

>>> docs = load_corpus(Path("corpus"))          # doctest: +SKIP
>>> docs[0].meta.id                              # doctest: +SKIP
'A.5.1'
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from ingest.errors import CorpusInvalid
from ingest.schema import DocMeta

# Folders of the corpus that never go into the standards collection.
EXCLUDED_DIRS = {"examples"}
MAX_FILE_BYTES = 2_000_000
MAX_FRONT_MATTER_CHARS = 16_000  # the largest real one is under 1,000: long text belongs in the body
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class CorpusDoc:
    meta: DocMeta
    body: str
    source: str  # path as shown to users and stored in citations


def _decode(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 (byte {exc.start}); save the file as UTF-8") from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    bad = _CONTROL_CHARS.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise ValueError(f"control character {bad.group()!r} on line {line}")
    return text


class _FrontMatterLoader(yaml.SafeLoader):
    """Safe YAML that also refuses a key given twice (plain safe_load silently keeps the last one)."""

    def construct_mapping(self, node, deep=False):
        self.flatten_mapping(node)  # YAML merge keys ('<<') first, as the safe loader does
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (str, int, float, bool)) and key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"key {key!r} is given twice",
                                                        key_node.start_mark)
            seen.add(key if isinstance(key, (str, int, float, bool)) else id(key_node))
        return super().construct_mapping(node, deep)


def _front_matter(text: str) -> object:
    """The parsed YAML between the '---' lines; ValueError with the line of the problem."""
    if len(text) > MAX_FRONT_MATTER_CHARS:
        raise ValueError(f"front matter is {len(text):,} characters, over the limit of {MAX_FRONT_MATTER_CHARS:,}: "
                         "keep long text in the body")
    try:
        return yaml.load(text, Loader=_FrontMatterLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" on line {mark.line + 2}" if mark else ""
        raise ValueError(f"malformed front matter{line}: {getattr(exc, 'problem', exc)}") from None
    except RecursionError:
        raise ValueError("malformed front matter: it nests lists or mappings too deeply") from None


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    if err["type"] == "string_pattern_mismatch" and where == "id":
        return (f"front matter id {err['input']!r} may hold only letters, digits, '.', '_' and '-' "
                "(e.g. CC6.1, A.8.24, soc2-type1-vs-type2)")
    message = err["msg"].removeprefix("Value error, ")
    return f"front matter {where + ': ' if where else ''}{message}"


def parse_markdown(raw: bytes, source: str, *, framework: str | None = None) -> CorpusDoc:
    """Parse one markdown file with YAML front matter; raise ValueError with a reason."""
    if len(raw) > MAX_FILE_BYTES:
        raise ValueError(f"file is larger than {MAX_FILE_BYTES:,} bytes")
    text = _decode(raw)
    if not text.startswith("---\n"):
        raise ValueError("missing front matter: the file must start with a '---' line")
    end = text.find("\n---", 4)
    if end < 0:
        raise ValueError("front matter is not closed by a '---' line")
    data = _front_matter(text[4:end])
    if not isinstance(data, dict):
        raise ValueError("front matter must be a YAML mapping of fields")
    if framework is not None:
        data.setdefault("framework", framework)
        data.setdefault("kind", framework)
    try:
        meta = DocMeta.model_validate(data)
    except ValidationError as exc:
        raise ValueError(_first_error(exc)) from None
    body = text[end + 4 :].split("\n", 1)[1] if "\n" in text[end + 4 :] else ""
    if not body.strip():
        raise ValueError("the document has no body after its front matter")
    return CorpusDoc(meta=meta, body=body.strip() + "\n", source=source)


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root.parent).as_posix()
    except ValueError:
        return path.as_posix()


def corpus_files(root: Path) -> list[Path]:
    """The markdown files of a standards corpus, in a stable order."""
    files = []
    for path in sorted(root.rglob("*.md")):
        rel = path.relative_to(root)
        if path.name == "README.md" or any(part in EXCLUDED_DIRS for part in rel.parts[:-1]):
            continue
        files.append(path)
    return files


def load_corpus(root: Path) -> list[CorpusDoc]:
    """Load and validate every file of a standards corpus."""
    if not root.is_dir():
        raise CorpusInvalid([f"{root}: corpus folder not found"])
    return _load(corpus_files(root), root)


def _load(files: list[Path], root: Path, *, framework: str | None = None) -> list[CorpusDoc]:
    docs: list[CorpusDoc] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for path in files:
        source = _display(path, root)
        try:
            doc = parse_markdown(path.read_bytes(), source, framework=framework)
        except (ValueError, OSError) as exc:
            problems.append(f"{source}: {exc}")
            continue
        if doc.meta.id in seen:
            problems.append(f"{source}: id {doc.meta.id} is already used by {seen[doc.meta.id]}")
            continue
        seen[doc.meta.id] = source
        docs.append(doc)
    if problems:
        raise CorpusInvalid(problems)
    if not docs:
        raise CorpusInvalid([f"{root}: no corpus files (*.md with front matter) found"])
    return docs


# --- a company's own documents ------------------------------------------------

ANSWER_LIBRARY_COLUMNS = ("question", "answer")


def _answer_rows(path: Path, source: str) -> list[CorpusDoc]:
    text = _decode(path.read_bytes())
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ANSWER_LIBRARY_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"answer library needs the columns {', '.join(missing)}")
    docs = []
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-._") or "answers"  # an ID holds no spaces
    for n, row in enumerate(reader, start=2):
        question = (row.get("question") or "").strip()
        answer = (row.get("answer") or "").strip()
        if not question or not answer:
            raise ValueError(f"row on line {n} has an empty question or answer")
        policy = (row.get("source_policy") or "").strip()
        meta = DocMeta(
            id=f"{stem}-{n - 1}",
            framework="company",
            kind="company",
            title=question[:200] if len(question) >= 3 else f"Approved answer {n - 1}",
            theme="answer library",
            related=[policy] if policy else [],
        )
        docs.append(CorpusDoc(meta=meta, body=f"## Approved answer\n\n{answer}\n", source=f"{source}#row{n - 1}"))
    return docs


def load_company(root: Path) -> list[CorpusDoc]:
    """Load a company's policies (*.md) and answer libraries (*.csv)."""
    if not root.is_dir():
        raise CorpusInvalid([f"{root}: company folder not found"])
    md = [p for p in sorted(root.rglob("*.md")) if p.name != "README.md"]
    docs: list[CorpusDoc] = []
    problems: list[str] = []
    try:
        docs = _load(md, root, framework="company") if md else []
    except CorpusInvalid as exc:
        problems.extend(exc.problems)
    for path in sorted(root.rglob("*.csv")):
        try:
            docs.extend(_answer_rows(path, _display(path, root)))
        except (ValueError, OSError, csv.Error) as exc:
            problems.append(f"{_display(path, root)}: {exc}")
    if problems:
        raise CorpusInvalid(problems)
    if not docs:
        raise CorpusInvalid([f"{root}: no company documents (*.md or answer-library *.csv) found"])
    return docs
