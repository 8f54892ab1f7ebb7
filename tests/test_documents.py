"""Company documents of every supported type, and a clear reason for each one that cannot be read."""

from __future__ import annotations

import io

import pytest

from ingest.documents import Unreadable, read_document


def pdf_with_text(text: str) -> bytes:
    """A minimal, valid one-page PDF whose content stream shows `text` (Helvetica)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def test_pdf_text_is_read():
    doc = read_document(pdf_with_text("Backups are encrypted and restored quarterly as a test."), "backup.pdf")
    assert "restored quarterly" in doc.text and doc.kind == "pdf"


def test_encrypted_scanned_and_corrupt_pdfs_say_why():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    scan = io.BytesIO()
    writer.write(scan)
    with pytest.raises(Unreadable, match="no text layer"):
        read_document(scan.getvalue(), "scan.pdf")
    writer.encrypt("secret")
    locked = io.BytesIO()
    writer.write(locked)
    with pytest.raises(Unreadable, match="encrypted"):
        read_document(locked.getvalue(), "locked.pdf")
    with pytest.raises(Unreadable, match="not a readable PDF"):
        read_document(b"%PDF-1.4 garbage", "broken.pdf")


def test_docx_headings_paragraphs_and_tables():
    import docx

    document = docx.Document()
    document.add_heading("Access control policy", level=1)
    document.add_paragraph("Administrators sign in with MFA.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Review", "Quarterly"
    raw = io.BytesIO()
    document.save(raw)
    doc = read_document(raw.getvalue(), "policies/access.docx")
    assert doc.title == "Access control policy" and "## Access control policy" in doc.text
    assert "MFA" in doc.text and "Review | Quarterly" in doc.text
    with pytest.raises(Unreadable, match="password-protected"):
        read_document(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.docx")
    with pytest.raises(Unreadable, match="corrupt"):
        read_document(b"PK\x03\x04 broken", "broken.docx")


def test_html_drops_scripts_and_keeps_headings():
    page = b"<html><head><title>Trust</title><style>p{}</style></head><body><script>steal()</script>" \
           b"<h2>Encryption</h2><p>TLS 1.2+ everywhere.</p></body></html>"
    doc = read_document(page, "trust.html")
    assert "steal" not in doc.text and "## Encryption" in doc.text and "TLS 1.2+" in doc.text


def test_text_in_other_encodings_and_binary_text_files():
    assert "données" in read_document("Les données sont chiffrées au repos.".encode("cp1252"), "note.txt").text
    assert "MFA" in read_document("\ufeffMFA for all staff.".encode("utf-16"), "u16.txt").text
    with pytest.raises(Unreadable, match="binary"):
        read_document(b"\x00\x01\x02" * 100, "blob.txt")
    with pytest.raises(Unreadable, match="not a supported"):
        read_document(b"x", "sheet.numbers")


@pytest.mark.slow
def test_company_ingest_stores_the_good_files_and_names_the_bad(tmp_path, standards_data):
    import os
    import subprocess
    import sys
    from pathlib import Path

    folder = tmp_path / "pack"
    (folder / "policies").mkdir(parents=True)
    (folder / "policies" / "backup.pdf").write_bytes(pdf_with_text("Backups run nightly and are kept 35 days."))
    (folder / "policies" / "locked.pdf").write_bytes(b"%PDF-1.4 garbage")
    (folder / "security.md").write_text("# Security overview\n\nAll production access requires MFA.\n")
    (folder / "answers.csv").write_text("question,answer,yes_no\nDo you back up data?,Yes. Nightly.,yes\n")
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "TRUSTDESK_DATA_DIR": str(standards_data), "TRUSTDESK_CORPUS_DIR": str(root / "corpus")}
    run = subprocess.run([sys.executable, "-m", "ui.cli", "company", "ingest", str(folder), "--tenant", "packtest"],
                         env=env, capture_output=True, text=True, cwd=root)
    assert run.returncode == 1
    stderr = " ".join(run.stderr.split())
    assert "policies/locked.pdf: is not a readable PDF" in stderr and "everything else was stored" in stderr
    assert "documents 2 added" in " ".join(run.stdout.split())
    assert "published" in " ".join(run.stdout.split())
    ask = subprocess.run([sys.executable, "-m", "ui.cli", "ask", "how long do you keep backups?", "--tenant",
                          "packtest", "--json"], env=env, capture_output=True, text=True, cwd=root)
    assert "35 days" in ask.stdout
