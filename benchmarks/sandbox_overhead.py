"""Sandbox overhead: what isolation costs, measured in one run on this machine.

Prints:

1. median wall time of ``python3 -c pass`` bare vs in a fresh sandbox (the full
   ``hireloop.sandbox.run`` call: tmpfs, cgroups, bubblewrap, seccomp, setpriv, cleanup),
   and their ratio (target <= 2.0);
2. throughput of fresh sandboxes with 2 workers (runs per second);
3. throughput and median latency of a warm pool (practice mode) with 2 workers running the
   same program, and the ratio to fresh throughput (target >= 5).

Usage: python benchmarks/sandbox_overhead.py [--runs N] [--seconds S] [--json]
(run as root on a host where ``hireloop sandbox doctor`` is all green).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

try:
    import hireloop.sandbox  # noqa: F401
except ImportError:  # from a checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from hireloop.sandbox import Limits, Verdict, WarmPool, python_executable, run
from hireloop.sandbox._host import get_host

PROGRAM = "pass"
LIMITS = Limits(time_s=5, wall_s=10)


def bare_once(python: str) -> float:
    t = time.perf_counter()
    subprocess.run([python, "-c", PROGRAM], check=True)
    return time.perf_counter() - t


def fresh_once() -> float:
    t = time.perf_counter()
    r = run(["python3", "-c", PROGRAM], limits=LIMITS, unsafe=False)
    elapsed = time.perf_counter() - t
    if r.verdict is not Verdict.OK:
        raise SystemExit(f"sandboxed run failed: {r.verdict} {r.detail} {r.stderr_text}")
    return elapsed


def throughput(job: Callable[[], object], workers: int, seconds: float) -> tuple[float, int]:
    """Jobs per second with ``workers`` threads submitting back to back."""
    done = [0] * workers
    stop = time.perf_counter() + seconds

    def loop(i: int) -> None:
        while time.perf_counter() < stop:
            job()
            done[i] += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(workers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = sum(done)
    return total / (time.perf_counter() - start), total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=40, help="runs per latency median")
    ap.add_argument("--seconds", type=float, default=5.0, help="length of each throughput test")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    problems = get_host().problems()
    if problems:
        print("sandbox unavailable here: " + "; ".join(problems), file=sys.stderr)
        return 2
    python = python_executable()

    # warm-up: page cache, imports, the first cgroup and slot directories
    for _ in range(3):
        bare_once(python)
        fresh_once()

    bare: list[float] = []
    fresh: list[float] = []
    for _ in range(args.runs):  # interleaved, so that machine noise hits both alike
        bare.append(bare_once(python))
        fresh.append(fresh_once())
    bare_ms = statistics.median(bare) * 1000
    fresh_ms = statistics.median(fresh) * 1000

    fresh_rate, fresh_n = throughput(fresh_once, args.workers, args.seconds)

    with WarmPool(size=args.workers, preload=("numpy",)) as pool:
        def warm_once() -> float:
            t = time.perf_counter()
            r = pool.run_python(PROGRAM, limits=LIMITS)
            if r.verdict is not Verdict.OK:
                raise SystemExit(f"warm run failed: {r.verdict} {r.detail} {r.stderr_text}")
            return time.perf_counter() - t

        for _ in range(20):
            warm_once()
        warm_lat = [warm_once() for _ in range(args.runs * 5)]
        warm_rate, warm_n = throughput(warm_once, args.workers, args.seconds)
    warm_ms = statistics.median(warm_lat) * 1000

    figures = {
        "bare_python_ms": round(bare_ms, 2),
        "fresh_sandbox_ms": round(fresh_ms, 2),
        "fresh_over_bare": round(fresh_ms / bare_ms, 2),
        "fresh_runs_per_s": round(fresh_rate, 1),
        "fresh_runs": fresh_n,
        "warm_run_ms": round(warm_ms, 2),
        "warm_runs_per_s": round(warm_rate, 1),
        "warm_runs": warm_n,
        "warm_over_fresh_throughput": round(warm_rate / fresh_rate, 2),
        "workers": args.workers,
        "targets": {"fresh_over_bare": "<= 2.0", "warm_over_fresh_throughput": ">= 5"},
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        ok1 = figures["fresh_over_bare"] <= 2.0
        ok2 = figures["warm_over_fresh_throughput"] >= 5
        print(f"python3 -c pass, median of {args.runs}:")
        print(f"  bare                {bare_ms:8.2f} ms")
        print(f"  fresh sandbox       {fresh_ms:8.2f} ms   ratio {fresh_ms / bare_ms:.2f}"
              f"  (target <= 2.0: {'met' if ok1 else 'NOT met'})")
        print(f"throughput, {args.workers} workers, {args.seconds:g} s each:")
        print(f"  fresh sandboxes     {fresh_rate:8.1f} runs/s  ({fresh_n} runs)")
        print(f"  warm pool           {warm_rate:8.1f} runs/s  ({warm_n} runs), "
              f"median latency {warm_ms:.2f} ms")
        print(f"  warm / fresh        {warm_rate / fresh_rate:8.2f} x"
              f"  (target >= 5: {'met' if ok2 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
