"""Autosave under load: simulated candidates autosaving against ``hireloop serve``.

200 candidates (default) each autosave every 5 s for 60 s over loopback, against a real
``hireloop serve`` process: first on the embedded SQLite default, then on PostgreSQL (when
``--postgres URL`` is given or HIRELOOP_TEST_POSTGRES_URL is set). A prober measures
``GET /healthz`` in the same run as the baseline. Prints errors and p50/p99 latencies.

    .venv/bin/python benchmarks/web_autosave.py [--candidates 200] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

HIRELOOP = str(Path(sys.executable).parent / "hireloop")
EXERCISE = "ml-foundations/probability-calibration"
PASSWORD = "benchmark admin password"


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


def prepare(url: str, env: dict[str, str], candidates: int) -> list[tuple[str, int]]:
    """An admin, a loop of one text exercise, and the candidates with a stage open."""
    subprocess.run([HIRELOOP, "user", "add", "--admin", "bench@example.com",
                    "--password-stdin"], input=PASSWORD + "\n", text=True, env=env,
                   check=True, capture_output=True)
    api = httpx.Client(base_url=f"{url}/api/v1", timeout=30)
    token = api.post("/auth/login", json={"email": "bench@example.com",
                                          "password": PASSWORD}).json()["token"]
    api.headers["authorization"] = f"Bearer {token}"
    loop = api.post("/loops", json={"definition": {
        "title": "Load test", "role": "ML engineer",
        "stage": [{"name": "Write", "minutes": 60, "exercises": [EXERCISE]}]}}).json()
    out = []
    for n in range(candidates):
        link = api.post("/interviews", json={"name": f"Candidate {n}",
                                             "email": f"c{n}@example.com",
                                             "loop_id": loop["id"]}).json()["link"]
        cand = httpx.Client(base_url=f"{url}/api/v1", timeout=30)
        ctoken = cand.post("/take/open", json={"token": link.rsplit("/", 1)[1]}).json()["token"]
        cand.headers["authorization"] = f"Bearer {ctoken}"
        cand.post("/take/consent")
        cand.post("/take/stages/0/start")
        answer = cand.get("/take").json()["stages"][0]["exercises"][0]["answer_id"]
        out.append((ctoken, answer))
    return out


async def run_load(url: str, people: list[tuple[str, int]], seconds: float,
                   period: float) -> tuple[list[float], list[float], int, int]:
    saves: list[float] = []
    health: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=len(people) + 10)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        end = time.monotonic() + seconds

        async def candidate(token: str, answer: int) -> None:
            nonlocal errors
            await asyncio.sleep(random.uniform(0, period))
            words: list[str] = []
            while time.monotonic() < end:
                words += random.choices(["calibration", "means", "the", "predicted",
                                         "probabilities", "match", "observed", "rates"], k=12)
                started = time.perf_counter()
                try:
                    r = await client.put(f"/api/v1/take/answers/{answer}",
                                         json={"text": " ".join(words)},
                                         headers={"authorization": f"Bearer {token}"})
                    if r.status_code != 200:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                saves.append(time.perf_counter() - started)
                await asyncio.sleep(max(0.0, period - (time.perf_counter() - started)))

        async def prober() -> None:
            nonlocal errors
            while time.monotonic() < end:
                started = time.perf_counter()
                try:
                    r = await client.get("/healthz")
                    if r.status_code != 200:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                health.append(time.perf_counter() - started)
                await asyncio.sleep(0.25)

        await asyncio.gather(prober(), *(candidate(t, a) for t, a in people))
    return saves, health, errors, len(saves) + len(health)


def one(backend: str, database_url: str | None, args: argparse.Namespace) -> None:
    data = Path(tempfile.mkdtemp(prefix="hireloop-bench-"))
    env = {**os.environ, "HIRELOOP_DATA_DIR": str(data), "HIRELOOP_INVITES_PER_HOUR": "100000",
           "HIRELOOP_GRADING_THREADS": "1"}
    env.pop("HIRELOOP_DATABASE_URL", None)
    dbname = None
    if database_url:
        import psycopg

        dbname = f"hireloop_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{dbname}"')
        env["HIRELOOP_DATABASE_URL"] = database_url.rsplit("/", 1)[0] + "/" + dbname
    process, url = start_server(data, env)
    try:
        print(f"[{backend}] preparing {args.candidates} candidates…", flush=True)
        people = prepare(url, env, args.candidates)
        print(f"[{backend}] {args.candidates} candidates autosaving every {args.period:g} s "
              f"for {args.seconds:g} s…", flush=True)
        saves, health, errors, total = asyncio.run(
            run_load(url, people, args.seconds, args.period))
        ms = [x * 1000 for x in saves]
        hz = [x * 1000 for x in health]
        print(f"[{backend}] autosaves {len(ms)}, errors {errors} of {total} requests")
        print(f"[{backend}] autosave  p50 {statistics.median(ms):7.1f} ms   "
              f"p99 {percentile(ms, 99):7.1f} ms   max {max(ms):7.1f} ms")
        print(f"[{backend}] /healthz  p50 {statistics.median(hz):7.1f} ms   "
              f"p99 {percentile(hz, 99):7.1f} ms   ({len(hz)} probes, same run)")
        print(f"[{backend}] ratio p99 autosave / p99 healthz: "
              f"{percentile(ms, 99) / percentile(hz, 99):.2f}")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(data, ignore_errors=True)
        if dbname and database_url:
            import psycopg

            with psycopg.connect(database_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--period", type=float, default=5.0)
    parser.add_argument("--postgres", default=os.environ.get(
        "HIRELOOP_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    one("sqlite", None, args)
    if not args.skip_postgres:
        one("postgresql", args.postgres, args)


if __name__ == "__main__":
    main()
