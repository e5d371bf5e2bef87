"""The candidate's side in a real browser (Debian's Chromium, a fake microphone) against a real
``hireloop serve``: choice questions readable at every width, one heading per exercise, no
inline event handler anywhere (the CSP blocks them), the stage timer's announcements for
screen readers, the microphone check before a spoken stage, uploading a recording file, and
the completion page after the last stage."""

from __future__ import annotations

import io
import math
import re
import struct
import wave
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.web.server import CHROMIUM, Api, Server, require_chromium

SRC = Path(__file__).resolve().parents[2] / "src" / "hireloop"
ADMIN, PASSWORD = "admin@example.com", "a long admin password"
SINGLE = "automl/hpo-strategy-tight-gpu-budget"
NUMBER = "ml-foundations/screening-model-positive-posterior"
SPOKEN = "spoken/explain-fraud-block-to-executive"
INLINE_HANDLER = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.DOTALL)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A server with a two-stage loop (a choice and a number question for 11 minutes, then a
    spoken answer) and a function that invites a fresh candidate."""
    require_chromium()
    server = Server(tmp_path_factory.mktemp("candidate") / "data")
    server.start(threads=1)
    try:
        admin = server.add_admin(ADMIN, PASSWORD)
        loop = admin.call("POST", "/loops", {"definition": {
            "title": "Candidate experience", "role": "ML engineer",
            "feedback": "after_submission",
            "stage": [{"name": "Warm-up", "minutes": 11, "exercises": [SINGLE, NUMBER]},
                      {"name": "Say it", "minutes": 10, "exercises": [SPOKEN]}]}}, ok=201)
        count = iter(range(1000))

        def invite() -> dict[str, Any]:
            n = next(count)
            return dict(admin.call("POST", "/interviews", {
                "name": f"Candidate {n}", "email": f"c{n}@example.com",
                "loop_id": loop["id"]}, ok=201))

        yield {"server": server, "url": server.url, "invite": invite}
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(site: dict[str, Any]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                  "--autoplay-policy=no-user-gesture-required"])
        yield instance
        instance.close()


def candidate_page(browser: Any, site: dict[str, Any], width: int = 1280,
                   height: int = 900) -> tuple[Any, dict[str, Any], list[str]]:
    """A fresh candidate who opened the link and consented; the page and what it logged."""
    invited = site["invite"]()
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.on("dialog", lambda d: d.accept())
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.on("pageerror", lambda e: messages.append(f"error: {e}"))
    page.goto(invited["link"])
    page.click("text=I understand")
    return page, invited, messages


def test_no_template_has_an_inline_event_handler() -> None:
    """The CSP (script-src 'self') blocks inline handlers such as onsubmit=; none may be in
    any template, ours or a kind's."""
    found = []
    for template in SRC.rglob("*.html"):
        for match in INLINE_HANDLER.finditer(template.read_text()):
            found.append(f"{template.relative_to(SRC)}: {match.group(0)[:80]}")
    assert not found, found


def test_enter_in_an_answer_field_keeps_the_page_and_breaks_no_policy(
        site: dict[str, Any], browser: Any) -> None:
    page, _, messages = candidate_page(browser, site)
    page.goto(site["url"] + "/take/stage/0")
    field = page.locator("input[name=text]")
    field.fill("0.31")
    field.press("Enter")
    page.wait_for_timeout(500)
    assert page.url == site["url"] + "/take/stage/0"  # no ?text=... navigation
    from playwright.sync_api import expect

    expect(page.locator("form:has(input[name=text]) .save-state")).to_contain_text(
        "Saved", timeout=15_000)
    assert not [m for m in messages if "Content Security Policy" in m or "error:" in m], messages
    page.context.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_a_choice_question_puts_each_radio_button_beside_its_text_with_one_heading(
        site: dict[str, Any], browser: Any, width: int) -> None:
    page, _, _ = candidate_page(browser, site, width=width)
    page.goto(site["url"] + "/take/stage/0")
    options = page.locator("label.option")
    assert options.count() >= 3
    for i in range(options.count()):
        option = options.nth(i)
        radio = option.locator("input[type=radio]").bounding_box()
        ident = option.locator(".option-id").bounding_box()
        label = option.bounding_box()
        assert radio is not None
        assert ident is not None
        assert label is not None
        assert radio["width"] <= 24, f"the radio button is {radio['width']} px wide"
        gap = ident["x"] - (radio["x"] + radio["width"])
        assert 0 <= gap <= 24, f"the radio button is {gap} px from its text"
        assert abs(radio["y"] - label["y"]) <= 16, "the radio button is not on the first line"
    body = page.locator("main").inner_text()
    assert "type its id" not in body
    assert "type their ids" not in body
    for article in page.locator("article.exercise").all():
        headings = article.locator("h1, h2, h3")
        assert headings.count() == 1, headings.all_inner_texts()
    page.context.close()


