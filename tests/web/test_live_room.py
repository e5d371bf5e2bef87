"""The live room in a real browser (Playwright driving Debian's Chromium) against a real
``hireloop serve``: the candidate, the stage's interviewer and an admin (a co-interviewer) in
one room. What one types appears on the others' screens with the writer's name on the cursor;
a shared run gives everyone the same log; the interviewers' panel (notes, coverage, follow-up
questions, rubric) is never on the candidate's page; coverage follows the candidate's draft;
the end of the room makes the document the answer, graded with the interviewer's mark as an
override. A ``kill -9`` of the server loses no edit anyone saw, and the browsers reconnect and
converge by themselves."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from hireloop.db import open_database
from hireloop.db.models import LiveRoom
from hireloop.live import documents, rooms
from tests.web.conftest import BANK_DIR, CODE, TEXT
from tests.web.server import Api, Server

CHROMIUM = Path("/usr/bin/chromium")
ADMIN, INTERVIEWER, PASSWORD = "admin@example.com", "ivy@example.com", "a long admin password"


def _browser(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)


def live_setup(server: Server, exercises: list[str], *, minutes: int = 30,
               starts_in: timedelta = timedelta(minutes=-1)) -> dict[str, Any]:
    """An admin, team A with interviewer Ivy, a loop whose one stage is live, a candidate
    invited to it, and the stage's room scheduled with Ivy."""
    added = server.cli("user", "add", "--admin", ADMIN, "--password-stdin",
                       stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    admin = Api.login(server.url, ADMIN, PASSWORD)
    team = admin.call("POST", "/teams", {"name": "Team A"}, ok=201)
    ivy = admin.call("POST", "/users", {"email": INTERVIEWER, "password": PASSWORD,
                                        "role": "interviewer", "name": "Ivy Interviewer",
                                        "team_id": team["id"]}, ok=201)
    loop = admin.call("POST", "/loops", {"team_id": team["id"], "definition": {
        "title": "Live loop", "role": "ML engineer",
        "stage": [{"name": "Pairing", "minutes": minutes, "live": True,
                   "exercises": exercises}]}}, ok=201)
    invited = admin.call("POST", "/interviews", {"name": "Kim Candidate",
                                                 "email": "kim@example.com",
                                                 "loop_id": loop["id"]}, ok=201)
    start = (datetime.now(UTC) + starts_in).strftime("%Y-%m-%dT%H:%M:%S")
    scheduled = admin.client.post(
        f"/team/interviews/{invited['id']}/live/0",
        data={"starts_at": start, "minutes": str(minutes), "interviewers": str(ivy["id"]),
              "meeting_link": "https://meet.example.com/abc-defg"})
    assert scheduled.status_code == 303, scheduled.text
    page = admin.client.get(f"/team/interviews/{invited['id']}/live").text
    room_id = int(page.split('href="/live/')[1].split('"')[0])
    return {"admin": admin, "interview": invited, "room_id": room_id, "ivy": ivy}


def sign_in(page: Any, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def editor(page: Any, answer_index: int) -> Any:
    return page.locator(".live-answer").nth(answer_index).locator(".cm-content").first


def document_text(page: Any, answer_index: int) -> str:
    """The editor's text without the other people's cursors (widgets with their names)."""
    return str(editor(page, answer_index).evaluate("""el => {
        const copy = el.cloneNode(true);
        copy.querySelectorAll(".cm-ySelectionCaret, .cm-widgetBuffer").forEach(w => w.remove());
        return [...copy.querySelectorAll(".cm-line")].map(l => l.textContent).join("\\n");
    }"""))


@pytest.mark.slow
def test_two_browsers_share_the_room_and_the_end_grades_the_document(tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is missing: apt-get install chromium (scripts/test does)")
    from playwright.sync_api import expect, sync_playwright

    server = Server(tmp_path / "data")
    server.start(threads=1)
    try:
        ids = live_setup(server, [TEXT, CODE])
        room = f"{server.url}/live/{ids['room_id']}"
        exemplary = (BANK_DIR / TEXT / "samples" / "exemplary.md").read_text().strip()
        with sync_playwright() as p:
            browser = _browser(p)
            errors: list[str] = []
            cand = browser.new_context().new_page()
            ivy = browser.new_context().new_page()
            admin = browser.new_context().new_page()
            for page in (cand, ivy, admin):
                page.on("pageerror", lambda e: errors.append(str(e)))
            responses: list[str] = []  # everything the candidate's browser received

            def keep(response: Any) -> None:
                try:
                    responses.append(response.text())
                except Exception:  # redirects and the like carry no body
                    return

            cand.on("response", keep)
            frames: list[str] = []
            sockets: list[str] = []

            def watch(ws: Any) -> None:
                sockets.append(ws.url)
                ws.on("framereceived", lambda f: frames.append(
                    f if isinstance(f, str) else bytes(f).decode("utf-8", "replace")))

            cand.on("websocket", watch)
            cand.goto(ids["interview"]["link"])
            cand.click("text=I understand")
            expect(cand.locator("text=Join the live room")).to_be_visible()
            expect(cand.locator("a[href='https://meet.example.com/abc-defg']")).to_be_visible()
            cand.click("text=Join the live room")
            sign_in(ivy, server.url, INTERVIEWER)
            ivy.goto(room)
            sign_in(admin, server.url, ADMIN)
            admin.goto(room)
            for page in (cand, ivy, admin):
                expect(page.locator("#sync-state")).to_contain_text("saved", timeout=15000)

            # the candidate's typing appears on the interviewers' screens
            editor(cand, 1).click()
            cand.keyboard.press("Control+End")
            cand.keyboard.type("\n# candidate was here")
            expect(editor(ivy, 1)).to_contain_text("# candidate was here")
            expect(editor(admin, 1)).to_contain_text("# candidate was here")
            # and the interviewer's on the candidate's, with a cursor named for them
            editor(ivy, 1).click()
            ivy.keyboard.press("Control+End")
            ivy.keyboard.type("\n# interviewer hint")
            expect(editor(cand, 1)).to_contain_text("# interviewer hint")
            expect(cand.locator(".cm-ySelectionInfo", has_text="Ivy Interviewer")).to_have_count(
                1, timeout=10000)

            # the shared run: the candidate runs, everyone sees the same finished log
            cand.click(".run-button")
            for page in (cand, ivy):
                expect(page.locator(".run-summary")).to_contain_text("visible", timeout=60000)
            assert cand.locator(".run-log").inner_text() == ivy.locator(".run-log").inner_text()
            expect(ivy.locator(".run-status")).to_contain_text("Last run")

            # private notes, synced between co-interviewers; none on the candidate's page
            ivy.locator("#panel-notes .cm-content").click()
            ivy.keyboard.type("PANEL-NOTE-4411: strong on calibration")
            expect(admin.locator("#panel-notes")).to_contain_text("PANEL-NOTE-4411")
            assert cand.locator("#panel").count() == 0

            # coverage while the candidate writes, within 2 s of their pausing
            editor(cand, 0).click()
            chunks = [exemplary[i:i + 600] for i in range(0, len(exemplary), 600)]
            for chunk in chunks:  # written in bursts, with short pauses between them
                cand.keyboard.insert_text(chunk)
                time.sleep(1.5)
            cand.keyboard.insert_text(" ")
            paused = time.monotonic()  # the last pause: coverage of the whole draft is due
            expect(ivy.locator(".coverage-score")).to_contain_text(
                f"{len(exemplary) + 1} characters", timeout=10000)
            coverage_s = time.monotonic() - paused
            expect(ivy.locator(".covered-points li").first).to_be_visible()
            assert coverage_s <= 2.0, f"coverage came {coverage_s:.2f} s after the pause"
            print(f"coverage shown {coverage_s:.2f} s after the candidate paused")
            follow_ups = ivy.locator("#panel .follow-ups li")
            assert follow_ups.count() >= 1

            # a rubric mark with its evidence
            mark = ivy.locator("form.mark").first
            mark.locator("input[name=points]").fill("1")
            mark.locator("input[name=evidence]").fill("MARK-EVIDENCE-77: named the calibration")
            mark.locator("button").click()
            expect(mark.locator(".mark-state")).to_have_text("recorded")

            # the interviewer ends the room: everyone sees it ended
            ivy.on("dialog", lambda d: d.accept())
            ivy.click("#end-room button")
            for page in (cand, ivy):
                expect(page.locator("#room-state")).to_have_text("ended", timeout=15000)
            assert not errors, errors
            browser.close()

        # the document is the answer, graded like any other; the mark is an override
        detail = _graded(ids["admin"], ids["interview"]["id"])
        by_exercise = {a["exercise_id"]: a for a in detail["answers"]}
        text_answer, code_answer = by_exercise[TEXT], by_exercise[CODE]
        assert text_answer["text"].strip() == exemplary.strip()
        final_code = code_answer["text"]
        assert "# candidate was here" in final_code
        assert "# interviewer hint" in final_code
        assert code_answer["criteria"], code_answer  # hidden tests ran
        overridden = [c for c in text_answer["criteria"] if c.get("override")]
        assert overridden
        assert "MARK-EVIDENCE-77" in overridden[0]["override"]["reason"]
        assert overridden[0]["points"] == 1

        # nothing of the panel reached the candidate: pages, API answers, websocket frames
        received = "\n".join(responses + frames)
        assert sockets
        assert all(url.endswith("/ws/shared") for url in sockets), sockets
        assert "meet.example.com" in received
        assert "Coverage appears" not in received
        assert any("room" in f and "ended" in f for f in frames)  # the scan sees the frames
        for secret in ("PANEL-NOTE-4411", "MARK-EVIDENCE-77", "Interviewers' panel",
                       "ask them to go further", "Key point 1:"):
            assert secret not in received, secret
    finally:
        server.stop()


def _graded(admin: Api, interview_id: int, timeout: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        detail = admin.call("GET", f"/interviews/{interview_id}")
        if detail["answers"] and all(
                a["job"] and a["job"]["state"] in ("graded", "failed")
                for a in detail["answers"]) and any(
                c.get("override") for a in detail["answers"] for c in a["criteria"]):
            return detail  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, detail
        time.sleep(0.5)


@pytest.mark.slow
def test_kill_9_loses_no_edit_and_the_browsers_reconnect_and_converge(tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is missing: apt-get install chromium (scripts/test does)")
    from playwright.sync_api import expect, sync_playwright

    server = Server(tmp_path / "data")
    server.start(threads=1)
    try:
        ids = live_setup(server, [TEXT])
        room = f"{server.url}/live/{ids['room_id']}"
        with sync_playwright() as p:
            browser = _browser(p)
            cand = browser.new_context().new_page()
            ivy = browser.new_context().new_page()
            cand.goto(ids["interview"]["link"])
            cand.click("text=I understand")
            cand.goto(room)
            sign_in(ivy, server.url, INTERVIEWER)
            ivy.goto(room)
            for page in (cand, ivy):
                expect(page.locator("#sync-state")).to_contain_text("saved", timeout=15000)
            editor(cand, 0).click()
            for n in range(20):
                cand.keyboard.type(f"before-{n} ")
            expect(editor(ivy, 0)).to_contain_text("before-19")  # the interviewer saw it all
            server.kill9()
            # what the interviewer received is on disk, from the dead server alone
            db = open_database(f"sqlite:///{server.data_dir / 'hireloop.db'}", upgrade=False)
            with db.session(write=False) as s:
                room = s.get(LiveRoom, ids["room_id"])
                stored, _ = documents.answer_content(
                    documents.load(s, ids["room_id"], documents.SHARED),
                    rooms.room_answers(room)[0].id)
            db.engine.dispose()
            assert [f"before-{n}" in stored for n in range(20)] == [True] * 20, stored
            # both keep typing while the server is down
            cand.keyboard.type("offline-candidate ")
            editor(ivy, 0).click()
            ivy.keyboard.press("Control+End")
            ivy.keyboard.type(" offline-interviewer")
            server.start(threads=1)
            for page in (cand, ivy):  # they reconnect by themselves and converge
                expect(editor(page, 0)).to_contain_text("offline-interviewer", timeout=30000)
                expect(editor(page, 0)).to_contain_text("offline-candidate", timeout=30000)
            shown = document_text(cand, 0)
            assert shown == document_text(ivy, 0)
            browser.close()
        ended = httpx.post(f"{server.url}/live/{ids['room_id']}/end",
                           headers=ids["admin"].client.headers, timeout=30)
        assert ended.status_code == 200, ended.text
        answer = ids["admin"].call("GET", f"/interviews/{ids['interview']['id']}")["answers"][0]
        for n in range(20):
            assert f"before-{n}" in answer["text"]
        assert "offline-candidate" in answer["text"]
        assert "offline-interviewer" in answer["text"]
        assert answer["text"].strip() == shown.strip()
    finally:
        server.stop()


@pytest.mark.slow
def test_the_dashboard_and_the_interview_page_update_without_a_reload(tmp_path: Path) -> None:
    """The interviewer keeps the dashboard and the interview's page open while the candidate
    starts, saves and hands in: status, stage, time left, last save and grading change on
    both pages by themselves, and "finished" notices appear."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is missing: apt-get install chromium (scripts/test does)")
    from playwright.sync_api import expect, sync_playwright

    server = Server(tmp_path / "data")
    server.start(threads=1)
    try:
        added = server.cli("user", "add", "--admin", ADMIN, "--password-stdin",
                           stdin=PASSWORD + "\n")
        assert added.returncode == 0, added.stderr
        admin = Api.login(server.url, ADMIN, PASSWORD)
        loop = admin.call("POST", "/loops", {"definition": {
            "title": "Async loop", "role": "ML engineer",
            "stage": [{"name": "Written", "minutes": 20, "exercises": [TEXT]}]}}, ok=201)
        invited = admin.call("POST", "/interviews", {"name": "Lee Candidate",
                                                     "email": "lee@example.com",
                                                     "loop_id": loop["id"]}, ok=201)
        with sync_playwright() as p:
            browser = _browser(p)
            context = browser.new_context()
            board = context.new_page()
            sign_in(board, server.url, ADMIN)
            board.goto(f"{server.url}/team")
            detail = context.new_page()
            detail.goto(f"{server.url}/team/interviews/{invited['id']}")
            row = board.locator(f"tr[data-interview='{invited['id']}']")
            expect(row.locator("[data-field=status]")).to_have_text("invited")

            candidate = Api.candidate(server.url, invited["link"])
            candidate.call("POST", "/take/consent")
            candidate.call("POST", "/take/stages/0/start")
            expect(row.locator("[data-field=status]")).to_have_text("in progress")
            expect(row.locator("[data-field=now]")).to_contain_text("Written, 19:")
            expect(detail.locator("[data-field=now]")).to_contain_text("left")
            answer = candidate.call("GET", "/take")["stages"][0]["exercises"][0]["answer_id"]
            candidate.call("PUT", f"/take/answers/{answer}", {
                "text": (BANK_DIR / TEXT / "samples" / "exemplary.md").read_text()})
            expect(row.locator("[data-field=now]")).to_contain_text("saved")
            candidate.call("POST", "/take/stages/0/submit")
            expect(board.locator("#notices")).to_contain_text(
                "Lee Candidate handed in the last stage", timeout=15000)
            expect(board.locator("#notices")).to_contain_text(
                "Lee Candidate's answers are graded", timeout=120000)
            expect(detail.locator("#notices")).to_contain_text("graded")
            expect(row.locator("[data-field=status]")).to_have_text("submitted")
            expect(row.locator("[data-field=now]")).to_contain_text("1 graded")
            browser.close()
    finally:
        server.stop()
