"""Reporting (#16): the scorecard's PDF, its print layout, read-only share links that expire,
and a loop's analytics.

The analytics figures are compared with numbers computed by hand (in the comments) on a loop
seeded with six interviews whose stage times, grades, an override and decisions are known.
The PDF is downloaded through the app and read back with pypdf. The print layout and the share
link are exercised in Chromium against a real ``hireloop serve``.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from hireloop.core.grade import CriterionScore, Grade
from hireloop.db.models import Answer, GradingJob, Interview, Override, ShareLink
from hireloop.hiring import service
from hireloop.hiring.authz import Principal
from tests.web.conftest import CHOICE, PASSWORD, TEXT, Site, postgres_url
from tests.web.server import CHROMIUM, Api, Server, require_chromium

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CRITERION = "Explains the calibration map it would fit"
"""a rubric criterion's wording: on the team's scorecard and PDF, never on a shared one"""

ANALYTICS_LOOP = {
    "title": "Analytics loop", "role": "ML engineer", "feedback": "after_submission",
    "pass_rule": {"min_overall": 0.6, "min_stage": 0.5},
    "stage": [{"name": "Screen", "minutes": 30, "exercises": [CHOICE]},
              {"name": "Deep dive", "minutes": 60, "exercises": [TEXT]}]}

# per interview: (minutes in stage 0, minutes in stage 1, choice score, text score, text
# override, decision); None: that stage was not started / submitted / graded
SEED: list[dict[str, Any]] = [
    {"name": "Ivy Invited"},
    {"name": "Sam Started", "started": True},
    {"name": "Ada Advance", "times": (10, 20), "choice": 1.0, "text": 0.8,
     "decision": "advance"},
    {"name": "Rob Reject", "times": (5, 40), "choice": 0.0, "text": 0.55,
     "decision": "reject"},
    {"name": "Olga Override", "times": (20, 30), "choice": 1.0, "text": 0.25,
     "override": 0.45},
    {"name": "Hal Hold", "times": (8, None), "choice": 0.5, "decision": "hold"},
]


def _grade(answer: Answer, score: float) -> dict[str, Any]:
    """A grade of ``score`` with one criterion out of 10 points."""
    name = CRITERION if answer.exercise_id == TEXT else "Picks the right option"
    return Grade(exercise_id=answer.exercise_id, seed=answer.seed, outcome="graded",
                 score=score, grader="seeded",
                 criteria=[CriterionScore(name=name, points=score * 10, max_points=10,
                                          evidence=[f"seeded evidence for {name}"])]
                 ).model_dump(mode="json")


def seed_loop(site: Site) -> dict[str, int]:
    """The analytics loop with the six interviews of ``SEED``; returns their ids by name."""
    admin = Principal("admin", user_id=site.ids["admin"])
    with site.platform.db.session() as s:
        loop_id = service.create_loop(s, site.platform, admin, definition=ANALYTICS_LOOP,
                                      team_id=site.ids["team"]).id
    ids: dict[str, int] = {}
    for row in SEED:
        first = row["name"].split()[0].lower()
        interview_id, _ = site.invite(row["name"], f"{first}.seeded@example.com", loop_id,
                                      [site.ids["interviewer"]])
        ids[row["name"]] = interview_id
        with site.platform.db.session() as s:
            interview = s.get(Interview, interview_id)
            if row.get("started") or row.get("times"):
                interview.consented_at = START
            runs = {r.index: r for r in interview.stages}
            if row.get("started"):
                runs[0].started_at = START
            at = START
            for index, minutes in enumerate(row.get("times") or ()):
                if minutes is None:
                    continue
                runs[index].started_at = at
                runs[index].submitted_at = at + timedelta(minutes=minutes)
                at += timedelta(minutes=minutes + 1)
            for answer in interview.answers:
                score = row.get("choice" if answer.exercise_id == CHOICE else "text")
                if score is None:
                    continue
                answer.submitted_at = at
                s.add(GradingJob(answer_id=answer.id, state="graded", grade=_grade(answer, score),
                                 finished_at=at))
                if answer.exercise_id == TEXT and row.get("override") is not None:
                    s.add(Override(answer_id=answer.id, criterion=CRITERION,
                                   points=row["override"] * 10, max_points=10,
                                   reason="read it again", user_id=site.ids["manager"]))
            if row.get("decision"):
                interview.decision, interview.decided_by = row["decision"], site.ids["manager"]
                interview.decided_at = at
    ids["loop"] = loop_id
    return ids


def _cells(html: str, attribute: str, value: str) -> list[float | None]:
    """The ``data-value`` numbers of the table row ``<tr data-{attribute}="{value}">``."""
    match = re.search(rf'<tr data-{attribute}="{re.escape(value)}">(.*?)</tr>', html, re.S)
    assert match is not None, f"no row {attribute}={value}"
    return [float(v) if v else None for v in re.findall(r'data-value="([^"]*)"', match.group(1))]


def test_the_analytics_page_shows_the_hand_computed_figures_of_a_seeded_loop(
        make_site: Any) -> None:
    site = make_site(threads=0)
    ids = seed_loop(site)
    web = site.client()
    web.login("manager@example.com")
    response = web.get(f"/team/loops/{ids['loop']}/analytics")
    assert response.status_code == 200, response.text
    html = response.text

    # funnel: 6 invited; Sam, Ada, Rob, Olga and Hal started (5); Ada, Rob and Olga submitted
    # every stage (3); Ada, Rob and Hal decided (3)
    assert _cells(html, "step", "invited") == [6, 1.0]
    assert _cells(html, "step", "started") == [5, pytest.approx(5 / 6)]
    assert _cells(html, "step", "submitted") == [3, 0.5]
    assert _cells(html, "step", "decided") == [3, 0.5]
    # stage 0 took 10, 5, 20 and 8 minutes: sorted 300, 480, 600, 1200 s; median
    # (480 + 600) / 2 = 540; p90 at rank 0.9 * 3 = 2.7: 600 + 0.7 * 600 = 1020
    assert _cells(html, "stage", "0") == [4, 540, pytest.approx(1020)]
    # stage 1: 20, 40, 30 minutes: 1200, 1800, 2400 s; median 1800; p90 at rank 1.8:
    # 1800 + 0.8 * 600 = 2280
    assert _cells(html, "stage", "1") == [3, 1800, pytest.approx(2280)]
    # pass rates (min_stage 0.5): stage 0 scores 1.0, 0.0, 1.0, 0.5: 3 of 4; stage 1 (after
    # Olga's override to 0.45) 0.8, 0.55, 0.45: 2 of 3
    assert _cells(html, "pass", "stage-0") == [3, 4, 0.75]
    assert _cells(html, "pass", "stage-1") == [2, 3, pytest.approx(2 / 3)]
    # fully graded: Ada (overall 0.9, passes), Rob (0.275), Olga (0.725 but stage 1 < 0.5)
    assert _cells(html, "pass", "meets-the-bar") == [1, 3, pytest.approx(1 / 3)]
    for decision in ("advance", "hold", "reject"):
        assert _cells(html, "pass", f"decision-{decision}") == [1, 3, pytest.approx(1 / 3)]
    # score distributions: the choice exercise 0.0, 0.5, 1.0, 1.0 in bins 0, 5, 9, 9;
    # the text exercise 0.8, 0.55 and the overridden 0.45 (not the automatic 0.25)
    choice = re.search(rf'data-exercise="{re.escape(CHOICE)}"(.*?)</table>', html, re.S)
    text = re.search(rf'data-exercise="{re.escape(TEXT)}"(.*?)</table>', html, re.S)
    assert choice
    assert text
    histogram = lambda block: [int(v) for v in re.findall(r'<td data-value="(\d+)"', block)]  # noqa: E731
    assert histogram(choice.group(1)) == [1, 0, 0, 0, 0, 1, 0, 0, 0, 2]
    assert histogram(text.group(1)) == [0, 0, 0, 0, 1, 1, 0, 0, 1, 0]
    assert "4 graded · mean 62% · median 75%" in choice.group(1)
    # the charts are images with a name that states their numbers
    assert 'role="img"' in html
    assert 'aria-label="Funnel: invited 6, started 5, submitted 3, decided 3"' in html
    assert "Screen median 9:00, 90th percentile 17:00" in html
    assert "Scores of" in html
    assert "0–10%: 1" in html
    # no candidate is named on the page
    assert not any(row["name"] in html for row in SEED)


def _pdf_text(data: bytes) -> str:
    assert data[:5] == b"%PDF-"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_has_the_candidate_the_overall_score_every_stage_and_the_chart(
        make_site: Any) -> None:
    site = make_site(threads=0)
    ids = seed_loop(site)
    web = site.client()
    web.login("manager@example.com")
    response = web.get(f"/team/interviews/{ids['Ada Advance']}/scorecard.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"]
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "scorecard.pdf").write_bytes(response.content)
    text = _pdf_text(response.content)
    assert "Scorecard: Ada Advance" in text
    assert "overall 90%" in text  # (1.0 + 0.8) / 2
    assert "meets the bar" in text
    assert "decision: advance" in text
    for stage in ("Screen", "Deep dive"):
        assert stage in text
    assert "Evidence · Screen — 100%" in text
    assert "Evidence · Deep dive — 80%" in text
    # the competency chart, with each competency's score
    page = web.get(f"/team/interviews/{ids['Ada Advance']}/scorecard").text
    competencies = re.findall(r'<text x="0" y="\d+" font-size="13">([^<]+)</text>', page)
    assert competencies
    for name in competencies:
        assert name in text
    # the team reads the rubric's criteria on the page, so in the PDF too
    assert CRITERION in page
    assert CRITERION in text


def test_the_pdf_shows_interviewers_ratings_beside_the_automatic_scores_and_sharing_does_not(
        make_site: Any) -> None:
    from hireloop.hiring import ratings

    site = make_site(threads=0)
    ids = seed_loop(site)
    olga = ids["Olga Override"]  # not decided: still open to ratings
    manager = Principal("hiring_manager", user_id=site.ids["manager"],
                        team_id=site.ids["team"], email="manager@example.com")
    with site.platform.db.session() as s:
        interview = s.get(Interview, olga)
        competencies = ratings.loop_competencies(interview, site.platform.bank)
        ratings.save(s, interview, site.platform.bank, manager, [
            {"competency": c, "value": 3, "justification": f"RATED-{c}: solid reasoning"}
            for c in competencies])
    web = site.client()
    web.login("manager@example.com")
    text = _pdf_text(web.get(f"/team/interviews/{olga}/scorecard.pdf").content)
    assert "Interviewers' ratings" in text
    for c in competencies:
        assert f"RATED-{c}: solid reasoning" in text
    assert f"3.00 / {ratings.scale()[-1]['value']}" in text  # the mean of one rating of 3
    created = web.form(f"/team/interviews/{olga}/shares", {"days": 7})
    path = re.search(r'value="http://testserver(/shared/[^"]+)"', created.text).group(1)
    reader = site.client()
    for body in (reader.get(path).text, _pdf_text(reader.get(path + "/scorecard.pdf").content)):
        assert "RATED-" not in body


def test_a_blind_loop_s_pdf_and_shared_page_say_candidate_n_until_the_decision(
        make_site: Any) -> None:
    site = make_site(threads=0)
    ids = seed_loop(site)
    olga = ids["Olga Override"]  # not decided yet
    with site.platform.db.session() as s:
        interview = s.get(Interview, olga)
        interview.loop_snapshot = {**interview.loop_snapshot, "blind": True}
    web = site.client()
    web.login("interviewer@example.com")
    text = _pdf_text(web.get(f"/team/interviews/{olga}/scorecard.pdf").content)
    assert f"Scorecard: Candidate {olga}" in text
    assert "Olga" not in text
    created = web.form(f"/team/interviews/{olga}/shares", {"days": 1})
    assert created.status_code == 200, created.text
    url = re.search(r'id="share-link" readonly value="([^"]+)"', created.text).group(1)
    assert "Olga" not in created.text
    reader = site.client()
    shared = reader.get(url.replace("http://testserver", ""))
    assert shared.status_code == 200
    assert f"Scorecard: Candidate {olga}" in shared.text
    assert "Olga" not in shared.text
    shared_pdf = _pdf_text(reader.get(url.replace("http://testserver", "")
                                      + "/scorecard.pdf").content)
    assert f"Scorecard: Candidate {olga}" in shared_pdf
    assert "Olga" not in shared_pdf
    # after the decision, the name shows (as it does to reviewers)
    with site.platform.db.session() as s:
        s.get(Interview, olga).decision = "hold"
    assert "Scorecard: Olga Override" in reader.get(url.replace("http://testserver", "")).text


def test_a_share_link_shows_no_rubric_wording_and_no_write_action(make_site: Any) -> None:
    site = make_site(threads=0)
    ids = seed_loop(site)
    web = site.client()
    web.login("manager@example.com")
    for days in (0, 2, 365):
        refused = web.form(f"/team/interviews/{ids['Ada Advance']}/shares", {"days": days})
        assert refused.status_code == 422
        assert "1, 7 or 30 days" in refused.text
    created = web.form(f"/team/interviews/{ids['Ada Advance']}/shares", {"days": 30})
    path = re.search(r'value="http://testserver(/shared/[^"]+)"', created.text).group(1)
    token = path.rsplit("/", 1)[1]
    reader = site.client()
    shared = reader.get(path)
    assert shared.status_code == 200
    assert shared.headers["cache-control"] == "no-store"
    for text in (shared.text, _pdf_text(reader.get(path + "/scorecard.pdf").content)):
        assert "Ada Advance" in text
        assert "90%" in text
        assert "Screen" in text
        assert "Deep dive" in text
        assert CRITERION not in text
        assert "seeded evidence" not in text
        assert "read it again" not in text
    assert "<form" not in shared.text
    assert 'method="post"' not in shared.text.lower()
    # only the token's SHA-256 is stored
    with site.platform.db.session() as s:
        link = s.query(ShareLink).one()
        assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in repr([link.token_hash, link.id, link.created_by])
    # listed on the team's scorecard; revoked, the link answers 410
    page = web.get(f"/team/interviews/{ids['Ada Advance']}/scorecard").text
    assert f'data-share="{link.id}"' in page
    revoked = web.form(f"/team/interviews/{ids['Ada Advance']}/shares/{link.id}/revoke")
    assert revoked.status_code == 303
    gone = reader.get(path)
    assert gone.status_code == 410
    assert "This link has expired" in gone.text
    assert "revoked" in gone.text
    assert reader.get(path + "/scorecard.pdf").status_code == 410
    assert f'data-share="{link.id}"' not in web.get(
        f"/team/interviews/{ids['Ada Advance']}/scorecard").text
    # a token that never was a link: 404
    assert reader.get("/shared/not-a-link").status_code == 404


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_share_link_stops_at_its_expiry(make_site: Any, backend: str) -> None:
    if backend == "postgresql":
        if postgres_url() is None:
            pytest.skip("set HIRELOOP_TEST_POSTGRES_URL (scripts/test does) to test PostgreSQL")
        site = make_site(database_url=postgres_url(), threads=0)
        assert site.platform.db.engine.dialect.name == "postgresql"
    else:
        site = make_site(threads=0)
    ids = seed_loop(site)
    web = site.client()
    web.login("interviewer@example.com")
    created = web.form(f"/team/interviews/{ids['Rob Reject']}/shares", {"days": 1})
    path = re.search(r'value="http://testserver(/shared/[^"]+)"', created.text).group(1)
    reader = site.client()
    assert reader.get(path).status_code == 200
    scorecard = f"/team/interviews/{ids['Rob Reject']}/scorecard"
    with site.platform.db.session() as s:
        link = s.query(ShareLink).one()
        assert link.expires_at - link.created_at == timedelta(days=1)
        assert f'data-share="{link.id}"' in web.get(scorecard).text  # listed while active
        link.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    assert f'data-share="{link.id}"' not in web.get(scorecard).text  # no longer active
    expired = reader.get(path)
    assert expired.status_code == 410
    assert "This link has expired" in expired.text
    assert "Rob" not in expired.text
    # deleting the candidate deletes their links
    with site.platform.db.session() as s:
        service.delete_candidate(s, s.get(Interview, ids["Rob Reject"]).candidate)
    with site.platform.db.session() as s:
        assert s.query(ShareLink).count() == 0


# --- in Chromium, against a real server --------------------------------------------------

ADMIN = "admin@example.com"


@pytest.mark.slow
def test_the_print_layout_and_a_share_link_in_chromium(tmp_path: Path) -> None:
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    OUTPUT.mkdir(parents=True, exist_ok=True)
    server = Server(tmp_path / "data")
    server.start(threads=1)
    try:
        admin = server.add_admin(ADMIN, PASSWORD)
        loop = admin.call("POST", "/loops", {"definition": {
            "title": "Two stages", "role": "ML engineer", "feedback": "after_submission",
            "stage": [{"name": "First stage", "minutes": 20, "exercises": [CHOICE]},
                      {"name": "Second stage", "minutes": 20,
                       "exercises": ["automl/grid-search-cv-gpu-bill"]}]}}, ok=201)
        invited = admin.call("POST", "/interviews", {
            "name": "Zoë Printer", "email": "zoe@example.com", "loop_id": loop["id"]}, ok=201)
        candidate = Api.candidate(server.url, invited["link"])
        candidate.call("POST", "/take/consent")
        for index in (0, 1):
            candidate.call("POST", f"/take/stages/{index}/start")
            answer = candidate.call("GET", "/take")["stages"][index]["exercises"][0]["answer_id"]
            candidate.call("PUT", f"/take/answers/{answer}", {"text": "0.5"})
            candidate.call("POST", f"/take/stages/{index}/submit")
        card: dict[str, Any] = {}
        for _ in range(240):  # grading runs in the background
            card = admin.call("GET", f"/interviews/{invited['id']}/scorecard")
            if card["complete"]:
                break
            time.sleep(0.5)
        assert card["complete"], card
        criteria = [c["name"] for s in card["stages"] for a in s["answers"]
                    for c in a["criteria"]]
        assert criteria
        scorecard = f"{server.url}/team/interviews/{invited['id']}/scorecard"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
            team = browser.new_context(viewport={"width": 680, "height": 900}).new_page()
            errors: list[str] = []
            team.on("pageerror", lambda e: errors.append(str(e)))
            team.goto(server.url + "/login")
            team.fill("input[name=email]", ADMIN)
            team.fill("input[name=password]", PASSWORD)
            team.click("button[type=submit]")
            team.wait_for_url("**/team")
            team.goto(scorecard)

            # print: no navigation, buttons or forms; a page break before each later stage;
            # the chart within an A4 page's printable width (180 mm = 680 CSS px)
            team.emulate_media(media="print")
            for selector in ("header.top", "footer", "a.button", "form", "#shares"):
                for i in range(team.locator(selector).count()):
                    expect(team.locator(selector).nth(i)).to_be_hidden()
            stages = team.locator(".stage-evidence")
            assert stages.count() == 2
            assert stages.nth(1).evaluate("e => getComputedStyle(e).breakBefore") == "page"
            chart = team.locator("svg.chart").first.bounding_box()
            assert chart is not None
            assert chart["width"] <= 680
            assert team.evaluate("document.documentElement.scrollWidth") <= 680
            paper = team.pdf(format="A4")  # Chromium's own print of the page
            (OUTPUT / "scorecard-print.pdf").write_bytes(paper)
            printed = _pdf_text(paper)
            pages = [page.extract_text() for page in PdfReader(io.BytesIO(paper)).pages]
            assert "Scorecard: Zoë Printer" in printed
            assert "Sign out" not in printed
            assert "Review answers" not in printed
            first = next(i for i, t in enumerate(pages) if "First stage —" in t)
            second = next(i for i, t in enumerate(pages) if "Second stage —" in t)
            assert second > first
            assert pages[second].lstrip().startswith("Second stage —")
            team.emulate_media(media="screen")

            # the team makes a share link (1 day) and sees it listed
            team.goto(scorecard)
            team.select_option("select[name=days]", "1")
            team.click("#shares button[type=submit]")
            link = team.locator("#share-link").input_value()
            assert "/shared/" in link
            team.goto(scorecard + "#shares")
            expect(team.locator("table.shares tbody tr[data-share]")).to_have_count(1)

            # someone without an account opens it: read-only, no criteria
            outsider = browser.new_context().new_page()
            outsider.on("pageerror", lambda e: errors.append(str(e)))
            outsider.goto(link)
            expect(outsider.locator("h1")).to_have_text("Scorecard: Zoë Printer")
            expect(outsider.locator(".stage-name")).to_have_count(2)
            assert outsider.locator("form").count() == 0
            body = outsider.locator("body").inner_text()
            assert not any(name in body for name in criteria)
            outsider.screenshot(path=str(OUTPUT / "shared-scorecard.png"), full_page=True)
            outsider.set_viewport_size({"width": 360, "height": 740})
            assert outsider.evaluate("document.documentElement.scrollWidth") <= 360

            # only its hash is in the database
            db = sqlite3.connect(server.data_dir / "hireloop.db")
            stored = [row[0] for row in db.execute("select token_hash from share_links")]
            db.close()
            token = link.rsplit("/", 1)[1]
            assert stored == [hashlib.sha256(token.encode()).hexdigest()]

            # the loop's analytics: charts and tables fit a phone's width
            team.set_viewport_size({"width": 360, "height": 740})
            team.goto(f"{server.url}/team/loops/{loop['id']}/analytics")
            expect(team.locator("#funnel svg[role=img]")).to_have_attribute(
                "aria-label", "Funnel: invited 1, started 1, submitted 1, decided 0")
            assert team.evaluate("document.documentElement.scrollWidth") <= 360
            team.screenshot(path=str(OUTPUT / "loop-analytics-360.png"), full_page=True)
            team.set_viewport_size({"width": 1024, "height": 900})
            team.goto(scorecard + "#shares")

            # revoked: the link says it has expired (410)
            team.click("table.shares button:has-text('Revoke')")
            expect(team.locator("table.shares tbody tr[data-share]")).to_have_count(0)
            response = outsider.goto(link)
            assert response is not None
            assert response.status == 410
            expect(outsider.locator("h1")).to_have_text("This link has expired")
            outsider.screenshot(path=str(OUTPUT / "shared-scorecard-expired.png"))
            browser.close()
            assert not errors, errors
    finally:
        server.stop()
        shutil.rmtree(tmp_path / "data", ignore_errors=True)