def test_the_timer_announces_10_5_and_1_minute_left_to_screen_readers_and_nothing_else(
        site: dict[str, Any], browser: Any) -> None:
    page, _, _ = candidate_page(browser, site)
    page.clock.install(time=datetime.now(UTC))
    page.goto(site["url"] + "/take/stage/0")
    region = page.locator("#timer-announce")
    assert region.get_attribute("aria-live") == "polite"
    assert page.locator(".timer").get_attribute("aria-live") == "off"
    page.evaluate("""() => {
        window.announced = [];
        const el = document.querySelector("#timer-announce");
        new MutationObserver(() => window.announced.push(el.textContent))
            .observe(el, {childList: true, characterData: true, subtree: true});
    }""")
    page.clock.run_for(30_000)  # 10:30 left: nothing yet
    assert page.evaluate("window.announced") == []
    page.clock.run_for(40_000)  # 9:50
    assert page.evaluate("window.announced") == ["10 minutes left in this stage."]
    page.clock.run_for(300_000)  # 4:50
    page.clock.run_for(240_000)  # 0:50
    assert page.evaluate("window.announced") == ["10 minutes left in this stage.",
                                                 "5 minutes left in this stage.",
                                                 "1 minute left in this stage."]
    page.context.close()


def _tone(seconds: float = 2.0, rate: int = 16_000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i
                                                                         / rate)))
                               for i in range(int(seconds * rate))))
    return out.getvalue()


def test_before_the_spoken_stage_the_microphone_check_hears_the_microphone_then_a_file_is_the_answer_and_the_last_stage_ends_on_the_completion_page(  # noqa: E501
        site: dict[str, Any], browser: Any) -> None:
    from playwright.sync_api import expect

    page, invited, messages = candidate_page(browser, site)
    page.goto(site["url"] + "/take/done")  # nothing handed in yet: the interview's page
    assert page.url == site["url"] + "/take"
    api = Api.candidate(site["url"], invited["link"])
    api.call("POST", "/take/stages/0/start")
    api.call("POST", "/take/stages/0/submit")
    # the overview: the spoken stage is next, with a microphone check before it starts
    page.goto(site["url"] + "/take")
    check = page.locator(".before-spoken .mic-check")
    expect(check).to_be_visible()
    check.get_by_role("button", name="Check my microphone").click()
    expect(check.locator(".mic-status")).to_contain_text("We hear you", timeout=15_000)
    check.get_by_role("button", name="Stop the check").click()
    expect(check.locator(".mic-status")).to_contain_text("microphone works")
    assert int(check.get_attribute("data-peak") or 0) >= 8  # the loudest level the meter read
    assert check.get_attribute("data-state") == "heard"
    # the spoken stage: no recording yet, then a file uploaded as the answer
    page.click("text=Start this stage")
    note = page.locator(".save-note")
    expect(note).to_have_text("No recording yet.")
    upload = page.locator(".recording-upload")
    upload.locator("input[type=file]").set_input_files(
        files=[{"name": "answer.wav", "mimeType": "audio/wav", "buffer": _tone()}])
    upload.get_by_role("button", name="Upload this file").click()
    expect(upload.locator(".upload-status")).to_contain_text("uploaded", timeout=15_000)
    expect(note).to_contain_text("A recording is saved")
    expect(page.locator(".save-state")).to_contain_text("Recording saved")
    assert "No recording yet" not in page.locator("form.answer-form").inner_text()
    page.reload()
    expect(note).to_contain_text("A recording is saved")
    detail = api.call("GET", "/take")
    assert detail["stages"][1]["exercises"][0]["state"] in ("saved", "not started")
    # the last stage handed in: the completion page
    page.click("#submit-stage button")
    page.wait_for_url(site["url"] + "/take/done")
    main = page.locator("main")
    expect(main).to_contain_text("Thank you")
    expect(main).to_contain_text("A person decides")
    expect(main.get_by_role("button", name="Ask for a human review")).to_be_visible()
    expect(main.get_by_role("link", name="Download everything we hold about you")).to_be_visible()
    expect(main.get_by_role("button", name="Ask for my data to be deleted")).to_be_visible()
    page.goto(site["url"] + "/take")
    expect(page.locator("main")).to_contain_text("You have handed in every stage")
    assert not [m for m in messages if "Content Security Policy" in m or "error:" in m], messages
    page.context.close()
