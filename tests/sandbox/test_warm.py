"""Warm workers (practice mode): fast, but never two candidates in one process."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from conftest import LIVE_POOLS, assert_host_clean, assert_next_run_clean, requires_sandbox
from hireloop.sandbox import Limits, Verdict, WarmPool, run_python

pytestmark = requires_sandbox


def test_two_jobs_never_share_a_process_or_its_state(warm_pool: WarmPool):
    a = warm_pool.run_python("import os, json\njson.LEAK = 'from job a'\nprint(os.getpid())\n"
                             "import random; print(random.random())")
    b = warm_pool.run_python("import os, json\nprint(os.getpid())\n"
                             "print(getattr(json, 'LEAK', 'clean'))\n"
                             "import random; print(random.random())")
    assert a.verdict is b.verdict is Verdict.OK
    pid_a, rand_a = a.stdout.split()
    pid_b, state, rand_b = b.stdout.split()
    assert pid_a != pid_b
    assert state == b"clean"
    assert rand_a != rand_b  # reseeded per job, like a fresh interpreter
    assert a.mode == b.mode == "warm"


def test_a_warm_job_is_much_faster_than_a_fresh_sandbox(warm_pool: WarmPool):
    src = "import numpy\nprint(numpy.zeros(3).sum())"
    warm = min(warm_pool.run_python(src).wall_s for _ in range(5))
    fresh = min(run_python(src, unsafe=False).wall_s for _ in range(3))
    assert warm * 3 < fresh, (warm, fresh)


def test_limits_are_per_job(warm_pool: WarmPool):
    big = "b = bytearray(200 * 1024 * 1024)\nprint('ok')"
    small = warm_pool.run_python(big, limits=Limits(memory_mb=64))
    large = warm_pool.run_python(big, limits=Limits(memory_mb=400))
    assert small.verdict is Verdict.MEMORY_LIMIT
    assert large.verdict is Verdict.OK, (large.detail, large.stderr_text[-300:])
    assert 190 < large.memory_mb < 260
    files = warm_pool.run_python("import resource\nprint(resource.getrlimit("
                                 "resource.RLIMIT_NOFILE))", limits=Limits(open_files=32))
    assert files.stdout == b"(32, 32)\n"


def test_the_pool_refuses_limits_it_cannot_honour(warm_pool: WarmPool):
    with pytest.raises(ValueError, match="pids"):
        warm_pool.run_python("pass", limits=Limits(pids=10_000))



def test_tmp_mb_is_per_job_too(warm_pool: WarmPool):
    fill = ("n = 0\ntry:\n    while True:\n        open(f'f{n}', 'wb').write(b'x' * (1 << 20))\n"
            "        n += 1\nexcept OSError:\n    print(n)")
    small = warm_pool.run_python(fill, limits=Limits(tmp_mb=4, file_size_mb=2))
    large = warm_pool.run_python(fill, limits=Limits(tmp_mb=24, file_size_mb=2))
    assert 2 <= int(small.stdout) <= 4
    assert 20 <= int(large.stdout) <= 24


def test_bad_input_leaves_the_worker_usable(warm_pool: WarmPool):
    with pytest.raises(ValueError, match="safe relative file name"):
        warm_pool.run_python("pass", files={"../escape": b""})
    assert warm_pool.run_python("print(1)").stdout == b"1\n"


def test_a_dead_harness_is_replaced_by_a_fresh_worker():
    with WarmPool(size=1, tmp_mb=16) as pool:
        LIVE_POOLS.append(pool)
        try:
            assert pool.run_python("print(1)").ok
            (worker,) = pool._all
            for pid in worker.protected:
                os.kill(pid, signal.SIGKILL)
            time.sleep(0.1)
            r = pool.run_python("print(2)")
            assert r.verdict in (Verdict.OK, Verdict.INTERNAL_ERROR)
            assert pool.run_python("print(3)").stdout == b"3\n"
            assert worker not in pool._all
            assert_next_run_clean(pool.run_python)
        finally:
            LIVE_POOLS.remove(pool)
    assert_host_clean()


def test_the_pool_is_thread_safe_and_leaves_nothing_after_close():
    out: list[bytes] = []
    with WarmPool(size=2, tmp_mb=16) as pool:
        LIVE_POOLS.append(pool)
        try:
            def work(i: int) -> None:
                for j in range(3):
                    r = pool.run_python(f"import time\ntime.sleep(0.02)\nprint({i * 10 + j})")
                    out.append(r.stdout)

            threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
            [t.start() for t in threads]
            [t.join() for t in threads]
        finally:
            LIVE_POOLS.remove(pool)
    assert sorted(int(o) for o in out) == sorted(i * 10 + j for i in range(4) for j in range(3))
    assert_host_clean()


def test_a_command_can_run_in_a_warm_sandbox(warm_pool: WarmPool):
    r = warm_pool.run(["sh", "-c", "echo $(id -u); cat data.txt; exit 3"],
                      files={"data.txt": b"hi"})
    assert r.verdict is Verdict.RUNTIME_ERROR
    assert r.exit_code == 3
    lines = r.stdout.split()
    assert int(lines[0]) >= 60000
    assert lines[1] == b"hi"
