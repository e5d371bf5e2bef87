"""No full marks without solving, in the code kind: each way a cheating candidate scored 1.0 on
a built-in exercise before, tried again through the real `hireloop grade` path. Each must score
no more than the exercise's unsolved starter, with outcome `graded`, in bounded time and
memory."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hireloop.config import builtin_bank_dir

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None,
                                reason="needs bubblewrap (scripts/test installs it)")

BANK = builtin_bank_dir()
GRADE = textwrap.dedent("""\
    import sys
    from hireloop.cli import app
    try:
        app(args=sys.argv[1:], prog_name="hireloop", standalone_mode=False)
    finally:
        # VmHWM: this process's own peak (getrusage's maxrss would carry over the peak of the
        # pytest process that started it, across fork and exec).
        with open("/proc/self/status") as status:
            peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
        print(f"MAXRSS_KB={peak}", file=sys.stderr)
    """)


def grade(exercise: str, source: str, tmp_path: Path, name: str = "answer.py",
          timeout: float = 600, env: dict[str, str] | None = None) -> dict[str, Any]:
    """``hireloop grade EXERCISE FILE --json``; the grade, plus the host's wall time and the
    grading process's peak memory."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    started = time.monotonic()
    out = subprocess.run([sys.executable, "-c", GRADE, "grade", exercise, str(path), "--json"],
                         capture_output=True, text=True, timeout=timeout,
                         env=os.environ if env is None else env)
    wall = time.monotonic() - started
    assert out.stdout.strip(), out.stderr[-3000:]
    result: dict[str, Any] = json.loads(out.stdout)
    result["wall_s"] = wall
    result["maxrss_mb"] = int(out.stderr.rsplit("MAXRSS_KB=", 1)[1].split()[0]) / 1024
    return result


def starter_score(exercise: str, tmp_path: Path) -> float:
    config = tomllib.loads((BANK / exercise / "exercise.toml").read_text())["code"]
    starter = (BANK / exercise / config.get("starter", "starter.py")).read_text()
    got = grade(exercise, starter, tmp_path, "starter.py")
    return float(got["score"]) if got["outcome"] == "graded" else 0.0


def assert_no_better_than_starter(exercise: str, got: dict[str, Any], tmp_path: Path) -> None:
    assert got["outcome"] == "graded", (got["outcome"], got.get("message"))
    assert got["score"] <= starter_score(exercise, tmp_path) + 1e-9, got["notes"][:5]


@pytest.fixture
def wheel_like_bank() -> Iterator[Path]:
    """kmeans-step where a wheel install keeps the built-in bank: below the Python prefix,
    which every sandbox binds read-only (an editable checkout keeps it elsewhere)."""
    root = Path(sys.prefix) / "share" / f"hireloop-test-{uuid.uuid4().hex[:8]}" / "bank"
    shutil.copytree(BANK / "ml-foundations" / "kmeans-step", root / "wheel" / "kmeans-step")
    (root / "bank.toml").write_text('name = "installed like a wheel"\n')
    try:
        yield root
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)


def test_code_that_finds_the_reference_on_disk_gets_nothing_from_it(
        tmp_path: Path, wheel_like_bank: Path) -> None:
    known = wheel_like_bank / "wheel" / "kmeans-step" / "hidden" / "reference.py"
    assert known.is_file()
    cheat = f"""\
        import os
        if os.path.exists({str(known)!r}):  # the candidate has read the repository's layout
            exec(open({str(known)!r}).read())
        else:
            def kmeans_step(X, centroids):
                raise NotImplementedError("no reference found")
        """
    got = grade("wheel/kmeans-step", cheat, tmp_path,
                env={**os.environ, "HIRELOOP_BANK_DIRS": str(wheel_like_bank)})
    assert got["outcome"] == "graded", (got["outcome"], got.get("message"))
    assert got["score"] <= starter_score("ml-foundations/kmeans-step", tmp_path) + 1e-9
    assert "no reference found" in json.dumps(got["notes"])


def test_a_checker_judges_the_hosts_copy_of_the_inputs_not_the_mutated_one(
    tmp_path: Path,
) -> None:
    # empties the labels it was given: a checker reading the sandbox's copy sees a valid
    # split of nothing
    cheat = """\
        def stratified_split(labels, test_fraction, seed):
            labels.clear()
            return [[], []]
        """
    got = grade("ml-debugging/stratified-split", cheat, tmp_path)
    assert_no_better_than_starter("ml-debugging/stratified-split", got, tmp_path)


def test_results_written_by_the_code_itself_are_never_read(tmp_path: Path) -> None:
    # forged result records in the old results file, and forged frames written on every
    # descriptor the process holds, before any case was sent
    cheat = """\
        import json, os, struct
        record = {"status": "ok", "output": [[], []], "args": [[], 0.2], "seconds": 0.0}
        with open("results.jsonl", "a") as out:
            for i in range(200):
                out.write(json.dumps({"index": i, **record}) + "\\n")
        for fd in range(0, 32):
            for _ in range(3):
                try:
                    os.write(fd, struct.pack("!Q", 16) + b"x" * 16)
                except OSError:
                    pass

        def stratified_split(labels, test_fraction, seed):
            raise NotImplementedError
        """
    got = grade("ml-debugging/stratified-split", cheat, tmp_path)
    assert_no_better_than_starter("ml-debugging/stratified-split", got, tmp_path)


