"""Ingest into a real Chroma: incremental, atomic, and safe to interrupt."""

from __future__ import annotations


import pytest

from bot import Assistant, Settings
from ingest import Store, ingest, load_corpus
from ingest.errors import CorpusInvalid, IndexMissing, StoreUnavailable
from ingest.store import company_index


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "data")


def test_cold_then_unchanged_reingest(tiny_corpus, store):
    first = ingest(load_corpus(tiny_corpus), store)
    assert first.changed and first.embedded == first.chunks > 10
    col = store.collection(first.collection)
    assert col.count() == first.chunks
    meta = col.get(ids=["CC6.1::what-it-requires"], include=["metadatas"])["metadatas"][0]
    assert meta["doc_id"] == "CC6.1" and meta["framework"] == "soc2" and meta["section"] == "What it requires"
    assert meta["source"] == "corpus/soc2/CC6.1.md"

    again = ingest(load_corpus(tiny_corpus), store)
    assert not again.changed and again.embedded == 0 and again.collection == first.collection


def test_changed_file_reembeds_only_its_changed_chunks(tiny_corpus, store):
    ingest(load_corpus(tiny_corpus), store)
    path = tiny_corpus / "soc2" / "CC7.2.md"
    path.write_text(path.read_text().replace("## How teams meet it\n", "## How teams meet it\n\nA new first line.\n"))
    report = ingest(load_corpus(tiny_corpus), store)
    assert report.changed and report.embedded == 1 and report.reused == report.chunks - 1
    got = store.collection(report.collection).get(ids=["CC7.2::how-teams-meet-it"], include=["documents"])
    assert got["documents"][0].startswith("A new first line.")
    assert len([c for c in store.client.list_collections()]) == 1, "the old generation is dropped after publish"


def test_removed_file_is_deleted_from_the_index(tiny_corpus, store):
    ingest(load_corpus(tiny_corpus), store)
    (tiny_corpus / "iso27001" / "controls" / "A.8.24.md").unlink()
    report = ingest(load_corpus(tiny_corpus), store)
    assert report.removed > 0 and report.embedded == 0
    left = store.collection(report.collection).get(include=["metadatas"])["metadatas"]
    assert not [m for m in left if m["doc_id"] == "A.8.24"]


def test_invalid_file_stops_publish_and_previous_index_stays(tiny_corpus, store):
    first = ingest(load_corpus(tiny_corpus), store)
    (tiny_corpus / "soc2" / "broken.md").write_text("---\nid: [oops\n---\nbody\n")
    with pytest.raises(CorpusInvalid, match="broken.md: malformed front matter"):
        ingest(load_corpus(tiny_corpus), store)
    assert store.published().collection == first.collection


def test_interrupted_ingest_leaves_the_published_index_untouched(tiny_corpus, store, tmp_path):
    first = ingest(load_corpus(tiny_corpus), store)

    def interrupt(stage, done, total):
        if stage == "embed":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest(load_corpus(tiny_corpus), store, rebuild=True, progress=interrupt)
    assert store.published().collection == first.collection
    assert [c.name for c in store.client.list_collections()] == [first.collection], "the half-built generation is gone"
    answer = Assistant(Settings(data_dir=tmp_path / "data")).ask("What does CC6.1 require?")
    assert answer.citations[0].id == "CC6.1"


def test_crashed_generation_is_invisible_and_collected(tiny_corpus, store):
    first = ingest(load_corpus(tiny_corpus), store)
    store.new_generation("standards", "all-MiniLM-L6-v2", "now")  # as a killed process would leave it
    assert store.published().collection == first.collection
    ingest(load_corpus(tiny_corpus), store, rebuild=True)
    assert len(store.client.list_collections()) == 1


def test_missing_index_says_how_to_build_it(store):
    with pytest.raises(IndexMissing, match="trustdesk ingest"):
        store.require()
    with pytest.raises(IndexMissing, match="company ingest"):
        store.require(company_index("acme"))


def test_corrupted_data_directory_is_reported(tmp_path):
    data = tmp_path / "data"
    (data / "chroma").mkdir(parents=True)
    (data / "chroma" / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreUnavailable, match="delete it and run `trustdesk ingest`"):
        Store(data).published()


def test_data_dir_that_is_a_file(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(StoreUnavailable, match="is a file"):
        Store(target).published()


@pytest.mark.parametrize("tenant", ["", "Acme Corp", "../etc", "a" * 41, "-x"])
def test_bad_tenant_names_are_refused(tenant):
    with pytest.raises(StoreUnavailable, match="tenant name"):
        company_index(tenant)
