"""hireloop makes no outbound connection of its own: ``serve`` runs under ``strace -f -e
trace=connect`` while every kind is graded and traffic flows for a minute, and every connect
it makes is to the loopback address of a configured service (here: none but itself)."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.web.conftest import BANK_DIR
from tests.web.server import Api, Server

ADMIN, PASSWORD = "admin@example.com", "a long admin password"
KINDS = {"choice": "ml-foundations/screening-model-positive-posterior",
         "code": "coding/stable-log-softmax", "text": "ml-foundations/probability-calibration",
         "ml_task": "ml_task/drift-monitoring",
         "spoken": "spoken/explain-fraud-block-to-executive"}
CONNECT = re.compile(r"connect\(\d+, \{sa_family=AF_INET6?, sin6?_port=htons\((\d+)\), "
                     r"(?:sin_addr=inet_addr\(\"([^\"]+)\"\)|.*?inet_pton\(AF_INET6, \"([^\"]+)\")")


@pytest.mark.slow
def test_serving_and_grading_every_kind_connects_to_nothing_outside(tmp_path: Path) -> None:
    strace = shutil.which("strace")
    if strace is None:
        pytest.fail("strace is missing: apt-get install strace (scripts/test does)")
    trace = tmp_path / "connect.trace"
    server = Server(tmp_path / "data")
    server.start(threads=2)
    try:
        tracer = subprocess.Popen([strace, "-f", "-qq", "-e", "trace=connect", "-o", str(trace),
                                   "-p", str(server.process.pid),
                                   *[a for c in server.children() for a in ("-p", str(c))]])
        time.sleep(1)
        server.cli("user", "add", "--admin", ADMIN, "--password-stdin", stdin=PASSWORD + "\n")
        admin = Api.login(server.url, ADMIN, PASSWORD)
        loop = admin.call("POST", "/loops", {"definition": {
            "title": "Every kind", "role": "ML engineer", "feedback": "immediately",
            "stage": [{"name": "All", "minutes": 60, "exercises": list(KINDS.values())}]}},
            ok=201)
        link = admin.call("POST", "/interviews", {"name": "Ada", "email": "a@example.com",
                                                  "loop_id": loop["id"]}, ok=201)["link"]
        candidate = Api.candidate(server.url, link)
        interview = candidate.call("GET", "/me")["interview_id"]
        candidate.call("POST", "/take/consent")
        candidate.call("POST", "/take/stages/0/start")
        exercises = candidate.call("GET", "/take")["stages"][0]["exercises"]
        speech = sorted((BANK_DIR / KINDS["spoken"] / "samples").glob("exemplary.ogg"))
        for item in exercises:
            kind, answer = item["view"]["kind"], item["answer_id"]
            if kind == "spoken" and speech:
                data = speech[0].read_bytes()
                for offset in range(0, len(data), 1 << 20):
                    response = candidate.client.post(
                        f"/api/v1/take/answers/{answer}/upload?offset={offset}",
                        content=data[offset:offset + (1 << 20)],
                        headers={"content-type": "application/octet-stream"})
                    assert response.status_code == 200, response.text
                candidate.call("POST", f"/take/answers/{answer}/upload/complete",
                               {"mime": "audio/ogg", "size": len(data)})
            elif kind == "code":
                candidate.call("PUT", f"/take/answers/{answer}", {"text": (
                    BANK_DIR / KINDS["code"] / "hidden" / "reference.py").read_text()})
                candidate.call("POST", f"/take/answers/{answer}/trial")
            else:
                candidate.call("PUT", f"/take/answers/{answer}", {"text": "0.5 because the "
                               "base rate is low and calibration matters"})
        candidate.call("POST", "/take/stages/0/submit")
        deadline = time.monotonic() + 300
        states: list[str] = []
        while time.monotonic() < deadline:
            detail = admin.call("GET", f"/interviews/{interview}")
            states = [a["job"]["state"] if a["job"] else "none" for a in detail["answers"]]
            if all(s in ("graded", "failed") for s in states):
                break
            httpx.get(server.url + "/practice")  # traffic meanwhile
            time.sleep(1)
        end = time.monotonic() + 60
        while time.monotonic() < end:  # a minute of traffic, graders idle but alive
            httpx.get(server.url + "/healthz")
            admin.call("GET", "/interviews")
            time.sleep(0.5)
        tracer.terminate()
        tracer.wait(timeout=20)
    finally:
        server.stop()
    assert all(s in ("graded", "failed") for s in states), states
    outside = []
    for line in trace.read_text().splitlines():
        match = CONNECT.search(line)
        if match is None:
            continue
        _, v4, v6 = match.groups()
        address = v4 or v6
        if address not in ("127.0.0.1", "::1") and not address.startswith("127."):
            outside.append(line)
    assert not outside, "\n".join(outside[:20])
