"""Hybrid retrieval: cosine similarity of MiniLM embeddings (the meaning of the question),
plus a small bonus for shared content words (product names are rare words that embeddings
blur), all lower-cased and without punctuation."""

import json
import re

import numpy as np

from embed import embed

STOP = {"the", "a", "an", "my", "i", "of", "to", "on", "for", "is", "and", "it", "in", "can",
        "how", "do", "me", "at", "with", "be", "will", "you", "your", "what", "when"}
LEXICAL_WEIGHT = 0.15


def words(text):
    return set(re.findall(r"[a-z0-9]+", text.lower())) - STOP


def build(docs):
    return {"vectors": embed(docs), "words": [words(d) for d in docs]}


def search(index, query, k):
    scores = index["vectors"] @ embed([query])[0]
    mine = words(query)
    scores = scores + LEXICAL_WEIGHT * np.array([len(mine & w) for w in index["words"]])
    return [int(i) for i in np.argsort(-scores, kind="stable")[:k]]


if __name__ == "__main__":
    docs = [json.loads(line)["text"] for line in open("/data/docs.jsonl")]
    examples = [json.loads(line) for line in open("/data/example_queries.jsonl")]
    index = build(docs)
    hits = [q["relevant"][0] in search(index, q["text"], 5) for q in examples]
    print(f"recall@5 on {len(examples)} example questions: {sum(hits) / len(hits):.2f}")
