"""Every page of both sides fits a phone: Chromium at 360x740, 390x844 and 768x1024 on every
GET page route the app has, against a real ``hireloop serve`` with a seeded site (a loop with
an answer of each kind, candidates before, during and after their stages, a live room, a
practice answer, setup and reset links). At each width the page must not scroll sideways
(``document.documentElement.scrollWidth <= window.innerWidth``); a full-page screenshot of
each is kept in ``test-output/responsive/<page>-<width>.png``.

The list of pages comes from the app's own routes, so a page added later is covered by itself
when its path parameters are among those the seeded site fills; a GET route this test cannot
fill fails it with its name. ``NOT_PAGES`` lists the GET routes that are no pages (JSON,
downloads, fragments that their pages load, streams, redirects)."""

from __future__ import annotations

import os
import re
import string
import time
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import BANK_DIR, CODE, TEXT, builtin_bank
from tests.web.server import Api, Server
from tests.web.test_authorisation import all_routes

CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = Path(os.environ.get("HIRELOOP_TEST_OUTPUT",
                             Path(__file__).resolve().parents[2] / "test-output")) / "responsive"
SIZES = ((360, 740), (390, 844), (768, 1024))
ADMIN, PASSWORD = "admin@example.com", "a long admin password"
SINGLE = "automl/hpo-strategy-tight-gpu-budget"
MULTI = "ethics/hiring-screen-adverse-impact-audit"
NUMBER = "ml-foundations/screening-model-positive-posterior"
FILES = "ml_task/automl-budget"
SPOKEN = "spoken/explain-fraud-block-to-executive"

NOT_PAGES = {
    "/": "a redirect to the sign-in page or the dashboard",
    "/healthz": "JSON",
    "/take/my-data": "a JSON download",
    "/team/events": "a stream of server-sent events",
    "/team/loops/{loop_id}/export.{fmt}": "a download",
    "/team/loops/{loop_id}/audit.csv": "a download",
    "/team/interviews/{interview_id}/export.{fmt}": "a download",
    "/team/interviews/{interview_id}/scorecard.pdf": "a download",
    "/shared/{token}/scorecard.pdf": "a download",
    "/team/answers/{answer_id}/recording": "a recording",
    "/take/answers/{answer_id}/attachment": "an exercise's PDF",
    "/practice/answers/{answer_id}/attachment": "an exercise's PDF",
    "/take/answers/{answer_id}/trial": "JSON",
    "/take/answers/{answer_id}/upload": "JSON",
    "/practice/answers/{answer_id}/trial": "JSON",
    "/practice/answers/{answer_id}/upload": "JSON",
    "/live/{room_id}/state": "JSON",
    # fragments, checked inside the pages that load them
    "/take/stage/{index}/status": "a fragment of the stage and completion pages",
    "/practice/answers/{answer_id}/status": "a fragment of the practice page",
    "/team/interviews/{interview_id}/jobs": "a fragment of the review page",
    "/team/interviews/{interview_id}/live": "a fragment of the review page",
    "/team/answers/{answer_id}/signals": "a fragment of the review page",
}
"""GET routes that are not pages; every other GET route outside /api/ is visited"""


# --- the seeded site ------------------------------------------------------------------------

def _candidate_answers(api: Api, stage: int) -> list[dict[str, Any]]:
    api.call("POST", f"/take/stages/{stage}/start")
    taken = api.call("GET", "/take")
    return next(s for s in taken["stages"] if s["index"] == stage)["exercises"]


def _answer_stage(api: Api, stage: int) -> None:
    """Save an answer to each exercise of the stage (as a candidate would) and submit it."""
    for item in _candidate_answers(api, stage):
        view, exercise = item["view"], item["view"]["id"]
        body: dict[str, Any]
        if view["input_kind"] == "choice":
            body = {"text": view["fields"]["options"][0]["id"]}
        elif view["input_kind"] == "multi_choice":
            body = {"text": ", ".join(o["id"] for o in view["fields"]["options"][:2])}
        elif view["input_kind"] == "number":
            body = {"text": "0.42"}
        elif exercise == CODE:
            body = {"text": (BANK_DIR / CODE / "hidden" / "reference.py").read_text()}
        elif view["input_kind"] == "files":
            body = {"files": {f["path"]: f["content"] for f in view["fields"]["files"]
                              if f["editable"]}}
        elif view["input_kind"] == "audio":
            continue  # no recording: graded "not gradable" at once
        else:
            body = {"text": (BANK_DIR / TEXT / "samples" / "exemplary.md").read_text()}
        api.call("PUT", f"/take/answers/{item['answer_id']}", body)
    api.call("POST", f"/take/stages/{stage}/submit")


