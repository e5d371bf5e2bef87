"""Live rooms under load: N rooms of two y-websocket clients against a real ``hireloop serve``.

Each room has its candidate and its interviewer (hireloop.live.client over loopback; the
candidates in one process, the interviewers in another), each typing 5 edits a second into
the room's shared code document for S seconds, against the embedded default (SQLite, one
process, every update stored before it is relayed). The latency of an edit is the time from
its sending by one client to its arrival in the other client's document. At the end every
room's two documents must be identical.

    .venv/bin/python benchmarks/live_rooms.py --rooms 50 --seconds 30 [--json]

prints ``{"rooms", "clients", "updates", "p50_ms", "p99_ms", "converged"}`` with ``--json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from pycrdt import Text

from hireloop.live.client import RoomClient

HIRELOOP = str(Path(sys.executable).parent / "hireloop")
EXERCISE = "coding/stable-log-softmax"
PASSWORD = "benchmark admin password"
EDITS_PER_S = 5
TOKEN = re.compile(r"<([01]):(\d+)>")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def start_server(data: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    log = open(data / "server.log", "wb")  # noqa: SIM115 - lives as long as the server
    process = subprocess.Popen([HIRELOOP, "serve", "--port", str(port)], env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not start; see {data / 'server.log'}")


def prepare(url: str, env: dict[str, str], rooms: int) -> list[dict[str, Any]]:
    """An admin, a team with an interviewer, a loop whose stage is live, and ``rooms``
    candidates, each with their live stage's room open now."""
    subprocess.run([HIRELOOP, "user", "add", "--admin", "bench@example.com",
                    "--password-stdin"], input=PASSWORD + "\n", text=True, env=env,
                   check=True, capture_output=True)
    api = httpx.Client(base_url=url, timeout=30)
    token = api.post("/api/v1/auth/login", json={"email": "bench@example.com",
                                                 "password": PASSWORD}).json()["token"]
    api.headers["authorization"] = f"Bearer {token}"
    team = api.post("/api/v1/teams", json={"name": "Bench"}).json()
    ivy = api.post("/api/v1/users", json={"email": "ivy@example.com", "password": PASSWORD,
                                          "role": "interviewer", "team_id": team["id"]}).json()
    ivy_token = httpx.post(f"{url}/api/v1/auth/login", json={
        "email": "ivy@example.com", "password": PASSWORD}).json()["token"]
    loop = api.post("/api/v1/loops", json={"team_id": team["id"], "definition": {
        "title": "Live load", "role": "ML engineer",
        "stage": [{"name": "Pairing", "minutes": 60, "live": True,
                   "exercises": [EXERCISE]}]}}).json()
    start = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S")
    out = []
    for n in range(rooms):
        invited = api.post("/api/v1/interviews", json={
            "name": f"Candidate {n}", "email": f"c{n}@example.com",
            "loop_id": loop["id"]}).json()
        done = api.post(f"/team/interviews/{invited['id']}/live/0", data={
            "starts_at": start, "minutes": "60", "interviewers": str(ivy["id"])})
        assert done.status_code == 303, done.text
        page = api.get(f"/team/interviews/{invited['id']}/live").text
        room_id = int(page.split('href="/live/')[1].split('"')[0])
        opened = httpx.post(f"{url}/api/v1/take/open", json={
            "token": invited["link"].rsplit("/", 1)[1]}).json()["token"]
        httpx.post(f"{url}/api/v1/take/consent", headers={"authorization": f"Bearer {opened}"})
        out.append({"room": room_id, "candidate": opened, "interviewer": ivy_token})
    return out


