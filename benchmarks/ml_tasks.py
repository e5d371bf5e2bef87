"""Grade every built-in ml_task exercise with its reference solution, then every sample
(reference, starter, cheats) as `hireloop bank check` does; print wall and CPU time.

    python benchmarks/ml_tasks.py

CPU is the grading process's own plus every sandboxed run's (cgroup accounting, as the
sandbox measures it). The first grade of an exercise includes measuring the starter where a
criterion compares against it, as a real first grade would.
"""

from __future__ import annotations

import resource
import time

from hireloop.bank import load_bank
from hireloop.config import builtin_bank_dir
from hireloop.kinds.ml_task import MlTaskKind


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    from hireloop import sandbox

    kind = MlTaskKind()
    bank = load_bank([builtin_bank_dir()])
    exercises = sorted((e for e in bank.exercises.values() if e.kind == "ml_task"),
                       key=lambda e: e.id)
    sandbox_cpu = 0.0
    original = sandbox.run_python

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal sandbox_cpu
        result = original(*args, **kwargs)
        sandbox_cpu += result.cpu_s
        return result

    sandbox.run_python = counting  # type: ignore[assignment]
    total_wall = total_cpu = 0.0
    print(f"{'exercise':40} {'score':>6} {'wall s':>8} {'CPU s':>8} {'limit s':>8}")
    for exercise in exercises:
        variant = bank.variant(exercise, 0)
        submission = kind.read_submission(exercise, variant, exercise.path / "hidden/reference")
        before_cpu, before_sandbox = time.process_time(), sandbox_cpu
        start = time.perf_counter()
        grade = kind.grade(exercise, variant, submission)
        wall = time.perf_counter() - start
        cpu = time.process_time() - before_cpu + sandbox_cpu - before_sandbox
        total_wall += wall
        total_cpu += cpu
        print(f"{exercise.id:40} {grade.score:6.3f} {wall:8.2f} {cpu:8.2f} "
              f"{exercise.config.time_s:8.0f}")
    print(f"{'total (' + str(len(exercises)) + ' exercises)':40} {'':6} {total_wall:8.2f} "
          f"{total_cpu:8.2f}")
    print(f"whole set within 10 minutes: {total_wall < 600}")
    print()
    print(f"{'every sample':40} {'scores':>22} {'wall s':>8} {'CPU s':>8}")
    all_wall = all_cpu = 0.0
    slowest = (0.0, "")
    for exercise in exercises:
        variant = bank.variant(exercise, 0)
        scores, wall_sum, cpu_sum = [], 0.0, 0.0
        for sample in exercise.samples:
            submission = kind.read_submission(exercise, variant, exercise.path / sample.file)
            before_cpu, before_sandbox = time.process_time(), sandbox_cpu
            start = time.perf_counter()
            grade = kind.grade(exercise, variant, submission)
            wall = time.perf_counter() - start
            wall_sum += wall
            cpu_sum += time.process_time() - before_cpu + sandbox_cpu - before_sandbox
            scores.append(f"{grade.score:.2f}")
            slowest = max(slowest, (wall, f"{exercise.id} {sample.name}"))
        all_wall += wall_sum
        all_cpu += cpu_sum
        print(f"{exercise.id:40} {' '.join(scores):>22} {wall_sum:8.2f} {cpu_sum:8.2f}")
    print(f"{'total (every sample)':40} {'':22} {all_wall:8.2f} {all_cpu:8.2f}")
    print(f"slowest sample: {slowest[1]} ({slowest[0]:.2f} s wall)")
    print(f"every sample within 10 minutes: {all_wall < 600}")


if __name__ == "__main__":
    main()
