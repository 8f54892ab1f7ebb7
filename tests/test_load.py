"""Bad corpus files are named with a reason; nothing half-valid gets through."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import CorpusInvalid
from ingest.load import load_company, load_corpus, parse_markdown

GOOD = b"""---
id: CC6.1
framework: soc2
kind: criterion
title: Logical access
theme: Logical and physical access controls
category: security
---

## What it requires

CC6.1 requires logical access controls.
"""


def test_good_file_parses():
    doc = parse_markdown(GOOD, "x.md")
    assert doc.meta.id == "CC6.1" and "## What it requires" in doc.body


@pytest.mark.parametrize("raw,reason", [
    (b"\xff\xfe not utf-8", "not UTF-8"),
    (b"no front matter here\n", "missing front matter"),
    (b"---\nid: X\n", "not closed"),
    (b"---\nid: [unclosed\n---\nbody\n", "malformed front matter"),
    (b"---\n- a list\n---\nbody\n", "mapping"),
    (GOOD.replace(b"framework: soc2", b"framework: nist"), "framework"),
    (GOOD.replace(b"kind: criterion", b"kind: control"), "does not fit"),
    (GOOD.replace(b"category: security\n", b""), "category"),
    (GOOD.replace(b"title: Logical access", b"title: ''"), "title"),
    (GOOD.replace(b"category: security", b"category: security\nsurprise: 1"), "surprise"),
    (GOOD.split(b"## What")[0], "no body"),
    (GOOD.replace(b"CC6.1 requires", b"CC6.1 \x07requires"), "control character"),
])
def test_bad_files_say_why(raw, reason):
    with pytest.raises(ValueError, match=reason):
        parse_markdown(raw, "x.md")


def test_every_bad_file_is_listed_with_its_path(tmp_path):
    (tmp_path / "soc2").mkdir()
    (tmp_path / "soc2" / "CC6.1.md").write_bytes(GOOD)
    (tmp_path / "soc2" / "bad.md").write_bytes(b"\xff\xfe")
    (tmp_path / "soc2" / "dup.md").write_bytes(GOOD)
    with pytest.raises(CorpusInvalid) as info:
        load_corpus(tmp_path)
    problems = "\n".join(info.value.problems)
    assert "soc2/bad.md: not UTF-8" in problems
    assert "soc2/dup.md: id CC6.1 is already used by" in problems


def test_readme_and_examples_are_not_corpus(tmp_path):
    (tmp_path / "README.md").write_text("# not a corpus file")
    (tmp_path / "examples" / "acme").mkdir(parents=True)
    (tmp_path / "examples" / "acme" / "x.md").write_text("no front matter")
    (tmp_path / "CC6.1.md").write_bytes(GOOD)
    assert [d.meta.id for d in load_corpus(tmp_path)] == ["CC6.1"]


def test_empty_or_missing_corpus(tmp_path):
    with pytest.raises(CorpusInvalid, match="no corpus files"):
        load_corpus(tmp_path)
    with pytest.raises(CorpusInvalid, match="not found"):
        load_corpus(tmp_path / "nope")


def test_answer_library_rows_become_documents(tmp_path):
    (tmp_path / "answers.csv").write_text('question,answer,source_policy\n"Do you use MFA?","Yes, everywhere.",access\n')
    [doc] = load_company(tmp_path)
    assert doc.meta.framework == "company" and doc.meta.title == "Do you use MFA?"
    assert "Yes, everywhere." in doc.body


def test_answer_library_with_wrong_columns_is_rejected(tmp_path):
    (tmp_path / "answers.csv").write_text("q,a\nx,y\n")
    with pytest.raises(CorpusInvalid, match="answers.csv: answer library needs the columns question, answer"):
        load_company(tmp_path)