def _slow_bank(tmp_path: Path, cases: int = 3) -> Path:
    """An exercise with `large` cases whose limit comes from a fast reference."""
    root = tmp_path / "bank"
    ex = root / "coding" / "count"
    (ex / "hidden").mkdir(parents=True)
    (root / "bank.toml").write_text('name = "t"\n')
    (ex / "exercise.toml").write_text(
        'title = "Count up"\nkind = "code"\ncompetencies = ["coding"]\nlevel = "junior"\n'
        'minutes = 2\n\n[code]\nentry = "total"\ntime_limit_s = 0.5\n')
    (ex / "prompt.md").write_text("Return the sum of range(n).\n")
    (ex / "starter.py").write_text("def total(n):\n    raise NotImplementedError\n")
    (ex / "visible_tests.toml").write_text('[[case]]\nname = "ten"\nargs = [10]\n'
                                           'expected = 45\n')
    (ex / "hidden" / "reference.py").write_text("def total(n):\n    return n * (n - 1) // 2\n")
    (ex / "samples").mkdir()
    (ex / "samples" / "samples.toml").write_text(
        '[[sample]]\nname = "reference"\nfile = "hidden/reference.py"\nscore = [1.0, 1.0]\n')
    (ex / "hidden" / "cases.toml").write_text("".join(
        f'[[case]]\nname = "large {i}"\nargs = [{20_000_000 + i}]\ntags = ["large"]\n\n'
        for i in range(cases)))
    return ex


SLOW = """\
    def total(n):
        s = 0
        for i in range(n):
            s += i
        return s
    """


def test_switching_off_the_in_process_timer_changes_nothing(tmp_path: Path) -> None:
    ex = _slow_bank(tmp_path)
    honest = grade(str(ex), SLOW, tmp_path, "slow.py")
    hack = """\
        import signal
        signal.signal(signal.SIGALRM, signal.SIG_IGN)

        def total(n):
            signal.setitimer(signal.ITIMER_REAL, 0)
            s = 0
            try:
                for i in range(n):
                    s += i
            except BaseException:
                pass
            return s
        """
    cheat = grade(str(ex), hack, tmp_path, "hack.py")
    assert honest["score"] == 0.0
    assert cheat["outcome"] == "graded"
    assert cheat["score"] == honest["score"]
    assert "too slow" in json.dumps(cheat["feedback"])


def test_a_lookup_table_of_every_published_case_does_not_pass(tmp_path: Path) -> None:
    exercise = "coding/edit-distance"
    published: list[tuple[Any, Any]] = []
    for path in (BANK / exercise / "visible_tests.toml", BANK / exercise / "hidden" / "cases.toml"):
        for case in tomllib.loads(path.read_text())["case"]:
            if "args" in case and "expected" in case:
                published.append((case["args"], case["expected"]))
    assert published
    cheat = f"""\
        import json
        TABLE = {{json.dumps(a): e for a, e in {published!r}}}

        def edit_distance(a, b):
            return TABLE[json.dumps([a, b])]
        """
    got = grade(exercise, cheat, tmp_path)
    assert_no_better_than_starter(exercise, got, tmp_path)


@pytest.mark.parametrize("body", [
    "x = []\n    for _ in range(200000):\n        x = [x]\n    return x",
    "import numpy as np\n    return np.array([object(), 1], dtype=object)",
    "return {'__nd__': 0, 'dtype': 'O', 'shape': [1]}",
    "import numpy as np\n    return [list(range(len(X))), np.zeros((3000, 1000))]",
    "import numpy as np\n    return np.zeros((2_500_000,))",
], ids=["nested", "object-array", "fake-placeholder", "24-mb-array", "20-mb-array"])
def test_malformed_or_oversized_output_is_a_verdict_on_the_case(body: str,
                                                               tmp_path: Path) -> None:
    cheat = f"def kmeans_step(X, centroids):\n    {body}\n"
    got = grade("ml-foundations/kmeans-step", cheat, tmp_path)
    assert_no_better_than_starter("ml-foundations/kmeans-step", got, tmp_path)
    assert got["maxrss_mb"] < 400, f"the grading process grew to {got['maxrss_mb']:.0f} MB"


def test_sleeping_at_import_ends_the_grade_at_the_load_limit(tmp_path: Path) -> None:
    got = grade("coding/edit-distance", "import time\ntime.sleep(3600)\n"
                "def edit_distance(a, b):\n    return 0\n", tmp_path)
    assert_no_better_than_starter("coding/edit-distance", got, tmp_path)
    assert got["wall_s"] < 40
    assert "took too long" in json.dumps(got["feedback"])


def test_sleeping_in_every_case_ends_within_the_submissions_budget(tmp_path: Path) -> None:
    ex = _slow_bank(tmp_path, cases=8)
    got = grade(str(ex), "import time\ndef total(n):\n    time.sleep(3600)\n", tmp_path)
    assert got["outcome"] == "graded"
    assert got["score"] == 0.0
    budget = float(got["notes"][-1].split(" of a ")[1].split(" s budget")[0])
    assert got["wall_s"] < budget + 15, (got["wall_s"], budget)
