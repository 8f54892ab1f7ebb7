"""all-MiniLM-L6-v2 in plain numpy: the query-time embedder, without torch or sentence-transformers.

Importing sentence-transformers costs seconds (torch, transformers); a question
needs one forward pass of a six-layer, 384-wide BERT. This module reads the
same bundled weights (`model.safetensors`) and tokenizer (`tokenizer.json`,
via the Rust `tokenizers`) and computes the same vectors: mean pooling over
tokens, then unit length. `tests/test_minilm.py` checks that its vectors equal
sentence-transformers' on the whole corpus (cosine >= 0.9999). Ingest keeps
using sentence-transformers for large batches.

>>> model = MiniLM.load()                                   # doctest: +SKIP
>>> model.encode(["encryption at rest"]).shape             # doctest: +SKIP
(1, 384)
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

import numpy as np

MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model


# Every constant below is a Python float, never a numpy float64 scalar: under numpy 2's promotion rules a float64
# scalar turns a float32 array into float64, and one such scalar once made every layer after the first attention
# run in float64 through numpy's slow non-BLAS loops (60x slower than torch on a 400-question batch).


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to ~1e-7 (Abramowitz and Stegun 7.1.26); numpy has none and scipy is a heavy import."""
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-x * x))


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x * (1.0 / math.sqrt(2.0))))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


class MiniLM:
    """A BERT encoder with mean pooling, as sentence-transformers runs all-MiniLM-L6-v2."""

    def __init__(self, weights: dict[str, np.ndarray], config: dict, tokenizer):
        self.w = weights
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.tokenizer = tokenizer

    @classmethod
    @functools.cache
    def load(cls, directory: str | None = None) -> "MiniLM":
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        from ingest.embed import model_path

        root = Path(directory or model_path())
        config = json.loads((root / "config.json").read_text(encoding="utf-8"))
        tokenizer = Tokenizer.from_file(str(root / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.no_padding()
        weights = {k: v.astype(np.float32) for k, v in load_file(str(root / "model.safetensors")).items()
                   if k != "embeddings.position_ids"}
        # dense layers are applied as x @ W.T: keep W.T contiguous once rather than a strided view per call
        for key in [k for k, v in weights.items() if k.startswith("encoder.") and v.ndim == 2]:
            weights[key] = np.ascontiguousarray(weights[key].T)
        # query, key and value projections fused into one (width, 3 x width) matrix: one BLAS call instead of three
        for n in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{n}.attention.self."
            weights[p + "qkv.weight"] = np.ascontiguousarray(
                np.concatenate([weights.pop(p + name + ".weight") for name in ("query", "key", "value")], axis=1))
            weights[p + "qkv.bias"] = np.concatenate([weights.pop(p + name + ".bias") for name in ("query", "key", "value")])
        return cls(weights, config, tokenizer)

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """Unit-length embeddings, one row per text."""
        encodings = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(encodings), self.w["embeddings.word_embeddings.weight"].shape[1]), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.float32)
            for n, i in enumerate(rows):
                ids[n, : len(encodings[i].ids)] = encodings[i].ids
                mask[n, : len(encodings[i].ids)] = 1.0
            out[rows] = self._forward(ids, mask)
        return out

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w = self.w
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][: ids.shape[1]][None]
             + w["embeddings.token_type_embeddings.weight"][0][None, None])
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        bias = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)
        for n in range(self.layers):
            x = self._layer(x, bias, f"encoder.layer.{n}.")
        pooled = (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def _layer(self, x: np.ndarray, bias: np.ndarray, p: str) -> np.ndarray:
        """One encoder layer. Dense products run on 2-D (tokens x width) float32 arrays, so each is a single BLAS
        call; attention runs on contiguous (batch, heads, length, size) stacks."""
        w = self.w
        batch, length, width = x.shape
        size = width // self.heads
        flat = x.reshape(batch * length, width)
        qkv = flat @ w[f"{p}attention.self.qkv.weight"] + w[f"{p}attention.self.qkv.bias"]
        qkv = qkv.reshape(batch, length, 3, self.heads, size).transpose(2, 0, 3, 1, 4)
        q = np.ascontiguousarray(qkv[0])
        k_t = np.ascontiguousarray(qkv[1].transpose(0, 1, 3, 2))
        v = np.ascontiguousarray(qkv[2])
        scores = q @ k_t
        scores *= 1.0 / math.sqrt(size)
        scores += bias
        scores -= scores.max(-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, width)
        attended = context @ w[f"{p}attention.output.dense.weight"] + w[f"{p}attention.output.dense.bias"]
        flat = _layer_norm(attended + flat, w[f"{p}attention.output.LayerNorm.weight"],
                           w[f"{p}attention.output.LayerNorm.bias"], self.eps)
        hidden = _gelu(flat @ w[f"{p}intermediate.dense.weight"] + w[f"{p}intermediate.dense.bias"])
        out = hidden @ w[f"{p}output.dense.weight"] + w[f"{p}output.dense.bias"]
        out = _layer_norm(out + flat, w[f"{p}output.LayerNorm.weight"], w[f"{p}output.LayerNorm.bias"], self.eps)
        return out.reshape(batch, length, width)
