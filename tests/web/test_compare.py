"""Comparing 2-4 candidates of one loop side by side: the figures are each candidate's
scorecard's (checked against points graded here), the chart overlays one line per candidate
told apart by dash pattern and marker shape as well as colour, flags and decisions are
shown, 1, 5 or mixed loops are refused with a reason, each interview is authorised as on its
own page, and blind review hides names exactly as the rest of the app does. In Chromium
against a real ``hireloop serve``: ticking candidates on the dashboard and pressing Compare,
the chart, the refusal, and the dashboard's live time left."""

from __future__ import annotations

import os
import re
import shutil
from datetime import timedelta
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hireloop.db.models import (
    Answer,
    GradingJob,
    Interview,
    SignalBatch,
    SimilarityMatch,
    StageRun,
    utcnow,
)
from hireloop.hiring import service
from hireloop.hiring.authz import Principal
from tests.web.conftest import CHOICE, CODE, SPOKEN, TEXT, builtin_bank
from tests.web.server import Server

CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = Path(os.environ.get("HIRELOOP_TEST_OUTPUT",
                             Path(__file__).resolve().parents[2] / "test-output")) / "compare"
ADMIN, PASSWORD = "admin@example.com", "a long admin password"
WEIGHTS = (2.0, 1.0)


def loop_definition(title: str, blind: bool = False) -> dict[str, Any]:
    return {"title": title, "role": "ML engineer", "feedback": "after_submission",
            "blind": blind,
            "stage": [{"name": "Screen", "minutes": 30, "weight": WEIGHTS[0],
                       "exercises": [CHOICE, CODE]},
                      {"name": "Written", "minutes": 45, "weight": WEIGHTS[1],
                       "exercises": [TEXT, SPOKEN]}]}


def new_loop(s: Any, platform: Any, title: str, team: int | None, blind: bool = False) -> int:
    return int(service.create_loop(s, platform, Principal("admin", user_id=1),
                                   definition=loop_definition(title, blind), team_id=team).id)


def invite(s: Any, platform: Any, name: str, loop_id: int,
           interviewers: list[int] | None = None) -> int:
    interview, _ = service.invite(s, platform, Principal("admin", user_id=1), name=name,
                                  email=f"{name.replace(' ', '.').lower()}@example.com",
                                  loop_id=loop_id, interviewers=interviewers)
    return int(interview.id)


def grade(s: Any, interview_id: int, points: dict[str, float]) -> dict[int, int]:
    """Every stage handed in and each answer graded: ``points`` of 4 per exercise (one
    criterion of 4 points). Returns the answer ids by position."""
    now = utcnow()
    for run in s.scalars(select(StageRun).where(StageRun.interview_id == interview_id)):
        run.started_at, run.submitted_at = now - timedelta(minutes=40), now
    answers = s.scalars(select(Answer).where(Answer.interview_id == interview_id)
                        .order_by(Answer.id)).all()
    for answer in answers:
        value = points[answer.exercise_id]
        s.add(GradingJob(answer_id=answer.id, state="graded", grade={
            "exercise_id": answer.exercise_id, "seed": answer.seed, "outcome": "graded",
            "score": value / 4, "grader": "test",
            "criteria": [{"name": "all of it", "points": value, "max_points": 4.0}]}))
    s.flush()
    return {n: a.id for n, a in enumerate(answers)}


def expected_card(points: dict[str, float]) -> dict[str, Any]:
    """The figures computed here: stage means, the weighted overall, competency means."""
    bank = builtin_bank()
    stages = [(points[CHOICE] + points[CODE]) / 8, (points[TEXT] + points[SPOKEN]) / 8]
    overall = (WEIGHTS[0] * stages[0] + WEIGHTS[1] * stages[1]) / sum(WEIGHTS)
    by: dict[str, list[float]] = {}
    for exercise, value in points.items():
        for comp in bank.get(exercise).meta.competencies:
            by.setdefault(str(comp), []).append(value / 4)
    return {"stages": stages, "overall": overall,
            "competencies": {c: sum(v) / len(v) for c, v in by.items()}}


