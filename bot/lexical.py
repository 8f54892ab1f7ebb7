"""BM25 over one generation's chunks: bm25s builds the index, a question is a sum of its terms' columns.

bm25s (Lucene's variant) precomputes every term's score in every chunk as a
sparse matrix; a question's scores are the sum of its known terms' columns,
one `np.add.at`. Doing that sum here, over the saved arrays, lets a cold
`trustdesk ask` load a kept index without importing bm25s and SciPy (a third of
a second) or tokenising the corpus again. `tests/test_lexical.py` checks the
scores equal bm25s' own.

>>> index = Lexical.build([["access", "review"], ["encrypt", "rest"]])   # doctest: +SKIP
>>> index.scores(["encrypt"]).round(3)                                    # doctest: +SKIP
array([0.   , 0.693], dtype=float32)
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from pathlib import Path

import numpy as np

from ingest.snapshot import from_text_array, text_array

_FINGERPRINTED = ("bot/text.py", "bot/lexical.py", "bot/retrieve.py")


class Lexical:
    """A built BM25 index: term -> column, and the scores matrix in compressed sparse columns."""

    def __init__(self, vocabulary: dict[str, int], data: np.ndarray, indices: np.ndarray, indptr: np.ndarray,
                 documents: int):
        columns = len(indptr) - 1
        if columns < 0 or len(data) != len(indices) or (columns and int(indptr[-1]) != len(data)) \
                or any(not 0 <= c < columns for c in vocabulary.values()):
            raise ValueError("the BM25 arrays do not fit together")
        self.vocabulary = vocabulary
        self.data, self.indices, self.indptr = data, indices, indptr
        self.documents = documents

    @classmethod
    def build(cls, corpus: list[list[str]]) -> "Lexical":
        """Index tokenised documents with bm25s (its defaults: Lucene's BM25, k1 1.5, b 0.75)."""
        import bm25s

        bm25 = bm25s.BM25()
        bm25.index(corpus, show_progress=False)
        scores = bm25.scores
        indptr = np.asarray(scores["indptr"])
        # bm25s files an empty token "" after the real ones, with no column: no question has it
        vocabulary = {t: c for t, c in bm25.vocab_dict.items() if c < len(indptr) - 1}
        return cls(vocabulary, np.asarray(scores["data"]), np.asarray(scores["indices"]), indptr,
                   int(scores["num_docs"]))

    def scores(self, query: list[str]) -> np.ndarray:
        """Each document's score for the query terms (a repeated term counts again, as in bm25s)."""
        columns = [self.vocabulary[t] for t in query if t in self.vocabulary]
        scores = np.zeros(self.documents, dtype=self.data.dtype)
        if columns:
            slices = [slice(int(self.indptr[c]), int(self.indptr[c + 1])) for c in columns]
            np.add.at(scores, np.concatenate([self.indices[s] for s in slices]),
                      np.concatenate([self.data[s] for s in slices]))
        return scores

    def arrays(self) -> dict[str, np.ndarray]:
        terms = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        return {"terms": text_array(terms), "data": self.data, "indices": self.indices, "indptr": self.indptr,
                "documents": np.asarray([self.documents])}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> "Lexical":
        """An index saved by `arrays`; ValueError or KeyError if these are not such arrays."""
        terms = from_text_array(arrays["terms"])
        if not isinstance(terms, list):
            raise ValueError("the BM25 vocabulary is not a list")
        return cls({t: n for n, t in enumerate(terms)}, arrays["data"], arrays["indices"], arrays["indptr"],
                   int(arrays["documents"][0]))


@functools.cache
def tag() -> str:
    """What a kept index is filed under: a digest of the code that tokenises and indexes, and of bm25s itself,
    so changing any of them builds the index afresh instead of reading one that no longer matches."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parents[1]
    sources = [root / name for name in _FINGERPRINTED]
    for module, files in (("bm25s", ("__init__.py", "scoring.py")), ("Stemmer", ())):
        spec = importlib.util.find_spec(module)  # found, not imported
        if spec is not None and spec.origin:
            origin = Path(spec.origin)
            sources += [origin.parent / name for name in files] or [origin]
    for source in sources:
        digest.update(source.read_bytes())
    return "bm25-" + digest.hexdigest()[:16]
