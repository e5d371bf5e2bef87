"""Self-identification and the loop's audit through the web app: a candidate answers the
voluntary form; nothing a reviewer or grader can reach holds the answer (every GET route of the
authorisation table, walked as the interviewer, the hiring manager, their API token and an
admin; every other table of the database); the admin's audit page, CSV and printable summary
show the figures computed by hand, and the loop's alert appears once enough candidates are
decided."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from hireloop.db.models import Base, Interview
from hireloop.fairness import selfid
from hireloop.hiring import service
from hireloop.hiring.authz import Principal
from tests.web.test_authorisation import (
    TABLE,
    _more_people,
    _request,
    _sign_everyone_in,
    allowed_for,
)

CANARY_RACE = "Native Hawaiian or Other Pacific Islander"
REVIEWERS = ("interviewer", "manager", "manager_token", "admin")


def _walk_as_reviewers(site: Any, extra: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Every GET route each reviewer may reach, except the audit itself: (role, url, body)."""
    jars = _sign_everyone_in(site, extra)
    with site.platform.db.session() as s:
        interview = s.get(Interview, site.ids["a"])
        answer_id = interview.answers[0].id
        candidate_id = interview.candidate_id
    values = {"interview_id": site.ids["a"], "answer_id": answer_id, "index": 0,
              "loop_id": site.ids["loop"], "token": site.ids["link_a"].rsplit("/", 1)[1],
              "candidate_id": candidate_id, "user_id": extra["nobody_id"],
              "token_id": extra["token_id"], "room_id": extra["room_id"],
              "template_id": "ml-engineer-phone-screen", "nobody_id": extra["nobody_id"],
              "interviewer_id": site.ids["interviewer"],
              "live_answer_id": extra["live_answer_id"], "share_id": extra["share_id"],
              "webhook_id": extra["webhook_id"], "item_id": extra["item_id"],
              "mail_id": extra["mail_id"], "kind": "invitation"}
    bodies = []
    for role in REVIEWERS:
        for (method, path), (access, _) in TABLE.items():
            if method != "GET" or "/audit" in path or access == "practice_owner":
                continue
            if not allowed_for(access, role):
                continue
            for fmt in (("csv", "json") if "{fmt}" in path else ("",)):
                url = path.format(**values, fmt=fmt)
                if "/recording" in url:
                    url = url.replace(f"/{answer_id}/", f"/{extra['talk_id']}/")
                response = _request(site, jars[role], "GET", url, None)
                bodies.append((role, url, response.text))
    return bodies


def test_self_identification_never_reaches_a_reviewer_or_a_grader(make_site: Any) -> None:
    site = make_site()
    a = site.client()
    a.open_invitation(site.ids["link_a"])
    a.form("/take/consent")
    assert "Voluntary self-identification" in a.get("/take").text
    form = a.get("/take/self-identification")
    assert form.status_code == 200
    assert "Prefer not to say" in form.text
    refused = a.form("/take/self-identification", {"sex": "Martian"})
    assert refused.status_code == 422
    saved = a.form("/take/self-identification", {"sex": "Female",
                                                 "race_ethnicity": CANARY_RACE})
    assert saved.status_code == 303
    assert 'value="Native Hawaiian or Other Pacific Islander" checked' in a.get(
        "/take/self-identification").text  # the candidate sees their own answer

    # the interview goes on: a stage is answered, submitted and graded
    a.get("/take/stage/0")
    a.form("/take/stage/0/submit")
    site.wait_for_jobs()

    extra = _more_people(site)
    bodies = _walk_as_reviewers(site, extra)
    assert len(bodies) > 60
    assert any("Ada Candidate" in body for _, _, body in bodies)  # the walk saw her pages
    leaks = [f"{role} {url}" for role, url, body in bodies if "Native Hawaiian" in body]
    assert not leaks, leaks

    # nothing else in the database holds it: grades, jobs, answers, exports' sources
    with site.platform.db.session() as s:
        for table in Base.metadata.sorted_tables:
            if table.name == "self_identifications":
                continue
            for row in s.execute(select(table)):
                assert "Native Hawaiian" not in repr(tuple(row)), table.name

    # the admin's audit counts it, in aggregate, once the interview is decided
    with site.platform.db.session() as s:
        service.decide(s.get(Interview, site.ids["a"]),
                       Principal("admin", user_id=site.ids["admin"]), "advance", "strong")
    admin = site.client()
    admin.login("admin@example.com")
    audit = admin.get(f"/team/loops/{site.ids['loop']}/audit")
    assert audit.status_code == 200
    assert CANARY_RACE in audit.text


