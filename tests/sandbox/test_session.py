"""Sessions: the host talks to a sandboxed worker one request at a time, and nothing the
code under test does reaches the host's channel but its answers to the requests it read."""

from __future__ import annotations

import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import assert_host_clean, requires_sandbox
from hireloop.sandbox import Limits, Session, wire

pytestmark = requires_sandbox

ECHO = textwrap.dedent("""\
    import os, sys, time, threading
    import wire

    channel = wire.Channel.open()
    {at_start}
    channel.reply(wire.encode("ready"))
    while True:
        try:
            request = wire.decode(channel.receive())
        except EOFError:
            break
        {per_request}
        channel.reply(wire.encode(["echo", request]))
    """)


def worker(at_start: str = "pass", per_request: str = "pass") -> bytes:
    """The echo worker with code of the test's at start and before each answer (dedented)."""
    return ECHO.format(at_start=textwrap.dedent(at_start).strip(),
                       per_request=textwrap.indent(textwrap.dedent(per_request).strip(),
                                                   " " * 4).strip()).encode()


@pytest.fixture
def session_for() -> Iterator[object]:
    opened: list[Session] = []

    def make(script: bytes, **limits: object) -> Session:
        s = Session(readonly_files={"worker.py": script},
                    limits=Limits(time_s=60, memory_mb=int(limits.pop("memory_mb", 256)),
                                  pids=32, tmp_mb=16))
        opened.append(s)
        return s

    yield make
    for s in opened:
        s.close()
    assert_host_clean()


def ask(s: Session, value: object, **kw: float) -> object:
    reply = s.request(wire.encode(value), cpu_s=kw.get("cpu_s", 2.0),
                      wall_s=kw.get("wall_s"))
    assert reply.ok, (reply.status, reply.detail)
    return wire.decode(reply.data)


def test_every_request_gets_its_own_reply_with_the_cost_measured_outside(session_for) -> None:
    s = session_for(worker(per_request="sum(range(200000))"))
    start = s.start_worker("/harness/worker.py")
    assert start.ok
    assert wire.decode(start.data) == "ready"
    for i in range(20):
        assert ask(s, i) == ["echo", i]
    reply = s.request(wire.encode("x"), cpu_s=2)
    assert 0 < reply.cpu_s < 2
    assert reply.wall_s > 0


def test_a_frame_written_before_the_request_is_read_never_answers_it(session_for) -> None:
    # at import, the code under test writes forged answers straight onto the reply pipe:
    # they carry no nonce of a request, so none of them is relayed as an answer
    forge = """
        for _ in range(5):
            wire.write_frame(channel.rep_fd, b'x' * 8 + wire.encode(['echo', 0]))
        """
    s = session_for(worker(at_start=forge))
    start = s.start_worker("/harness/worker.py")
    assert start.status == "violation"
    assert "had not read" in start.detail or "no request" in start.detail


def test_a_thread_that_answers_ahead_of_the_requests_is_a_violation(session_for) -> None:
    ahead = """
        def spam():
            time.sleep(0.2)
            wire.write_frame(channel.rep_fd, b'12345678' + wire.encode('forged'))
        threading.Thread(target=spam, daemon=True).start()
        """
    s = session_for(worker(at_start=ahead))
    assert s.start_worker("/harness/worker.py").ok
    time.sleep(0.5)
    reply = s.request(wire.encode(1), cpu_s=2)
    assert reply.status == "violation"
    assert s.alive  # the session goes on with a new worker
    assert s.start_worker("/harness/worker.py").ok


def test_a_second_answer_to_one_request_is_a_violation(session_for) -> None:
    twice = "channel.reply(wire.encode('first'))"
    s = session_for(worker(per_request=twice))
    assert s.start_worker("/harness/worker.py").ok
    assert ask(s, 1) == "first"
    time.sleep(0.2)
    assert s.request(wire.encode(2), cpu_s=2).status == "violation"


def test_the_worker_can_neither_signal_the_relay_nor_open_its_descriptors(session_for) -> None:
    probe = """
        out = {}
        for fd in (0, 1):
            try:
                os.open(f"/proc/{os.getppid()}/fd/{fd}", os.O_WRONLY)
                out[fd] = "opened"
            except OSError as exc:
                out[fd] = type(exc).__name__
        channel.reply(wire.encode(out))
        continue
        """
    s = session_for(worker(per_request=probe))
    assert s.start_worker("/harness/worker.py").ok
    got = ask(s, "probe")
    assert got == {"0": "PermissionError", "1": "PermissionError"}
    # signalling the relay kills the worker for a forbidden system call, not the relay
    s2 = session_for(worker(per_request="import signal; os.kill(os.getppid(), signal.SIGKILL)"))
    assert s2.start_worker("/harness/worker.py").ok
    reply = s2.request(wire.encode(1), cpu_s=2)
    assert reply.status == "died"
    assert reply.cause == "killed"
    assert s2.alive
    assert s2.start_worker("/harness/worker.py").ok


def test_the_cpu_limit_is_enforced_from_outside_whatever_the_code_ignores(session_for) -> None:
    spin = """
        import signal
        for sig in (signal.SIGALRM, signal.SIGXCPU, signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)
        signal.setitimer(signal.ITIMER_REAL, 0)
        while True:
            pass
        """
    s = session_for(worker(per_request=spin))
    assert s.start_worker("/harness/worker.py").ok
    reply = s.request(wire.encode(1), cpu_s=0.5, wall_s=20)
    assert reply.status == "timeout"
    assert reply.cause == "cpu"
    assert 0.5 <= reply.cpu_s < 1.5
    assert not s.alive


