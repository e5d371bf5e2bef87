"""Blind review through the web app: candidate A's loop is blind, and A's written answer
gives away their name, e-mail, phone, web site and GitHub handle. Before the decision, no
response any reviewer (the assigned interviewer, team A's hiring manager, the manager's API
token) can reach holds any of them, the recording's file name or its details, while admins
see them; the grader graded the original answer; once the decision is recorded, the
interviewer sees the name too."""

from __future__ import annotations

import time
from typing import Any

from hireloop.db.models import Answer, SimilarityPrint, Upload
from hireloop.hiring import service
from hireloop.hiring.authz import Principal
from tests.web.conftest import CODE, TEXT, builtin_bank, exercise_answers, loop_definition
from tests.web.test_authorisation import _more_people
from tests.web.test_fairness_pages import _walk_as_reviewers

NAME, EMAIL = "Blanche Dubois", "blanche.dubois@example.org"
IDENTIFYING = ("Blanche", "Dubois", "blanche", "dubois", "Take_7_final.wav", "42.5 s",
               "555-0134", "bdubois-ml", "streetcar.dev")
INTRO = ("I'm Blanche Dubois (blanche.dubois@example.org, +1 415 555-0134); my site is "
         "https://streetcar.dev and my GitHub handle is bdubois-ml.\n\n")


def _blind_site(make_site: Any) -> Any:
    site = make_site()
    with site.platform.db.session() as s:
        record = service.create_loop(s, site.platform, Principal("admin", user_id=1),
                                     definition={**loop_definition(), "blind": True},
                                     team_id=site.ids["team"])
        site.ids["loop"] = record.id
    site.ids["a"], site.ids["link_a"] = site.invite(NAME, EMAIL, site.ids["loop"],
                                                    [site.ids["interviewer"]])
    return site


def test_reviewers_see_candidate_n_until_the_decision_and_admins_always_see(
    make_site: Any,
) -> None:
    site = _blind_site(make_site)
    a = site.client()
    a.open_invitation(site.ids["link_a"])
    a.form("/take/consent")
    a.get("/take/stage/0")
    with site.platform.db.session() as s:
        answers = [{"id": x.id, "exercise_id": x.exercise_id, "seed": x.seed}
                   for x in s.query(Answer).filter_by(interview_id=site.ids["a"])]
    good = exercise_answers(builtin_bank(), answers)
    text_id = next(x["id"] for x in answers if x["exercise_id"] == TEXT)
    good[text_id] = {"text": INTRO + good[text_id]["text"]}
    for answer_id, body in good.items():
        assert a.json("POST", f"/take/answers/{answer_id}/save", body).status_code == 200
    a.form("/take/stage/0/submit")
    site.wait_for_jobs()
    with site.platform.db.session() as s:   # the grader read the original
        graded = s.get(Answer, text_id)
        assert graded.text.startswith(INTRO)
        assert graded.jobs[-1].state == "graded"
        assert graded.jobs[-1].grade["outcome"] == "graded"
    _wait_for_similarity(site, [x["id"] for x in answers if x["exercise_id"] in (TEXT, CODE)])
    extra = _more_people(site)
    with site.platform.db.session() as s:   # a recording whose file name and length identify
        first = s.query(Upload).filter_by(answer_id=extra["talk_id"]).one()
        s.add(Upload(answer_id=extra["talk_id"], name="Take_7_final.wav", path=first.path,
                     mime="audio/wav", size=first.size, duration_s=42.5, complete=True))

    bodies = _walk_as_reviewers(site, extra)
    reviewers = [(role, url, body) for role, url, body in bodies if role != "admin"]
    assert len(reviewers) > 40
    leaks = [f"{role} {url}: {word}" for role, url, body in reviewers
             for word in IDENTIFYING if word in body]
    assert not leaks, "\n".join(leaks)
    label = f"Candidate {site.ids['a']}"
    page = f"/team/interviews/{site.ids['a']}"
    assert any(label in body for role, url, body in reviewers
               if role == "interviewer" and url == page)
    assert any(label in body for role, url, body in reviewers
               if role == "manager_token" and url == f"/api/v1/interviews/{site.ids['a']}")
    # admins always see who it is
    admin_pages = [body for role, url, body in bodies if role == "admin" and url == page]
    assert admin_pages
    assert NAME in admin_pages[0]
    assert EMAIL in admin_pages[0]
    assert "Take_7_final.wav" in admin_pages[0]
    assert "blanche.dubois@example.org, +1 415 555-0134" in admin_pages[0]   # the original
    reviewer_page = next(body for role, url, body in reviewers
                         if role == "interviewer" and url == page)
    assert "[name] ([email], [phone]); my site is [url] and my GitHub handle is [handle]" in (
        reviewer_page)

    # the interviewer records the decision: now they see the name
    interviewer = site.client()
    interviewer.login("interviewer@example.com")
    before = interviewer.get(page).text
    assert NAME not in before
    assert label in before
    decided = interviewer.form(f"{page}/decision", {"decision": "advance",
                                                    "reason": "strong work"})
    assert decided.status_code == 303
    after = interviewer.get(page).text
    assert NAME in after
    assert EMAIL in after


def _wait_for_similarity(site: Any, answer_ids: list[int]) -> None:
    """The grading process indexes each graded answer for similarity after storing its grade,
    in a write transaction of its own; the walk starts when that is done."""
    for _ in range(600):
        with site.platform.db.session() as s:
            done = s.query(SimilarityPrint).filter(
                SimilarityPrint.answer_id.in_(answer_ids)).count()
        if done == len(answer_ids):
            return
        time.sleep(0.2)
    raise AssertionError("the answers were never indexed for similarity")


def test_a_loop_that_is_not_blind_names_the_candidate(make_site: Any) -> None:
    site = make_site()
    interviewer = site.client()
    interviewer.login("interviewer@example.com")
    page = interviewer.get(f"/team/interviews/{site.ids['a']}").text
    assert "Ada Candidate" in page
    assert f"Candidate {site.ids['a']}<" not in page