POINTS = {
    "Ada Lovelace": {CHOICE: 4.0, CODE: 3.0, TEXT: 2.0, SPOKEN: 4.0},
    "Bob Builder": {CHOICE: 1.0, CODE: 2.0, TEXT: 4.0, SPOKEN: 1.0},
    "Cy Young": {CHOICE: 2.0, CODE: 4.0, TEXT: 3.0, SPOKEN: 0.0},
    "Di Prince": {CHOICE: 3.0, CODE: 1.0, TEXT: 1.0, SPOKEN: 2.0},
    "Eve Online": {CHOICE: 0.0, CODE: 0.0, TEXT: 4.0, SPOKEN: 4.0},
}


def percent(x: float) -> str:
    return f"{x:.0%}"


@pytest.fixture(scope="module")
def compared(make_module_site: Any) -> tuple[Any, dict[str, int]]:
    """Five graded candidates of a loop of team A (Ada and Bob assigned to the site's
    interviewer; Bob pasted and his code matches Cy's; Di decided), one of another loop, and
    two of a blind loop (built once; the tests only read them)."""
    site = make_module_site(threads=0)
    platform, ids = site.platform, {}
    with platform.db.session() as s:
        loop = new_loop(s, platform, "Compared loop", site.ids["team"])
        other = new_loop(s, platform, "Another loop", site.ids["team"])
        blind = new_loop(s, platform, "Blind loop", site.ids["team"], blind=True)
        for name, points in POINTS.items():
            assigned = [site.ids["interviewer"]] if name[:3] in ("Ada", "Bob") else None
            ids[name] = invite(s, platform, name, loop, assigned)
            answers = grade(s, ids[name], points)
            if name.startswith("Bob"):
                s.add(SignalBatch(answer_id=answers[1], page="p1", seq=0, t0=1_796_000_000_000,
                                  events=[["p", 1000, 420], ["p", 5000, 80],
                                          ["a", 9000, 65_000, "tab"]], size=100))
            if name.startswith("Di"):
                s.get(Interview, ids[name]).decision = "advance"
                s.get(Interview, ids[name]).decision_reason = "strong on the code"
        code = {n: s.scalar(select(Answer.id).where(Answer.interview_id == ids[n],
                                                    Answer.exercise_id == CODE))
                for n in ("Bob Builder", "Cy Young")}
        for a, b in ((code["Bob Builder"], code["Cy Young"]),
                     (code["Cy Young"], code["Bob Builder"])):
            s.add(SimilarityMatch(answer_id=a, other_answer_id=b, similarity=0.91,
                                  method="winnowing", regions=[]))
        ids["Other Person"] = invite(s, platform, "Other Person", other)
        grade(s, ids["Other Person"], POINTS["Ada Lovelace"])
        for name in ("Blanche Hidden", "Blaise Hidden"):
            ids[name] = invite(s, platform, name, blind)
            grade(s, ids[name], POINTS["Cy Young"])
    return site, ids


def _query(*interview_ids: int) -> str:
    return "/team/compare?" + "&".join(f"id={i}" for i in interview_ids)


