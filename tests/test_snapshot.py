"""The cold reader's shortcuts (`ingest.snapshot`): Chroma's catalog read without Chroma, and each generation's
copy. They must agree with Chroma exactly, and anything odd about them must send the reader back to Chroma."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot import Assistant, Settings
from bot.retrieve import Retriever
from ingest import Store, ingest, load_corpus, snapshot
from ingest.store import STANDARDS
from tests.faults_kit import read_only, seed_intents  # noqa: F401 (a fixture)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The four-document corpus, ingested once for the tests below that only read it (each reads a copy)."""
    from tests.conftest import CORPUS, TINY

    root = tmp_path_factory.mktemp("snapshot")
    for rel in TINY:
        (root / "corpus" / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CORPUS / rel, root / "corpus" / rel)
    ingest(load_corpus(root / "corpus"), Store(root / "data"))
    return root / "data"


@pytest.fixture
def data(built, tmp_path) -> Path:
    """A copy of the ingested data directory, this test's to change."""
    return Path(shutil.copytree(built, tmp_path / "data"))


def fresh(data: Path, **kwargs) -> Store:
    """A Store as a new process has it: Chroma not opened yet."""
    return Store(data, **kwargs)


def through_chroma(data: Path) -> Store:
    store = Store(data)
    _ = store.client  # a store that talks to Chroma keeps asking Chroma
    return store


def test_the_catalog_read_directly_agrees_with_chroma(tiny_corpus, tmp_path):
    data = tmp_path / "data"
    first = ingest(load_corpus(tiny_corpus), Store(data, retire_after=3600))
    path = tiny_corpus / "soc2" / "CC7.2.md"
    path.write_text(path.read_text().replace("## How teams meet it\n", "## How teams meet it\n\nA new first line.\n"))
    builder = Store(data, retire_after=3600)
    second = ingest(load_corpus(tiny_corpus), builder)
    builder.new_generation(STANDARDS, "all-MiniLM-L6-v2", "2026-12-01T00:00:00+00:00")  # a crashed build
    assert first.collection != second.collection

    direct, chroma = fresh(data), through_chroma(data)
    assert direct._catalog() is not None and chroma._catalog() is None
    assert direct.published(STANDARDS) == chroma.published(STANDARDS)
    assert direct.published(STANDARDS).collection == second.collection  # newest published, not the retired one
    assert direct.published(STANDARDS).uid == str(chroma.collection(second.collection).id)
    assert direct.published("company-nobody") is None and chroma.published("company-nobody") is None


def test_a_generation_copy_is_exactly_what_chroma_holds(data):
    chroma = through_chroma(data)
    published = chroma.published(STANDARDS)
    truth = chroma.collection(published.collection).get(include=["documents", "metadatas", "embeddings"])
    copy = snapshot.read_chunks(chroma.snapshots, published.collection, published.uid)
    assert copy is not None, "publishing writes the copy, before readers can see the generation"
    assert copy["ids"] == list(truth["ids"]) and copy["documents"] == list(truth["documents"])
    assert copy["metadatas"] == [dict(m) for m in truth["metadatas"]]
    assert np.array_equal(copy["embeddings"], np.asarray(truth["embeddings"], dtype=np.float32))


