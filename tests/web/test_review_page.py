"""The review page (the team's interview page) in a real browser against a real
``hireloop serve``: a sticky stage navigation that stays in view while the long page scrolls
and never covers the section it jumps to, on a desktop and a phone; choice answers shown as
the chosen options' ids and texts, not just "a"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from hireloop.web.render import markdown
from tests.web.conftest import BANK_DIR, TEXT
from tests.web.server import CHROMIUM, Api, Server, require_chromium

ADMIN, PASSWORD = "admin@example.com", "a long admin password"
SINGLE = "automl/hpo-strategy-tight-gpu-budget"
MULTI = "ethics/hiring-screen-adverse-impact-audit"

pytestmark = pytest.mark.slow


def plain(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """An interview of three stages handed in (a single and a multiple choice, then written
    answers) and an admin's browser page."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    server = Server(tmp_path_factory.mktemp("review") / "data")
    server.start(threads=0)
    try:
        admin = server.add_admin(ADMIN, PASSWORD)
        loop = admin.call("POST", "/loops", {"definition": {
            "title": "Review page", "role": "ML engineer",
            "stage": [{"name": "Choices", "minutes": 10, "exercises": [SINGLE, MULTI]},
                      {"name": "Written one", "minutes": 20, "exercises": [TEXT]},
                      {"name": "Written two", "minutes": 20, "exercises": [TEXT]}]}}, ok=201)
        invited = admin.call("POST", "/interviews", {"name": "Rita Review",
                                                     "email": "rita@example.com",
                                                     "loop_id": loop["id"]}, ok=201)
        candidate = Api.candidate(server.url, invited["link"])
        candidate.call("POST", "/take/consent")
        chosen: dict[str, list[dict[str, str]]] = {}
        essay = (BANK_DIR / TEXT / "samples" / "exemplary.md").read_text()
        for stage in range(3):
            candidate.call("POST", f"/take/stages/{stage}/start")
            taken = candidate.call("GET", "/take")["stages"][stage]["exercises"]
            for item in taken:
                view = item["view"]
                if view["input_kind"] == "choice":
                    picked = [view["fields"]["options"][1]]
                    text = picked[0]["id"]
                elif view["input_kind"] == "multi_choice":
                    picked = view["fields"]["options"][:2]
                    text = ", ".join(o["id"] for o in picked)
                else:
                    picked, text = [], essay
                if picked:
                    chosen[view["id"]] = picked
                candidate.call("PUT", f"/take/answers/{item['answer_id']}", {"text": text})
            candidate.call("POST", f"/take/stages/{stage}/submit")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
            page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            page.goto(server.url + "/login")
            page.fill("input[name=email]", ADMIN)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(re.compile(r"/team$"))
            page.goto(server.url + f"/team/interviews/{invited['id']}")
            yield {"page": page, "chosen": chosen}
            browser.close()
    finally:
        server.stop()


@pytest.mark.parametrize("size", [(1280, 800), (360, 740)])
def test_the_stage_navigation_stays_in_view_and_never_covers_the_stage_it_jumps_to(
        reviewed: dict[str, Any], size: tuple[int, int]) -> None:
    page = reviewed["page"]
    page.set_viewport_size({"width": size[0], "height": size[1]})
    nav = page.locator("nav.stage-nav")
    links = nav.get_by_role("link")
    assert links.all_inner_texts()[:3] == ["1. Choices", "2. Written one", "3. Written two"]
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_timeout(100)
    box = nav.bounding_box()
    assert box is not None
    assert abs(box["y"]) <= 1, f"the navigation scrolled away (top at {box['y']})"
    assert box["height"] <= 0.1 * size[1], f"the navigation takes {box['height']} px"
    for n in (1, 2, 3):
        nav.get_by_role("link", name=re.compile(rf"^{n}\. ")).click()
        page.wait_for_timeout(150)
        assert page.evaluate("location.hash") == f"#stage-{n}"
        heading = page.locator(f"#stage-{n} > h2").bounding_box()
        nav_box = nav.bounding_box()
        assert heading is not None
        assert nav_box is not None
        assert heading["y"] >= nav_box["y"] + nav_box["height"] - 1, \
            f"stage {n}'s heading is under the navigation"
        assert heading["y"] < size[1], f"stage {n}'s heading is below the screen"
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]


def test_a_choice_answer_shows_the_chosen_options_ids_and_texts(
        reviewed: dict[str, Any]) -> None:
    page = reviewed["page"]
    page.set_viewport_size({"width": 1280, "height": 800})
    for exercise, picked in reviewed["chosen"].items():
        article = page.locator("article.answer", has=page.locator(f"code:text-is('{exercise}')"))
        shown = article.locator("ul.chosen-options > li")
        assert shown.count() == len(picked), exercise
        for item, option in zip(shown.all(), picked, strict=True):
            assert item.locator(".option-id").inner_text() == option["id"]
            text = " ".join(item.inner_text().split())
            assert plain(str(markdown(option["text"]))) in text, (text, option["text"])
        assert article.locator("pre.answer-text").count() == 0  # not the bare "b"