def test_the_comparison_shows_each_scorecards_figures_the_overlaid_chart_flags_and_decisions(
        compared: Any) -> None:
    site, ids = compared
    manager = site.client()
    manager.login("manager@example.com")
    names = ["Ada Lovelace", "Bob Builder", "Cy Young", "Di Prince"]
    response = manager.get(_query(*(ids[n] for n in names)))
    assert response.status_code == 200, response.text[:500]
    page = unescape(response.text)
    heads = re.findall(r'<th scope="col" data-series="\d">([^<]*)</th>', page)
    assert heads == names
    rows = {m.group(1): re.findall(r"<td>(?:<strong>)?([^<]*)", m.group(2))
            for m in re.finditer(r'<tr(?: class="[a-z]+")?><th scope="row">([^<]*)</th>(.*?)</tr>',
                                 page.split('id="stages"')[1].split("</table>")[0], re.S)}
    cards = [expected_card(POINTS[n]) for n in names]
    assert rows["Screen"] == [percent(c["stages"][0]) for c in cards]
    assert rows["Written"] == [percent(c["stages"][1]) for c in cards]
    assert rows["Overall"] == [percent(c["overall"]) for c in cards]
    for competency in cards[0]["competencies"]:
        assert rows[competency] == [percent(c["competencies"][competency]) for c in cards]
    # each candidate agrees with their own scorecard
    for name, card in zip(names, cards, strict=True):
        own = unescape(manager.get(f"/team/interviews/{ids[name]}/scorecard").text)
        assert f"overall <strong>{percent(card['overall'])}</strong>" in own

    # the chart: a line per candidate, told apart without colour, and a legend naming them
    chart = page.split('<svg')[1].split("</svg>")[0]
    series = re.findall(r'<g class="series" data-series="(\d)" data-candidate="([^"]*)">(.*?)</g>',
                        chart, re.S)
    assert [s[1] for s in series] == names
    dashes = {re.search(r'<polyline[^>]*?(?:stroke-dasharray="([^"]*)")?/>', s[2]).group(1)
              for s in series}
    assert len(dashes) == 4, "each line has its own dash pattern (one solid)"
    markers = [set(re.findall(r'data-marker="([a-z]+)"', s[2])) for s in series]
    assert all(len(m) == 1 for m in markers)
    assert len(set.union(*markers)) == 4, "each candidate's points have their own shape"
    n_competencies = len(cards[0]["competencies"])
    assert all(s[2].count("data-marker=") == n_competencies for s in series)
    assert re.findall(r'data-legend="\d">([^<]*)<', chart) == names
    for name, card in zip(names, cards, strict=True):
        for competency, score in card["competencies"].items():
            assert f"<title>{name}: {competency} {percent(score)}</title>" in chart

    flags = dict(re.findall(r'<td data-flags="(\d)">(.*?)</td>', page, re.S))
    assert "none" in flags["0"]
    assert "2 pastes (500 characters)" in flags["1"]
    assert "away from the page 1 time (1 min 05 s)" in flags["1"]
    assert "1 answer match with another candidate's (up to 91% alike)" in flags["1"]
    assert "answer match" in flags["2"]
    decisions = dict(re.findall(r'<td data-decision="(\d)">(.*?)</td>', page, re.S))
    assert "not decided" in decisions["0"]
    assert "<strong>advance</strong>" in decisions["3"]
    assert "strong on the code" in decisions["3"]


def test_one_five_or_mixed_loops_are_refused_with_the_reason(compared: Any) -> None:
    site, ids = compared
    admin = site.client()
    admin.login("admin@example.com")
    ada, bob = ids["Ada Lovelace"], ids["Bob Builder"]
    for query, said in (
            (_query(ada), "choose at least 2 candidates to compare (you chose 1)"),
            (_query(ada, ada), "choose at least 2 candidates to compare (you chose 1)"),
            ("/team/compare", "choose at least 2 candidates to compare (you chose 0)"),
            (_query(*(ids[n] for n in POINTS)), "compare at most 4 candidates at a time "
                                                "(you chose 5)"),
            (_query(ada, ids["Other Person"]), "compare candidates of the same loop only"),
            ("/team/compare?id=abc&id=1", "'abc' is not an interview id")):
        response = admin.get(query)
        assert response.status_code == 422, query
        text = unescape(response.text)
        assert said in text, (query, text[:3000])
        assert "Back to interviews" in text
    mixed = unescape(admin.get(_query(ada, ids["Other Person"])).text)
    assert "Compared loop: Ada Lovelace" in mixed
    assert "Another loop: Other Person" in mixed
    assert admin.get(_query(ada, bob)).status_code == 200