def _decided_loop(site: Any) -> None:
    """40 decided candidates: 20 women (6 advanced), 18 men (9 advanced), 2 who skipped the
    form (1 advanced); and one more on hold."""
    admin = Principal("admin", user_id=site.ids["admin"])
    people = ([("Female", "Black or African American", i < 6) for i in range(20)]
              + [("Male", "White", i < 9) for i in range(18)]
              + [(None, None, i < 1) for i in range(2)])
    for number, (sex, race, advanced) in enumerate(people):
        interview_id, _ = site.invite(f"Person {number}", f"p{number}@example.com",
                                      site.ids["loop"])
        with site.platform.db.session() as s:
            interview = s.get(Interview, interview_id)
            if sex is not None:
                selfid.record(s, interview, sex=sex, race_ethnicity=race)
            service.decide(interview, admin, "advance" if advanced else "reject", "-")
    held, _ = site.invite("Held Person", "held@example.com", site.ids["loop"])
    with site.platform.db.session() as s:
        service.decide(s.get(Interview, held), admin, "hold", "-")


def test_the_loop_audit_shows_the_hand_computed_table_its_export_and_the_alert(
    make_site: Any,
) -> None:
    site = make_site()
    _decided_loop(site)
    loop = site.ids["loop"]
    admin = site.client()
    admin.login("admin@example.com")
    page = admin.get(f"/team/loops/{loop}/audit").text
    # 40 decided (Ada and Bob of the fixture and the held one are not: 3 undecided).
    assert "<strong>40</strong>" in page
    assert "3 on hold or undecided" in page
    # Female 6/20 = 0.3 against Male 9/18 = 0.5: impact ratio 0.6, below four-fifths.
    assert "30.0%" in page
    assert "50.0%" in page
    assert "0.600" in page
    assert "sex: Female has an impact ratio of 0.60" in page     # the alert (n = 40 >= 30)
    assert "<svg class=\"audit-chart\"" in page
    assert "Not answered: 2" in page                                # unknowns counted

    rows = list(csv.DictReader(io.StringIO(
        admin.get(f"/team/loops/{loop}/audit.csv").text)))
    female = next(r for r in rows if r["group"] == "sex" and r["category"] == "Female")
    assert (female["n"], female["selected"], female["rate"], female["impact_ratio"],
            female["below_four_fifths"]) == ("20", "6", "0.3000", "0.6000", "1")
    unknown = next(r for r in rows if r["group"] == "sex"
                   and r["category"] == "(unknown or declined)")
    assert unknown["n"] == "2"
    crossed = {r["category"] for r in rows if r["group"] == "sex x race_ethnicity"}
    assert crossed == {"Female × Black or African American", "Male × White",
                       "(unknown or declined)"}

    summary = admin.get(f"/team/loops/{loop}/audit/summary").text
    assert "Auditor (name, signature)" in summary
    assert "does not certify compliance" in summary
    assert "0.600" in summary

    assert "Adverse impact: sex: Female has an impact ratio of 0.60" in admin.get(
        f"/team/loops/{loop}").text

    # a date range: nobody was invited tomorrow
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d")
    empty = admin.get(f"/team/loops/{loop}/audit?since={tomorrow}").text
    assert "<strong>0</strong>" in empty
    assert admin.get(f"/team/loops/{loop}/audit?since=yesterday").status_code == 422

    # the same audit from the command line, on the platform's database
    env = {**os.environ, "HIRELOOP_DATA_DIR": str(site.settings.data_dir),
           "HIRELOOP_DATABASE_URL": site.settings.db_url()}
    cli = subprocess.run([sys.executable, "-m", "hireloop", "audit", "--loop", str(loop),
                          "--json"], capture_output=True, text=True, env=env, timeout=120)
    assert cli.returncode == 0, cli.stderr
    audited = json.loads(cli.stdout)
    assert (audited["n"], audited["undecided"]) == (40, 3)
    female = next(r for r in audited["groups"]["sex"] if r["category"] == "Female")
    assert female["impact_ratio"] == pytest.approx(0.6)
    missing = subprocess.run([sys.executable, "-m", "hireloop", "audit", "--loop", "999"],
                             capture_output=True, text=True, env=env, timeout=120)
    assert missing.returncode == 2
    assert "no loop 999" in missing.stderr

    # the hiring manager of the loop sees neither the audit nor the alert
    manager = site.client()
    manager.login("manager@example.com")
    assert manager.get(f"/team/loops/{loop}/audit").status_code == 403
    assert "Adverse impact:" not in manager.get(f"/team/loops/{loop}").text


