"""Similarity: disguised copies are found, independent work is not, and nothing is scored."""

from __future__ import annotations

import random

from hireloop.bank.loader import Bank
from hireloop.core import Submission
from hireloop.integrity import Document, Index, flag_grade
from hireloop.integrity.fingerprints import code_fingerprint, code_tokens
from hireloop.integrity.similarity import CODE_THRESHOLD, compare
from tests.integrity.conftest import INDEPENDENT, code_pairs, sources_of
from tests.integrity.disguise import disguise

ORIGINAL = '''
import numpy as np


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Softmax along an axis."""
    shift = np.max(x, axis=axis, keepdims=True)  # no overflow
    e = np.exp(x - shift)
    return e / e.sum(axis=axis, keepdims=True)
'''

REWRITTEN = '''
import numpy as np
def softmax(values,axis=-1):
    # a comment the original did not have
    biggest=np.max(values,axis=axis,keepdims=True); e=np.exp(values-biggest)
    return e/e.sum(axis=axis,
                   keepdims=True)
'''


def test_renaming_comments_docstrings_annotations_and_layout_leave_the_tokens_unchanged() -> None:
    assert [t.text for t in code_tokens(ORIGINAL)] == [t.text for t in code_tokens(REWRITTEN)]


def test_fingerprints_are_the_same_in_every_process() -> None:
    import subprocess
    import sys

    here = code_fingerprint(ORIGINAL).hashes
    there = subprocess.run(
        [sys.executable, "-c", "import sys; from hireloop.integrity.fingerprints import "
         "code_fingerprint; print(list(code_fingerprint(sys.stdin.read()).hashes))"],
        input=ORIGINAL, capture_output=True, text=True, check=True).stdout
    assert list(here) == eval(there)


def test_regions_point_at_the_matched_code_on_both_sides() -> None:
    a = Document("a", ORIGINAL, "code")
    b = Document("b", REWRITTEN, "code")
    match = compare(a, b)
    assert match is not None
    assert match.similarity > 0.9
    for region in match.regions:
        left = ORIGINAL[region.a.start:region.a.end]
        right = REWRITTEN[region.b.start:region.b.end]
        assert "np.exp" in left + right or "np.max" in left + right or "sum" in left + right
    covered = "".join(ORIGINAL[r.a.start:r.a.end] for r in match.regions)
    assert "np.exp" in covered
    assert "keepdims" in covered


def test_disguised_copies_of_built_in_references_are_found_and_independent_solutions_are_not(
    builtin_bank: Bank,
) -> None:
    """The labelled set: every built-in code exercise's reference disguised at four strengths
    (two seeds each), and 18 solutions written independently for six exercises."""
    found = {True: [], False: []}  # type: dict[bool, list[bool]]
    missed = []
    for pair, sources in code_pairs(builtin_bank):
        match = compare(pair.a, pair.b, sources.ignore)
        flagged = match is not None and match.similarity >= CODE_THRESHOLD
        found[pair.copied].append(flagged)
        if flagged != pair.copied:
            missed.append((pair.exercise_id, pair.strength, pair.a.name, pair.b.name))
    recall = sum(found[True]) / len(found[True])
    false_positive_rate = sum(found[False]) / len(found[False])
    assert len(found[True]) >= 90
    assert len(found[False]) >= 30
    assert recall >= 0.9, missed
    assert false_positive_rate <= 0.02, missed


def test_every_lightly_disguised_copy_is_found(builtin_bank: Bank) -> None:
    """Renaming, stripping docstrings and comments and re-printing never hide a copy."""
    for pair, sources in code_pairs(builtin_bank, seeds=1):
        if pair.strength in ("renamed", "stripped"):
            match = compare(pair.a, pair.b, sources.ignore)
            assert match is not None, pair.exercise_id
            assert match.similarity >= CODE_THRESHOLD, pair.exercise_id


GIVEN = '''
def read_table(path):
    rows = []
    with open(path) as handle:
        for line in handle:
            fields = line.rstrip("\\n").split(",")
            rows.append([float(f) for f in fields[1:]] + [fields[0]])
    return rows


def solve(rows):
    raise NotImplementedError
'''


