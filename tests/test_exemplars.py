"""Labelled phrasings as a retrieval signal (bot/exemplars.py), with the real bundled model and index."""

from __future__ import annotations

import numpy as np
import pytest

from bot.exemplars import Exemplars, pairs, shipped
from bot.retrieve import embed_texts


def test_the_shipped_phrasing_vectors_are_of_the_current_pairs():
    """bot/data/pair_vectors.npz spares a cold process from embedding ~1,600 phrasings: refresh it with
    `python -m bot.exemplars` after editing bot/data/retrieval_pairs.yaml."""
    texts, docs = pairs()
    assert len(texts) >= 1500 and all(docs)
    kept = shipped()
    assert kept is not None, "run: python -m bot.exemplars"
    assert kept[1] == docs and len(kept[0]) == len(texts)


@pytest.mark.slow
def test_every_document_a_phrasing_names_is_in_the_corpus(assistant):
    known = assistant.retriever().docs()
    named = {doc for names in pairs()[1] for doc in names}
    assert named - known == set()


def test_the_nearest_phrasings_vote_for_their_items_and_only_allowed_ones():
    vectors = np.eye(4, dtype=np.float32)
    exemplars = Exemplars(vectors, [("CC6.1", "A.8.5"), ("A.8.24",), ("CC7.2",), ("P4.3",)])
    query = np.array([0.9, 0.5, 0.0, 0.0], dtype=np.float32)
    assert exemplars.votes(query, {"CC6.1", "A.8.5", "A.8.24"}) == ["CC6.1", "A.8.5", "A.8.24"]
    assert exemplars.votes(query, {"A.8.24"}) == ["A.8.24"]
    assert exemplars.votes(np.array([0, 0, 0.2, 0], dtype=np.float32), {"CC7.2"}) == []  # too far to say anything


@pytest.mark.slow
def test_a_practice_in_a_practitioners_words_finds_both_frameworks(assistant):
    """A leaver's access revoked the day HR marks them gone: the SOC 2 criterion and the ISO control both, first."""
    found = assistant.retriever().search("we kill okta and aws access for leavers the same day hr offboards them", k=5)
    docs = list(dict.fromkeys(e.doc_id for e in found))[:5]
    assert {"CC6.2", "CC6.3"} & set(docs) and {"A.5.18", "A.6.5", "A.8.2"} & set(docs)
    assert embed_texts(["x"])[0].shape == (384,)
