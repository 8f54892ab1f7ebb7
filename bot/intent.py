"""Intent, learned from labelled examples: which route a question takes.

The examples live in `bot/data/intents.yaml` (a list of questions per route);
the classifier works on the same sentence embeddings retrieval computes, so a
question is embedded once. Add examples to the data, never rules to the code.

The classifier is a multinomial logistic regression (scikit-learn) fitted on
the example embeddings; `trustdesk eval --intents` compares it with k-NN by
cross-validation, and `docs` of that choice are in the README. Fitting takes
well under a second; the example embeddings are cached in the data directory
keyed by the examples' hash, so a cold process only loads two small arrays.

>>> model = IntentModel.fit(["what does cc6.1 require", "banana bread recipe"],      # doctest: +SKIP
...                         ["lookup", "out_of_scope"], vectors)
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, field_validator

from ingest.datafile import read_yaml

INTENTS_PATH = Path(__file__).with_name("data") / "intents.yaml"
# our own golden questions, labelled by category (evals/intent_examples.py); never the blind set
GOLDEN_INTENTS_PATH = Path(__file__).with_name("data") / "intents_golden.yaml"
# written in bulk by helpers who read no evaluation set: personas, typos, boundaries (bot/data/README in its header)
BULK_INTENTS_PATH = Path(__file__).with_name("data") / "intents_bulk.yaml"
# a second bulk pass, same rules: deceptive and harmful requests, off-topic chat, and their honest near-misses
BULK2_INTENTS_PATH = Path(__file__).with_name("data") / "intents_bulk2.yaml"
# a third: workplace and personal questions that are not ours (HR, tax, law, other regimes for their own sake) and
# their in-scope near-misses (a buyer asking about the vendor's HR security, what the frameworks say about it)
BULK3_INTENTS_PATH = Path(__file__).with_name("data") / "intents_bulk3.yaml"
PACKAGED_VECTORS = Path(__file__).with_name("data") / "intent_vectors.npz"
FEATURE_WEIGHT = 0.5
# bump when `features` changes: cached weights of an older feature set must not be reused
FEATURES_VERSION = 1
Intent = Literal["lookup", "compare", "crosswalk", "decide", "company", "successor", "out_of_scope", "manipulation"]
INTENTS: tuple[str, ...] = Intent.__args__
Method = Literal["logreg", "knn"]
KNN_K = 7


class Examples(BaseModel):
    """`bot/data/intents.yaml`, validated: a typo in a route name fails loudly."""

    model_config = ConfigDict(extra="forbid")

    version: int
    routes: dict[Intent, list[str]]

    @field_validator("routes")
    @classmethod
    def _non_empty(cls, routes: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, questions in routes.items():
            if len(questions) < 5:
                raise ValueError(f"route {name} needs at least 5 examples, has {len(questions)}")
        return routes

    @classmethod
    @functools.cache
    def load(cls, path: Path = INTENTS_PATH) -> "Examples":
        return cls.model_validate(read_yaml(path))

    def merged(self, other: "Examples") -> "Examples":
        routes = {name: list(self.routes.get(name, [])) for name in INTENTS}
        for name, questions in other.routes.items():
            routes[name] += [q for q in questions if q not in routes[name]]
        return Examples(version=self.version, routes={k: v for k, v in routes.items() if v})

    def pairs(self) -> tuple[list[str], list[str]]:
        texts, labels = [], []
        for name, questions in self.routes.items():
            texts += [str(q) for q in questions]
            labels += [name] * len(questions)
        return texts, labels

    def digest(self) -> str:
        return hashlib.sha256(repr(sorted(self.routes.items())).encode()).hexdigest()[:16]


def features(text: str) -> np.ndarray:
    """Structured signals beside the embedding: which IDs the grammar finds, which frameworks are named.

    "Explain annex a 5.7" and "A.5.7 in SOC 2 terms" are close in embedding space; whether the
    question names the *other* framework than its ID's is what tells a lookup from a crosswalk.
    """
    from bot.ids import find_ids
    from bot.vocab import named_frameworks

    found = find_ids(text)
    ids = [m for m in found if m.exists]
    named = set(named_frameworks(text.replace(ids[0].raw, " ") if ids else text))
    id_frameworks = {m.framework for m in ids}
    other = bool(id_frameworks) and bool(named - id_frameworks)
    values = [bool(ids), "soc2" in id_frameworks, "iso27001" in id_frameworks, "soc2" in named, "iso27001" in named,
              other, len(id_frameworks) == 2, any(m.is_2013 for m in found)]
    return np.asarray(values, dtype=np.float32) * FEATURE_WEIGHT


def with_features(vectors: np.ndarray, texts: list[str]) -> np.ndarray:
    return np.hstack([np.asarray(vectors, dtype=np.float32), np.vstack([features(t) for t in texts])])


@dataclass(frozen=True)
class Guess:
    """The classifier's answer: the best route, its probability, and the runner-up."""

    intent: str
    probability: float
    runner_up: str
    runner_up_probability: float

    @property
    def reason(self) -> str:
        return (f"classifier: {self.intent} {self.probability:.2f}"
                f" (next {self.runner_up} {self.runner_up_probability:.2f})")