def seed(server: Server) -> dict[str, Any]:
    """An admin, team A with an interviewer, a loop of three stages (a choice, a multiple
    choice, a number, a code and a text exercise; an ML project and a spoken answer; a live
    stage) and three candidates: A has handed everything in (its room is open), B has not
    opened the link yet, C has handed in the first stage."""
    added = server.cli("user", "add", "--admin", ADMIN, "--password-stdin",
                       stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    admin = Api.login(server.url, ADMIN, PASSWORD)
    team = admin.call("POST", "/teams", {"name": "Team A"}, ok=201)
    ivy = admin.call("POST", "/users", {"email": "ivy@example.com", "password": PASSWORD,
                                        "role": "interviewer", "name": "Ivy Interviewer",
                                        "team_id": team["id"]}, ok=201)
    loop = admin.call("POST", "/loops", {"team_id": team["id"], "definition": {
        "title": "Every kind of answer", "role": "ML engineer", "feedback": "after_submission",
        "stage": [
            {"name": "Written", "minutes": 40,
             "exercises": [SINGLE, MULTI, NUMBER, CODE, TEXT]},
            {"name": "Project and talk", "minutes": 45, "exercises": [FILES, SPOKEN]},
            {"name": "Pairing", "minutes": 30, "live": True, "exercises": [TEXT]}]}}, ok=201)
    people = {}
    for key, name in (("a", "Ada Lovelace-Byron"), ("b", "Bo Li"), ("c", "Chidi Okafor")):
        people[key] = admin.call("POST", "/interviews", {
            "name": name, "email": f"{key}.candidate.with.a.long.address@example.com",
            "loop_id": loop["id"], "interviewers": [ivy["id"]]}, ok=201)
    a = Api.candidate(server.url, people["a"]["link"])
    a.call("POST", "/take/consent")
    _answer_stage(a, 0)
    _answer_stage(a, 1)
    c = Api.candidate(server.url, people["c"]["link"])
    c.call("POST", "/take/consent")
    _answer_stage(c, 0)
    start = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() - 60))
    scheduled = admin.client.post(
        f"/team/interviews/{people['a']['id']}/live/2",
        data={"starts_at": start, "minutes": "30", "interviewers": str(ivy["id"]),
              "meeting_link": "https://meet.example.com/a-very-long-meeting-link-abc-defg"})
    assert scheduled.status_code == 303, scheduled.text
    live = admin.client.get(f"/team/interviews/{people['a']['id']}/live").text
    room_id = int(live.split('href="/live/')[1].split('"')[0])
    detail = admin.call("GET", f"/interviews/{people['a']['id']}")
    reset = admin.call("POST", f"/users/{ivy['id']}/reset")["link"]
    site = {"admin": admin, "people": people, "loop": loop, "room_id": room_id,
            "ivy": ivy, "reset": reset, "detail": detail}
    # the team's other objects, made as the admin would through their pages
    shared = admin.client.post(f"/team/interviews/{people['a']['id']}/shares",
                               data={"days": "7"})
    found = re.search(r"/shared/([A-Za-z0-9_-]+)", shared.text)
    if found:
        site["share_token"] = found.group(1)
    hook = admin.client.post("/team/webhooks", data={
        "url": "http://127.0.0.1:9/hooks/hireloop", "event": ["interview.decided"],
        "description": "The ATS"}, follow_redirects=True)
    found = re.search(r"/team/webhooks/(\d+)", hook.text)
    if found:
        site["webhook_id"] = int(found.group(1))
    return site


