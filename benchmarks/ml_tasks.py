"""Grade every built-in ml_task exercise with its reference solution, then every sample
(reference, starter, cheats) as `hireloop bank check` does; print wall and CPU time. Then
serve deploy-optimise's starter against itself, paired row by row as grading does, and print
how far apart the two measurements of the same model land (the latency noise).

    python benchmarks/ml_tasks.py [--noise-only] [--repeats N]

CPU is the grading process's own plus every sandbox session's (cgroup accounting, as the
sandbox measures it). The first grade of an exercise includes measuring the starter where a
criterion compares against it, as a real first grade would.
"""

from __future__ import annotations

import argparse
import resource
import time

from hireloop.bank import load_bank
from hireloop.config import builtin_bank_dir
from hireloop.kinds.ml_task import MlTaskKind


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def noise(repeats: int) -> None:
    """The starter served against itself: the ratio of the two p95s, CPU and wall."""
    from hireloop.kinds.ml_task.grader import dataset, measure, serve

    kind = MlTaskKind()
    bank = load_bank([builtin_bank_dir()])
    exercise = bank.get("ml_task/deploy-optimise")
    variant = bank.variant(exercise, 0)
    scoring, _ = kind.load_scoring(exercise)
    assert scoring is not None
    data = dataset(exercise, variant)
    files = kind.starter_files(exercise)
    base = measure(exercise, files, data, scoring)
    cpu_ratios, wall_ratios = [], []
    from dataclasses import replace

    for i in range(repeats):
        one = replace(base, violations=[], latency_p95_s=None)
        two = replace(base, violations=[], latency_p95_s=None)
        serve(exercise.config, data, {"one": (files, one), "two": (files, two)}, seed=i)
        assert one.latency_p95_s
        assert two.latency_p95_s
        assert one.latency_wall_p95_s
        assert two.latency_wall_p95_s
        cpu = max(one.latency_p95_s, two.latency_p95_s) / min(one.latency_p95_s,
                                                              two.latency_p95_s)
        wall = max(one.latency_wall_p95_s, two.latency_wall_p95_s) / min(
            one.latency_wall_p95_s, two.latency_wall_p95_s)
        cpu_ratios.append(cpu)
        wall_ratios.append(wall)
        print(f"starter vs itself, run {i + 1}: p95 CPU per request "
              f"{one.latency_p95_s * 1000:.2f} / {two.latency_p95_s * 1000:.2f} ms "
              f"({cpu:.2f}x apart); p95 wall {one.latency_wall_p95_s * 1000:.2f} / "
              f"{two.latency_wall_p95_s * 1000:.2f} ms ({wall:.2f}x apart)")
    print(f"largest spread over {repeats} runs: CPU {max(cpu_ratios):.2f}x, "
          f"wall {max(wall_ratios):.2f}x")


def main() -> None:
    from hireloop.sandbox import session

    parser = argparse.ArgumentParser()
    parser.add_argument("--noise-only", action="store_true")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if args.noise_only:
        noise(args.repeats)
        return
    kind = MlTaskKind()
    bank = load_bank([builtin_bank_dir()])
    exercises = sorted((e for e in bank.exercises.values() if e.kind == "ml_task"),
                       key=lambda e: e.id)
    sandbox_cpu = 0.0
    original = session.Session.close

    def counting(self: session.Session) -> None:
        nonlocal sandbox_cpu
        if not self._closed:
            sandbox_cpu += self.cpu_s
        original(self)

    session.Session.close = counting  # type: ignore[method-assign]
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
    print()
    noise(args.repeats)


if __name__ == "__main__":
    main()
