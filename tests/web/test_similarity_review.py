"""Similarity on the platform: two candidates hand in the same code in disguise; after grading,
each one's review page shows the other answer side by side with the matched regions, the other
candidate named only to reviewers who may see that interview; the score is untouched."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape
from sqlalchemy import select

from hireloop.db.models import Answer, Interview, SimilarityMatch, SimilarityPrint
from hireloop.hiring import service
from tests.integrity.disguise import disguise
from tests.web.conftest import (
    BANK_DIR,
    CODE,
    builtin_bank,
    exercise_answers,
    postgres_url,
)
from tests.web.server import Api, Server

CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = Path(os.environ.get("HIRELOOP_TEST_OUTPUT",
                             Path(__file__).resolve().parents[2] / "test-output")) / "similarity"
ADMIN, PASSWORD = "admin@example.com", "a long admin password"


def _submit(site: Any, link: str, code: str) -> None:
    candidate = site.client()
    candidate.open_invitation(link)
    assert candidate.form("/take/consent").status_code == 303
    assert candidate.get("/take/stage/0").status_code == 200
    interview_id = site.ids["a"] if link == site.ids["link_a"] else site.ids["b"]
    with site.platform.db.session() as s:
        answers = [{"id": a.id, "exercise_id": a.exercise_id, "seed": a.seed}
                   for a in s.query(Answer).filter_by(interview_id=interview_id)]
    good = exercise_answers(builtin_bank(), answers)
    for a in answers:
        body = {"text": code} if a["exercise_id"] == CODE else good[a["id"]]
        assert candidate.json("POST", f"/take/answers/{a['id']}/save", body).status_code == 200
    assert candidate.form("/take/stage/0/submit").status_code == 303


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_disguised_copies_are_shown_side_by_side_and_the_name_follows_the_reviewers_rights(
        make_site: Any, backend: str) -> None:
    if backend == "postgresql":
        if postgres_url() is None:
            pytest.skip("set HIRELOOP_TEST_POSTGRES_URL (scripts/test does) to test PostgreSQL")
        site = make_site(database_url=postgres_url())
    else:
        site = make_site()
    reference = (BANK_DIR / CODE / "hidden" / "reference.py").read_text()
    _submit(site, site.ids["link_a"], disguise(reference, "log_softmax", "stripped", seed=1))
    _submit(site, site.ids["link_b"], disguise(reference, "log_softmax", "reordered", seed=2))
    jobs = site.wait_for_jobs()
    assert all(j.state == "graded" for j in jobs)

    with site.platform.db.session() as s:
        code_a = s.scalars(select(Answer).where(Answer.interview_id == site.ids["a"],
                                                Answer.exercise_id == CODE)).one()
        code_b = s.scalars(select(Answer).where(Answer.interview_id == site.ids["b"],
                                                Answer.exercise_id == CODE)).one()
        grade_a = code_a.jobs[-1].grade
        assert grade_a["score"] == 1.0  # the flag changes nothing of the grade
        assert "matches_reference" in [f["code"] for f in grade_a["flags"]]
        pairs = {(m.answer_id, m.other_answer_id) for m in s.scalars(select(SimilarityMatch))}
        assert {(code_a.id, code_b.id), (code_b.id, code_a.id)} <= pairs
        assert s.get(SimilarityPrint, code_a.id).scope == "interview"
    # a second interviewer of the team, assigned to Ada's interview only
    other = site.add_user("ines@example.com", "interviewer", site.ids["team"])
    with site.platform.db.session() as s:
        service.assign(s, s.get(Interview, site.ids["a"]), other)
        service.unassign(s, s.get(Interview, site.ids["b"]), other)

    both = site.client()
    both.login("interviewer@example.com")  # assigned to both interviews
    page = both.get(f"/team/interviews/{site.ids['a']}").text
    assert 'data-flag="matches_submission"' in page
    assert "Bob Candidate&#39;s answer" in page or str(escape("Bob Candidate's answer")) in page
    assert f'href="/team/interviews/{site.ids["b"]}#answer-{code_b.id}"' in page
    assert page.count('<mark class="region') >= 2  # both sides highlighted
    assert 'data-flag="matches_reference"' in page

    one = site.client()
    one.login("ines@example.com")
    page = one.get(f"/team/interviews/{site.ids['a']}").text
    assert 'data-flag="matches_submission"' in page
    assert "name hidden" in page
    assert "Bob Candidate" not in page
    assert f"/team/interviews/{site.ids['b']}" not in page
    assert one.get(f"/team/interviews/{site.ids['b']}").status_code == 404


def test_practice_answers_are_compared_only_with_practice_answers(make_site: Any) -> None:
    from hireloop.integrity.store import record

    site = make_site()
    bank = site.platform.bank
    exercise = bank.get(CODE)
    kind = bank.kinds.get("code")
    copy = disguise(exercise.hidden.read_text("reference.py"), "log_softmax", "renamed", 4)
    from hireloop.core import Submission

    with site.platform.db.session() as s:
        made = []
        for interview_id, practice_id in ((site.ids["a"], None), (None, "p1"), (None, "p2")):
            answer = Answer(interview_id=interview_id, practice_id=practice_id,
                            exercise_id=CODE, seed=0, text=copy)
            s.add(answer)
            s.flush()
            record(s, kind, exercise, bank.variant(exercise, 0), answer,
                   Submission(exercise_id=CODE, text=copy), None)
            made.append(answer.id)
        pairs = {(m.answer_id, m.other_answer_id) for m in s.scalars(select(SimilarityMatch))}
    interview_answer, practice_1, practice_2 = made
    assert pairs == {(practice_1, practice_2), (practice_2, practice_1)}
    assert not any(interview_answer in p for p in pairs)


@pytest.mark.slow
def test_the_review_page_in_chromium_shows_the_flag_and_the_matched_regions(
        tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is missing: apt-get install chromium (scripts/test does)")
    from playwright.sync_api import expect, sync_playwright

    OUTPUT.mkdir(parents=True, exist_ok=True)
    exercise = "coding/edit-distance"
    reference = (BANK_DIR / exercise / "hidden" / "reference.py").read_text()
    server = Server(tmp_path / "data")
    server.start(threads=1)
    try:
        assert server.cli("user", "add", "--admin", ADMIN, "--password-stdin",
                          stdin=PASSWORD + "\n").returncode == 0
        admin = Api.login(server.url, ADMIN, PASSWORD)
        loop = admin.call("POST", "/loops", {"definition": {
            "title": "Code", "role": "ML engineer", "feedback": "after_submission",
            "stage": [{"name": "Write it", "minutes": 20, "exercises": [exercise]}]}}, ok=201)
        invited = {}
        for name, seed in (("Ada Copy", 1), ("Bob Copy", 2)):
            invited[name] = admin.call("POST", "/interviews", {
                "name": name, "email": f"{seed}@example.com", "loop_id": loop["id"]}, ok=201)
            candidate = Api.candidate(server.url, invited[name]["link"])
            candidate.call("POST", "/take/consent")
            candidate.call("POST", "/take/stages/0/start")
            answer = candidate.call("GET", "/take")["stages"][0]["exercises"][0]["answer_id"]
            candidate.call("PUT", f"/take/answers/{answer}", {
                "text": disguise(reference, "edit_distance", "reordered", seed)})
            candidate.call("POST", "/take/stages/0/submit")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
            team = browser.new_context().new_page()
            errors: list[str] = []
            team.on("pageerror", lambda e: errors.append(str(e)))
            team.goto(server.url + "/login")
            team.fill("input[name=email]", ADMIN)
            team.fill("input[name=password]", PASSWORD)
            team.click("button[type=submit]")
            url = server.url + f"/team/interviews/{invited['Ada Copy']['id']}"
            flag = team.locator('details.similar[data-flag="matches_submission"]')
            for _ in range(120):  # grading, then similarity, run in the background
                team.goto(url)
                if flag.count():
                    break
                team.wait_for_timeout(1000)
            expect(flag).to_be_visible()
            expect(flag.locator("summary")).to_contain_text("Bob Copy")
            sides = flag.locator(".side-by-side > div")
            assert sides.count() == 2
            for i in range(2):
                marks = sides.nth(i).locator("mark.region")
                assert marks.count() >= 1
                expect(marks.first).to_be_visible()
                colour = marks.first.evaluate("m => getComputedStyle(m).backgroundColor")
                assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
            assert "min(" in sides.nth(1).locator("mark.region").all_inner_texts().__str__()
            expect(team.locator('details.similar[data-flag="matches_reference"]')).to_be_visible()
            team.screenshot(path=str(OUTPUT / "review-similarity.png"), full_page=True)
            browser.close()
            assert not errors, errors
    finally:
        server.stop()
        shutil.rmtree(tmp_path / "data", ignore_errors=True)


def test_deleting_a_candidate_deletes_their_fingerprints_and_every_match_with_them(
        make_site: Any) -> None:
    """Candidate data deleted on request takes its similarity rows along, on both sides."""
    from hireloop.core import Submission
    from hireloop.db.models import Candidate, SimilarityHash
    from hireloop.integrity.store import record

    site = make_site()
    bank = site.platform.bank
    exercise = bank.get(CODE)
    copy = disguise(exercise.hidden.read_text("reference.py"), "log_softmax", "renamed", 6)
    with site.platform.db.session() as s:
        made = {}
        for key in ("a", "b"):
            answer = Answer(interview_id=site.ids[key], exercise_id=CODE, seed=0, text=copy)
            s.add(answer)
            s.flush()
            record(s, bank.kinds.get("code"), exercise, bank.variant(exercise, 0), answer,
                   Submission(exercise_id=CODE, text=copy), None)
            made[key] = answer.id
        assert s.scalars(select(SimilarityMatch)).all()
    with site.platform.db.session() as s:
        bob = s.get(Interview, site.ids["b"]).candidate
        service.delete_candidate(s, s.get(Candidate, bob.id))
    with site.platform.db.session() as s:
        assert s.scalars(select(SimilarityMatch)).all() == []
        assert s.get(SimilarityPrint, made["b"]) is None
        assert not s.scalars(select(SimilarityHash).where(
            SimilarityHash.answer_id == made["b"])).all()
        assert s.get(SimilarityPrint, made["a"]) is not None


def test_comparing_a_graded_answer_holds_no_write_lock_so_web_writes_go_on(
        make_site: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """On SQLite a write transaction locks out every other writer. The comparisons (MiniLM
    paraphrase for prose, many answers) take long, so they run in a read; while one runs,
    another connection can write at once (no busy wait)."""
    import sqlite3

    from hireloop.integrity import store

    site = make_site()
    path = site.settings.db_url().removeprefix("sqlite:///")
    probes: list[str] = []
    real_compare = store.compare

    def compare_and_probe(*args: Any, **kwargs: Any) -> Any:
        probe = sqlite3.connect(path, timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            probes.append("written")
        except sqlite3.OperationalError as exc:
            probes.append(str(exc))
        finally:
            probe.close()
        return real_compare(*args, **kwargs)

    monkeypatch.setattr(store, "compare", compare_and_probe)
    reference = (BANK_DIR / CODE / "hidden" / "reference.py").read_text()
    _submit(site, site.ids["link_a"], disguise(reference, "log_softmax", "stripped", seed=1))
    _submit(site, site.ids["link_b"], disguise(reference, "log_softmax", "reordered", seed=2))
    jobs = site.wait_for_jobs()
    assert all(j.state == "graded" for j in jobs), [(j.state, j.error) for j in jobs]
    assert probes, "no comparison ran"
    assert set(probes) == {"written"}, probes
    with site.platform.db.session() as s:
        assert s.scalars(select(SimilarityMatch)).first() is not None   # and matches stored
