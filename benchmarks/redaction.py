"""Redaction recall on the labelled set (tests/fairness/data/redaction_set.txt).

Each answer of the set marks its personal data ``[[label|text]]`` (email, phone, url, handle,
own: the candidate's own name or e-mail part, name: another person). A labelled span is found
when every character of it is inside what ``hireloop.fairness.redact.find`` hides. Recall is
reported per label; over-redaction as the spans hidden that touch no labelled span, and the
share of hidden characters outside labelled spans.

    python benchmarks/redaction.py [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from hireloop.fairness.redact import find

SET = Path(__file__).resolve().parent.parent / "tests" / "fairness" / "data" / "redaction_set.txt"
LABELS = ("email", "phone", "url", "handle", "own", "name")
_MARK = re.compile(r"\[\[(\w+)\|(.+?)\]\]")


def load(path: Path = SET) -> list[dict[str, Any]]:
    """The set's answers: candidate name and email, plain text, labelled spans."""
    items: list[dict[str, Any]] = []
    for block in path.read_text(encoding="utf-8").split("\n=== ")[1:]:
        header, _, body = block.partition("\n")
        fields = dict(part.strip().split(": ", 1) for part in header.split("|"))
        text, spans, last = [], [], 0
        position = 0
        for m in _MARK.finditer(body):
            text.append(body[last:m.start()])
            position += m.start() - last
            label, value = m.group(1), m.group(2)
            if label not in LABELS:
                raise ValueError(f"{path}: unknown label {label!r}")
            spans.append((position, position + len(value), label, value))
            text.append(value)
            position += len(value)
            last = m.end()
        text.append(body[last:])
        items.append({"name": fields["name"], "email": fields["email"],
                      "text": "".join(text).rstrip("\n"), "spans": spans})
    return items


def measure(items: list[dict[str, Any]]) -> dict[str, Any]:
    found = dict.fromkeys(LABELS, 0)
    total = dict.fromkeys(LABELS, 0)
    missed: list[str] = []
    extra_spans = 0
    hidden_chars = outside_chars = 0
    for item in items:
        hidden = find(item["text"], name=item["name"], email=item["email"])
        covered = set()
        for span in hidden:
            covered.update(range(span.start, span.end))
        labelled = set()
        for start, end, label, value in item["spans"]:
            total[label] += 1
            labelled.update(range(start, end))
            if all(i in covered for i in range(start, end)):
                found[label] += 1
            else:
                missed.append(f"{label}: {value!r} ({item['name']})")
        for span in hidden:
            chars = set(range(span.start, span.end))
            hidden_chars += len(chars)
            outside_chars += len(chars - labelled)
            if not chars & labelled:
                extra_spans += 1
    return {
        "answers": len(items),
        "recall": {label: {"n": total[label], "found": found[label],
                           "recall": found[label] / total[label] if total[label] else None}
                   for label in LABELS},
        "over_redacted_spans": extra_spans,
        "hidden_chars_outside_labels": outside_chars / hidden_chars if hidden_chars else 0.0,
        "missed": missed,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    result = measure(load())
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{result['answers']} answers of the labelled set")
    for label, row in result["recall"].items():
        print(f"  {label:7} recall {row['found']:3}/{row['n']:<3} = {row['recall']:.1%}")
    print(f"  spans hidden that touch no label: {result['over_redacted_spans']}; "
          f"hidden characters outside labels: {result['hidden_chars_outside_labels']:.1%}")
    for line in result["missed"]:
        print(f"  missed {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
