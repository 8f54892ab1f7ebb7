"""BM25 scoring over kept arrays (`bot.lexical`) gives bm25s' own scores, on the real corpus's terms."""

from __future__ import annotations

import bm25s
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.lexical import Lexical, tag
from bot.text import terms
from ingest import load_corpus
from ingest.chunk import chunk_text
from ingest.pipeline import chunks_of
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def built():
    """The same index twice: bm25s itself, and ours (built by bm25s, saved and loaded back)."""
    corpus = [terms(chunk_text(c)) for c in chunks_of(load_corpus(CORPUS))]
    reference = bm25s.BM25()
    reference.index(corpus, show_progress=False)
    ours = Lexical.from_arrays(Lexical.build(corpus).arrays())
    return reference, ours, sorted({t for doc in corpus for t in doc})


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_scores_equal_bm25s_for_any_query(built, data):
    reference, ours, vocabulary = built
    known = data.draw(st.lists(st.sampled_from(vocabulary), min_size=1, max_size=12))  # repeats allowed
    unknown = data.draw(st.lists(st.text("qxzj", min_size=3, max_size=8), max_size=3))
    query = data.draw(st.permutations(known + unknown))
    expected = reference.get_scores([t for t in query if t in reference.vocab_dict])
    assert np.allclose(ours.scores(query), expected, rtol=1e-5, atol=1e-6)


def test_a_question_of_real_words_ranks_as_bm25s_does(built):
    reference, ours, _ = built
    query = terms("How often must access rights be reviewed and removed when someone leaves?")
    expected = reference.get_scores([t for t in query if t in reference.vocab_dict])
    got = ours.scores(query)
    assert got.max() > 0 and list(np.argsort(-got)[:10]) == list(np.argsort(-expected)[:10])


def test_no_known_term_scores_nothing(built):
    _, ours, _ = built
    assert not ours.scores([]).any() and not ours.scores(["qqqzzz"]).any()


@pytest.mark.parametrize("broken", ["indptr", "terms", "columns"])
def test_arrays_that_do_not_fit_together_are_refused(built, broken):
    _, ours, _ = built
    arrays = dict(ours.arrays())
    if broken == "indptr":
        arrays["indptr"] = arrays["indptr"][:-5]
    elif broken == "terms":
        arrays["terms"] = np.frombuffer(b'{"not": "a list"}', dtype=np.uint8)
    else:
        arrays["indptr"] = arrays["indptr"][: len(arrays["indptr"]) // 2]
    with pytest.raises(ValueError):
        Lexical.from_arrays(arrays)


def test_the_tag_names_the_code_that_builds_the_index():
    assert tag().startswith("bm25-") and len(tag()) == len("bm25-") + 16 and "." not in tag()
