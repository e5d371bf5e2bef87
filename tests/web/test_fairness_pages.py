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
              "token_id": extra["token_id"], "room_id": extra["room_id"]}
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
