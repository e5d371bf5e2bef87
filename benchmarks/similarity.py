"""Similarity: accuracy on the labelled set, and speed on 1,000 submissions of one exercise.

Accuracy. Positives: every built-in code exercise's reference disguised at four strengths
(renamed; + docstrings, comments, annotations dropped and re-printed; + independent statements
reordered and helpers moved; + ``x += y`` written out, comparisons turned round, a dead
statement added), three seeds each; and each built-in text exercise's reference answer
reflowed, shuffled, edited (synonyms, a sentence in five dropped) and spliced (half of it mixed
into the bank's own partial answer). Negatives: 18 solutions written independently for six
code exercises (against the reference and each other); the bank's own non-gaming text answers
against the reference answer and exemplary samples, and against each other.

Speed. 1,000 submissions of ``coding/edit-distance`` built from ten different solutions, each
disguised at a random strength and padded with functions of the standard library (5% are
planted copies of an earlier submission); then: fingerprinting,
every pair through the index's sparse product, and one new submission by the index against
comparing it with all 1,000. The platform's path is measured too: 1,000 answers indexed in a
SQLite database, then one more answer recorded through the database index.

    python benchmarks/similarity.py [--quick] [--speed]
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integrity.conftest import INDEPENDENT, code_pairs  # noqa: E402
from tests.integrity.disguise import (  # noqa: E402
    PROSE_STRENGTHS,
    STRENGTHS,
    disguise,
    disguise_prose,
)

from hireloop.bank import load_bank  # noqa: E402
from hireloop.config import builtin_bank_dir  # noqa: E402
from hireloop.integrity import Document, Index, exercise_sources  # noqa: E402
from hireloop.integrity.similarity import compare, threshold  # noqa: E402


def rates(results: list[tuple[bool, bool, str]]) -> dict[str, float]:
    """results: (copied, flagged, strength)."""
    tp = sum(c and f for c, f, _ in results)
    fp = sum((not c) and f for c, f, _ in results)
    fn = sum(c and not f for c, f, _ in results)
    negatives = sum(not c for c, _, _ in results)
    return {"precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0,
            "fpr": fp / negatives if negatives else 0.0,
            "positives": tp + fn, "negatives": negatives}


def accuracy_code(bank) -> None:
    results = []
    for pair, sources in code_pairs(bank, seeds=3):
        match = compare(pair.a, pair.b, sources.ignore)
        flagged = match is not None and match.similarity >= threshold("code")
        results.append((pair.copied, flagged, pair.strength))
    r = rates(results)
    print(f"code, threshold {threshold('code')}: {r['positives']} disguised copies, "
          f"{r['negatives']} independent pairs")
    print(f"  precision {r['precision']:.3f}  recall {r['recall']:.3f}  "
          f"false-positive rate {r['fpr']:.3f}")
    for strength in STRENGTHS:
        of = [f for c, f, s in results if c and s == strength]
        print(f"  recall {strength:<10} {sum(of) / len(of):.3f} ({sum(of)}/{len(of)})")


def accuracy_text(bank) -> None:
    results = []
    kind = bank.kinds.get("text")
    for exercise in sorted(bank.exercises.values(), key=lambda e: e.id):
        if exercise.kind != "text":
            continue
        variant = bank.variant(exercise, 0)
        sources = exercise_sources(kind, exercise, variant)
        reference = sources.documents[0]
        own = []
        for sample in exercise.samples:
            if sample.role in ("gaming", "exemplary") or sample.file.startswith("hidden/") \
                    or any(w in sample.name for w in ("idk", "language", "off", "gaming")):
                continue
            text = (exercise.path / sample.file).read_text()
            own.append(Document(sample.name, exercise.render(text, variant) if sample.template
                                else text, "text"))
        for strength, seed in itertools.product(PROSE_STRENGTHS, range(2)):
            copy = Document(strength, disguise_prose(reference.text, strength, seed,
                                                     own[0].text if own else ""), "text")
            match = compare(copy, reference, sources.ignore)
            results.append((True, match is not None and match.similarity >= threshold("text"),
                            strength))
        for a in own:
            for b in sources.documents:
                match = compare(a, b, sources.ignore)
                results.append((False, match is not None
                                and match.similarity >= threshold("text"), "own"))
        for a, b in itertools.combinations(own, 2):
            match = compare(a, b, sources.ignore)
            results.append((False, match is not None
                            and match.similarity >= threshold("text"), "own"))
    r = rates(results)
    print(f"prose, threshold {threshold('text')}: {r['positives']} disguised copies, "
          f"{r['negatives']} pairs of answers written apart")
    print(f"  precision {r['precision']:.3f}  recall {r['recall']:.3f}  "
          f"false-positive rate {r['fpr']:.3f}")
    for strength in PROSE_STRENGTHS:
        of = [f for c, f, s in results if c and s == strength]
        print(f"  recall {strength:<10} {sum(of) / len(of):.3f} ({sum(of)}/{len(of)})")


def stdlib_functions() -> list[str]:
    """Real, varied Python to pad submissions with: the top-level functions (10 to 60 lines) of
    the standard library's own modules and of their classes, read from its source files,
    each used once."""
    import ast
    import sysconfig
    import textwrap

    out = []
    for path in sorted(Path(sysconfig.get_paths()["stdlib"]).rglob("*.py")):
        if "test" in path.parts or "site-packages" in path.parts or "idlelib" in path.parts:
            continue
        try:
            source = path.read_text(encoding="utf-8")
            tree = ast.parse(source)
        except (SyntaxError, UnicodeDecodeError):
            continue
        nodes = [*tree.body, *(n for c in tree.body if isinstance(c, ast.ClassDef)
                                for n in c.body)]
        for node in nodes:
            if isinstance(node, ast.FunctionDef) and 10 <= node.end_lineno - node.lineno <= 60:
                segment = ast.get_source_segment(source, node) or ""
                out.append(textwrap.dedent(" " * node.col_offset + segment))
    return out


def cohort(bank, n: int) -> tuple[list[str], frozenset[int], list[int]]:
    """``n`` submissions: each one of ten solutions disguised at a random strength, plus two or
    three functions of the standard library that no other submission has. Returns the texts,
    what everyone is given, and each submission's base solution (two submissions of the same
    base are copies of one solution; of different bases, they are not)."""
    exercise = bank.get("coding/edit-distance")
    sources = exercise_sources(bank.kinds.get("code"), exercise, bank.variant(exercise, 0))
    bases = [sources.documents[0].text]
    bases += [p.read_text() for p in sorted((INDEPENDENT / "edit-distance").glob("*.py"))]
    bases += [(exercise.path / "samples" / n_).read_text() for n_ in (
        "naive_recursion.py", "naive_slow.py", "transposition_counts_one.py")]
    rng = random.Random(13)
    padding = stdlib_functions()
    rng.shuffle(padding)
    texts: list[str] = []
    of: list[int] = []
    while len(texts) < n:
        which = rng.randrange(len(bases))
        own = [padding.pop() for _ in range(rng.randrange(2, 4)) if padding]
        texts.append(disguise(bases[which], "edit_distance", rng.choice(STRENGTHS),
                              rng.randrange(10**6)) + "\n\n" + "\n\n".join(own))
        of.append(which)
    return texts, sources.ignore, of


def speed(bank, n: int) -> None:
    texts, ignore, base = cohort(bank, n + 1)
    new_text, texts = texts[-1], texts[:-1]
    start = time.perf_counter()
    documents = [Document(f"s{i}", t, "code") for i, t in enumerate(texts)]
    fingerprinting = time.perf_counter() - start
    start = time.perf_counter()
    index = Index("code", ignore)
    for document in documents:
        index.add(document)
    indexing = time.perf_counter() - start
    start = time.perf_counter()
    pairs = index.all_pairs()
    all_pairs = time.perf_counter() - start
    total = fingerprinting + indexing + all_pairs
    start = time.perf_counter()
    for m in pairs:
        _ = m.regions
    regions = time.perf_counter() - start
    same = sum(base[int(m.a.name[1:])] == base[int(m.b.name[1:])] for m in pairs)
    print(f"{n} submissions of coding/edit-distance (ten solutions disguised, each padded with "
          f"library code of its own; {sum(d.fingerprint.units for d in documents) // n} tokens "
          f"on average):")
    print(f"  fingerprints {fingerprinting:.2f} s, index {indexing:.2f} s, all pairs "
          f"{all_pairs:.2f} s; total {total:.2f} s (target <= 10 s); then the matched regions "
          f"of the flagged pairs, for showing them, {regions:.2f} s")
    print(f"  {len(pairs)} pairs above {threshold('code')}: {same} of one base solution, "
          f"{len(pairs) - same} of different ones")
    new = Document("new", new_text, "code")
    start = time.perf_counter()
    for _ in range(5):
        found = index.search(new)
    by_index = (time.perf_counter() - start) / 5
    start = time.perf_counter()
    brute = [m for d in documents if (m := compare(new, d, ignore)) is not None
             and m.similarity >= threshold("code")]
    by_all = time.perf_counter() - start
    assert {m.b.name for m in found} == {m.b.name for m in brute}
    print(f"  one new submission: by the index {by_index * 1000:.1f} ms "
          f"({len(index.candidates(new))} sharing a hash, {len(found)} matches), comparing with "
          f"all {by_all * 1000:.1f} ms: {by_all / by_index:.1f}x")


def platform(bank, n: int) -> None:
    """The platform's path: SQLite, answers recorded one by one through the database index."""
    from hireloop.core import Submission
    from hireloop.db import open_database
    from hireloop.db.models import Answer
    from hireloop.integrity.store import record

    texts, _, _ = cohort(bank, n + 1)
    exercise = bank.get("coding/edit-distance")
    kind = bank.kinds.get("code")
    variant = bank.variant(exercise, 0)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{tmp}/bench.sqlite")
        start = time.perf_counter()
        for i, text in enumerate(texts[:-1]):
            with db.session() as s:
                answer = Answer(practice_id=f"p{i}", exercise_id=exercise.id, seed=0, text=text)
                s.add(answer)
                s.flush()
                record(s, kind, exercise, variant, answer,
                       Submission(exercise_id=exercise.id, text=text), None)
        filling = time.perf_counter() - start
        times = []
        for _ in range(3):
            with db.session() as s:
                answer = Answer(practice_id="new", exercise_id=exercise.id, seed=0,
                                text=texts[-1])
                s.add(answer)
                s.flush()
                start = time.perf_counter()
                found = record(s, kind, exercise, variant, answer,
                               Submission(exercise_id=exercise.id, text=texts[-1]), None)
                times.append(time.perf_counter() - start)
                s.rollback()
        print(f"  platform (SQLite): {n} answers recorded one by one in {filling:.1f} s "
              f"({filling / n * 1000:.1f} ms each, matches stored as found); one more answer "
              f"{min(times) * 1000:.1f} ms ({len(found)} matches)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 submissions, no prose")
    parser.add_argument("--speed", action="store_true", help="only the speed figures")
    args = parser.parse_args()
    bank = load_bank([builtin_bank_dir()])
    if not args.speed:
        accuracy_code(bank)
    if not args.quick and not args.speed:
        accuracy_text(bank)
    n = 200 if args.quick else 1000
    speed(bank, n)
    platform(bank, n)


if __name__ == "__main__":
    main()
