"""An interview end to end through the pages and the API (in-process client, real grading)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from markupsafe import escape

from hireloop.db.models import Answer, Interview
from tests.web.conftest import (
    CHOICE,
    CODE,
    TEXT,
    builtin_bank,
    exercise_answers,
    postgres_url,
)


def _answers(site, interview_id):
    with site.platform.db.session() as s:
        return [{"id": a.id, "exercise_id": a.exercise_id, "seed": a.seed}
                for a in s.query(Answer).filter_by(interview_id=interview_id).order_by(Answer.id)]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_candidate_answers_submits_and_the_interviewer_reviews_overrides_and_decides(
        make_site, backend) -> None:
    if backend == "postgresql":
        if postgres_url() is None:
            pytest.skip("set HIRELOOP_TEST_POSTGRES_URL (scripts/test does) to test PostgreSQL")
        site = make_site(database_url=postgres_url())
        assert site.platform.db.engine.dialect.name == "postgresql"
    else:
        site = make_site()
    candidate = site.client()
    candidate.open_invitation(site.ids["link_a"])
    consent = candidate.get("/take")
    assert "automatic scoring is used" in consent.text.lower()
    assert "human review" in consent.text
    assert "face" in consent.text
    assert candidate.form("/take/consent").status_code == 303
    stage = candidate.get("/take/stage/0")
    assert stage.status_code == 200
    assert 'class="timer"' in stage.text
    assert 'data-editor="python"' in stage.text
    answers = _answers(site, site.ids["a"])
    good = exercise_answers(builtin_bank(), answers)
    for a in answers:
        saved = candidate.json("POST", f"/take/answers/{a['id']}/save", good[a["id"]])
        assert saved.status_code == 200, saved.text
        assert saved.json()["revision"] == 1
    code_answer = next(a for a in answers if a["exercise_id"] == CODE)
    assert candidate.json("POST", f"/take/answers/{code_answer['id']}/trial").status_code == 200
    assert candidate.form("/take/stage/0/submit").status_code == 303
    after = candidate.json("POST", f"/take/answers/{answers[0]['id']}/save", {"text": "x"})
    assert after.status_code == 409
    site.wait_for_jobs()
    status = candidate.get("/take/stage/0/status")
    assert "Score" in status.text

    interviewer = site.client()
    interviewer.login("interviewer@example.com")
    review = interviewer.get(f"/team/interviews/{site.ids['a']}")
    assert review.status_code == 200
    assert "Ada Candidate" in review.text
    for exercise_id in (CHOICE, CODE, TEXT):
        assert exercise_id in review.text
    detail = interviewer.client.get(f"/api/v1/interviews/{site.ids['a']}").json()
    graded = {a["exercise_id"]: a for a in detail["answers"]}
    assert all(a["job"]["state"] == "graded" for a in graded.values()), detail
    assert graded[CHOICE]["score"] == 1.0
    assert graded[CODE]["score"] == 1.0
    assert graded[TEXT]["score"] > 0.6
    text_criteria = graded[TEXT]["criteria"]
    assert any(c["evidence"] for c in text_criteria)
    first = text_criteria[0]
    # an override needs a reason
    no_reason = interviewer.form(
        f"/team/interviews/{site.ids['a']}/answers/{graded[TEXT]['id']}/override",
        {"criterion": first["name"], "points": 0, "reason": " "})
    assert no_reason.status_code == 422
    done = interviewer.form(
        f"/team/interviews/{site.ids['a']}/answers/{graded[TEXT]['id']}/override",
        {"criterion": first["name"], "points": 0, "reason": "copied from a blog post"})
    assert done.status_code == 303
    detail = interviewer.client.get(f"/api/v1/interviews/{site.ids['a']}").json()
    row = next(c for a in detail["answers"] if a["exercise_id"] == TEXT
               for c in a["criteria"] if c["name"] == first["name"])
    assert row["points"] == 0
    assert row["auto_points"] == first["auto_points"]
    assert row["override"]["reason"] == "copied from a blog post"
    assert row["override"]["by"] == "interviewer@example.com"

    assert interviewer.form(f"/team/interviews/{site.ids['a']}/notes",
                            {"body": "Strong on calibration."}).status_code == 303
    assert interviewer.form(f"/team/interviews/{site.ids['a']}/decision",
                            {"decision": "advance", "reason": "clear pass"}).status_code == 303
    card = interviewer.get(f"/team/interviews/{site.ids['a']}/scorecard")
    assert card.status_code == 200
    assert "<svg" in card.text
    assert "copied from a blog post" in card.text
    assert "ml-foundations" in card.text
    exported = interviewer.get(f"/team/interviews/{site.ids['a']}/export.csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert {r["exercise_id"] for r in rows} == {CHOICE, CODE, TEXT}
    assert all(r["decision"] == "advance" for r in rows)
    text_row = next(r for r in rows if r["exercise_id"] == TEXT)
    assert text_row["overridden_criteria"] == first["name"]
    # the loop's export is the hiring manager's (the interviewer sees interviews, not loops)
    assert interviewer.get(f"/team/loops/{site.ids['loop']}/export.json").status_code == 404
    manager = site.client()
    manager.login("manager@example.com")
    loop_json = manager.get(f"/team/loops/{site.ids['loop']}/export.json").json()
    assert {c["candidate"]["name"] for c in loop_json} == {"Ada Candidate", "Bob Candidate"}


def test_autosave_is_refused_after_the_stage_time_and_grace_are_over(make_site) -> None:
    from datetime import timedelta

    site = make_site()
    candidate = site.client()
    candidate.open_invitation(site.ids["link_a"])
    candidate.form("/take/consent")
    candidate.get("/take/stage/0")
    answer = _answers(site, site.ids["a"])[0]
    with site.platform.db.session() as s:
        run = s.get(Interview, site.ids["a"]).stages[0]
        run.started_at = run.started_at - timedelta(minutes=33)
    late = candidate.json("POST", f"/take/answers/{answer['id']}/save", {"text": "late"})
    assert late.status_code == 409
    assert "time for this stage is over" in late.json()["detail"]
    # the stage is submitted by itself when anyone looks at it again
    candidate.get("/take")
    with site.platform.db.session() as s:
        assert s.get(Interview, site.ids["a"]).stages[0].submitted_at is not None


def test_an_answer_over_the_size_limit_gets_a_clear_413(make_site) -> None:
    site = make_site(max_answer_kb=4)
    candidate = site.client()
    candidate.open_invitation(site.ids["link_a"])
    candidate.form("/take/consent")
    candidate.get("/take/stage/0")
    answer = _answers(site, site.ids["a"])[2]
    big = candidate.json("POST", f"/take/answers/{answer['id']}/save", {"text": "word " * 2000})
    assert big.status_code == 413
    assert "limit is 4 KB" in big.json()["detail"]
    huge = candidate.json("POST", f"/take/answers/{answer['id']}/save",
                          {"text": "x" * 200_000})
    assert huge.status_code == 413


def test_an_invitation_link_can_be_revoked_and_resent(make_site) -> None:
    site = make_site()
    admin = site.client()
    admin.login("admin@example.com")
    assert admin.form(f"/team/interviews/{site.ids['a']}/revoke").status_code == 303
    candidate = site.client()
    gone = candidate.get("/" + site.ids["link_a"].split("/", 3)[3])
    assert gone.status_code == 410
    assert "withdrawn" in gone.text
    resent = admin.form(f"/team/interviews/{site.ids['a']}/resend")
    link = re.search(r'value="(http://testserver/i/[^"]+)"', resent.text).group(1)
    assert link != site.ids["link_a"]
    candidate.open_invitation(link)
    assert candidate.get("/take").status_code == 200
    old = site.client().get("/" + site.ids["link_a"].split("/", 3)[3])
    assert old.status_code == 404


def test_the_first_admin_is_created_through_the_one_time_setup_link(make_site) -> None:
    from hireloop.db.models import User
    from hireloop.hiring import service

    site = make_site()
    with site.platform.db.session() as s:
        s.query(User).filter(User.role == "admin").update({"role": "interviewer"})
        token = service.new_setup_token(s)
    browser = site.client()
    made = browser.form(f"/setup/{token}", {"email": "Root@Example.com", "password":
                                           "a long enough password", "name": "Root"})
    assert made.status_code == 303
    assert browser.get("/team/users").status_code == 200
    again = site.client().form(f"/setup/{token}", {"email": "x@example.com",
                                                  "password": "another long password"})
    assert again.status_code == 410


def test_an_admin_deletes_a_candidate_and_all_their_data(make_site) -> None:
    from hireloop.db.models import Candidate, GradingJob, Upload

    site = make_site()
    candidate = site.client()
    candidate.open_invitation(site.ids["link_a"])
    candidate.form("/take/consent")
    candidate.get("/take/stage/0")
    spoken = site.add_spoken_answer(site.ids["a"])
    chunk = candidate.client.post(f"/take/answers/{spoken}/upload?offset=0",
                                  content=b"RIFF fake audio",
                                  headers={"X-CSRF-Token": candidate.csrf,
                                           "content-type": "application/octet-stream"})
    assert chunk.status_code == 200
    with site.platform.db.session() as s:
        recording = s.query(Upload).one().path
        candidate_id = s.get(Interview, site.ids["a"]).candidate_id
    from pathlib import Path

    assert Path(recording).exists()
    admin = site.client()
    admin.login("admin@example.com")
    refused = admin.form(f"/team/candidates/{candidate_id}/delete", {"confirm": "nope"})
    assert refused.status_code == 422
    done = admin.form(f"/team/candidates/{candidate_id}/delete",
                      {"confirm": "ada@example.com"})
    assert done.status_code == 303
    with site.platform.db.session() as s:
        assert s.get(Candidate, candidate_id) is None
        assert s.get(Interview, site.ids["a"]) is None
        assert s.query(Answer).filter_by(interview_id=site.ids["a"]).count() == 0
        assert s.query(GradingJob).count() == 0
        assert s.get(Interview, site.ids["b"]) is not None  # others untouched
    assert not Path(recording).exists()
    # the link no longer opens anything
    assert site.client().get("/" + site.ids["link_a"].split("/", 3)[3]).status_code == 404


def test_interviews_past_the_retention_period_are_deleted(make_site) -> None:
    from datetime import timedelta

    from hireloop.db.models import Candidate
    from hireloop.hiring import service

    site = make_site(retention_days=30)
    with site.platform.db.session() as s:
        old = s.get(Interview, site.ids["a"])
        old.created_at = old.created_at - timedelta(days=31)
    assert site.platform.runtime.purge() == 1
    with site.platform.db.session() as s:
        assert s.get(Interview, site.ids["a"]) is None
        assert s.get(Interview, site.ids["b"]) is not None
        assert s.query(Candidate).filter_by(email="ada@example.com").count() == 0
        assert service.purge_expired(s, site.settings) == 0


def test_practice_on_the_web_gives_feedback_at_once_and_keeps_progress(make_site) -> None:
    site = make_site()
    me = site.client()
    home = me.get("/practice")
    assert home.status_code == 200
    started = me.form("/practice/start", {"competency": "ml-foundations"})
    assert started.status_code == 303
    url = started.headers["location"]
    answer_id = int(url.rsplit("/", 1)[1])
    page = me.get(url)
    assert page.status_code == 200
    with site.platform.db.session() as s:
        answer = s.get(Answer, answer_id)
        exercise_id, seed = answer.exercise_id, answer.seed
    assert seed >= 1_000_000_000  # practice draws its own variants
    assert me.json("POST", f"{url}/save", {"text": "I don't know"}).status_code == 200
    assert me.form(f"{url}/submit").status_code == 303
    site.wait_for_jobs()
    status = me.get(f"{url}/status")
    assert "graded" in status.text or "Could not be graded" in status.text
    progress = me.get("/practice")
    assert "Your progress" in progress.text
    assert str(escape(site.platform.bank.get(exercise_id).meta.title)) in progress.text
    # another browser cannot see this attempt
    assert site.client().get(url).status_code == 404


def test_an_ml_task_project_is_edited_run_with_a_live_log_and_submitted(make_site) -> None:
    import time

    from hireloop.hiring import service
    from hireloop.hiring.authz import Principal

    site = make_site()
    with site.platform.db.session() as s:
        loop = service.create_loop(s, site.platform, Principal("admin", user_id=1), definition={
            "title": "Work sample", "role": "ML engineer",
            "stage": [{"name": "Project", "minutes": 60,
                       "exercises": ["ml_task/drift-monitoring"]}]})
    interview_id, link = site.invite("Mo", "mo@example.com", loop.id)
    candidate = site.client()
    candidate.open_invitation(link)
    candidate.form("/take/consent")
    page = candidate.get("/take/stage/0")
    assert page.status_code == 200
    assert 'data-file="' in page.text
    assert "Run the project" in page.text
    answer = _answers(site, interview_id)[0]
    assert candidate.json("POST", f"/take/answers/{answer['id']}/trial").status_code == 200
    lines: list[str] = []
    since, state = 0, {}
    for _ in range(600):
        state = candidate.client.get(f"/take/answers/{answer['id']}/trial?since={since}").json()
        lines += state["lines"]
        since = state["next"]
        if not state["running"]:
            break
        time.sleep(0.1)
    assert state["result"] is not None
    assert state["result"]["summary"]
    assert candidate.form("/take/stage/0/submit").status_code == 303
    jobs = site.wait_for_jobs(timeout=180)
    assert [j.state for j in jobs] == ["graded"]
    assert jobs[0].grade["score"] <= 0.3  # the untouched starter
