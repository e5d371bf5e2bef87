"""Scale-out: the web app on PostgreSQL with a Redis-backed queue, graded only by separate
``hireloop worker`` processes (as on other machines sharing PostgreSQL and Redis)."""

from __future__ import annotations

import os
import subprocess

import pytest

from hireloop.db.models import Answer, GradingJob
from tests.web.conftest import builtin_bank, exercise_answers, postgres_url, redis_url
from tests.web.server import HIRELOOP


@pytest.mark.slow
def test_workers_on_postgresql_and_redis_grade_what_the_web_app_queues(make_site,
                                                                       tmp_path) -> None:
    if postgres_url() is None or redis_url() is None:
        pytest.skip("set HIRELOOP_TEST_POSTGRES_URL and HIRELOOP_TEST_REDIS_URL (scripts/test "
                    "does) to test the scale-out path")
    site = make_site(database_url=postgres_url(), redis=redis_url(), threads=0)
    assert site.platform.runtime.queue_state()["backend"] == "redis"
    env = {**os.environ, "HIRELOOP_DATABASE_URL": site.settings.database_url,
           "HIRELOOP_REDIS_URL": redis_url(), "HIRELOOP_DATA_DIR": str(tmp_path / "worker")}
    workers = [subprocess.Popen([HIRELOOP, "worker", "--threads", "1"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
               for _ in range(2)]
    try:
        candidate = site.client()
        candidate.open_invitation(site.ids["link_a"])
        candidate.form("/take/consent")
        candidate.get("/take/stage/0")
        with site.platform.db.session() as s:
            answers = [{"id": a.id, "exercise_id": a.exercise_id, "seed": a.seed}
                       for a in s.query(Answer).filter_by(interview_id=site.ids["a"])]
        for answer_id, body in exercise_answers(builtin_bank(), answers).items():
            assert candidate.json("POST", f"/take/answers/{answer_id}/save",
                                  body).status_code == 200
        candidate.form("/take/stage/0/submit")
        jobs = site.wait_for_jobs(timeout=180)
        assert [j.state for j in jobs] == ["graded"] * 3
        with site.platform.db.session() as s:
            done_by = {j.worker_id for j in s.query(GradingJob)}
        assert site.platform.runtime.worker_id not in done_by  # the web app graded nothing
        pids = {str(w.pid) for w in workers}
        assert all(worker_id.split(":")[1] in pids for worker_id in done_by)
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            try:
                w.wait(timeout=20)
            except subprocess.TimeoutExpired:
                w.kill()
