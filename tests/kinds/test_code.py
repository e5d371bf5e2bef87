"""The code kind end to end, through the real sandbox: cases in, verdicts per case out."""

from __future__ import annotations

import shutil

import pytest

from hireloop.core import Exercise, Outcome, Submission
from hireloop.kinds.code import CodeKind
from tests.conftest import WriteExercise, load

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None,
                                reason="needs bubblewrap (scripts/test installs it)")

CODE_TOML = """\
title = "Clip and scale"
kind = "code"
competencies = ["coding"]
level = "junior"
minutes = 5

[code]
entry = "scale"
time_limit_s = 1.0
memory_mb = 128
"""
SECRET = 987654.321
CASES = f"""\
[[case]]
name = "doubles"
args = [2]
expected = 4
tags = ["basic"]

[[case]]
name = "secret value"
args = [{SECRET / 2}]
expected = {SECRET}
compare = "close"
tags = ["edge"]

[[case]]
name = "negative raises"
args = [-1]
raises = "ValueError"
tags = ["edge"]

[[case]]
name = "from the reference"
args = [21]
tags = ["basic"]

[[case]]
name = "big loop"
generator = "big"
tags = ["large"]
"""
REFERENCE = """\
def scale(x):
    if x < 0:
        raise ValueError("negative")
    return x * 2
"""
GENERATORS = "def big(seed):\n    return {'args': [10 ** 6]}\n"
VISIBLE = '[[case]]\nname = "one"\nargs = [1]\nexpected = 2\ntags = ["basic"]\n'
SAMPLES = '[[sample]]\nname = "reference"\nfile = "hidden/reference.py"\nscore = [1.0, 1.0]\n'


@pytest.fixture
def exercise(write_exercise: WriteExercise) -> Exercise:
    directory = write_exercise("coding/clip-and-scale", files={
        "exercise.toml": CODE_TOML, "hidden/key.toml": None, "prompt.md": "Write scale(x).\n",
        "starter.py": "def scale(x):\n    raise NotImplementedError\n",
        "visible_tests.toml": VISIBLE, "hidden/cases.toml": CASES,
        "hidden/reference.py": REFERENCE, "hidden/generators.py": GENERATORS,
        "samples/samples.toml": SAMPLES, "samples/right.txt": None, "samples/empty.txt": None})
    return load([directory]).get("coding/clip-and-scale")


def grade(exercise: Exercise, source: str | None):  # type: ignore[no-untyped-def]
    return CodeKind().grade(exercise, exercise.variant(0),
                            Submission(exercise_id=exercise.id, text=source))


def verdicts(result) -> dict[str, str]:  # type: ignore[no-untyped-def]
    out = {}
    for criterion in result.criteria:
        for line in criterion.evidence:
            name = line.split("'")[1]
            out[name] = line.split(": ", 1)[1].split(" — ")[0]
    return out


def test_the_reference_passes_every_case(exercise: Exercise) -> None:
    result = grade(exercise, REFERENCE)
    assert result.outcome is Outcome.GRADED
    assert result.score == 1.0
    assert result.grader == "code@1"


def test_a_subtly_wrong_solution_loses_exactly_the_cases_it_fails(exercise: Exercise) -> None:
    result = grade(exercise, "def scale(x):\n    return x * 2\n")  # forgets the ValueError
    assert verdicts(result)["negative raises"] == "wrong"
    assert result.score == pytest.approx(4 / 5)  # hidden cases only: visible ones are public
    assert any("expected ValueError to be raised" in n for n in result.notes)


def test_an_empty_submission_is_not_gradable(exercise: Exercise) -> None:
    for source in ("", "  \n", None):
        assert grade(exercise, source).outcome is Outcome.NOT_GRADABLE


def test_a_syntax_error_is_graded_zero_and_explained(exercise: Exercise) -> None:
    result = grade(exercise, "def scale(x)\n    return x\n")
    assert result.outcome is Outcome.GRADED
    assert result.score == 0.0
    assert any("did not load" in f and "SyntaxError" in f for f in result.feedback)


def test_a_missing_entry_point_is_named(exercise: Exercise) -> None:
    result = grade(exercise, "def other(x):\n    return x\n")
    assert any("does not define `scale`" in f for f in result.feedback)