def test_each_interview_is_authorised_as_on_its_own_page(compared: Any) -> None:
    site, ids = compared
    interviewer = site.client()
    interviewer.login("interviewer@example.com")  # assigned to Ada and Bob only
    assert interviewer.get(_query(ids["Ada Lovelace"], ids["Bob Builder"])).status_code == 200
    response = interviewer.get(_query(ids["Ada Lovelace"], ids["Cy Young"]))
    assert response.status_code == 404
    assert "Cy Young" not in response.text
    site.add_user("other-manager@example.com", "hiring_manager", site.add_team("Team B"))
    stranger = site.client()
    stranger.login("other-manager@example.com")
    assert stranger.get(_query(ids["Ada Lovelace"], ids["Bob Builder"])).status_code == 404
    anonymous = site.client()
    response = anonymous.get(_query(ids["Ada Lovelace"], ids["Bob Builder"]))
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_blind_review_hides_the_names_as_the_rest_of_the_app_does(compared: Any) -> None:
    site, ids = compared
    hidden = [ids["Blanche Hidden"], ids["Blaise Hidden"]]
    manager = site.client()
    manager.login("manager@example.com")
    page = unescape(manager.get(_query(*hidden)).text)
    for interview_id in hidden:
        assert f">Candidate {interview_id}<" in page
        assert f'data-candidate="Candidate {interview_id}"' in page
    for word in ("Blanche", "Blaise", "blanche.hidden@", "blaise.hidden@"):
        assert word not in page, word
    # the same as the scorecard and the dashboard say
    card = unescape(manager.get(f"/team/interviews/{hidden[0]}/scorecard").text)
    assert f"Scorecard: Candidate {hidden[0]}" in card
    admin = site.client()
    admin.login("admin@example.com")
    page = unescape(admin.get(_query(*hidden)).text)
    assert "Blanche Hidden" in page
    assert "Blaise Hidden" in page


def test_the_dashboard_offers_the_compare_form_without_scripts(compared: Any) -> None:
    site, ids = compared
    manager = site.client()
    manager.login("manager@example.com")
    page = manager.get("/team").text
    assert '<form id="compare" method="get" action="/team/compare">' in page
    for name in ("Ada Lovelace", "Bob Builder"):
        assert (f'<input type="checkbox" name="id" value="{ids[name]}" form="compare"'
                in page)
    assert '<button type="submit" form="compare"' in page


def _seed_server(server: Server) -> dict[str, int]:
    """Before the server starts: its admin, a loop with three graded candidates and one in
    the middle of the Written stage (written to its own data dir)."""
    from hireloop.config import Settings
    from hireloop.jobs import Runtime

    settings = Settings(data_dir=server.data_dir)
    platform = service.Platform.create(settings, Runtime.create(settings, bank=builtin_bank()))
    ids: dict[str, int] = {}
    with platform.db.session() as s:
        service.create_user(s, ADMIN, PASSWORD, "admin")
        loop = new_loop(s, platform, "Compared loop", None)
        for name in ("Ada Lovelace", "Bob Builder", "Cy Young"):
            ids[name] = invite(s, platform, name, loop)
            grade(s, ids[name], POINTS[name])
        ids["Nina Now"] = invite(s, platform, "Nina Now", loop)
        interview = s.get(Interview, ids["Nina Now"])
        interview.consented_at = utcnow() - timedelta(minutes=50)
        for run in interview.stages:
            run.started_at = utcnow() - timedelta(minutes=45 if run.index == 0 else 5)
            run.submitted_at = utcnow() - timedelta(minutes=10) if run.index == 0 else None
        for answer in interview.answers:
            if answer.stage_index == 1:
                answer.saved_at = utcnow() - timedelta(seconds=20)
    platform.db.engine.dispose()
    return ids