def test_the_code_everyone_is_given_is_never_counted_as_shared() -> None:
    """Two answers that keep the same given helper and differ everywhere else are not alike."""
    ignore = Document("given", GIVEN, "code").fingerprint.hash_set()
    a = Document("a", GIVEN.replace("raise NotImplementedError",
                                    "return sorted(r[-1] for r in rows if r[0] > 0.5)"), "code")
    b = Document("b", GIVEN.replace("raise NotImplementedError", "total = 0\n    for r in rows:"
                                    "\n        total += len(r)\n    return {'n': total}"),
                 "code")
    plain = compare(a, b)
    assert plain is not None
    assert plain.similarity >= CODE_THRESHOLD
    without_given = compare(a, b, ignore)
    assert without_given is None or without_given.similarity < CODE_THRESHOLD


def test_the_index_finds_the_same_pairs_as_comparing_every_pair(builtin_bank: Bank) -> None:
    exercise = builtin_bank.get("coding/edit-distance")
    sources = sources_of(builtin_bank, exercise)
    reference = sources.documents[0].text
    texts = [p.read_text() for p in sorted((INDEPENDENT / "edit-distance").glob("*.py"))]
    texts += [disguise(reference, "edit_distance", "reordered", seed) for seed in range(4)]
    texts += [disguise(texts[0], "edit_distance", "stripped", 9)]
    random.Random(3).shuffle(texts)
    documents = [Document(f"d{i}", t, "code") for i, t in enumerate(texts)]
    index = Index("code", sources.ignore)
    for document in documents:
        index.add(document)
    brute = set()
    for i, a in enumerate(documents):
        for b in documents[i + 1:]:
            match = compare(a, b, sources.ignore)
            if match is not None and match.similarity >= CODE_THRESHOLD:
                brute.add(frozenset((a.name, b.name)))
    assert len(brute) >= 7  # the four copies with each other, and the copied independent one
    assert {frozenset((m.a.name, m.b.name)) for m in index.all_pairs()} == brute
    searched = set()
    for document in documents:
        searched |= {frozenset((m.a.name, m.b.name)) for m in index.search(document)}
    assert searched == brute


def test_a_flag_never_changes_the_score_the_criteria_or_the_outcome(builtin_bank: Bank) -> None:
    from hireloop.core import CriterionScore, Grade

    exercise = builtin_bank.get("coding/edit-distance")
    kind = builtin_bank.kinds.get("code")
    copy = disguise(exercise.hidden.read_text("reference.py"), "edit_distance", "stripped")
    grade = Grade.from_criteria(exercise.id, 0, "code@1", [
        CriterionScore(name="basic", points=3, max_points=4)])
    submission = Submission(exercise_id=exercise.id, text=copy, files={"s.py": copy.encode()})
    flagged = flag_grade(kind, exercise, builtin_bank.variant(exercise, 0), submission, grade)
    assert [f.code for f in flagged.flags] == ["matches_reference"]
    assert flagged.model_dump(exclude={"flags"}) == grade.model_dump(exclude={"flags"})


def test_the_fingerprint_tokenizer_reads_python_as_python_does() -> None:
    """Our one-regex tokenizer against Python's own ``tokenize``, on every Python file of the
    bank and of hireloop, and a part of the standard library."""
    import io
    import sysconfig
    import tokenize
    from pathlib import Path

    from hireloop.config import builtin_bank_dir
    from hireloop.integrity.fingerprints import python_tokens

    root = Path(__file__).resolve().parents[2]
    files = [*builtin_bank_dir().rglob("*.py"), *(root / "src").rglob("*.py"),
             *sorted(Path(sysconfig.get_paths()["stdlib"]).glob("[a-j]*.py"))]
    assert len(files) > 200
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING,
            tokenize.ENDMARKER}
    for path in files:
        source = path.read_text(encoding="utf-8")
        theirs = [("newline" if t.type == tokenize.NEWLINE else t.string)
                  for t in tokenize.generate_tokens(io.StringIO(source).readline)
                  if t.type not in skip]
        ours = [("newline" if kind == "newline" else text)
                for kind, text, _s, _e in python_tokens(source)]
        if theirs and theirs[-1] == "newline" and (not ours or ours[-1] != "newline"):
            ours.append("newline")  # Python ends the last line even without a line break
        assert ours == theirs, path