def test_an_infinite_loop_in_one_case_times_out_only_that_case(exercise: Exercise) -> None:
    source = REFERENCE.replace("return x * 2", "while x == 21:\n        pass\n    return x * 2")
    result = grade(exercise, source)
    v = verdicts(result)
    assert v["from the reference"] == "timeout"
    assert v["doubles"] == "passed"
    assert v["big loop"] == "passed"


def test_a_slow_algorithm_times_out_on_large_inputs(exercise: Exercise) -> None:
    slow = REFERENCE.replace("return x * 2", "total = 0\n    for _ in range(int(x) * 200):\n"
                             "        total += 1\n    return x * 2")
    result = grade(exercise, slow)
    assert verdicts(result)["big loop"] == "timeout"
    assert any("time limit set from the reference" in f for f in result.feedback)


def test_expected_outputs_never_enter_the_sandbox(exercise: Exercise) -> None:
    # The submission searches every file it can read for the hidden expected value (spelled in
    # two halves, so its own source does not contain it).
    text, whole = str(SECRET), str(int(SECRET))
    spy = f"""
import os
NEEDLES = [("{text[:4]}" + "{text[4:]}").encode(), ("{whole[:3]}" + "{whole[3:]}").encode()]
def scale(x):
    if x < 0:
        raise ValueError
    for top in ("/sandbox", "/harness", "/tmp", os.getcwd()):
        for root, _, files in os.walk(top):
            for name in files:
                if name == "results.jsonl":
                    continue  # what this code itself returned so far
                try:
                    data = open(os.path.join(root, name), "rb").read()
                except OSError:
                    continue
                if any(n in data for n in NEEDLES):
                    return "LEAKED"
    return x * 2
"""
    result = grade(exercise, spy)
    assert result.score == 1.0, result.notes


def test_results_the_code_writes_itself_earn_nothing_even_when_right(exercise: Exercise) -> None:
    # The stub knows every expected value (the bank is public) and writes them as results at
    # import and at exit, in the old harness's results file and as frames on every descriptor
    # it holds; the host reads only answers to the requests it sent.
    right = {0: 2, 1: 4, 2: SECRET, 4: 42}
    tamper = f"""
import atexit, json, os, struct
RIGHT = {right!r}
def _forge():
    with open("results.jsonl", "a") as out:
        for i, v in RIGHT.items():
            out.write(json.dumps({{"index": i, "status": "ok", "output": v}}) + "\\n")
    for fd in range(32):
        try:
            os.write(fd, struct.pack("!Q", 24) + b"12345678" + json.dumps(4).encode().ljust(16))
        except OSError:
            pass
_forge()
atexit.register(_forge)
def scale(x):
    raise NotImplementedError
"""
    result = grade(exercise, tamper)
    assert result.outcome is Outcome.GRADED
    assert result.score == 0.0


def test_the_candidate_sees_hidden_failures_only_by_category(exercise: Exercise) -> None:
    result = grade(exercise, "def scale(x):\n    return x * 3\n")
    text = " ".join(result.feedback)
    assert str(SECRET) not in text
    assert "basic behaviour" in text
    assert any(str(SECRET) in n for n in result.notes)  # the interviewer sees the diff


def test_generated_inputs_are_cached_per_seed_and_every_grade_gets_its_own_copy() -> None:
    from hireloop.bank import load_bank
    from hireloop.config import builtin_bank_dir
    from hireloop.kinds.code import grader

    bank = load_bank([builtin_bank_dir()])
    exercise = bank.get("coding/edit-distance")
    kind = bank.kinds.get("code")
    prepared = [p for p in kind.prepared_cases(exercise) if p.case.generator is not None]
    assert prepared
    first = grader.materialise(exercise, bank.variant(exercise, 0), prepared)
    original = [repr(p.inputs) for p in first]
    for p in first:  # a checker that changes its inputs in place
        p.inputs["args"].clear()
    again = grader.materialise(exercise, bank.variant(exercise, 0), prepared)
    assert [repr(p.inputs) for p in again] == original
    other = grader.materialise(exercise, bank.variant(exercise, 1), prepared)
    assert [repr(p.inputs) for p in other] != original