@pytest.mark.slow
def test_ticking_candidates_and_comparing_them_in_chromium(tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is missing: apt-get install chromium (scripts/test does)")
    from playwright.sync_api import expect, sync_playwright

    OUTPUT.mkdir(parents=True, exist_ok=True)
    server = Server(tmp_path / "data")
    ids = _seed_server(server)
    server.start(threads=1)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            # script errors and CSP refusals (a refused page's own 422 is not one)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error"
                    and not m.text.startswith("Failed to load resource") else None)
            page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
                    if r.status >= 400 and r.status != 422 and "favicon" not in r.url
                    else None)
            page.goto(server.url + "/login?next=/team%3Fsort%3Dname%26dir%3Dasc")
            page.fill("input[name=email]", ADMIN)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            expect(page.locator("h1")).to_have_text("Interviews")
            # live status: the stage's time left and the last activity, then kept current
            now = page.locator(f'tr[data-interview="{ids["Nina Now"]}"] [data-field=now]')
            expect(now).to_contain_text("Written, ")
            expect(now).to_contain_text(" left")
            expect(now).to_contain_text("saved ")
            first = now.inner_text()
            expect(now).not_to_have_text(first, timeout=15_000)  # the clock runs down
            left = re.search(r"Written, (\d+):(\d\d) left", now.inner_text())
            assert left
            assert 35 * 60 <= int(left.group(1)) * 60 + int(left.group(2)) < 40 * 60
            page.screenshot(path=str(OUTPUT / "dashboard.png"), full_page=True)
            names = [r.inner_text().split("\n")[0]
                     for r in page.locator("tbody td[data-field=name]").all()]
            assert names == sorted(names, key=str.lower), "sorted by name from the URL"
            # tick two candidates and compare them
            for name in ("Ada Lovelace", "Cy Young"):
                page.check(f'tr[data-interview="{ids[name]}"] input[type=checkbox]')
            page.click("text=Compare selected")
            expect(page.locator("h1")).to_have_text("Compare candidates: Compared loop")
            assert f"id={ids['Ada Lovelace']}&id={ids['Cy Young']}" in page.url
            chart = page.locator("svg.compare-chart")
            expect(chart).to_be_visible()
            assert chart.locator("g.series").count() == 2
            expect(chart.locator("[data-legend]")).to_have_text(["Ada Lovelace", "Cy Young"])
            dash = chart.locator("g.series polyline").evaluate_all(
                "ls => ls.map(l => getComputedStyle(l).strokeDasharray)")
            assert len(set(dash)) == 2, dash
            shapes = chart.locator("g.series").evaluate_all(
                "gs => gs.map(g => g.querySelector('[data-marker]').tagName)")
            assert shapes[0] != shapes[1], shapes
            box = chart.bounding_box()
            assert box is not None
            assert box["width"] > 300
            assert box["height"] > 100
            page.screenshot(path=str(OUTPUT / "compare.png"), full_page=True)
            # back to the dashboard as it was (the URL is its state), one only: refused
            page.click("text=Back to interviews")
            assert "sort=name" in page.url
            page.check(f'tr[data-interview="{ids["Bob Builder"]}"] input[type=checkbox]')
            page.click("text=Compare selected")
            expect(page.locator("#compare-error")).to_contain_text(
                "choose at least 2 candidates to compare (you chose 1)")
            page.screenshot(path=str(OUTPUT / "compare-refused.png"), full_page=True)
            page.go_back()
            expect(page.locator("h1")).to_have_text("Interviews")
            assert "sort=name" in page.url
            # both pages fit a 360 px phone (tables scroll in their own box)
            page.set_viewport_size({"width": 360, "height": 800})
            for url in ("/team?sort=name", f"/team/compare?id={ids['Ada Lovelace']}"
                                           f"&id={ids['Bob Builder']}&id={ids['Cy Young']}"):
                page.goto(server.url + url)
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= 360, (url, width)
                name = "compare" if "compare" in url else "dashboard"
                page.screenshot(path=str(OUTPUT / f"{name}-360.png"), full_page=True)
            browser.close()
        assert not errors, errors
    finally:
        server.stop()
        shutil.rmtree(tmp_path / "data", ignore_errors=True)