def answer_cold(data: Path, question: str) -> dict:
    """Ask in a new process; say what it imported."""
    code = (
        "import json, sys\n"
        "from bot import Assistant, Settings\n"
        f"a = Assistant(Settings(data_dir={str(data)!r}, corpus_dir={str(ROOT / 'corpus')!r}))\n"
        f"answer = a.ask({question!r})\n"
        "print(json.dumps({'cited': answer.cited_ids, 'text': answer.text,\n"
        "                  'imported': sorted(m for m in ('chromadb', 'bm25s', 'scipy', 'sqlalchemy', 'torch')\n"
        "                                     if m in sys.modules)}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.slow
def test_a_cold_question_needs_neither_chroma_nor_bm25s_and_answers_the_same(data, seed_intents):
    seed_intents(data)
    question = "How should we review access for people who leave?"
    first = answer_cold(data, question)  # builds the BM25 index and keeps it
    assert "chromadb" not in first["imported"] and "bm25s" in first["imported"]
    second = answer_cold(data, question)
    assert second["imported"] == [], "a second cold reader loads everything it needs from the copies"
    assert second["cited"] == first["cited"] and second["text"] == first["text"]

    for copy in (data / "snapshots").iterdir():
        copy.unlink()
    from_chroma = answer_cold(data, question)
    assert "chromadb" in from_chroma["imported"] and from_chroma["cited"] == first["cited"]
    assert from_chroma["text"] == first["text"]
    assert sorted(p.name.split(".")[-2].split("-")[0] for p in (data / "snapshots").iterdir()) == ["bm25", "chunks"]


@pytest.mark.parametrize("damage", ["garbage", "torn", "another collection"])
def test_a_damaged_copy_is_ignored_and_chroma_answers(data, damage, caplog):
    published = fresh(data).published(STANDARDS)
    copy = snapshot.path(data / "snapshots", published.collection, published.uid, snapshot.CHUNKS)
    whole = copy.read_bytes()
    if damage == "garbage":
        copy.write_bytes(b"not a numpy archive")
    elif damage == "torn":
        copy.write_bytes(whole[: len(whole) // 2])
    else:  # a sound file that describes something else
        other = snapshot.read_chunks(data / "snapshots", published.collection, published.uid)
        snapshot.write_chunks(data / "snapshots", "td-standards-g9", published.uid, other)
        os.replace(snapshot.path(data / "snapshots", "td-standards-g9", published.uid, snapshot.CHUNKS), copy)

    retriever = Retriever(fresh(data))
    assert "ignoring" in caplog.text
    truth = through_chroma(data).collection(published.collection).get(include=["documents"])
    assert retriever.ids == list(truth["ids"]) and retriever.texts == list(truth["documents"])
    assert snapshot.read_chunks(data / "snapshots", published.collection, published.uid) is not None, "rewritten"


def test_a_rebuilt_folder_never_reads_an_old_copy(built, tiny_corpus, tmp_path):
    """Generation numbers restart at g1 when Chroma's folder is deleted and rebuilt, and the copies of the old
    folder stay beside it: they are filed by collection id, which Chroma draws anew."""
    old_data, data = built, tmp_path / "data"
    (tiny_corpus / "soc2" / "CC7.2.md").unlink()
    ingest(load_corpus(tiny_corpus), Store(data))
    old, new = fresh(old_data).published(STANDARDS), fresh(data).published(STANDARDS)
    assert new.collection == old.collection and new.uid != old.uid
    for copy in (data / "snapshots").iterdir():
        copy.unlink()
    for copy in (old_data / "snapshots").iterdir():
        (data / "snapshots" / copy.name).write_bytes(copy.read_bytes())
    retriever = Retriever(fresh(data))
    assert "CC7.2" not in retriever.docs() and "CC6.1" in retriever.docs()


def test_copies_of_dropped_generations_are_swept(data, tiny_corpus):
    Retriever(fresh(data))  # keeps its BM25 index too
    old = fresh(data).published(STANDARDS)
    (data / "snapshots" / ".writing-abandoned.npz").write_bytes(b"")
    os.utime(data / "snapshots" / ".writing-abandoned.npz", (0, 0))
    path = tiny_corpus / "soc2" / "CC7.2.md"
    path.write_text(path.read_text().replace("## How teams meet it\n", "## How teams meet it\n\nA new first line.\n"))
    ingest(load_corpus(tiny_corpus), Store(data, retire_after=0))
    new = fresh(data).published(STANDARDS)
    left = sorted(p.name for p in (data / "snapshots").iterdir())
    assert left == [snapshot.path(data / "snapshots", new.collection, new.uid, snapshot.CHUNKS).name]
    assert old.uid not in " ".join(left)


def test_an_unreadable_catalog_sends_the_reader_to_chroma(data, monkeypatch, seed_intents):
    seed_intents(data)
    monkeypatch.setattr(snapshot, "_CATALOG", "SELECT id, name FROM a_table_another_chroma_might_have")
    store = fresh(data)
    assert store._catalog() is None
    assert store.published(STANDARDS) == through_chroma(data).published(STANDARDS)
    answer = Assistant(Settings(data_dir=data, corpus_dir=ROOT / "corpus"), store=store).ask("What does CC6.1 require?")
    assert answer.citations[0].id == "CC6.1"


@pytest.mark.slow
def test_a_read_only_folder_is_read_without_writing_copies(data):
    for copy in (data / "snapshots").iterdir():
        copy.unlink()
    with read_only(data):
        store = fresh(data)
        retriever = Retriever(store)
        assert store.read_only, "Chroma was read from a private copy of the read-only folder"
        assert "CC6.1" in retriever.docs() and list((data / "snapshots").iterdir()) == []
