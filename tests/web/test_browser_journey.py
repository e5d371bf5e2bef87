"""The whole journey in a real browser (Playwright driving Debian's Chromium) against a real
``hireloop serve``: first admin, a loop from a template, an invitation, the candidate answers a
choice, a code and a text exercise and submits, the interviewer reviews, overrides one
criterion and opens the scorecard. A screenshot of each page is saved under
``test-output/journey/`` (or ``$HIRELOOP_TEST_OUTPUT/journey``)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.web.server import Server

CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = Path(os.environ.get("HIRELOOP_TEST_OUTPUT",
                             Path(__file__).resolve().parents[2] / "test-output")) / "journey"


def _browser(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)


@pytest.mark.slow
def test_the_whole_interview_journey_in_chromium(tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is missing: apt-get install chromium (scripts/test does)")
    from playwright.sync_api import expect, sync_playwright

    OUTPUT.mkdir(parents=True, exist_ok=True)
    server = Server(tmp_path / "data")
    server.start(threads=2)
    shots: list[str] = []

    def shot(page: Any, name: str) -> None:
        path = OUTPUT / f"{len(shots) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        shots.append(path.name)

    try:
        setup = re.search(r"(http://\S+/setup/\S+)", server.log.read_text())
        assert setup, "the first start prints a one-time setup link"
        with sync_playwright() as p:
            browser = _browser(p)
            team = browser.new_context().new_page()
            errors: list[str] = []
            team.on("pageerror", lambda e: errors.append(str(e)))
            # 1. the first admin, through the one-time link
            team.goto(setup.group(1))
            shot(team, "setup")
            team.fill("input[name=name]", "Ada Admin")
            team.fill("input[name=email]", "ada@example.com")
            team.fill("input[name=password]", "a long admin password")
            team.click("button[type=submit]")
            expect(team.locator("h1")).to_have_text("Interviews")
            shot(team, "dashboard-empty")
            # 2. a loop from the phone-screen template
            team.click("text=Loops")
            team.select_option("select[name=template]", "ml-engineer-phone-screen")
            team.fill("input[name=title]", "Phone screen (web test)")
            shot(team, "loops")
            team.click("text=Create loop")
            expect(team.locator("h1")).to_have_text("Phone screen (web test)")
            expect(team.locator("#loop-form")).to_be_visible()  # the loop's form editor
            shot(team, "loop-editor")
            team.click("text=Edit as TOML")
            expect(team.locator(".cm-editor")).to_be_visible()  # the TOML, for power users
            shot(team, "loop-toml")
            # 3. an invitation
            team.click("text=Invite to this loop")
            team.fill("input[name=name]", "Grace Candidate")
            team.fill("input[name=email]", "grace@example.com")
            team.click("text=Create invitation link")
            link = team.input_value("#invite-link")
            assert "/i/" in link
            shot(team, "invitation")

            # 4. the candidate
            cand = browser.new_context().new_page()
            cand.on("pageerror", lambda e: errors.append(str(e)))
            cand.on("dialog", lambda d: d.accept())
            cand.goto(link)
            expect(cand.locator("text=Automatic scoring is used")).to_be_visible()
            expect(cand.locator("text=right to ask for a human review")).to_be_visible()
            shot(cand, "consent")
            cand.click("text=I understand")
            shot(cand, "overview")
            kinds_seen: set[str] = set()
            for stage in range(3):
                cand.goto(server.url + f"/take/stage/{stage}")
                expect(cand.locator(".timer")).to_contain_text("left")
                for form in cand.locator("form.answer-form").all():
                    mode = form.get_attribute("data-mode")
                    if form.locator("input[type=radio]").count():
                        form.locator("input[type=radio]").first.check()
                        kinds_seen.add("choice")
                    elif form.locator("input[type=checkbox]").count():
                        form.locator("input[type=checkbox]").first.check()
                        kinds_seen.add("choice")
                    elif form.locator(".cm-editor").count():
                        editor = form.locator(".cm-content")
                        editor.click()
                        cand.keyboard.press("Control+End")
                        cand.keyboard.type("\n# checked the edge cases\n")
                        kinds_seen.add("code")
                        form.locator("button[data-trial]").click()
                        expect(form.locator(".trial-summary")).to_contain_text(
                            "visible tests passed", timeout=60_000)
                    elif form.locator("textarea[name=text]").count():
                        form.locator("textarea[name=text]").fill(
                            "Precision is the share of flagged cases that are real; recall is "
                            "the share of real cases we flag. With a low base rate, use "
                            "precision-recall curves rather than accuracy, and pick the "
                            "threshold from the cost of each error and the review capacity.")
                        expect(form.locator(".word-count")).to_contain_text("words")
                        kinds_seen.add("text")
                    elif form.locator("input[name=text]").count():
                        form.locator("input[name=text]").fill("0.5")
                        kinds_seen.add("choice")
                    else:
                        raise AssertionError(f"an answer form the test cannot fill: {mode}")
                    expect(form.locator(".save-state")).to_contain_text("Saved", timeout=15_000)
                shot(cand, f"stage-{stage + 1}")
                cand.click("#submit-stage button")
                expect(cand.locator("text=Submitted.")).to_be_visible()
            assert kinds_seen == {"choice", "code", "text"}
            cand.goto(server.url + "/take/stage/2")
            expect(cand.locator(".status")).to_contain_text("graded", timeout=120_000)
            shot(cand, "candidate-feedback")

            # 5. the interviewer reviews, overrides one criterion, opens the scorecard
            team.goto(server.url + "/team")
            team.click("text=Review")
            expect(team.locator(".jobs")).not_to_contain_text("queued", timeout=120_000)
            expect(team.locator(".jobs")).not_to_contain_text("running", timeout=120_000)
            team.reload()
            shot(team, "review")
            form = team.locator("form.override").first
            criterion = form.locator("input[name=criterion]").get_attribute("value")
            form.locator("input[name=points]").fill("0")
            form.locator("input[name=reason]").fill("Explained by a colleague in the room")
            form.locator("button").click()
            expect(team.locator("text=Explained by a colleague in the room").first
                   ).to_be_visible()
            team.click("text=Scorecard")
            expect(team.locator("svg.chart")).to_be_visible()
            expect(team.locator("text=Explained by a colleague in the room").first
                   ).to_be_visible()
            expect(team.locator("body")).to_contain_text(criterion or "")
            shot(team, "scorecard")
            browser.close()
            assert not errors, errors
    finally:
        server.stop()
    assert len(shots) >= 10
