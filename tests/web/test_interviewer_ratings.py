"""Structured interviewer feedback: each reviewer rates every competency the loop assesses on
the anchored scale with a written justification; bad ratings are refused with a message that
says what to fix; the set is one per reviewer, revised (history kept) until the decision; an
assigned interviewer sees the others' ratings only after submitting their own; the scorecard,
its exports and the API scorecard an ATS pulls show each rating beside the automatic score
with the mean; a blind review redacts the candidate from justifications; deleting the
candidate deletes their ratings.

The test loop (conftest) assesses ml-foundations (all three exercises) and coding (the code
exercise)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from hireloop.db.models import Interview, InterviewerRating, RatingSet
from hireloop.hiring import service
from hireloop.hiring.authz import Principal
from tests.web.conftest import PASSWORD, Site, loop_definition, postgres_url
from tests.web.server import Api, Server

COMPETENCIES = ["ml-foundations", "coding"]
CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = Path(os.environ.get("HIRELOOP_TEST_OUTPUT",
                             Path(__file__).resolve().parents[2] / "test-output")) / "ratings"


def _ratings(values: dict[str, int] | int = 3, why: str = "Derived the bound unprompted"
             ) -> dict[str, Any]:
    chosen = values if isinstance(values, dict) else dict.fromkeys(COMPETENCIES, values)
    return {"ratings": [{"competency": c, "value": v, "justification": f"{why} ({c})"}
                        for c, v in chosen.items()]}


def _put(web: Any, interview_id: int, body: dict[str, Any]) -> Any:
    return web.json("PUT", f"/api/v1/interviews/{interview_id}/ratings", body)


def _signed_in(site: Site, email: str) -> Any:
    web = site.client()
    web.login(email)
    return web


def _counts(site: Site) -> tuple[int, int]:
    with site.platform.db.session() as s:
        return (s.scalar(select(func.count()).select_from(RatingSet)) or 0,
                s.scalar(select(func.count()).select_from(InterviewerRating)) or 0)


def _second_interviewer(site: Site) -> int:
    """Ines, an interviewer of team A assigned to interview A as well."""
    ines = site.add_user("ines@example.com", "interviewer", site.ids["team"])
    with site.platform.db.session() as s:
        service.assign(s, s.get(Interview, site.ids["a"]), ines)
    return ines


def test_a_rating_without_justification_out_of_scale_or_of_an_unknown_competency_is_refused(
        make_site: Any) -> None:
    site = make_site(threads=0)
    web = _signed_in(site, "interviewer@example.com")
    a = site.ids["a"]
    cases = {
        "no justification": (
            {"ratings": [{"competency": "ml-foundations", "value": 3, "justification": "  "},
                         {"competency": "coding", "value": 3, "justification": "fine"}]},
            "ml-foundations: write a justification for the rating"),
        "out of scale": (_ratings({"ml-foundations": 5, "coding": 0}),
                         "ml-foundations: 5 is not on the scale; use 1 (Does not meet) to "
                         "4 (Exceeds)"),
        "unknown competency": (
            {"ratings": [*_ratings()["ratings"],
                         {"competency": "astrology", "value": 2, "justification": "x"}]},
            "unknown competency 'astrology': this loop assesses ml-foundations, coding"),
        "a competency left out": (_ratings({"ml-foundations": 3}),
                                  "rate every competency this loop assesses; missing: coding"),
        "twice": ({"ratings": [*_ratings()["ratings"], _ratings()["ratings"][0]]},
                  "ml-foundations is rated twice"),
    }
    for name, (body, message) in cases.items():
        response = _put(web, a, body)
        assert response.status_code == 422, (name, response.text)
        assert message in response.json()["detail"], (name, response.json())
    both = _put(web, a, _ratings({"ml-foundations": 5, "coding": 0}))
    assert "coding: 0 is not on the scale" in both.json()["detail"]  # every problem named
    # the form says the same on the page and keeps what was typed
    page = web.form(f"/team/interviews/{a}/ratings", {
        "value:ml-foundations": "4", "justification:ml-foundations": "Clear derivation",
        "value:coding": "3", "justification:coding": ""})
    assert page.status_code == 422
    assert "coding: write a justification for the rating" in page.text
    assert "Clear derivation" in page.text
    assert '<option value="4" selected>' in page.text
    not_a_number = web.form(f"/team/interviews/{a}/ratings", {
        "value:ml-foundations": "great", "justification:ml-foundations": "x",
        "value:coding": "3", "justification:coding": "y"})
    assert not_a_number.status_code == 422
    assert "ml-foundations: choose a rating (use 1 (Does not meet) to 4 (Exceeds))" in \
        not_a_number.text
    assert _counts(site) == (0, 0)  # nothing was stored
    assert web.client.get(f"/api/v1/interviews/{a}/ratings").json()["mine"] is None


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_reviewers_of_the_interview_rate_it_once_each_and_revise_until_the_decision(
        make_site: Any, backend: str) -> None:
    if backend == "postgresql":
        if postgres_url() is None:
            pytest.skip("set HIRELOOP_TEST_POSTGRES_URL (scripts/test does) to test PostgreSQL")
        site = make_site(database_url=postgres_url(), threads=0)
    else:
        site = make_site(threads=0)
    a = site.ids["a"]
    site.add_user("interviewer_other@example.com", "interviewer", site.ids["team"])
    outsider = _signed_in(site, "interviewer_other@example.com")
    assert _put(outsider, a, _ratings()).status_code == 404  # not assigned: not even seen
    assert outsider.get(f"/team/interviews/{a}/ratings").status_code == 404
    candidate = site.client()
    candidate.open_invitation(site.ids["link_a"])
    assert _put(candidate, a, _ratings()).status_code == 403
    assert candidate.form(f"/team/interviews/{a}/ratings", {
        "value:coding": "4", "justification:coding": "x"}).status_code == 403
    assert _counts(site) == (0, 0)

    interviewer = _signed_in(site, "interviewer@example.com")
    first = _put(interviewer, a, _ratings(2, "Missed the calibration point"))
    assert first.status_code == 200, first.text
    assert first.json()["mine"]["revision"] == 1
    revised = _put(interviewer, a, _ratings({"ml-foundations": 3, "coding": 4},
                                            "On second reading, covered it"))
    mine = revised.json()["mine"]
    assert mine["revision"] == 2
    assert mine["ratings"]["coding"]["value"] == 4
    assert [h["revision"] for h in mine["history"]] == [2, 1]
    assert mine["history"][1]["ratings"]["coding"]["justification"] == \
        "Missed the calibration point (coding)"
    assert _counts(site) == (1, 4)  # one set, both revisions kept
    manager = _signed_in(site, "manager@example.com")
    assert _put(manager, a, _ratings(3)).status_code == 200
    assert _counts(site) == (2, 6)
    with site.platform.db.session() as s:
        rated = {r.user_id: r for r in s.scalars(select(RatingSet))}
        assert set(rated) == {site.ids["interviewer"], site.ids["manager"]}
        assert rated[site.ids["interviewer"]].updated_at > rated[site.ids["interviewer"]
                                                                 ].created_at

    assert manager.form(f"/team/interviews/{a}/decision",
                        {"decision": "advance", "reason": "r"}).status_code == 303
    late = _put(interviewer, a, _ratings(1))
    assert late.status_code == 409
    assert late.json()["detail"] == "the decision is recorded, so the ratings are final"
    assert "the ratings are final" in interviewer.get(f"/team/interviews/{a}/ratings").text
    assert _counts(site) == (2, 6)

    admin = _signed_in(site, "admin@example.com")
    with site.platform.db.session() as s:
        candidate_id = s.get(Interview, a).candidate_id
    assert admin.form(f"/team/candidates/{candidate_id}/delete",
                      {"confirm": "ada@example.com"}).status_code == 303
    assert _counts(site) == (0, 0)  # the candidate's ratings went with them


def test_an_assigned_interviewer_sees_others_ratings_only_after_submitting_their_own(
        make_site: Any) -> None:
    site = make_site(threads=0)
    a = site.ids["a"]
    _second_interviewer(site)
    interviewer = _signed_in(site, "interviewer@example.com")
    assert _put(interviewer, a, _ratings(2, "CANARY-FIRST explained the prior")).status_code \
        == 200
    ines = _signed_in(site, "ines@example.com")
    views = {
        "scorecard page": ines.get(f"/team/interviews/{a}/scorecard").text,
        "rating page": ines.get(f"/team/interviews/{a}/ratings").text,
        "CSV": ines.get(f"/team/interviews/{a}/export.csv").text,
        "JSON": ines.get(f"/team/interviews/{a}/export.json").text,
        "API scorecard": ines.client.get(f"/api/v1/interviews/{a}/scorecard").text,
        "API rows": ines.client.get(f"/api/v1/interviews/{a}/rows").text,
        "API ratings": ines.client.get(f"/api/v1/interviews/{a}/ratings").text,
    }
    for name, body in views.items():
        assert "CANARY-FIRST" not in body, name
    card = ines.client.get(f"/api/v1/interviews/{a}/scorecard").json()["ratings"]
    assert card["sets"] == []
    assert card["hidden"] == 1
    assert card["means"] == {"ml-foundations": None, "coding": None}  # a mean would tell
    assert "1 interviewer has rated this interview; their ratings show once you submit " \
           "yours" in views["scorecard page"]
    assert "1 other rating of this interview is hidden until you submit yours" in \
        views["rating page"]
    # a hiring manager who is not on the panel runs the debrief: sees them all
    manager_view = _signed_in(site, "manager@example.com").get(
        f"/team/interviews/{a}/scorecard").text
    assert "CANARY-FIRST" in manager_view

    assert _put(ines, a, _ratings(4, "CANARY-SECOND strong")).status_code == 200
    after = ines.client.get(f"/api/v1/interviews/{a}/scorecard").json()["ratings"]
    assert after["hidden"] == 0
    assert {x["rater"]["email"]: x["independent"] for x in after["sets"]} == {
        "interviewer@example.com": True, "ines@example.com": True}
    assert after["means"] == {"ml-foundations": 3.0, "coding": 3.0}
    assert "CANARY-FIRST" in ines.get(f"/team/interviews/{a}/scorecard").text
    # the first interviewer sees Ines's now (they had submitted theirs)
    assert "CANARY-SECOND" in interviewer.get(f"/team/interviews/{a}/scorecard").text
    # the manager rates after having seen both: marked as such
    manager = _signed_in(site, "manager@example.com")
    assert _put(manager, a, _ratings(3)).status_code == 200
    sets = manager.client.get(f"/api/v1/interviews/{a}/scorecard").json()["ratings"]["sets"]
    assert {x["rater"]["email"]: x["independent"] for x in sets}["manager@example.com"] is False
    assert "given after seeing others' ratings" in manager.get(
        f"/team/interviews/{a}/scorecard").text
    # Ines revises after seeing the others: her set is no longer independent
    assert _put(ines, a, _ratings(3, "CANARY-SECOND revised")).status_code == 200
    sets = ines.client.get(f"/api/v1/interviews/{a}/ratings").json()
    assert sets["mine"]["independent"] is False


def test_the_scorecard_exports_and_the_api_an_ats_pulls_show_each_rating_and_the_mean(
        make_site: Any) -> None:
    site = make_site(threads=0)
    a = site.ids["a"]
    _second_interviewer(site)
    interviewer = _signed_in(site, "interviewer@example.com")
    assert _put(interviewer, a, _ratings({"ml-foundations": 2, "coding": 3},
                                         "=HYPERLINK(1) gaps in the prior")).status_code == 200
    ines = _signed_in(site, "ines@example.com")
    assert ines.form(f"/team/interviews/{a}/ratings", {
        "value:ml-foundations": "4", "justification:ml-foundations": "Derived Bayes cleanly",
        "value:coding": "4", "justification:coding": "Stable log-sum-exp, tested edge cases",
    }).status_code == 303

    with site.platform.db.session() as s:  # an ATS with the hiring manager's API token
        manager = Principal("hiring_manager", user_id=site.ids["manager"],
                            team_id=site.ids["team"])
        _, token = service.create_api_token(s, manager, "ATS")
    bearer = {"authorization": f"Bearer {token}"}
    card = site.main.get(f"/api/v1/interviews/{a}/scorecard", headers=bearer).json()
    rated = card["ratings"]
    assert [a["label"] for a in rated["scale"]] == ["Does not meet", "Partly meets", "Meets",
                                                   "Exceeds"]
    assert rated["competencies"] == COMPETENCIES
    assert rated["means"] == {"ml-foundations": 3.0, "coding": 3.5}
    by_rater = {x["rater"]["email"]: x["ratings"] for x in rated["sets"]}
    assert by_rater["ines@example.com"]["coding"] == {
        "value": 4, "label": "Exceeds", "justification": "Stable log-sum-exp, tested edge cases"}
    loop_cards = site.main.get(f"/api/v1/loops/{site.ids['loop']}/results",
                               headers=bearer).json()
    assert next(c for c in loop_cards if c["interview_id"] == a)["ratings"]["means"] == \
        rated["means"]

    exported = site.main.get(f"/api/v1/interviews/{a}/export?format=csv", headers=bearer).text
    rows = [r for r in csv.DictReader(io.StringIO(exported)) if r["rater"]]
    assert len(rows) == 4
    assert {(r["rater"], r["rated_competency"], r["rating"], r["rating_label"]) for r in rows} \
        == {("interviewer@example.com", "ml-foundations", "2", "Partly meets"),
            ("interviewer@example.com", "coding", "3", "Meets"),
            ("ines@example.com", "ml-foundations", "4", "Exceeds"),
            ("ines@example.com", "coding", "4", "Exceeds")}
    formula = next(r for r in rows if r["rater"] == "interviewer@example.com")
    assert formula["justification"].startswith("'=HYPERLINK")  # no formula in a spreadsheet
    as_json = site.main.get(f"/api/v1/interviews/{a}/export?format=json", headers=bearer).json()
    assert as_json[0]["ratings"]["means"] == rated["means"]

    page = _signed_in(site, "manager@example.com").get(f"/team/interviews/{a}/scorecard").text
    assert 'id="ratings"' in page
    assert "3.50 / 4" in page
    assert "3.00 / 4" in page
    assert "Stable log-sum-exp, tested edge cases" in page
    assert "4 · Exceeds" in page


def test_in_a_blind_review_justifications_do_not_name_the_candidate(make_site: Any) -> None:
    site = make_site(threads=0)
    with site.platform.db.session() as s:
        record = service.create_loop(s, site.platform, Principal("admin", user_id=1),
                                     definition={**loop_definition(), "blind": True},
                                     team_id=site.ids["team"])
    blind, _ = site.invite("Blanche Dubois", "blanche@example.org", record.id,
                           [site.ids["interviewer"]])
    interviewer = _signed_in(site, "interviewer@example.com")
    assert _put(interviewer, blind, _ratings(
        3, "Blanche Dubois (blanche@example.org) reasoned well")).status_code == 200
    for body in (interviewer.get(f"/team/interviews/{blind}/scorecard").text,
                 interviewer.get(f"/team/interviews/{blind}/export.csv").text,
                 interviewer.client.get(f"/api/v1/interviews/{blind}/scorecard").text):
        assert "Blanche" not in body
        assert "blanche@" not in body
        assert "reasoned well" in body
    admin = _signed_in(site, "admin@example.com")  # admins always see who it is
    assert "Blanche Dubois (blanche@example.org) reasoned well" in admin.client.get(
        f"/api/v1/interviews/{blind}/scorecard").text


@pytest.mark.slow
def test_an_interviewer_rates_in_chromium_is_told_what_to_fix_and_sees_the_others_after(
        tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is missing: apt-get install chromium (scripts/test does)")
    from playwright.sync_api import expect, sync_playwright

    OUTPUT.mkdir(parents=True, exist_ok=True)
    server = Server(tmp_path / "data")
    server.start(threads=0)
    try:
        assert server.cli("user", "add", "--admin", "admin@example.com", "--password-stdin",
                          stdin=PASSWORD + "\n").returncode == 0
        admin = Api.login(server.url, "admin@example.com", PASSWORD)
        team = admin.call("POST", "/teams", {"name": "Team A"}, ok=201)
        people = {who: admin.call("POST", "/users", {
            "email": f"{who}@example.com", "password": PASSWORD, "role": "interviewer",
            "name": who.title(), "team_id": team["id"]}, ok=201) for who in ("grace", "ines")}
        loop = admin.call("POST", "/loops", {"definition": loop_definition(),
                                             "team_id": team["id"]}, ok=201)
        invited = admin.call("POST", "/interviews", {
            "name": "Ada Candidate", "email": "ada@example.com", "loop_id": loop["id"],
            "interviewers": [p["id"] for p in people.values()]}, ok=201)
        ratings_url = f"{server.url}/team/interviews/{invited['id']}/ratings"
        Api.login(server.url, "ines@example.com", PASSWORD).call(
            "PUT", f"/interviews/{invited['id']}/ratings",
            _ratings(4, "Ines saw a clean derivation"))

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
            page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
            page.goto(f"{server.url}/login")
            page.fill("input[name=email]", "grace@example.com")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{server.url}/team")
            page.goto(f"{server.url}/team/interviews/{invited['id']}")
            page.click("text=Rate competencies")
            page.wait_for_url(ratings_url)
            expect(page.locator("main")).to_contain_text(
                "1 other rating of this interview is hidden until you submit yours")
            expect(page.locator("body")).not_to_contain_text("Ines saw a clean derivation")
            expect(page.locator("fieldset.rating legend")).to_have_count(2)
            page.select_option("select[name='value:ml-foundations']", "3")
            page.fill("textarea[name='justification:ml-foundations']",
                      "Explained calibration with a reliability diagram")
            page.select_option("select[name='value:coding']", "2")
            page.fill("textarea[name='justification:coding']", "   ")  # blank to the server
            page.screenshot(path=str(OUTPUT / "form-390.png"), full_page=True)
            page.click("button:has-text('Submit ratings')")
            expect(page.locator("#rating-error")).to_contain_text(
                "coding: write a justification for the rating")
            expect(page.locator("textarea[name='justification:ml-foundations']")).to_have_value(
                "Explained calibration with a reliability diagram")
            page.screenshot(path=str(OUTPUT / "error-390.png"), full_page=True)
            page.fill("textarea[name='justification:coding']",
                      "Correct, but no test of the overflow case")
            page.click("button:has-text('Submit ratings')")
            page.wait_for_url("**/scorecard?rated=1#ratings")
            row = page.locator("#ratings [data-competency='coding']")
            expect(row).to_contain_text("2 · Partly meets")
            expect(row).to_contain_text("Correct, but no test of the overflow case")
            expect(row).to_contain_text("4 · Exceeds")  # Ines's, now shown
            expect(row.locator(".rating-mean")).to_have_text("3.00 / 4")
            expect(page.locator("#ratings-hidden")).to_have_count(0)
            page.screenshot(path=str(OUTPUT / "scorecard-390.png"), full_page=True)
            page.goto(ratings_url)  # the form again: the ratings to revise, the history
            expect(page.locator("select[name='value:coding']")).to_have_value("2")
            expect(page.locator("button[type=submit]:has-text('Save changes')")).to_have_count(1)
            page.set_viewport_size({"width": 360, "height": 740})  # the smallest phones
            for url, part in ((ratings_url, "#ratings-form"),
                              (ratings_url.replace("/ratings", "/scorecard"), "#ratings")):
                page.goto(url)
                right = page.evaluate(f"document.querySelector('{part}')"
                                      ".getBoundingClientRect().right")
                assert right <= 360, (url, right)
            page.screenshot(path=str(OUTPUT / "scorecard-360.png"), full_page=True)
            browser.close()
    finally:
        server.stop()
