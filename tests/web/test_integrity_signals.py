"""Integrity signals: the stage page records pastes, time away and the typing timeline of each
code and text answer and sends them in batches; the server keeps well-formed batches of the
candidate's own answers, refuses every other batch with a clear 4xx that stores nothing, and
never lets a candidate read them."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from hireloop.db import open_database
from hireloop.db.models import Answer, SignalBatch
from hireloop.integrity import signals
from tests.web.conftest import BANK_DIR, CHOICE, CODE, TEXT, postgres_url
from tests.web.server import Api, Server

CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = Path(os.environ.get("HIRELOOP_TEST_OUTPUT",
                             Path(__file__).resolve().parents[2] / "test-output")) / "signals"
ADMIN, PASSWORD = "admin@example.com", "a long admin password"
T0 = 1_796_000_000_000


def _open_stage(site: Any, link: str) -> tuple[Any, dict[str, int]]:
    """The candidate of ``link``, consented and on stage 0; their answers by exercise."""
    candidate = site.client()
    candidate.open_invitation(link)
    assert candidate.form("/take/consent").status_code == 303
    assert candidate.get("/take/stage/0").status_code == 200
    interview_id = site.ids["a"] if link == site.ids["link_a"] else site.ids["b"]
    with site.platform.db.session() as s:
        answers = {a.exercise_id: a.id for a in s.query(Answer).filter_by(
            interview_id=interview_id)}
    return candidate, answers


def _send(candidate: Any, answer_id: int, body: Any) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return candidate.client.post(f"/take/answers/{answer_id}/signals", content=raw,
                                 headers={"X-CSRF-Token": candidate.csrf,
                                          "content-type": "application/json"})


def _batch(seq: int = 0, events: list[Any] | None = None, page: str = "p1") -> dict[str, Any]:
    return {"page": page, "seq": seq, "t0": T0, "events": events if events is not None else [
        ["s", 0, "def f(x):\n"], ["e", 400, 10, 0, "    r"], ["p", 900, 12],
        ["e", 901, 15, 0, "eturn x + 1"], ["a", 5000, 3000, "tab"]]}


def _stored(site: Any) -> int:
    with site.platform.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(SignalBatch)) or 0)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_candidate_records_signals_for_their_own_answer_and_a_resent_batch_counts_once(
        make_site: Any, backend: str) -> None:
    if backend == "postgresql":
        if postgres_url() is None:
            pytest.skip("set HIRELOOP_TEST_POSTGRES_URL (scripts/test does) to test PostgreSQL")
        site = make_site(database_url=postgres_url())
    else:
        site = make_site()
    candidate, answers = _open_stage(site, site.ids["link_a"])
    first = _send(candidate, answers[CODE], _batch(0))
    assert first.status_code == 200, first.text
    assert first.json() == {"stored": True, "seq": 0}
    again = _send(candidate, answers[CODE], _batch(0))  # the page resends after a dropped reply
    assert again.status_code == 200
    assert again.json()["stored"] is False
    assert _send(candidate, answers[CODE], _batch(1, [["a", 9000, 1500, "window"]])
                 ).status_code == 200
    with site.platform.db.session() as s:
        found = signals.batches_of(s, [answers[CODE]])[answers[CODE]]
        summary = signals.summarise(found)
    assert len(found) == 2
    assert (summary.pastes, summary.pasted_chars, summary.away, summary.away_ms) == (1, 12, 2,
                                                                                    4500)
    assert summary.edits == 2
    assert summary.typed_chars == len("    r")  # the paste's text is not typed


@pytest.mark.parametrize(("body", "status", "says"), [
    (b"not json", 422, "JSON object"),
    (b"[1, 2]", 422, "JSON object"),
    ({"page": "p1", "seq": 0, "t0": T0}, 422, "events must be a list"),
    ({**_batch(), "extra": 1}, 422, "unknown field"),
    ({**_batch(), "page": "../../x"}, 422, "page must be"),
    ({**_batch(), "t0": 5}, 422, "t0"),
    (_batch(events=[["x", 0]]), 422, "unknown type"),
    (_batch(events=[["p", 0]]), 422, "must have 3 items"),
    (_batch(events=[["p", -5, 3]]), 422, "the time"),
    (_batch(events=[["e", 0, 0, 0, 7]]), 422, "must be a string"),
    (_batch(events=[["a", 0, 100, "lunch"]]), 422, "how must be"),
    (_batch(events=[["p", 0, True]]), 422, "whole number"),
    (_batch(events=[["p", i, 1] for i in range(signals.MAX_EVENTS + 1)]), 413, "at most"),
    (_batch(events=[["s", 0, "x" * (signals.MAX_BATCH_BYTES + 1)]]), 413, "KiB"),
])
def test_a_malformed_or_oversized_batch_gets_a_clear_4xx_and_stores_nothing(
        make_site: Any, body: Any, status: int, says: str) -> None:
    site = make_site()
    candidate, answers = _open_stage(site, site.ids["link_a"])
    response = _send(candidate, answers[TEXT], body)
    assert response.status_code == status, response.text
    assert says in response.json()["detail"]
    assert _stored(site) == 0


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_answer_whose_signals_are_full_refuses_more_and_keeps_what_it_had(
        make_site: Any, backend: str) -> None:
    if backend == "postgresql":
        if postgres_url() is None:
            pytest.skip("set HIRELOOP_TEST_POSTGRES_URL (scripts/test does) to test PostgreSQL")
        site = make_site(database_url=postgres_url())
    else:
        site = make_site()
    candidate, answers = _open_stage(site, site.ids["link_a"])
    chunk = "y" * (60 * 1024)
    sent = 0
    seq = 0
    while True:
        response = _send(candidate, answers[CODE], _batch(seq, [["s", 0, chunk]]))
        if response.status_code != 200:
            break
        sent += len(chunk)
        seq += 1
        assert seq < 100, "the cap never came"
    assert response.status_code == 413
    assert "full" in response.json()["detail"]
    assert sent <= signals.MAX_ANSWER_BYTES < sent + 2 * len(chunk)
    assert _stored(site) == seq
    # the answer itself still saves
    assert candidate.json("POST", f"/take/answers/{answers[CODE]}/save",
                          {"text": "x = 1"}).status_code == 200


def test_a_candidate_cannot_write_another_candidates_signals_nor_read_any(
        make_site: Any) -> None:
    site = make_site()
    ada, ada_answers = _open_stage(site, site.ids["link_a"])
    bob, bob_answers = _open_stage(site, site.ids["link_b"])
    assert _send(bob, bob_answers[CODE], _batch(0)).status_code == 200
    assert _send(ada, bob_answers[CODE], _batch(1)).status_code == 404
    assert _stored(site) == 1
    for url in (f"/team/answers/{bob_answers[CODE]}/signals",
                f"/team/answers/{ada_answers[CODE]}/signals"):
        assert ada.get(url).status_code in (401, 403, 404)
    assert "eturn x + 1" not in ada.get("/take/stage/0").text


def test_signals_are_refused_once_the_stage_is_submitted(make_site: Any) -> None:
    site = make_site()
    candidate, answers = _open_stage(site, site.ids["link_a"])
    assert candidate.form("/take/stage/0/submit").status_code == 303
    response = _send(candidate, answers[CODE], _batch(0))
    assert response.status_code == 409
    assert "only while the answer can still change" in response.json()["detail"]
    assert _stored(site) == 0


def test_only_code_and_text_answers_of_an_interview_record(make_site: Any) -> None:
    site = make_site()
    candidate, answers = _open_stage(site, site.ids["link_a"])
    page = candidate.get("/take/stage/0").text
    assert f'data-signals="/take/answers/{answers[CODE]}/signals"' in page
    assert f'data-signals="/take/answers/{answers[TEXT]}/signals"' in page
    assert page.count("data-signals=") == 2  # not the choice
    assert '<script src="/static/signals.js" defer></script>' in page
    consent = site.client()
    consent.open_invitation(site.ids["link_b"])
    assert "What the page records while you write" in consent.get("/take").text


def test_signals_change_no_score_and_the_review_and_scorecard_list_them(
        make_site: Any) -> None:
    """Two candidates hand in the same answers, one with many pastes and long absences, the
    other with no signals at all: every grade, stage score and the overall are the same."""
    from tests.web.conftest import builtin_bank, exercise_answers

    site = make_site()
    reference = (BANK_DIR / CODE / "hidden" / "reference.py").read_text()
    ids: dict[str, dict[str, int]] = {}
    for name, link in (("ada", site.ids["link_a"]), ("bob", site.ids["link_b"])):
        candidate, answers = _open_stage(site, link)
        ids[name] = answers
        good = exercise_answers(builtin_bank(), [
            {"id": i, "exercise_id": e, "seed": _seed(site, i)} for e, i in answers.items()])
        for exercise, answer_id in answers.items():
            body = {"text": reference} if exercise == CODE else good[answer_id]
            assert candidate.json("POST", f"/take/answers/{answer_id}/save",
                                  body).status_code == 200
        if name == "ada":
            for exercise in (CODE, TEXT):
                assert _send(candidate, answers[exercise], _batch(0, [
                    ["s", 0, ""], ["p", 10, 5000], ["e", 11, 0, 0, "pasted " * 700],
                    ["a", 600_000, 590_000, "tab"], ["p", 600_100, 40],
                    ["a", 900_000, 120_000, "window"]])).status_code == 200
        assert candidate.form("/take/stage/0/submit").status_code == 303
    assert all(j.state == "graded" for j in site.wait_for_jobs())
    with site.platform.db.session() as s:
        from hireloop.db.models import Interview
        from hireloop.reports.scorecard import build_scorecard

        cards = {name: build_scorecard(s.get(Interview, site.ids[key]), site.platform.bank)
                 for name, key in (("ada", "a"), ("bob", "b"))}
        grades = {name: {e: s.get(Answer, i).jobs[-1].grade for e, i in ids[name].items()}
                  for name in ids}
    assert cards["ada"]["overall"] == cards["bob"]["overall"]
    assert cards["ada"]["overall"] is not None
    for exercise in ids["ada"]:  # (the variants differ, so the evidence's numbers may too)
        ada, bob = grades["ada"][exercise], grades["bob"][exercise]
        assert (ada["score"], ada["outcome"]) == (bob["score"], bob["outcome"])
        assert [(c["name"], c["points"]) for c in ada["criteria"]] == [
            (c["name"], c["points"]) for c in bob["criteria"]]
        assert [f["code"] for f in ada["flags"]] == [f["code"] for f in bob["flags"]]

    reviewer = site.client()
    reviewer.login("interviewer@example.com")
    panel = reviewer.get(f"/team/answers/{ids['ada'][CODE]}/signals").text
    assert "<strong>2</strong> pastes: 5040 characters in all, the largest 5000" in panel
    assert "<strong>2</strong> times away from the page: 11 min 50 s in all" in panel
    assert "data-timeline=" in panel
    assert "No signals were recorded" in reviewer.get(
        f"/team/answers/{ids['bob'][CODE]}/signals").text
    card = reviewer.get(f"/team/interviews/{site.ids['a']}/scorecard").text
    assert "Integrity signals" in card
    assert "5040 (5000)" in card
    assert "11 min 50 s (9 min 50 s)" in card
    review = reviewer.get(f"/team/interviews/{site.ids['a']}").text
    assert f'hx-get="/team/answers/{ids["ada"][CODE]}/signals"' in review
    assert f'hx-get="/team/answers/{ids["ada"][CHOICE]}/signals"' not in review
    # blind review: the summary, but no playback (the typed text is not redacted) until the
    # decision is recorded
    with site.platform.db.session() as s:
        from hireloop.db.models import Interview

        interview = s.get(Interview, site.ids["a"])
        interview.loop_snapshot = {**interview.loop_snapshot, "blind": True}
    blind = reviewer.get(f"/team/answers/{ids['ada'][CODE]}/signals").text
    assert "<strong>2</strong> pastes" in blind
    assert "data-timeline=" not in blind
    assert 'data-playback="blind"' in blind
    assert "pasted pasted" not in blind
    # an interviewer not assigned to the interview reads nothing of it
    site.add_user("nobody@example.com", "interviewer", site.ids["team"])
    stranger = site.client()
    stranger.login("nobody@example.com")
    assert stranger.get(f"/team/answers/{ids['ada'][CODE]}/signals").status_code == 404


def test_deleting_a_candidate_deletes_their_signals_and_no_one_elses(make_site: Any) -> None:
    from hireloop.db.models import Candidate, Interview
    from hireloop.hiring import service

    site = make_site()
    ada, ada_answers = _open_stage(site, site.ids["link_a"])
    bob, bob_answers = _open_stage(site, site.ids["link_b"])
    assert _send(ada, ada_answers[CODE], _batch(0)).status_code == 200
    assert _send(bob, bob_answers[CODE], _batch(0)).status_code == 200
    with site.platform.db.session() as s:
        service.delete_candidate(s, s.get(Interview, site.ids["b"]).candidate)
    with site.platform.db.session() as s:
        left = {b.answer_id for b in s.scalars(select(SignalBatch))}
        assert s.scalar(select(func.count()).select_from(Candidate)) == 1
    assert left == {ada_answers[CODE]}


def _seed(site: Any, answer_id: int) -> int:
    with site.platform.db.session() as s:
        return s.get(Answer, answer_id).seed


@pytest.mark.slow
def test_a_real_paste_and_page_leave_in_chromium_are_recorded_and_played_back_for_review(
        tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is missing: apt-get install chromium (scripts/test does)")
    from playwright.sync_api import expect, sync_playwright

    OUTPUT.mkdir(parents=True, exist_ok=True)
    server = Server(tmp_path / "data")
    server.start(threads=1)
    try:
        assert server.cli("user", "add", "--admin", ADMIN, "--password-stdin",
                          stdin=PASSWORD + "\n").returncode == 0
        admin = Api.login(server.url, ADMIN, PASSWORD)
        loop = admin.call("POST", "/loops", {"definition": {
            "title": "Signals", "role": "ML engineer", "feedback": "after_submission",
            "stage": [{"name": "Write it", "minutes": 20, "exercises": [CODE, TEXT]}]}},
            ok=201)
        invited = admin.call("POST", "/interviews", {
            "name": "Pat Paste", "email": "pat@example.com", "loop_id": loop["id"]}, ok=201)
        pasted = "def log_softmax(xs):\n    return xs\n"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
            context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("dialog", lambda d: d.accept())
            page.goto(invited["link"])
            page.click("text=I understand")
            page.goto(server.url + "/take/stage/0")
            # Playwright tells headless pages they always have the focus; a real browser
            # does not, and this test needs the real focus changes (set after the last
            # navigation, which resets it)
            context.new_cdp_session(page).send("Emulation.setFocusEmulationEnabled",
                                               {"enabled": False})
            code = page.locator("form[data-signals]").filter(has=page.locator(".cm-editor"))
            text = page.locator("form[data-signals]").filter(has=page.locator("textarea.prose"))
            code.locator(".cm-content").click()
            page.keyboard.press("Control+End")
            page.keyboard.type("\n# mine\n")
            page.evaluate("t => navigator.clipboard.writeText(t)", pasted)
            page.keyboard.press("Control+V")
            expect(code.locator(".cm-content")).to_contain_text("return xs")
            text.locator("textarea").click()
            page.keyboard.type("Calibration means")
            # the candidate leaves: another tab in front for a while, then back
            other = context.new_page()
            context.new_cdp_session(other).send("Emulation.setFocusEmulationEnabled",
                                                {"enabled": False})
            other.bring_to_front()
            other.wait_for_timeout(1200)
            page.bring_to_front()
            page.wait_for_function("document.hasFocus()")
            page.keyboard.type(" the scores match the frequencies.")
            page.evaluate("() => window.HireloopSignals.flush()")
            page.screenshot(path=str(OUTPUT / "stage.png"), full_page=True)

            # the review page: the summary, and the playback with its slider
            team = browser.new_context().new_page()
            team.on("pageerror", lambda e: errors.append(str(e)))
            team.goto(server.url + "/login")
            team.fill("input[name=email]", ADMIN)
            team.fill("input[name=password]", PASSWORD)
            team.click("button[type=submit]")
            team.goto(server.url + f"/team/interviews/{invited['id']}")
            signals_of = team.locator("section.signals")
            expect(signals_of).to_have_count(2)
            code_panel = signals_of.filter(has=team.locator("text=1 paste:"))
            expect(code_panel.locator('[data-signal="pastes"]')).to_contain_text(
                f"the largest {len(pasted)}")
            text_panel = signals_of.filter(has=team.locator("text=1 time away"))
            expect(text_panel.locator('[data-signal="pastes"]')).to_contain_text("0 pastes")
            assert code_panel.locator("datalist option[label=paste]").count() == 1
            assert text_panel.locator("datalist option[label=away]").count() == 1
            shown = code_panel.locator("[data-text]")
            expect(shown).to_contain_text("return xs")  # the slider starts at the end
            slider = code_panel.locator("[data-slider]")
            slider.focus()
            team.keyboard.press("Home")  # back to the first snapshot: the starter code
            expect(shown).not_to_contain_text("# mine")
            expect(code_panel.locator("[data-position]")).to_contain_text("step 1 of")
            steps = int(slider.get_attribute("max") or 0) + 1
            for _ in range(3):
                team.keyboard.press("ArrowRight")
            expect(code_panel.locator("[data-position]")).to_contain_text(f"step 4 of {steps}")
            expect(shown).to_contain_text("#")  # typing under way
            expect(shown).not_to_contain_text("return xs")
            code_panel.locator("[data-play]").click()  # plays on to the end by itself
            expect(code_panel.locator("[data-position]")).to_contain_text(
                f"step {steps} of {steps}", timeout=20_000)
            expect(shown).to_contain_text("# mine")
            expect(shown).to_contain_text("return xs")
            expect(text_panel.locator("[data-text]")).to_have_text(
                "Calibration means the scores match the frequencies.")
            team.screenshot(path=str(OUTPUT / "review-playback.png"), full_page=True)
            team.goto(server.url + f"/team/interviews/{invited['id']}/scorecard")
            rows = team.locator("#signals tbody tr")
            expect(rows).to_have_count(2)
            expect(team.locator("#signals")).to_contain_text(str(len(pasted)))
            browser.close()
            assert not errors, errors
        database = open_database(f"sqlite:///{server.data_dir / 'hireloop.db'}",
                                 upgrade=False)
        deadline = time.monotonic() + 20
        while True:
            with database.session() as s:
                ids = {a.exercise_id: a.id for a in s.scalars(select(Answer))}
                found = signals.batches_of(s, list(ids.values()))
                code_summary = signals.summarise(found[ids[CODE]])
                text_summary = signals.summarise(found[ids[TEXT]])
                texts = {e for b in found[ids[CODE]] for e in map(json.dumps, b.events)}
            if (code_summary.pastes and text_summary.away) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert code_summary.pastes == 1
        assert code_summary.largest_paste == len(pasted)
        assert any("return xs" in t for t in texts)  # the paste's edit, in the timeline
        assert code_summary.typed_chars >= len("# mine")
        assert text_summary.pastes == 0
        assert text_summary.away == 1  # left while in the text answer
        assert text_summary.away_ms >= 1000
        assert text_summary.typed_chars == len("Calibration means the scores match the "
                                               "frequencies.")
    finally:
        server.stop()
        shutil.rmtree(tmp_path / "data", ignore_errors=True)
