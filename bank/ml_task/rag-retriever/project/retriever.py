"""Knowledge-base search for the support assistant: the articles that share the most words
with the question. `python3 retriever.py` measures recall@5 on the example questions."""

import json


def build(docs):
    return [set(text.split()) for text in docs]


def search(index, query, k):
    words = set(query.split())
    ranked = sorted(range(len(index)), key=lambda i: -len(words & index[i]))
    return ranked[:k]


if __name__ == "__main__":
    docs = [json.loads(line)["text"] for line in open("/data/docs.jsonl")]
    examples = [json.loads(line) for line in open("/data/example_queries.jsonl")]
    index = build(docs)
    hits = [q["relevant"][0] in search(index, q["text"], 5) for q in examples]
    print(f"recall@5 on {len(examples)} example questions: {sum(hits) / len(hits):.2f}")