def test_the_alert_waits_for_enough_decided_candidates(make_site: Any) -> None:
    site = make_site()
    admin = Principal("admin", user_id=site.ids["admin"])
    for number in range(10):   # 5 women none advanced, 5 men all advanced: ratio 0
        interview_id, _ = site.invite(f"P{number}", f"q{number}@example.com", site.ids["loop"])
        with site.platform.db.session() as s:
            interview = s.get(Interview, interview_id)
            selfid.record(s, interview, sex="Female" if number < 5 else "Male",
                          race_ethnicity=None)
            service.decide(interview, admin, "reject" if number < 5 else "advance", "-")
    web = site.client()
    web.login("admin@example.com")
    page = web.get(f"/team/loops/{site.ids['loop']}/audit").text
    assert "0.000" in page                      # flagged in the table ...
    assert "impact ratio of" not in page        # ... but no alert with 10 candidates
    assert "needs at least 30 decided candidates" in page


def _scored_loop(site: Any) -> tuple[int, list[int]]:
    """A one-exercise loop (a numeric answer: right 1.0, a slip 0.5, wrong 0.0) taken and
    graded for real by 22 candidates, and one who never submits. Returns the loop and the
    interviews by candidate number."""
    from tests.web.conftest import BANK_DIR, CHOICE, builtin_bank

    admin = Principal("admin", user_id=site.ids["admin"])
    with site.platform.db.session() as s:
        loop = service.create_loop(s, site.platform, admin, team_id=site.ids["team"],
                                   definition={"title": "Numbers screen", "role": "ML",
                                               "feedback": "after_submission",
                                               "stage": [{"name": "Numbers", "minutes": 30,
                                                          "exercises": [CHOICE]}]}).id
    samples = {1.0: "right.txt", 0.5: "slightly_off.txt", 0.0: "ignores_prevalence.txt"}
    # (sex, automatic score): women 3 x 1.0, 2 x 0.5, 5 x 0.0; men 6 x 1.0, 2 x 0.5,
    # 2 x 0.0; two who skipped the form score 0.5
    people = ([("Female", 1.0)] * 3 + [("Female", 0.5)] * 2 + [("Female", 0.0)] * 5
              + [("Male", 1.0)] * 6 + [("Male", 0.5)] * 2 + [("Male", 0.0)] * 2
              + [(None, 0.5)] * 2)
    bank = builtin_bank()
    interviews = []
    for number, (sex, score) in enumerate(people):
        interview_id, link = site.invite(f"Scored {number}", f"s{number}@example.com", loop)
        interviews.append(interview_id)
        if sex is not None:
            with site.platform.db.session() as s:
                selfid.record(s, s.get(Interview, interview_id), sex=sex,
                              race_ethnicity="Asian")
        web = site.client()
        web.open_invitation(link)
        web.form("/take/consent")
        web.get("/take/stage/0")
        with site.platform.db.session() as s:
            answer = s.get(Interview, interview_id).answers[0]
            exercise = bank.get(answer.exercise_id)
            raw = (BANK_DIR / CHOICE / "samples" / samples[score]).read_text()
            text = exercise.render(raw, bank.variant(exercise, answer.seed)).strip()
            answer_id = answer.id
        assert web.json("POST", f"/take/answers/{answer_id}/save",
                        {"text": text}).status_code == 200
        assert web.form("/take/stage/0/submit").status_code == 303
    site.invite("Never Submits", "late@example.com", loop)
    site.wait_for_jobs()
    return loop, interviews


