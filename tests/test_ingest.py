"""Ingest into a real Chroma: incremental, atomic, and safe to interrupt."""

from __future__ import annotations


import pytest

from bot import Assistant, Settings
from ingest import Store, ingest, load_corpus
from ingest.errors import CorpusInvalid, IndexMissing, InvalidTenant, StoreUnavailable
from ingest.store import company_index


@pytest.fixture
def store(tmp_path):
    """A store that drops a replaced generation at once (no other process reads it here)."""
    return Store(tmp_path / "data", retire_after=0)


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
    with pytest.raises(InvalidTenant, match="tenant name"):
        company_index(tenant)


# --- several writers, several readers ---------------------------------------------------------------

def test_a_replaced_generation_stays_readable_until_it_is_retired(tiny_corpus, tmp_path):
    """A reader in another process may still be on the old generation: it is dropped only later."""
    store = Store(tmp_path / "data", retire_after=3600)
    first = ingest(load_corpus(tiny_corpus), store)
    second = ingest(load_corpus(tiny_corpus), store, rebuild=True)
    names = [c.name for c in store.client.list_collections()]
    assert sorted(names) == sorted([first.collection, second.collection])
    assert store.published().collection == second.collection
    assert store.collection(first.collection).count() == first.chunks  # still whole for its readers
    assert "retired_at" in store.collection(first.collection).metadata
    later = Store(tmp_path / "data", retire_after=0)  # as if the grace period had passed
    third = ingest(load_corpus(tiny_corpus), later, rebuild=True)
    assert [c.name for c in later.client.list_collections()] == [third.collection]


def test_an_ingest_waits_its_turn_and_says_who_is_running(tiny_corpus, store, tmp_path):
    from ingest.errors import IngestBusy
    from ingest.lock import hold
    from ingest.records import Records

    records = Records(f"sqlite:///{tmp_path / 'records.db'}")
    with hold(records, "ingest:standards"):
        with pytest.raises(IngestBusy, match=r"another ingest of standards is running since .* UTC, by .*:\d+:"):
            ingest(load_corpus(tiny_corpus), store, records=records)
        assert store.published() is None  # nothing was started
    report = ingest(load_corpus(tiny_corpus), store, records=records)  # released: its turn
    assert report.changed and store.published().collection == report.collection


def test_a_stale_lock_is_taken_over(tiny_corpus, store, tmp_path):
    from datetime import datetime, timedelta, timezone

    from ingest.records import Lock, Records

    records = Records(f"sqlite:///{tmp_path / 'records.db'}")
    long_ago = datetime.now(timezone.utc) - timedelta(hours=1)
    with records.session() as s:  # a machine that died mid-ingest an hour ago
        s.add(Lock(name="ingest:standards", holder="gone-host:4242:abcdef", acquired_at=long_ago,
                   heartbeat_at=long_ago))
    assert ingest(load_corpus(tiny_corpus), store, records=records).changed
    with records.session() as s:
        assert s.get(Lock, "ingest:standards") is None  # released after use


def test_a_lock_held_by_a_dead_process_here_is_taken_over_at_once(tiny_corpus, store, tmp_path):
    import socket
    import subprocess

    from ingest.records import Lock, Records

    dead = subprocess.Popen(["true"])
    dead.wait()
    records = Records(f"sqlite:///{tmp_path / 'records.db'}")
    with records.session() as s:
        s.add(Lock(name="ingest:standards", holder=f"{socket.gethostname()}:{dead.pid}:abcdef"))
    assert ingest(load_corpus(tiny_corpus), store, records=records).changed


def test_a_lock_taken_over_stops_the_publish(tiny_corpus, store, tmp_path):
    import time

    from sqlalchemy import update

    from ingest.errors import IngestBusy
    from ingest.lock import hold
    from ingest.pipeline import _ingest
    from ingest.records import Lock, Records

    records = Records(f"sqlite:///{tmp_path / 'records.db'}")
    first = ingest(load_corpus(tiny_corpus), store)
    held = hold(records, "ingest:standards", heartbeat=0.05)
    try:
        with records.session() as s:  # this process stalled; another one took the lock over
            s.execute(update(Lock).where(Lock.name == "ingest:standards").values(holder="other:1:x"))
        time.sleep(0.3)  # the heartbeat notices
        with pytest.raises(IngestBusy, match="lost the lock"):
            _ingest(load_corpus(tiny_corpus), store, "standards", True, None, held)
    finally:
        held.release()
    assert store.published().collection == first.collection