class IntentModel:
    """A fitted classifier over unit-length sentence embeddings."""

    def __init__(self, labels: list[str], vectors: np.ndarray, method: Method = "logreg",
                 fitted: tuple[np.ndarray, np.ndarray] | None = None):
        if method not in ("logreg", "knn"):
            raise ValueError(f"method must be 'logreg' or 'knn', got {method!r}")
        if len(labels) != len(vectors) or not labels:
            raise ValueError(f"{len(labels)} labels for {len(vectors)} vectors")
        self.method = method
        self.classes = sorted(set(labels))
        self.labels = np.array([self.classes.index(label) for label in labels])
        self.vectors = np.asarray(vectors, dtype=np.float32)
        if method == "knn":
            self.weights, self.bias = None, None
        else:
            self.weights, self.bias = fitted if fitted is not None else self._fit()

    def _fit(self) -> tuple[np.ndarray, np.ndarray]:
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=8.0, max_iter=2000, class_weight="balanced")
        model.fit(self.vectors, self.labels)
        return model.coef_.astype(np.float32), model.intercept_.astype(np.float32)

    def probabilities(self, vector: np.ndarray) -> np.ndarray:
        vector = np.asarray(vector, dtype=np.float32)
        if self.method == "logreg":
            logits = self.weights @ vector + self.bias
            exp = np.exp(logits - logits.max())
            return exp / exp.sum()
        sims = self.vectors @ vector
        top = np.argsort(-sims)[:KNN_K]
        votes = np.zeros(len(self.classes), dtype=np.float32)
        for i in top:
            votes[self.labels[i]] += max(float(sims[i]), 0.0) ** 2
        total = votes.sum()
        return votes / total if total else np.full(len(self.classes), 1.0 / len(self.classes))

    def guess(self, vector: np.ndarray) -> Guess:
        """The best route for a (features-extended) vector."""
        probs = self.probabilities(vector)
        order = np.argsort(-probs)
        first, second = int(order[0]), int(order[1])
        return Guess(self.classes[first], float(probs[first]), self.classes[second], float(probs[second]))


def packaged_vectors(examples: Examples, texts: list[str]) -> np.ndarray | None:
    """The examples' embeddings as shipped in bot/data (`python -m bot.intent` writes them), when they are of these
    examples: a new checkout fits the classifier without embedding ~3,000 questions on the CPU first."""
    try:
        with np.load(PACKAGED_VECTORS) as saved:
            if str(saved["digest"]) == f"{examples.digest()}-f{FEATURES_VERSION}" and len(saved["vectors"]) == len(texts):
                return saved["vectors"].astype(np.float32)
    except (OSError, ValueError, KeyError):
        pass
    return None


def all_examples() -> Examples:
    """The hand-written, bulk and golden examples, merged: what the classifier is fitted on."""
    examples = Examples.load(INTENTS_PATH)
    for extra in (BULK_INTENTS_PATH, BULK2_INTENTS_PATH, BULK3_INTENTS_PATH, GOLDEN_INTENTS_PATH):
        if extra.exists():
            examples = examples.merged(Examples.load(extra))
    return examples


def freeze(embed: Callable[[list[str]], np.ndarray]) -> Path:
    """Write the examples' embeddings to bot/data, for `packaged_vectors` (run after changing the examples)."""
    examples = all_examples()
    texts, _ = examples.pairs()
    vectors = with_features(embed(texts), texts).astype(np.float16)
    np.savez_compressed(PACKAGED_VECTORS, vectors=vectors, digest=np.array(f"{examples.digest()}-f{FEATURES_VERSION}"))
    return PACKAGED_VECTORS


def load_model(embed: Callable[[list[str]], np.ndarray], cache_dir: Path | None,
               method: Method = "logreg", path: Path = INTENTS_PATH) -> IntentModel:
    """The classifier fitted on the examples.

    The example embeddings and the fitted weights are cached in `cache_dir` under the examples'
    hash, so a cold process loads two small arrays instead of embedding 700 questions and
    importing scikit-learn.
    """
    examples = all_examples() if path == INTENTS_PATH else Examples.load(path)
    texts, labels = examples.pairs()
    cache = Path(cache_dir) / f"intents-{examples.digest()}-f{FEATURES_VERSION}-{method}.npz" if cache_dir else None
    if cache is not None and cache.exists():
        try:
            with np.load(cache) as saved:
                fitted = (saved["weights"], saved["bias"]) if method == "logreg" else None
                if len(saved["vectors"]) == len(texts):
                    return IntentModel(labels, saved["vectors"], method, fitted)
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache is rebuilt below
    vectors = packaged_vectors(examples, texts)
    if vectors is None:
        vectors = with_features(embed(texts), texts)
    model = IntentModel(labels, vectors, method)
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            extra = {"weights": model.weights, "bias": model.bias} if method == "logreg" else {}
            np.savez(cache, vectors=model.vectors, **extra)
        except OSError:
            pass  # a read-only data directory only costs the next process the fitting again
    return model


if __name__ == "__main__":  # python -m bot.intent: refresh bot/data/intent_vectors.npz after editing the examples
    from ingest.embed import query_embedder

    print(f"wrote {freeze(query_embedder().encode)}")