def test_the_scoring_audit_uses_the_automatic_scores_of_graded_interviews_against_hand_counts(
    make_site: Any,
) -> None:
    site = make_site()
    loop, interviews = _scored_loop(site)
    admin = Principal("admin", user_id=site.ids["admin"])
    with site.platform.db.session() as s:
        # a person's override and decisions change nothing: the scoring audit audits the tool
        wrong = s.get(Interview, interviews[5])          # a woman scored 0.0 automatically
        answer = wrong.answers[0]
        for row in service.effective_criteria(answer):
            service.override(s, answer, admin, criterion=row["name"],
                             points=row["max_points"], reason="reviewed by hand")
        service.decide(s.get(Interview, interviews[0]), admin, "advance", "-")
    with site.platform.db.session() as s:
        wrong = s.get(Interview, interviews[5])
        assert service.automatic_overall(wrong) == 0.0
        assert service.answer_score(wrong.answers[0]) == 1.0
    # 22 scored: seven 0.0, six 0.5, nine 1.0; the median is 0.5, so only 1.0 is above it.
    # Female 3/10 = 0.3 against Male 6/10 = 0.6: impact ratio 0.5, below four-fifths.
    web = site.client()
    web.login("admin@example.com")
    page = web.get(f"/team/loops/{loop}/audit?mode=scoring").text
    assert "Fully graded interviews of this loop: <strong>22</strong>" in page
    assert "1 not fully graded yet" in page
    assert "(0.500)" in page
    assert "Scoring rate" in page
    assert "Above the median" in page
    assert "30.0%" in page
    assert "60.0%" in page
    assert "0.500" in page
    assert "Not answered: 2" in page
    assert 'value="scoring" selected' in page

    rows = list(csv.DictReader(io.StringIO(
        web.get(f"/team/loops/{loop}/audit.csv?mode=scoring").text)))
    female = next(r for r in rows if r["group"] == "sex" and r["category"] == "Female")
    assert (female["n"], female["selected"], female["rate"], female["impact_ratio"],
            female["below_four_fifths"]) == ("10", "3", "0.3000", "0.5000", "1")
    summary = web.get(f"/team/loops/{loop}/audit/summary?mode=scoring").text
    assert "Scoring rate = the share of a category" in summary
    assert "not fully graded (not audited): 1" in summary

    # the selection audit of the same loop has one decided interview
    assert "<strong>1</strong>" in web.get(f"/team/loops/{loop}/audit").text
    assert web.get(f"/team/loops/{loop}/audit?mode=vibes").status_code == 422

    env = {**os.environ, "HIRELOOP_DATA_DIR": str(site.settings.data_dir),
           "HIRELOOP_DATABASE_URL": site.settings.db_url()}
    cli = subprocess.run([sys.executable, "-m", "hireloop", "audit", "--loop", str(loop),
                          "--scoring", "--json"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert cli.returncode == 0, cli.stderr
    audited = json.loads(cli.stdout)
    assert (audited["mode"], audited["n"], audited["not_scored"], audited["median"]) == (
        "scoring", 22, 1, 0.5)
    male = next(r for r in audited["groups"]["sex"] if r["category"] == "Male")
    assert (male["n"], male["rate"]) == (10, pytest.approx(0.6))
    female = next(r for r in audited["groups"]["sex"] if r["category"] == "Female")
    assert female["impact_ratio"] == pytest.approx(0.5)
    assert female["below_four_fifths"] is True