async def one_side(url: str, rooms: list[dict[str, Any]], side: int, start_at: float,
                   seconds: float) -> tuple[list[float], int, list[str]]:
    """The candidates (side 0) or the interviewers (side 1) of every room, in this process:
    each types 5 edits a second from ``start_at`` (wall clock) for ``seconds``; an edit carries
    its sending time (CLOCK_MONOTONIC, shared by the processes of this machine), so the other
    side measures its latency on arrival. Returns the latencies, the edits sent and each
    room's final text."""
    base = url.replace("http://", "ws://")
    latencies: list[float] = []
    kept: list[Any] = []
    clients: list[tuple[RoomClient, str]] = []
    last_change = [time.monotonic()]
    for room in rooms:
        client = await RoomClient(f"{base}/live/{room['room']}/ws/shared",
                                  room["interviewer" if side else "candidate"]).__aenter__()
        name = next(k for k in sorted(client.doc.keys()) if k.startswith("files-"))
        answer = f"text-{name.split('-', 1)[1]}/answer"
        clients.append((client, answer))

        def seen(event: Any) -> None:
            now = time.monotonic_ns()
            last_change[0] = time.monotonic()
            for change in event.delta:
                for writer_side, sent_ns in TOKEN.findall(str(change.get("insert", ""))):
                    if int(writer_side) != side:
                        latencies.append((now - int(sent_ns)) / 1e9)

        text = client.doc.get(answer, type=Text)
        kept.append((text, text.observe(seen)))  # a dropped wrapper stops observing
    await asyncio.sleep(max(0.0, start_at - time.time()))
    end = time.monotonic() + seconds
    updates = 0

    async def typist(n: int, client: RoomClient, answer: str) -> None:
        nonlocal updates
        period = 1 / EDITS_PER_S
        await asyncio.sleep(n % 20 * period / 20)
        while time.monotonic() < end:
            started = time.monotonic()
            token = f"<{side}:{time.monotonic_ns()}>"
            await client.change(lambda d, token=token: d.get(answer, type=Text).insert(
                len(d.get(answer, type=Text)), token))
            updates += 1
            await asyncio.sleep(max(0.0, period - (time.monotonic() - started)))

    await asyncio.gather(*(typist(n, c, a) for n, (c, a) in enumerate(clients)))
    quiet_since = time.monotonic() + 15
    while time.monotonic() - last_change[0] < 1.5 and time.monotonic() < quiet_since:
        await asyncio.sleep(0.2)
    texts = [str(c.doc.get(a, type=Text)) for c, a in clients]
    for client, _ in clients:
        await client.__aexit__(None, None, None)
    return latencies, updates, texts


def _side(url: str, rooms: list[dict[str, Any]], side: int, start_at: float, seconds: float,
          results: Any) -> None:
    results.put((side, asyncio.run(one_side(url, rooms, side, start_at, seconds))))


def run_load(url: str, rooms: list[dict[str, Any]],
             seconds: float) -> tuple[list[float], int, bool]:
    """Candidates in one process, interviewers in another (one Python process alone cannot
    drive 100 clients without becoming the bottleneck it measures)."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    start_at = time.time() + 5 + len(rooms) * 0.05
    workers = [context.Process(target=_side, args=(url, rooms, side, start_at, seconds,
                                                   results)) for side in (0, 1)]
    for worker in workers:
        worker.start()
    got = dict(results.get(timeout=seconds + 300) for _ in workers)
    for worker in workers:
        worker.join(timeout=30)
    latencies = got[0][0] + got[1][0]
    converged = got[0][2] == got[1][2]
    return latencies, got[0][1] + got[1][1], converged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="hireloop-live-bench-"))
    data.chmod(0o755)  # started as root, serve's web process is another user
    env = {**os.environ, "HIRELOOP_DATA_DIR": str(data / "data"),
           "HIRELOOP_INVITES_PER_HOUR": "100000", "HIRELOOP_GRADING_THREADS": "1"}
    for name in ("HIRELOOP_DATABASE_URL", "HIRELOOP_REDIS_URL"):
        env.pop(name, None)
    process, url = start_server(data, env)
    try:
        if not args.json:
            print(f"preparing {args.rooms} rooms…", flush=True)
        rooms = prepare(url, env, args.rooms)
        latencies, updates, converged = run_load(url, rooms, args.seconds)
        ms = [x * 1000 for x in latencies]
        result = {"rooms": args.rooms, "clients": 2 * args.rooms, "updates": updates,
                  "delivered": len(ms),
                  "p50_ms": round(statistics.median(ms), 1) if ms else None,
                  "p99_ms": round(percentile(ms, 99), 1) if ms else None,
                  "converged": converged}
        if args.json:
            print(json.dumps(result))
        else:
            for key, value in result.items():
                print(f"{key:10} {value}")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
