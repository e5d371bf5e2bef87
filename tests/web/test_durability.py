"""Crash safety of the real server process: ``kill -9`` loses no acknowledged autosave, and
grading jobs that were queued or running when it died are finished after a restart."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from hireloop.db import open_database
from hireloop.db.models import GradingJob
from tests.nlp.fake_llm_server import Scripted, serve
from tests.web.conftest import CHOICE, TEXT
from tests.web.server import Api, Server

ADMIN, PASSWORD = "admin@example.com", "a long admin password"


def _setup(server: Server, stage: list[str]) -> tuple[Api, Api, list[dict]]:
    added = server.cli("user", "add", "--admin", ADMIN, "--password-stdin",
                       stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    admin = Api.login(server.url, ADMIN, PASSWORD)
    loop = admin.call("POST", "/loops", {"definition": {
        "title": "Crash loop", "role": "ML engineer",
        "stage": [{"name": "One", "minutes": 30, "exercises": stage}]}}, ok=201)
    invited = admin.call("POST", "/interviews", {"name": "Kim", "email": "kim@example.com",
                                                 "loop_id": loop["id"]}, ok=201)
    candidate = Api.candidate(server.url, invited["link"])
    candidate.call("POST", "/take/consent")
    candidate.call("POST", "/take/stages/0/start")
    exercises = candidate.call("GET", "/take")["stages"][0]["exercises"]
    return admin, candidate, exercises


@pytest.mark.slow
def test_an_acknowledged_autosave_survives_kill_9(tmp_path: Path) -> None:
    server = Server(tmp_path / "data")
    server.start()
    try:
        _, candidate, exercises = _setup(server, [TEXT])
        answer_id = exercises[0]["answer_id"]
        last = None
        for n in range(1, 31):
            last = candidate.call("PUT", f"/take/answers/{answer_id}",
                                  {"text": f"draft number {n} " + "word " * n})
        assert last["revision"] == 30
        server.kill9()  # right after the 30th acknowledgement
        server.start()
        after = Api(server.url, candidate.client.headers["authorization"][7:])
        saved = after.call("GET", "/take")["stages"][0]["exercises"][0]
        assert saved["revision"] == 30
        assert saved["text"] == "draft number 30 " + "word " * 30
    finally:
        server.stop()


@pytest.mark.slow
def test_jobs_queued_or_running_when_the_server_is_killed_finish_after_restart(
        tmp_path: Path) -> None:
    server = Server(tmp_path / "data")
    with serve() as llm:
        # the LLM judge answers the text job after a minute: the job is running when we kill
        llm.reply(Scripted(content="{}", delay_s=60))
        server.start(threads=1, env={
            "HIRELOOP_LLM_ENABLED": "true", "HIRELOOP_LLM_BASE_URL": llm.base_url,
            "HIRELOOP_LLM_MODEL": "slow-judge", "HIRELOOP_LLM_TIMEOUT_S": "120"})
        try:
            _, candidate, exercises = _setup(server, [TEXT, CHOICE])
            for item in exercises:
                text = ("Calibration means predicted probabilities match observed frequencies; "
                        "check it with a reliability diagram and fix it with isotonic "
                        "regression on held-out data.") if item["view"]["kind"] == "text" \
                    else "0.5"
                candidate.call("PUT", f"/take/answers/{item['answer_id']}", {"text": text})
            candidate.call("POST", "/take/stages/0/submit")
            db = open_database(f"sqlite:///{server.data_dir / 'hireloop.db'}", upgrade=False)
            states = _wait_states(db, lambda s: s == ["running", "queued"])
            assert states == ["running", "queued"]
            server.kill9()
            with db.session() as s:  # the dead server left them so
                assert [j.state for j in s.query(GradingJob).order_by(GradingJob.id)] == \
                    ["running", "queued"]
        finally:
            server.stop()
    server.start(threads=1)  # no LLM judge now
    try:
        states = _wait_states(db, lambda s: all(x in ("graded", "failed") for x in s), 120)
        assert states == ["graded", "graded"]
        with db.session() as s:
            jobs = s.query(GradingJob).order_by(GradingJob.id).all()
            assert jobs[0].attempts == 2  # started again after the crash
            assert jobs[0].grade["outcome"] == "graded"
    finally:
        server.stop()


def _wait_states(db, done, timeout: float = 60.0) -> list[str]:
    deadline = time.monotonic() + timeout
    states: list[str] = []
    while time.monotonic() < deadline:
        with db.session() as s:
            states = [j.state for j in s.query(GradingJob).order_by(GradingJob.id)]
        if states and done(states):
            return states
        time.sleep(0.2)
    return states
