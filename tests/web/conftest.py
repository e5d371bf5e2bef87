"""Fixtures for the web platform: an app on a fresh database, clients that speak CSRF."""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hireloop.bank import load_bank
from hireloop.bank.loader import Bank
from hireloop.config import Settings
from hireloop.db.models import GradingJob
from hireloop.hiring import service
from hireloop.hiring.authz import Principal
from hireloop.jobs import Runtime
from hireloop.web import create_app

SPOKEN = "spoken/explain-fraud-block-to-executive"
CHOICE = "ml-foundations/screening-model-positive-posterior"
CODE = "coding/stable-log-softmax"
TEXT = "ml-foundations/probability-calibration"
BANK_DIR = Path(__file__).resolve().parents[2] / "bank"
PASSWORD = "correct horse battery"

_bank: Bank | None = None


def builtin_bank() -> Bank:
    """The built-in bank, loaded once for the whole test session."""
    global _bank  # noqa: PLW0603
    if _bank is None:
        settings = Settings()
        _bank = load_bank(settings.bank_roots(), principles_file=settings.principles_path())
    return _bank


def loop_definition(feedback: str = "after_submission", minutes: int = 30) -> dict[str, Any]:
    """A one-stage loop with a choice, a code and a text exercise."""
    return {"title": "Web test loop", "role": "ML engineer", "feedback": feedback,
            "stage": [{"name": "Everything", "minutes": minutes,
                       "exercises": [CHOICE, CODE, TEXT]}]}




def postgres_url() -> str | None:
    """The PostgreSQL server the suite may use (scripts/test sets it; CI has one)."""
    return os.environ.get("HIRELOOP_TEST_POSTGRES_URL")


def redis_url() -> str | None:
    return os.environ.get("HIRELOOP_TEST_REDIS_URL")


_META = re.compile(r'<meta name="csrf-token" content="([^"]*)">')


def page_csrf(client: Any, path: str = "/practice") -> str:
    """The CSRF token a page gives this client (bound to its session or practice cookie)."""
    match = _META.search(client.get(path, headers={"accept": "text/html"},
                                    follow_redirects=False).text)
    assert match is not None, "the page carries no CSRF token"
    assert match.group(1), "the page's CSRF token is empty"
    return match.group(1)


class Web:
    """A browser-like client: keeps cookies, sends the CSRF token like the pages do."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self._csrf: tuple[tuple[str | None, ...], str] | None = None

    @property
    def csrf(self) -> str:
        holder = tuple(self.client.cookies.get(n) for n in (
            "hireloop_session", "hireloop_practice", "hireloop_csrf"))
        if self._csrf is None or self._csrf[0] != holder or not all(holder[2:]):
            token = page_csrf(self.client)
            holder = tuple(self.client.cookies.get(n) for n in (
                "hireloop_session", "hireloop_practice", "hireloop_csrf"))
            self._csrf = (holder, token)
        return self._csrf[1]

    def get(self, url: str, **kw: Any) -> Any:
        kw.setdefault("follow_redirects", False)
        kw.setdefault("headers", {"accept": "text/html"})
        return self.client.get(url, **kw)

    def form(self, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        kw.setdefault("follow_redirects", False)
        return self.client.post(url, data={**(data or {}), "csrf_token": self.csrf},
                                headers={"accept": "text/html"}, **kw)

    def json(self, method: str, url: str, body: Any = None, **kw: Any) -> Any:
        headers = {"X-CSRF-Token": self.csrf, **kw.pop("headers", {})}
        return self.client.request(method, url, json=body, headers=headers, **kw)

    def login(self, email: str, password: str = PASSWORD) -> None:
        response = self.form("/login", {"email": email, "password": password})
        assert response.status_code == 303, response.text

    def open_invitation(self, link: str) -> None:
        path = "/" + link.split("/", 3)[3]
        response = self.get(path)
        assert response.status_code == 303, response.text


class Site:
    """An app on a fresh database with an admin, team A's hiring manager and an interviewer
    of team A assigned to both interviews, a loop of team A and two candidates (A and B)
    invited to it."""

    def __init__(self, settings: Settings, app: Any, platform: service.Platform) -> None:
        self.settings = settings
        self.app = app
        self.platform = platform
        self.main: TestClient | None = None
        self.ids: dict[str, Any] = {}

    def client(self) -> Web:
        return Web(TestClient(self.app, base_url="http://testserver"))

    def wait_for_jobs(self, timeout: float = 120.0) -> list[GradingJob]:
        deadline = time.monotonic() + timeout
        while True:
            with self.platform.db.session() as s:
                jobs = list(s.query(GradingJob).all())
                if jobs and all(j.state in ("graded", "failed") for j in jobs):
                    return jobs
            if time.monotonic() > deadline:
                raise AssertionError(f"jobs not done: {[(j.id, j.state) for j in jobs]}")
            time.sleep(0.2)

    def add_user(self, email: str, role: str, team_id: int | None = None) -> int:
        with self.platform.db.session() as s:
            return service.create_user(s, email, PASSWORD, role, team_id=team_id).id

    def add_spoken_answer(self, interview_id: int) -> int:
        """An answer to a spoken exercise (it takes a recording) in the interview's stage 0."""
        from hireloop.db.models import Answer

        with self.platform.db.session() as s:
            answer = Answer(interview_id=interview_id, stage_index=0, exercise_id=SPOKEN,
                            seed=0)
            s.add(answer)
            s.flush()
            return answer.id

    def add_live_room(self, interview_id: int, interviewers: list[int],
                      exercise_id: str = TEXT) -> tuple[int, int]:
        """A live stage appended to the interview (one exercise), its room open now for 30
        minutes with these interviewers: (room id, the stage's answer id)."""
        from datetime import timedelta

        from hireloop.db.models import Answer, Interview, StageRun, utcnow
        from hireloop.live import rooms

        with self.platform.db.session() as s:
            interview = s.get(Interview, interview_id)
            index = len(interview.plan)
            interview.plan = [*interview.plan, {
                "name": "Live pairing", "minutes": 30, "weight": 1, "principle": None,
                "live": True, "exercises": [{"id": exercise_id, "seed": 0}]}]
            s.add(StageRun(interview_id=interview_id, index=index))
            answer = Answer(interview_id=interview_id, stage_index=index,
                            exercise_id=exercise_id, seed=0)
            s.add(answer)
            s.flush()
            room = rooms.schedule(s, interview, index,
                                  starts_at=utcnow() - timedelta(minutes=1), minutes=30,
                                  interviewers=interviewers, meeting_link=None)
            return room.id, answer.id

    def add_team(self, name: str) -> int:
        with self.platform.db.session() as s:
            return service.create_team(s, name).id

    def invite(self, name: str, email: str, loop_id: int,
               interviewers: list[int] | None = None) -> tuple[int, str]:
        with self.platform.db.session() as s:
            who = Principal("admin", user_id=self.ids["admin"])
            interview, token = service.invite(s, self.platform, who, name=name, email=email,
                                              loop_id=loop_id, interviewers=interviewers)
            return interview.id, f"http://testserver/i/{token}"


