"""Building a loop with the form editor, its errors in words, the TOML view, and the preview as
candidate (#16, item 2).

The form is driven as a browser would: in Chromium against a real ``hireloop serve`` (with
and without JavaScript), and through the app with the fields a browser would send, read from
the rendered page itself (so a field the template forgets fails the round trip).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import tomllib
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from hireloop.bank.loops import Loop, PassRule, Pick, Stage, resolve_loop
from hireloop.db.models import Answer, Interview
from hireloop.hiring.service import parse_loop_toml, validate_loop
from tests.web.conftest import CHOICE, CODE, TEXT, builtin_bank
from tests.web.server import CHROMIUM, Server, require_chromium
from tests.web.test_hidden_content import _distinctive

OUTPUT = Path(os.environ.get("HIRELOOP_TEST_OUTPUT",
                             Path(__file__).resolve().parents[2] / "test-output")) / "loop-editor"
ADMIN, PASSWORD = "admin@example.com", "a long admin password"
TEMPLATES = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "loops").glob("*.toml")
                   if p.stem != "principles")


class _Fields(HTMLParser):
    """What a browser sends for the form ``#loop-form`` (no button): inputs, checked boxes,
    selected options (else the first), textareas."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._option: tuple[str | None, bool, str] | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and a.get("id") == "loop-form":
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind == "checkbox":
                if "checked" in a:
                    self.fields.append((name, a.get("value") or "on"))
            else:
                self.fields.append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self._select = (name, [])
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value"), "selected" in a, "")
        elif tag == "textarea" and name:
            self._textarea = (name, [])

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option = (self._option[0], self._option[1], self._option[2] + data)
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._select is not None:
            value, selected, text = self._option
            self._select[1].append((text if value is None else value, selected))
            self._option = None
        elif tag == "select" and self._select is not None:
            name, options = self._select
            chosen = [v for v, s in options if s] or [v for v, _ in options[:1]]
            self.fields += [(name, v) for v in chosen[:1]]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._textarea[1])
            self.fields.append((self._textarea[0], text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "form":
            self.inside = False


def form_fields(page_html: str) -> list[tuple[str, str]]:
    parser = _Fields()
    parser.feed(page_html)
    assert parser.fields, "the page has no loop form"
    return parser.fields


def post_form(web: Any, url: str, fields: list[tuple[str, str]], action: str) -> Any:
    data: dict[str, list[str]] = {}
    for name, value in [*fields, ("action", action)]:
        if name != "csrf_token":
            data.setdefault(name, []).append(value)
    data["csrf_token"] = [web.csrf]
    return web.client.post(url, data=data, headers={"accept": "text/html"},
                           follow_redirects=False)


def definition_of(web: Any, loop_id: int) -> dict[str, Any]:
    return web.client.get(f"/api/v1/loops/{loop_id}").json()["definition"]  # type: ignore


def toml_of(web: Any, loop_id: int) -> dict[str, Any]:
    page = web.get(f"/team/loops/{loop_id}?view=toml").text
    text = re.search(r'<textarea id="definition"[^>]*>(.*?)</textarea>', page, re.S)
    assert text, "the TOML view shows the loop"
    return parse_loop_toml(html.unescape(text.group(1)))


@pytest.fixture
def site(make_site: Any) -> Any:
    return make_site(threads=0)


def _admin(site: Any) -> Any:
    web = site.client()
    web.login("admin@example.com")
    return web


EVERY_FIELD = {
    "title": "Every field", "role": "ML engineer", "description": "All settings at once.",
    "feedback": "never", "blind": True, "principles": "our-principles.toml",
    "pass_rule": {"min_overall": 0.7, "min_stage": 0.25},
    "stage": [
        {"name": "Screen", "minutes": 10, "weight": 0.5, "description": "A short screen.",
         "screening": True, "exercises": [CHOICE], "live": False, "pick": []},
        {"name": "Pairing", "minutes": 45, "weight": 2.0, "live": True, "screening": False,
         "exercises": [CODE],
         "pick": [{"count": 2, "competency": "ml-foundations", "level": "junior",
                   "kind": "choice"}]},
        {"name": "Values", "minutes": 20, "weight": 1.0, "principle": "our-craft",
         "live": False, "screening": False, "exercises": [TEXT],
         "pick": [{"count": 1, "competency": "leadership", "kind": "text"}]},
    ],
}


def test_a_loop_with_every_field_built_through_the_form_reads_back_through_toml_and_the_api(
        site: Any) -> None:
    # every field the model has is in this loop (a field added to the model fails here first)
    assert set(Loop.model_fields) - {"id"} == set(EVERY_FIELD)
    assert set(Stage.model_fields) == {k for st in EVERY_FIELD["stage"] for k in st}
    assert set(Pick.model_fields) == {k for st in EVERY_FIELD["stage"] for p in st["pick"]
                                      for k in p}
    assert set(PassRule.model_fields) == set(EVERY_FIELD["pass_rule"])
    (site.settings.data_dir / "our-principles.toml").write_text(
        '[[principle]]\nid = "our-craft"\nname = "Craft"\ndescription = "We sweat details."\n')
    web = _admin(site)
    fields = form_fields(web.get("/team/new-loop").text)
    assert ("stage_count", "1") in fields
    for action in ("add_stage", "add_stage", "add_pick:1", "add_pick:2"):
        response = post_form(web, "/team/new-loop", fields, action)
        assert response.status_code == 200, response.text[:500]
        fields = form_fields(response.text)
    values = {"title": "Every field", "role": "ML engineer",
              "description": "All settings at once.", "feedback": "never", "blind": "1",
              "principles": "our-principles.toml", "min_overall": "0.7", "min_stage": "0.25",
              "s0.name": "Screen", "s0.minutes": "10", "s0.weight": "0.5",
              "s0.description": "A short screen.", "s0.screening": "1", "s0.add_ids": CHOICE,
              "s1.name": "Pairing", "s1.minutes": "45", "s1.weight": "2", "s1.live": "1",
              "s1.add_ids": CODE, "s1.p0.count": "2", "s1.p0.competency": "ml-foundations",
              "s1.p0.level": "junior", "s1.p0.kind": "choice",
              "s2.name": "Values", "s2.minutes": "20", "s2.principle": "our-craft",
              "s2.add_ids": TEXT, "s2.p0.count": "1", "s2.p0.competency": "leadership",
              "s2.p0.kind": "text"}
    sent = [(k, v) for k, v in fields if k not in values] + list(values.items())
    response = post_form(web, "/team/new-loop", sent, "save")
    assert response.status_code == 303, re.findall(r"<li>(.*?)</li>", response.text)
    loop_id = int(response.headers["location"].split("/")[3].split("?")[0])
    expected = {**EVERY_FIELD, "stage": [
        {k: v for k, v in st.items() if v not in ([], None)} for st in EVERY_FIELD["stage"]]}
    stored = definition_of(web, loop_id)
    assert {k: v for k, v in stored.items() if k != "stage"} == {
        k: v for k, v in expected.items() if k != "stage"}
    assert [{k: v for k, v in st.items() if v not in ([], None)} for st in stored["stage"]] \
        == expected["stage"]
    assert toml_of(web, loop_id) == _without_defaults(stored)
    # the form shows every field as stored: saving it unchanged changes nothing
    page = web.get(f"/team/loops/{loop_id}").text
    again = post_form(web, f"/team/loops/{loop_id}/form", form_fields(page), "save")
    assert again.status_code == 303, re.findall(r"<li>(.*?)</li>", again.text)
    assert definition_of(web, loop_id) == stored


def _without_defaults(definition: dict[str, Any]) -> dict[str, Any]:
    """A stored definition as its TOML writes it (false flags and empty lists left out)."""
    out = {k: v for k, v in definition.items() if v not in (False, "", None)}
    out["stage"] = [{k: v for k, v in st.items() if v not in (False, "", None, [])}
                    for st in definition["stage"]]
    return out


def test_every_built_in_loop_survives_the_form_unchanged(site: Any) -> None:
    web = _admin(site)
    for template in TEMPLATES:
        created = web.form("/team/loops", {"template": template})
        loop_id = int(created.headers["location"].rsplit("/", 1)[1])
        before = definition_of(web, loop_id)
        page = web.get(f"/team/loops/{loop_id}").text
        saved = post_form(web, f"/team/loops/{loop_id}/form", form_fields(page), "save")
        assert saved.status_code == 303, (template, re.findall(r"<li>(.*?)</li>", saved.text))
        assert definition_of(web, loop_id) == before, template


def _problems(response: Any) -> list[str]:
    box = re.search(r'<div class="error problems" role="alert">(.*?)</div>', response.text, re.S)
    assert box, "the page lists the problems"
    return [html.unescape(x) for x in re.findall(r"<li>(.*?)</li>", box.group(1))]


def _field_error(response: Any, key: str) -> str:
    found = re.search(rf'<p class="field-error" id="err-{re.escape(key)}">(.*?)</p>',
                      response.text)
    assert found, f"no error shown next to {key}"
    return html.unescape(found.group(1))


GOOD = {"stage_count": "2", "title": "Two stages", "role": "ML engineer",
        "feedback": "after_submission", "s0.name": "Warm-up", "s0.minutes": "10",
        "s0.exercise": CHOICE, "s1.name": "Coding", "s1.minutes": "30", "s1.exercise": CODE}


ERROR_CASES = [  # what is changed in a good form, where the error shows, the sentence, kept
    ({"s1.exercise": "foo-bar"}, "stage-1-exercises",
     "Stage 2: no exercise 'foo-bar' in the bank", 'value="foo-bar"'),
    ({"s0.weight": "-2"}, "stage-0-weight",
     "Stage 1: the weight must be more than 0 (you gave '-2')", 'value="-2"'),
    ({"s0.weight": "heavy"}, "stage-0-weight",
     "Stage 1: the weight must be a number (you gave 'heavy')", 'value="heavy"'),
    ({"s1.name": ""}, "stage-1-name", "Stage 2: the stage name is required",
     'name="s1.minutes" value="30"'),
    ({"title": ""}, "title", "The title is required", 'name="role" value="ML engineer"'),
    ({"s1.exercise": ""}, "stage-1-exercises",
     "Stage 2: a stage needs at least one exercise: add one from the bank or a pick (by "
     "competency, level and kind)", 'name="s1.name" value="Coding"'),
    ({"s1.minutes": "half an hour"}, "stage-1-minutes",
     "Stage 2: the time limit must be a whole number of minutes (you gave 'half an hour')",
     'value="half an hour"'),
    ({"s1.minutes": "600"}, "stage-1-minutes",
     "Stage 2: the time limit must be at most 480 minutes (you gave '600')", 'value="600"'),
    ({"s1.screening": "1"}, "stage-1-screening",
     "Stage 2: only the first stage can be a screening stage", "checked"),
]


def test_each_form_error_names_the_stage_as_people_count_and_the_field_and_keeps_the_input(
        site: Any) -> None:
    web = _admin(site)
    loop_id = site.ids["loop"]
    before = definition_of(web, loop_id)
    for change, key, problem, kept in ERROR_CASES:
        fields = [(k, v) for k, v in {**GOOD, **change}.items() if v != ""]
        response = post_form(web, f"/team/loops/{loop_id}/form", fields, "save")
        assert response.status_code == 422, change
        assert _problems(response) == [problem]
        words = problem.partition(": ")[2] if problem.startswith("Stage") else problem
        assert _field_error(response, key) == words[:1].upper() + words[1:]
        assert f'aria-describedby="err-{key}"' in response.text, change
        assert kept in response.text.split('id="picker-heading"')[0], change
        assert "stage[" not in response.text
    assert definition_of(web, loop_id) == before  # nothing was saved


def test_the_toml_editor_and_the_api_name_the_stage_and_the_unknown_exercise(site: Any) -> None:
    web = _admin(site)
    loop_id = site.ids["loop"]
    toml = ('title = "Bad"\nrole = "ML engineer"\n\n[[stage]]\nname = "One"\nminutes = 10\n'
            f'exercises = ["{CHOICE}"]\nbogus_key = 1\n\n[[stage]]\nname = "Two"\n'
            'minutes = 10\nexercises = ["foo-bar"]\n')
    response = web.form(f"/team/loops/{loop_id}", {"definition": toml})
    assert response.status_code == 422
    problems = _problems(response)
    assert problems[0].startswith("Stage 1: unknown setting 'bogus_key'")
    assert "<textarea" in response.text
    assert "bogus_key = 1" in html.unescape(response.text)
    fixed = toml.replace("bogus_key = 1\n", "")
    response = web.form(f"/team/loops/{loop_id}", {"definition": fixed})
    assert _problems(response) == ["Stage 2: no exercise 'foo-bar' in the bank"]
    api = web.json("PUT", f"/api/v1/loops/{loop_id}",
                   {"definition": tomllib.loads(fixed)})
    assert api.status_code == 422
    assert api.json()["detail"] == "Stage 2: no exercise 'foo-bar' in the bank"
    outside = {**tomllib.loads(fixed.replace("foo-bar", CODE)), "principles": "../../x.toml"}
    api = web.json("PUT", f"/api/v1/loops/{loop_id}", {"definition": outside})
    assert api.json()["detail"] == ("The principles file must be a path inside the data "
                                    "folder, without '..' (you gave '../../x.toml')")


def test_the_form_adds_reorders_and_removes_stages_and_the_picker_filters_the_bank(
        site: Any) -> None:
    web = _admin(site)
    loop_id = site.ids["loop"]
    url = f"/team/loops/{loop_id}/form"
    fields = form_fields(web.get(f"/team/loops/{loop_id}").text)
    page = post_form(web, url, fields, "add_stage")
    fields = [(k, v) for k, v in form_fields(page.text) if k != "s1.name"] + [
        ("s1.name", "Second"), ("s1.minutes", "15"), ("picker_competency", "coding"),
        ("picker_kind", "code"), ("picker_level", "junior"), ("picker_minutes", "20")]
    page = post_form(web, url, [f for f in fields if not f[0].startswith("picker_")
                                or f[1]], "filter")
    shown = re.findall(r'<tr data-id="([^"]+)"[^>]*?(?<! hidden)>', page.text)
    assert set(shown) == {"coding/edit-distance", "ml-foundations/kmeans-step"}
    assert 'selected>Stage 2: Second</option>' in page.text  # the new stage is the target
    page = post_form(web, url, form_fields(page.text), "add_exercise:coding/edit-distance")
    page = post_form(web, url, form_fields(page.text), "stage_up:1")
    fields = form_fields(page.text)
    assert [v for k, v in fields if k.endswith(".name")] == ["Second", "Everything"]
    assert ("s0.exercise", "coding/edit-distance") in fields
    saved = post_form(web, url, fields, "save")
    assert saved.status_code == 303, _problems(saved)
    assert [s["name"] for s in definition_of(web, loop_id)["stage"]] == ["Second", "Everything"]
    page = post_form(web, url, form_fields(web.get(f"/team/loops/{loop_id}").text),
                     "remove_stage:0")
    assert post_form(web, url, form_fields(page.text), "save").status_code == 303
    assert [s["name"] for s in definition_of(web, loop_id)["stage"]] == ["Everything"]


def test_preview_of_every_built_in_loop_shows_each_stage_as_a_candidate_sees_it_and_stores_nothing(
        site: Any) -> None:
    web = _admin(site)
    bank = builtin_bank()
    with site.platform.db.session() as s:
        counts = (s.scalar(select(func.count()).select_from(Interview)),
                  s.scalar(select(func.count()).select_from(Answer)))
    previews = []  # each template as it is, and a loop made from it
    for template in TEMPLATES:
        created = web.form("/team/loops", {"template": template})
        loop_id = int(created.headers["location"].rsplit("/", 1)[1])
        definition = definition_of(web, loop_id)
        previews += [(template, f"/team/templates/{template}/preview", definition),
                     (template, f"/team/loops/{loop_id}/preview", definition)]
    for template, base, definition in previews:
        overview = web.get(base)
        assert overview.status_code == 200
        stages = re.findall(rf'href="{base}/(\d+)\?seed=1"', overview.text)
        assert [int(i) for i in stages] == list(range(len(definition["stage"])))
        plan = resolve_loop(validate_loop(site.platform, definition), bank, 1)
        for index, stage in enumerate(definition["stage"]):
            page = web.get(f"{base}/{index}?seed=1")
            assert page.status_code == 200
            text = html.unescape(page.text)
            assert f"<h1>{stage['name']}</h1>" in text
            assert f">{stage['minutes']}:00 left</div>" in text  # shown, not running
            assert "data-deadline" not in text
            assert 'id="submit-stage"' not in text
            planned = plan[index].exercises
            assert len(re.findall(r'<article class="exercise card"', text)) == len(planned)
            for exercise_id in (e.exercise_id for e in planned):
                exercise = bank.get(exercise_id)
                assert exercise.meta.title in text
                shown = [c.decode("utf-8", "replace") for c in exercise.public_files.values()]
                for name in exercise.hidden.names():
                    for line in _distinctive(name, exercise.hidden.read_text(name), shown):
                        if line not in "\n".join(shown):
                            assert line not in text, f"{template}: {exercise_id}/{name}"
            assert not re.search(r"\brubric\b|key point", text, re.I)
    with site.platform.db.session() as s:
        assert (s.scalar(select(func.count()).select_from(Interview)),
                s.scalar(select(func.count()).select_from(Answer))) == counts


# --- in Chromium, against a real server ---------------------------------------------------------

@pytest.mark.slow
def test_building_editing_and_previewing_a_loop_in_chromium(tmp_path: Path) -> None:
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    OUTPUT.mkdir(parents=True, exist_ok=True)
    server = Server(tmp_path / "data")
    server.start(threads=0)
    try:
        api = server.add_admin(ADMIN, PASSWORD)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            team = context.new_page()
            errors: list[str] = []
            team.on("pageerror", lambda e: errors.append(str(e)))
            team.goto(server.url + "/login")
            team.fill("input[name=email]", ADMIN)
            team.fill("input[name=password]", PASSWORD)
            team.click("button[type=submit]")
            # build a loop: two stages, exercises found with the picker's filters
            team.goto(server.url + "/team/loops")
            team.click("text=Build a loop")
            team.fill("input[name=title]", "Built in the browser")
            team.fill("input[name=role]", "ML engineer")
            team.fill('input[name="s0.name"]', "Numbers")
            team.fill('input[name="s0.minutes"]', "12")
            rows = team.locator("#picker-table tbody tr:visible")
            total = rows.count()
            team.select_option("select[name=picker_kind]", "code")
            team.select_option("select[name=picker_competency]", "coding")
            team.select_option("select[name=picker_level]", "junior")
            team.select_option("select[name=picker_minutes]", "20")
            expect(rows).to_have_count(2)  # filtered in the page, as you choose
            team.fill("input[name=picker_q]", "edit")
            expect(rows).to_have_count(1)
            expect(team.locator(".picker-count")).to_have_text(f"1 of {total} exercises")
            rows.first.get_by_role("button", name="Add").click()
            expect(team.locator('#stage-0 input[name="s0.exercise"]')).to_have_value(
                "coding/edit-distance")
            expect(team.locator("input[name=title]")).to_have_value("Built in the browser")
            team.click("text=Add a stage")
            team.fill('input[name="s1.name"]', "Calibration")
            team.fill('input[name="s1.minutes"]', "15")
            team.fill('input[name="s1.add_ids"]', "foo-bar")
            team.get_by_role("button", name="Save loop").click()
            expect(team.locator('#err-stage-1-exercises')).to_have_text(
                "No exercise 'foo-bar' in the bank")
            expect(team.locator(".problems")).to_contain_text(
                "Stage 2: no exercise 'foo-bar' in the bank")
            team.screenshot(path=str(OUTPUT / "form-error.png"), full_page=True)
            team.get_by_role("button", name="Remove foo-bar from stage 2").click()
            for name in ("kind", "competency", "level", "minutes"):
                team.select_option(f"select[name=picker_{name}]", "")
            team.fill("input[name=picker_q]", "calibration")
            team.select_option("select[name=picker_stage]", "1")
            team.locator('#picker-table tr[data-id="ml-foundations/probability-calibration"]'
                         ).get_by_role("button", name="Add").click()
            team.get_by_role("button", name="Move stage 2 up").click()
            expect(team.locator("#stage-0 legend")).to_have_text("Stage 1: Calibration")
            team.get_by_role("button", name="Save loop").click()
            expect(team.locator(".ok[role=status]")).to_contain_text("Saved")
            loop_id = int(team.url.split("/team/loops/")[1].split("?")[0])
            stored = api.call("GET", f"/loops/{loop_id}")["definition"]
            assert [(s["name"], s["minutes"], s["exercises"]) for s in stored["stage"]] == [
                ("Calibration", 15, ["ml-foundations/probability-calibration"]),
                ("Numbers", 12, ["coding/edit-distance"])]
            # edit: remove the first stage
            team.get_by_role("button", name="Remove stage 1", exact=True).click()
            team.get_by_role("button", name="Save loop").click()
            expect(team.locator(".ok[role=status]")).to_contain_text("Saved")
            stored = api.call("GET", f"/loops/{loop_id}")["definition"]
            assert [s["name"] for s in stored["stage"]] == ["Numbers"]
            team.screenshot(path=str(OUTPUT / "form.png"), full_page=True)
            # TOML for power users: a long line scrolls inside its box
            team.click("text=Edit as TOML")
            expect(team.locator(".cm-editor")).to_be_visible()
            team.locator(".cm-content").click()
            team.keyboard.press("Control+End")
            team.keyboard.insert_text("\n# " + "a very long comment " * 60)
            wide = team.evaluate("document.documentElement.scrollWidth")
            assert wide <= 1280, f"the page is {wide} px wide"
            team.screenshot(path=str(OUTPUT / "toml.png"), full_page=True)
            # preview as candidate: the candidate's page, the timer still, nothing sent
            sent: list[str] = []
            team.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
            team.goto(server.url + f"/team/loops/{loop_id}/preview")
            team.click("text=Open stage 1")
            timer = team.locator(".timer")
            expect(timer).to_have_text("12:00 left")
            expect(team.locator(".cm-editor")).to_be_visible()  # the candidate's editor
            team.locator(".cm-content").first.click()
            team.keyboard.type("def edit_distance(a, b):\n    return 0\n")
            team.wait_for_timeout(3500)  # longer than the autosave interval
            expect(timer).to_have_text("12:00 left")
            expect(team.locator(".save-state").first).to_have_text(
                "Preview: nothing is saved")
            assert sent == [], sent
            team.screenshot(path=str(OUTPUT / "preview-stage.png"), full_page=True)
            assert not errors, errors
            # without JavaScript the form still adds a stage and saves
            plain = browser.new_context(java_script_enabled=False).new_page()
            plain.goto(server.url + "/login")
            plain.fill("input[name=email]", ADMIN)
            plain.fill("input[name=password]", PASSWORD)
            plain.click("button[type=submit]")
            plain.goto(server.url + f"/team/loops/{loop_id}")
            plain.click("text=Add a stage")
            plain.fill('input[name="s1.name"]', "No script")
            plain.fill('input[name="s1.minutes"]', "5")
            plain.fill("input[name=picker_q]", "kmeans")
            plain.get_by_role("button", name="Filter").click()
            expect(plain.locator("#picker-table tbody tr:visible")).to_have_count(1)
            plain.get_by_role("button", name="Add ml-foundations/kmeans-step").click()
            plain.get_by_role("button", name="Save loop").click()
            expect(plain.locator(".ok[role=status]")).to_contain_text("Saved")
            stored = api.call("GET", f"/loops/{loop_id}")["definition"]
            assert stored["stage"][1]["exercises"] == ["ml-foundations/kmeans-step"]
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(tmp_path / "data", ignore_errors=True)
