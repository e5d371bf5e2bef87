"""A spoken answer recorded in Chromium through its fake microphone (espeak-ng speech), uploaded
in chunks, transcribed and graded; the interviewer's review page shows the transcript with
clickable timestamps. Screenshots go to ``test-output/recording/``."""

from __future__ import annotations

import os
import shutil
import subprocess
import wave
from pathlib import Path

import pytest

from tests.web.server import Api, Server

CHROMIUM = Path("/usr/bin/chromium")
BANK = Path(__file__).resolve().parents[2] / "bank"
EXERCISE = "spoken/explain-fraud-block-to-executive"
OUTPUT = Path(os.environ.get("HIRELOOP_TEST_OUTPUT",
                             Path(__file__).resolve().parents[2] / "test-output")) / "recording"
ADMIN, PASSWORD = "admin@example.com", "a long admin password"


@pytest.mark.slow
def test_a_candidate_records_an_answer_and_the_interviewer_sees_its_timed_transcript(
        tmp_path: Path) -> None:
    if not CHROMIUM.exists() or shutil.which("espeak-ng") is None:
        pytest.fail("needs Debian's chromium and espeak-ng (scripts/test installs both)")
    from playwright.sync_api import expect, sync_playwright

    OUTPUT.mkdir(parents=True, exist_ok=True)
    script = (BANK / EXERCISE / "samples" / "exemplary.txt").read_text().splitlines()[:4]
    speech = tmp_path / "answer.wav"
    subprocess.run(["espeak-ng", "-s", "160", "-w", str(speech), " ".join(script)],
                   check=True, capture_output=True)
    with wave.open(str(speech)) as w:
        seconds = w.getnframes() / w.getframerate()
    assert 8 < seconds < 40

    server = Server(tmp_path / "data")
    server.start(threads=1)
    try:
        assert server.cli("user", "add", "--admin", ADMIN, "--password-stdin",
                          stdin=PASSWORD + "\n").returncode == 0
        admin = Api.login(server.url, ADMIN, PASSWORD)
        loop = admin.call("POST", "/loops", {"definition": {
            "title": "Spoken", "role": "ML engineer", "feedback": "after_submission",
            "stage": [{"name": "Say it", "minutes": 10, "exercises": [EXERCISE]}]}}, ok=201)
        invited = admin.call("POST", "/interviews", {"name": "Vera Voice",
                                                     "email": "vera@example.com",
                                                     "loop_id": loop["id"]}, ok=201)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=str(CHROMIUM), headless=True,
                args=["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                      f"--use-file-for-fake-audio-capture={speech}%noloop"])
            page = browser.new_context().new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("dialog", lambda d: d.accept())
            page.goto(invited["link"])
            expect(page.locator("text=no face, emotion or voice-tone analysis")).to_be_visible()
            page.click("text=I understand")
            page.goto(server.url + "/take/stage/0")
            page.get_by_role("button", name="Start recording").click()
            page.wait_for_timeout(int((seconds + 1.5) * 1000))
            page.get_by_role("button", name="Stop recording").click()
            page.screenshot(path=str(OUTPUT / "01-recorded.png"), full_page=True)
            page.get_by_role("button", name="Submit this recording").click()
            expect(page.locator(".save-state")).to_contain_text("Recording saved",
                                                                timeout=30_000)
            page.click("#submit-stage button")
            expect(page.locator("text=Submitted.")).to_be_visible()
            expect(page.locator(".status")).to_contain_text("graded", timeout=180_000)
            page.screenshot(path=str(OUTPUT / "02-candidate-feedback.png"), full_page=True)

            team = browser.new_context().new_page()
            team.goto(server.url + "/login")
            team.fill("input[name=email]", ADMIN)
            team.fill("input[name=password]", PASSWORD)
            team.click("button[type=submit]")
            team.goto(server.url + f"/team/interviews/{invited['id']}")
            transcript = team.locator("ol.transcript li")
            expect(transcript.first).to_be_visible()
            assert transcript.count() >= 2
            assert "fraud" in team.locator("ol.transcript").inner_text().lower()
            stamps = team.locator("ol.transcript button.ts")
            assert stamps.count() == transcript.count()
            assert float(stamps.nth(1).get_attribute("data-t")) > 0
            # the evidence of the content grade points at moments of the recording too
            assert team.locator("ul.evidence button.ts").count() >= 1
            expect(team.locator("audio.recording")).to_be_attached()
            stamps.nth(1).click()  # seeks the player; must not throw
            team.screenshot(path=str(OUTPUT / "03-review-transcript.png"), full_page=True)
            browser.close()
            assert not errors, errors
        detail = admin.call("GET", f"/interviews/{invited['id']}")
        grade = detail["answers"][0]["grade"]
        assert grade["outcome"] == "graded"
        assert grade["transcript"]
        assert any(n.startswith("Delivery:") for n in grade["notes"])
    finally:
        server.stop()