@pytest.fixture
def make_site(tmp_path: Path) -> Iterator[Callable[..., Site]]:
    """Build a site; ``database_url`` picks PostgreSQL, ``threads`` the grading threads."""
    yield from _sites(tmp_path)


@pytest.fixture(scope="module")
def make_module_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Site]]:
    """``make_site`` for a module whose tests only read the site it builds once."""
    yield from _sites(tmp_path_factory.mktemp("site"))


def _sites(tmp_path: Path) -> Iterator[Callable[..., Site]]:
    clients: list[TestClient] = []
    databases: list[str] = []

    def make(*, database_url: str | None = None, redis: str | None = None, threads: int = 1,
             feedback: str = "after_submission", **extra: Any) -> Site:
        if database_url:
            database_url = _fresh_postgres(database_url)
            databases.append(database_url)
        settings = Settings(data_dir=tmp_path / f"data-{uuid.uuid4().hex[:6]}",
                            database_url=database_url, redis_url=redis,
                            grading_threads=threads, **extra)
        runtime = Runtime.create(settings, bank=builtin_bank())
        if redis:
            runtime.huey.flush()
        platform = service.Platform.create(settings, runtime)
        app = create_app(settings, platform, grading_threads=threads)
        site = Site(settings, app, platform)
        main = TestClient(app, base_url="http://testserver")
        main.__enter__()
        clients.append(main)
        site.main = main
        site.ids["team"] = site.add_team("Team A")
        site.ids["admin"] = site.add_user("admin@example.com", "admin")
        site.ids["manager"] = site.add_user("manager@example.com", "hiring_manager",
                                            site.ids["team"])
        site.ids["interviewer"] = site.add_user("interviewer@example.com", "interviewer",
                                                site.ids["team"])
        with platform.db.session() as s:
            record = service.create_loop(s, platform, Principal("admin", user_id=1),
                                         definition=loop_definition(feedback),
                                         team_id=site.ids["team"])
            site.ids["loop"] = record.id
        assigned = [site.ids["interviewer"]]
        site.ids["a"], site.ids["link_a"] = site.invite("Ada Candidate", "ada@example.com",
                                                        site.ids["loop"], assigned)
        site.ids["b"], site.ids["link_b"] = site.invite("Bob Candidate", "bob@example.com",
                                                        site.ids["loop"], assigned)
        return site

    yield make
    for client in clients:
        client.__exit__(None, None, None)
    for url in databases:
        _drop_postgres(url)


def _fresh_postgres(server_url: str) -> str:
    """A new empty database on the server (dropped after the test)."""
    import psycopg

    name = f"hireloop_test_{uuid.uuid4().hex[:10]}"
    base = re.sub(r"^postgresql(\+psycopg)?://", "postgresql://", server_url)
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + "/" + name


def _drop_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def exercise_answers(bank: Bank, answers: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Good answers for the test loop's exercises, by answer id (from the bank's samples)."""
    out = {}
    for a in answers:
        exercise = bank.get(a["exercise_id"])
        variant = bank.variant(exercise, a["seed"])
        if a["exercise_id"] == CHOICE:
            raw = (BANK_DIR / CHOICE / "samples" / "right.txt").read_text()
            out[a["id"]] = {"text": exercise.render(raw, variant).strip()}
        elif a["exercise_id"] == CODE:
            out[a["id"]] = {"text": (BANK_DIR / CODE / "hidden" / "reference.py").read_text()}
        else:
            out[a["id"]] = {"text": (BANK_DIR / TEXT / "samples" / "exemplary.md").read_text()}
    return out
