"""Grading a code exercise end to end (submission in, grade out), fresh sandboxes vs warm.

Run: .venv/bin/python benchmarks/code_grading.py [EXERCISE_ID] [--runs N]

Prints the median and p90 wall time of grading the exercise's reference solution (21 cases for
the default, coding/edit-distance), once with a fresh sandbox per run and once with the warm
pool that practice mode uses, measured in the same run on this machine; and the ratio.
The reference's own run (expected outputs and timings) is cached after the first grade.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

SCRIPT = """
import json, os, statistics, sys, time
from hireloop.bank import load_bank
from hireloop.bank.grading import grade
from hireloop.config import builtin_bank_dir
from hireloop.core import Submission
bank = load_bank([builtin_bank_dir()])
ex = bank.get(sys.argv[1])
kind = bank.kinds.get("code")
source = ex.hidden.read_text("reference.py")
cases = len(kind.prepared_cases(ex))
variant = bank.variant(ex, 0)
first = grade(kind, ex, variant, Submission(exercise_id=ex.id, text=source))
assert first.score == 1.0, first
times = []
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    g = grade(kind, ex, variant, Submission(exercise_id=ex.id, text=source))
    times.append(time.perf_counter() - t)
    assert g.score == 1.0, g
from hireloop.kinds.code import grader as code_grader
ref = next(iter(code_grader._reference_cache.values()))
compute = sum(float(r.get("seconds") or 0) for r in ref.records.values())
print(json.dumps({"cases": cases, "times": times, "reference_compute_s": compute}))
"""


def measure(exercise: str, runs: int, warm: int) -> dict[str, object]:
    import json

    env = {**os.environ, "HIRELOOP_SANDBOX_WARM_WORKERS": str(warm)}
    out = subprocess.run([sys.executable, "-c", SCRIPT, exercise, str(runs)], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("exercise", nargs="?", default="coding/edit-distance")
    parser.add_argument("--runs", type=int, default=20)
    options = parser.parse_args()
    exercise, runs = options.exercise, options.runs
    start = time.perf_counter()
    fresh = measure(exercise, runs, 0)
    warm = measure(exercise, runs, 2)
    f_times = sorted(fresh["times"])  # type: ignore[arg-type]
    w_times = sorted(warm["times"])  # type: ignore[arg-type]
    print(f"{exercise}: {fresh['cases']} cases, {runs} grades each, reference cached; the "
          f"reference's own compute on the cases: {fresh['reference_compute_s'] * 1000:.0f} ms")
    for name, times in (("fresh sandbox", f_times), ("warm pool    ", w_times)):
        print(f"  {name}: median {statistics.median(times) * 1000:.0f} ms, "
              f"p90 {times[int(0.9 * (len(times) - 1))] * 1000:.0f} ms "
              "(target: median <= 300 ms)")
    print(f"  warm / fresh median: {statistics.median(w_times) / statistics.median(f_times):.2f}")
    print(f"  (total {time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