def graded(admin: Api, interview_id: int, timeout: float = 150) -> bool:
    """Whether every handed-in answer of the interview is graded (waiting up to timeout)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answers = admin.call("GET", f"/interviews/{interview_id}")["answers"]
        states = [(a["job"] or {}).get("state") for a in answers if a["submitted_at"]]
        if states and all(s in ("graded", "failed") for s in states):
            return True
        time.sleep(0.5)
    return False


# --- the pages ------------------------------------------------------------------------------

def route_paths(data: Path) -> set[str]:
    """Every GET path of the app, from its own routes (an app on a throwaway database)."""
    from hireloop.config import Settings
    from hireloop.hiring.service import Platform
    from hireloop.jobs import Runtime
    from hireloop.web import create_app

    settings = Settings(data_dir=data)
    platform = Platform.create(settings, Runtime.create(settings, bank=builtin_bank()))
    app = create_app(settings, platform, grading_threads=0)
    return {path for method, path in all_routes(app) if method == "GET"}


def fields(path: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(path) if name]


def context_for(path: str) -> str:
    for prefix, who in (("/take", "candidate_a"), ("/practice", "practice"),
                        ("/team", "admin"), ("/live", "admin")):
        if path.startswith(prefix):
            return who
    return "anonymous"


def _overflow(page: Any) -> dict[str, Any]:
    """The page's width and, when it is wider than the window, the outermost elements that
    stick out (those inside a box that scrolls or clips are that box's business)."""
    return dict(page.evaluate("""() => {
        const inner = window.innerWidth, doc = document.documentElement;
        const wide = [];
        const contained = (el) => {
            for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
                if (getComputedStyle(p).overflowX !== "visible") return true;
            }
            return false;
        };
        if (doc.scrollWidth > inner) {
            for (const el of document.body.querySelectorAll("*")) {
                const r = el.getBoundingClientRect();
                if (r.right <= inner + 0.5 || r.width === 0 || contained(el)) continue;
                if (wide.some((w) => w.el.contains(el))) continue;
                const cls = el.className && typeof el.className === "string"
                    ? "." + el.className.trim().split(/\\s+/).join(".") : "";
                const id = el.id ? "#" + el.id : "";
                wide.push({el, text: `${el.tagName.toLowerCase()}${id}${cls} ` +
                                    `(${Math.round(r.left)}-${Math.round(r.right)} px)`});
            }
        }
        return {scroll: doc.scrollWidth, inner, wide: wide.slice(0, 6).map((w) => w.text)};
    }"""))


@pytest.mark.slow
def test_every_page_of_both_sides_fits_360_390_and_768_pixels(tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is missing: apt-get install chromium (scripts/test does)")
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    OUTPUT.mkdir(parents=True, exist_ok=True)
    for old in OUTPUT.glob("*.png"):  # only this run's screenshots
        old.unlink()
    paths = route_paths(tmp_path / "routes")
    # webhooks may be sent to this machine's closed discard port (none arrives)
    server = Server(tmp_path / "data", env={"HIRELOOP_WEBHOOK_ALLOW_HOSTS": "127.0.0.1"})
    server.start(threads=2)
    setup = re.search(r"http://\S+/setup/(\S+)", server.log.read_text())
    assert setup, "the first start prints a one-time setup link"
    problems: list[str] = []
    checked: dict[str, list[str]] = {}
    timings: list[tuple[float, str]] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
            pages: dict[str, Any] = {}

            def tab(who: str) -> Any:
                if who not in pages:
                    context = browser.new_context(viewport={"width": 360, "height": 740})
                    pages[who] = context.new_page()
                    pages[who].on("dialog", lambda d: d.accept())
                return pages[who]

            def check(route: str, who: str, url: str, label: str = "") -> None:
                page = tab(who)
                started = time.monotonic()
                try:
                    response = page.goto(server.url + url, wait_until="load")
                except PlaywrightError as exc:  # a download, say
                    why = exc.message.splitlines()[0]
                    problems.append(f"{route} ({url}) is not an HTML page ({why}): add it to "
                                    "NOT_PAGES with why")
                    return
                name = (label or url.strip("/").replace("/", "-") or "home").replace(".", "-")
                if response is None or response.status >= 400:
                    problems.append(f"{route} ({url} as {who}): HTTP "
                                    f"{response.status if response else '?'}")
                    return
                if "text/html" not in (response.headers.get("content-type") or "") or \
                        not response.text().lstrip()[:15].lower().startswith("<!doctype html"):
                    problems.append(f"{route} ({url}) is not an HTML page: add it to "
                                    "NOT_PAGES with why")
                    return
                page.wait_for_function("() => !document.querySelector('.htmx-request')",
                                       timeout=10_000)
                for width, height in SIZES:
                    page.set_viewport_size({"width": width, "height": height})
                    page.evaluate("() => new Promise(r => requestAnimationFrame(() => "
                                  "requestAnimationFrame(r)))")
                    found = _overflow(page)
                    if found["scroll"] > found["inner"]:
                        problems.append(f"{name} at {width} px: {found['scroll']} px wide: "
                                        + "; ".join(found["wide"]))
                    page.screenshot(path=str(OUTPUT / f"{name}-{width}.png"), full_page=True)
                page.set_viewport_size({"width": 360, "height": 740})
                checked.setdefault(route, []).append(name)
                timings.append((time.monotonic() - started, name))

            # before the first admin exists: the one-time setup page
            check("/setup/{token}", "anonymous", f"/setup/{setup.group(1)}", "setup")
            site = seed(server)
            a, b, c = (site["people"][k] for k in "abc")
            check("/login", "anonymous", "/login")
            check("/reset/{token}", "anonymous", "/reset/" + site["reset"].rsplit("/", 1)[1],
                  "reset")
            check("/practice", "practice", "/practice")
            practice = tab("practice")
            practice.locator("form:has(select[name=competency]) button").click()
            practice.wait_for_url(re.compile(r"/practice/answers/\d+$"))
            practice_id = practice.url.rsplit("/", 1)[1]
            check("/practice/answers/{answer_id}", "practice",
                  f"/practice/answers/{practice_id}", "practice-answer")
            # candidate B: the invitation link opens the consent page, then a stage in progress
            check("/i/{token}", "candidate_b", "/i/" + b["link"].rsplit("/", 1)[1], "consent")
            tab("candidate_b").click("text=I understand")
            check("/take/stage/{index}", "candidate_b", "/take/stage/0", "stage-written")
            # candidate C: the overview with a spoken stage ready, then that stage in progress
            tab("candidate_c").goto(server.url + "/i/" + c["link"].rsplit("/", 1)[1])
            check("/take", "candidate_c", "/take", "take-before-spoken")
            check("/take/stage/{index}", "candidate_c", "/take/stage/1", "stage-project-talk")
            # candidate A: everything handed in
            tab("candidate_a").goto(server.url + "/i/" + a["link"].rsplit("/", 1)[1])
            check("/take", "candidate_a", "/take", "take-finished")
            check("/take/stage/{index}", "candidate_a", "/take/stage/0", "stage-submitted")
            check("/live/{room_id}", "candidate_a", f"/live/{site['room_id']}",
                  "live-room-candidate")
            # the team, signed in as the admin
            team = tab("admin")
            team.goto(server.url + "/login")
            team.fill("input[name=email]", ADMIN)
            team.fill("input[name=password]", PASSWORD)
            team.click("button[type=submit]")
            team.wait_for_url(re.compile(r"/team$"))
            values: dict[str, Any] = {
                "interview_id": a["id"], "loop_id": site["loop"]["id"], "index": 0,
                "room_id": site["room_id"], "user_id": site["ivy"]["id"],
                "candidate_id": site["detail"]["candidate"]["id"], "fmt": "csv",
                "answer_id": site["detail"]["answers"][0]["id"]}
            if "share_token" in site:
                values["token"] = site["share_token"]  # the only page with a token left
            if "webhook_id" in site:
                values["webhook_id"] = site["webhook_id"]
            values["template_id"] = "ml-engineer-phone-screen"  # a built-in loop template
            try:
                from hireloop.notify.mail import KINDS
                values["kind"] = KINDS[0]
            except ImportError:
                pass
            check("/team/compare", "admin", f"/team/compare?id={a['id']}&id={c['id']}",
                  "team-compare")
            check("/live/{room_id}", "admin", f"/live/{site['room_id']}", "live-room-team")
            # the interview's own pages last: they show the grades, which take a while
            waited = False
            for route in sorted(paths, key=lambda r: ("{interview_id}" in r, r)):
                if route.startswith(("/api/", "/static")) or route in NOT_PAGES or \
                        route in checked:
                    continue
                if "{interview_id}" in route and not waited:
                    assert graded(site["admin"], a["id"]), "the answers were not graded"
                    waited = True
                missing = [f for f in fields(route) if f not in values]
                if missing:
                    problems.append(f"{route}: this test cannot fill {', '.join(missing)}; "
                                    "seed it in test_responsive.py (or list the route in "
                                    "NOT_PAGES if it is not a page)")
                    continue
                name = route.format(**{**values, "token": "link"}).strip("/").replace("/", "-")
                check(route, context_for(route), route.format(**values), name)
            browser.close()
    finally:
        server.stop()
    unchecked = sorted(r for r in paths if not r.startswith(("/api/", "/static"))
                       and r not in NOT_PAGES and r not in checked)
    print("slowest pages:", sorted(timings, reverse=True)[:8])
    assert not problems, "\n".join(problems)
    assert not unchecked, f"pages never checked: {unchecked}"
    assert len(list(OUTPUT.glob("*.png"))) >= 3 * len(checked)