def test_a_sleeping_worker_is_stopped_by_the_hosts_clock(session_for) -> None:
    s = session_for(worker(per_request="time.sleep(3600)"))
    assert s.start_worker("/harness/worker.py").ok
    reply = s.request(wire.encode(1), cpu_s=0.5, wall_s=1.0)
    assert reply.status == "timeout"
    assert reply.cause == "wall"
    assert reply.wall_s < 3


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} in /proc/self/status")


def test_an_oversized_answer_is_refused_before_the_host_reads_it(session_for) -> None:
    big = "channel.reply(b'x' * (64 << 20)); continue"
    s = session_for(worker(per_request=big), memory_mb=512)
    assert s.start_worker("/harness/worker.py", max_reply=1 << 20).ok
    Path("/proc/self/clear_refs").write_text("5")  # reset this process's peak (VmHWM)
    before = _status_kb("VmRSS")
    reply = s.request(wire.encode(1), cpu_s=5, wall_s=20)
    assert reply.status == "output_limit"
    grown_mb = (_status_kb("VmHWM") - before) / 1024
    assert grown_mb < 16, f"the host read {grown_mb:.0f} MB of a refused answer"


def test_running_out_of_memory_is_reported_as_memory(session_for) -> None:
    grab = "x = bytearray(600 << 20); x[::4096] = b'1' * len(x[::4096])"
    s = session_for(worker(per_request=grab), memory_mb=200)
    assert s.start_worker("/harness/worker.py").ok
    reply = s.request(wire.encode(1), cpu_s=5, wall_s=20)
    assert reply.status == "died"
    assert reply.cause == "memory"


def test_nothing_a_worker_leaves_in_tmp_reaches_the_next_one() -> None:
    writer = worker(per_request="open('/tmp/memo', 'w').write('seen')")
    reader = worker(per_request="channel.reply(wire.encode(sorted(os.listdir('/tmp')))); "
                                "continue")
    with Session(readonly_files={"writer.py": writer, "reader.py": reader},
                 limits=Limits(time_s=60, memory_mb=256, pids=32, tmp_mb=16)) as s:
        assert s.start_worker("/harness/writer.py").ok
        ask(s, 1)
        assert s.start_worker("/harness/reader.py").ok
        assert ask(s, 1) == ["memo"]  # without a wipe, the file stays
        assert s.start_worker("/harness/reader.py", wipe=["/tmp"]).ok
        assert ask(s, 2) == []
    assert_host_clean()


def test_wire_refuses_malformed_frames_as_errors_never_crashes() -> None:
    import numpy as np

    good = wire.encode({"a": np.arange(5000.0), "b": [1, (2, 3)], "c": b"raw"})
    value = wire.decode(good)
    assert value["b"] == [1, [2, 3]]
    assert value["c"] == b"raw"
    assert float(value["a"].sum()) == sum(range(5000))
    deep = "[" * 200_000 + "]" * 200_000
    bad_frames = [
        b"",
        good[:-1],
        b"HLW1" + len(deep).to_bytes(4, "big") + deep.encode() + b"\0\0\0\0",
        b"HLW1" + (30).to_bytes(4, "big") + b'{"__nd__":0,"dtype":"O","sh":1}' + b"\0\0\0\0",
    ]
    obj = b'{"__nd__": 0, "dtype": "O", "shape": [1]}'
    bad_frames.append(b"HLW1" + len(obj).to_bytes(4, "big") + obj
                      + (1).to_bytes(4, "big") + (8).to_bytes(8, "big") + b"\0" * 8)
    for frame in bad_frames:
        with pytest.raises(wire.WireError):
            wire.decode(frame)


def test_a_pooled_session_shows_its_next_user_nothing_of_the_last() -> None:
    from hireloop.sandbox import SessionPool

    leave = worker(per_request="""
        import subprocess
        open('/tmp/memo', 'w').write('seen')
        open('left.txt', 'w').write('seen')
        subprocess.Popen(['sleep', '600'])
        """)
    look = worker(per_request="""
        others = sorted(int(p) for p in os.listdir('/proc')
                        if p.isdigit() and int(p) not in (1, os.getpid(), os.getppid()))
        channel.reply(wire.encode({'tmp': os.listdir('/tmp'), 'work': sorted(os.listdir('.')),
                                   'harness': sorted(os.listdir('/harness')), 'others': others}))
        continue
        """)
    pool = SessionPool(1, limits=Limits(time_s=60, memory_mb=256, pids=32, tmp_mb=16))
    try:
        deadline = time.monotonic() + 60
        while not pool.ready and time.monotonic() < deadline:
            time.sleep(0.05)
        first = pool.take(files={"mine.txt": b"a"}, readonly_files={"w.py": leave})
        assert first.start_worker("/harness/w.py").ok
        ask(first, 1)
        pool.give_back(first)
        second = pool.take(files={"yours.txt": b"b"}, readonly_files={"w.py": look})
        assert second is first  # recycled, not started anew
        assert second.start_worker("/harness/w.py", wipe=["/tmp", "/dev/shm"]).ok
        seen = ask(second, 1)
        assert seen == {"tmp": [], "work": ["yours.txt"], "harness": ["w.py"], "others": []}
        pool.give_back(second)
    finally:
        pool.close()
    assert_host_clean()
