"""Nothing a candidate can reach shows hidden content: hidden tests and reference solutions,
answer keys, rubrics and reference answers, grader notes for interviewers, the team's notes,
override reasons and interviewers' ratings with their justifications, or another candidate's
data.

Candidate A takes the whole interview with the most generous feedback policy (immediately),
the team grades, overrides, writes notes and rates, then every page and API response A can reach is
collected and searched for each secret. A live stage of A's interview is open too: its
interviewers write private notes in the panel, record a rubric mark, and the panel shows the
key points A's draft covers and the follow-up questions; A's room page, its state, the whole
shared document A receives and A's attempt at the panel's websocket are searched as well.
"""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from hireloop.db.models import Answer
from tests.web.conftest import BANK_DIR, CODE, builtin_bank, exercise_answers

CANARY_NOTE = "CANARY-NOTE-7f3a: candidate oversold the project"
CANARY_RATING = "CANARY-RATING-2e94: vague on the prior"
CANARY_REASON = "CANARY-REASON-91bc: answer copied"
CANARY_PANEL = "CANARY-PANEL-5d20: ask about the deployment story"
CANARY_MARK = "CANARY-MARK-c7e1: hesitated on calibration"
CANARY_SIGNALS = "CANARY-SIGNALS-{}: typed in the page, kept as a signal"


CANDIDATE_FACING = (".explanation", ".feedback", ".key_point.hint")
"""hidden fields written to be shown with the grade when the loop's policy allows: an answer
key's explanation and per-option feedback, and a rubric key point's hint. Everything else
(reference answers and solutions, tests, key points themselves, phrasings, must-not lists,
notes) must never reach a candidate."""


def _distinctive(name: str, text: str, shown: list[str]) -> list[str]:
    """Long lines of a hidden file (TOML: of its string values, minus candidate-facing ones,
    which are added to ``shown``)."""
    if name.endswith(".toml"):
        strings: list[str] = []

        def walk(value: Any, path: str) -> None:
            if any(path.endswith(word) for word in CANDIDATE_FACING):
                shown.append(str(value))
                return
            if isinstance(value, dict):
                for k, v in value.items():
                    walk(v, f"{path}.{k}")
            elif isinstance(value, list):
                for v in value:
                    walk(v, path)  # array items keep their table's path
            elif isinstance(value, str):
                strings.append(value)

        walk(tomllib.loads(text), "")
        text = "\n".join(strings)
    lines = [line.strip() for line in text.splitlines()]
    return [line for line in lines if len(line) >= 30]


def _secrets(site: Any, interview_id: int) -> dict[str, str]:
    """Distinctive lines of every hidden file of the interview's exercises, and more."""
    bank = builtin_bank()
    found: dict[str, str] = {}
    with site.platform.db.session() as s:
        answers = s.query(Answer).filter_by(interview_id=interview_id).all()
        exercise_ids = {a.exercise_id for a in answers}
        other = s.query(Answer).filter_by(interview_id=site.ids["b"]).all()
        grades = [a.jobs[-1].grade for a in answers if a.jobs and a.jobs[-1].grade]
    for exercise_id in exercise_ids:
        exercise = bank.get(exercise_id)
        # public: the exercise's own files, the candidate's own answers, and hidden strings
        # meant for the candidate; a hidden line that is also public is no secret
        shown = [content.decode("utf-8", "replace")
                 for content in exercise.public_files.values()]
        shown += [a.text or "" for a in answers]
        lines = {f"{exercise_id}/hidden/{name} #{i}": line
                 for name in exercise.hidden.names()
                 for i, line in enumerate(_distinctive(name, exercise.hidden.read_text(name),
                                                       shown))}
        public = "\n".join(shown)
        found.update({k: v for k, v in lines.items() if v not in public})
    for grade in grades:
        for note in grade.get("notes", []):
            if len(note) >= 20:
                found[f"grade note of {grade['exercise_id']}"] = note[:200]
    found["team note"] = CANARY_NOTE
    found["override reason"] = CANARY_REASON
    found["candidate B's name"] = "Bob Candidate"
    found["candidate B's email"] = "bob@example.com"
    for a in other:
        if a.text and len(a.text.strip()) >= 12:
            found[f"candidate B's answer {a.id}"] = a.text.strip()[:80]
    return found


def test_no_response_a_candidate_can_reach_contains_hidden_content(make_site) -> None:
    site = make_site(feedback="immediately")
    bank = builtin_bank()
    # candidate B answers first, so there is someone else's data to leak
    b = site.client()
    b.open_invitation(site.ids["link_b"])
    b.form("/take/consent")
    b.get("/take/stage/0")
    with site.platform.db.session() as s:
        b_answers = [x.id for x in s.query(Answer).filter_by(interview_id=site.ids["b"])]
    for answer_id in b_answers:
        b.json("POST", f"/take/answers/{answer_id}/save",
               {"text": f"Bob's private answer number {answer_id}, not for Ada"})
        assert b.client.post(
            f"/take/answers/{answer_id}/signals", headers={"X-CSRF-Token": b.csrf},
            json={"page": "b", "seq": 0, "t0": 1796000000000,
                  "events": [["s", 0, CANARY_SIGNALS.format("bob")]]}).status_code == 200

    a = site.client()
    a.open_invitation(site.ids["link_a"])
    bodies: list[tuple[str, str]] = []

    def grab(url: str, response: Any) -> None:
        bodies.append((url, response.text))

    grab("/take (consent)", a.get("/take"))
    a.form("/take/consent")
    grab("/take", a.get("/take"))
    grab("/take/stage/0", a.get("/take/stage/0"))
    with site.platform.db.session() as s:
        answers = [{"id": x.id, "exercise_id": x.exercise_id, "seed": x.seed}
                   for x in s.query(Answer).filter_by(interview_id=site.ids["a"])
                   .order_by(Answer.id)]
    good = exercise_answers(bank, answers)
    for answer in answers:  # a candidate's own code, not the hidden reference solution
        if answer["exercise_id"] == CODE:
            good[answer["id"]] = {"text": (BANK_DIR / CODE / "samples" / "log_of_softmax.py")
                                  .read_text()}
    for answer in answers:
        grab("save", a.json("POST", f"/take/answers/{answer['id']}/save", good[answer["id"]]))
        recorded = a.client.post(
            f"/take/answers/{answer['id']}/signals", headers={"X-CSRF-Token": a.csrf},
            json={"page": "a", "seq": 0, "t0": 1796000000000,
                  "events": [["s", 0, CANARY_SIGNALS.format("ada")]]})
        assert recorded.status_code == 200
        grab("signals", recorded)
        started = a.json("POST", f"/take/answers/{answer['id']}/trial")
        grab("trial start", started)
    import time

    for answer in answers:
        for _ in range(200):
            state = a.client.get(f"/take/answers/{answer['id']}/trial").json()
            if not state["running"]:
                break
            time.sleep(0.1)
        grab("trial", a.client.get(f"/take/answers/{answer['id']}/trial"))
    grab("api take", a.client.get("/api/v1/take"))
    a.form("/take/stage/0/submit")
    site.wait_for_jobs()

    team = site.client()
    team.login("interviewer@example.com")
    detail = team.client.get(f"/api/v1/interviews/{site.ids['a']}").json()
    graded = next(x for x in detail["answers"] if x["criteria"])
    team.form(f"/team/interviews/{site.ids['a']}/answers/{graded['id']}/override",
              {"criterion": graded["criteria"][0]["name"], "points": 0,
               "reason": CANARY_REASON})
    team.form(f"/team/interviews/{site.ids['a']}/notes", {"body": CANARY_NOTE})
    rated = team.json("PUT", f"/api/v1/interviews/{site.ids['a']}/ratings", {"ratings": [
        {"competency": c, "value": 2, "justification": f"{CANARY_RATING} ({c})"}
        for c in ("ml-foundations", "coding")]})
    assert rated.status_code == 200, rated.text

    panel_strings = _live_room(site, a, team, bodies, good)

    for url in ["/take", "/take/stage/0", "/take/stage/0/status", "/api/v1/take",
                "/api/v1/me", "/", "/take/my-data", "/take/done"]:
        grab(url, a.get(url, follow_redirects=True))
    assert "handed in every stage" in bodies[-1][1]   # the completion page itself, with feedback
    for answer in answers:
        grab("upload state", a.client.get(f"/take/answers/{answer['id']}/upload"))
    for b_id in b_answers:  # B's objects answer "not found" to A, with nothing of B in it
        grab(f"B's answer {b_id}", a.json("POST", f"/take/answers/{b_id}/save", {"text": "x"}))
        grab(f"B's signals {b_id}", a.get(f"/team/answers/{b_id}/signals"))
    for answer in answers:  # a candidate reads no signals, not even their own
        grab("own signals", a.get(f"/team/answers/{answer['id']}/signals"))
    for url in (f"/team/interviews/{site.ids['a']}/ratings",  # interviewers' ratings: never
                f"/api/v1/interviews/{site.ids['a']}/ratings",
                f"/api/v1/interviews/{site.ids['a']}/scorecard"):
        grab(url, a.get(url))

    secrets = _secrets(site, site.ids["a"])
    secrets["panel note"] = CANARY_PANEL
    secrets["live mark's evidence"] = CANARY_MARK
    secrets["B's signals"] = CANARY_SIGNALS.format("bob")
    secrets["A's own signals"] = CANARY_SIGNALS.format("ada")
    secrets["an interviewer's rating"] = CANARY_RATING
    for i, text in enumerate(panel_strings):
        secrets[f"the panel's coverage {i}"] = text
    assert len(secrets) > 10, secrets  # the scan has real things to look for
    assert any("reference.py" in k for k in secrets)
    assert any("rubric.toml" in k for k in secrets)
    assert any(k.startswith("grade note") for k in secrets)
    leaks = [f"{url}: {what}: {secret[:60]!r}"
             for url, body in bodies for what, secret in secrets.items()
             if secret in body or secret.replace("'", "&#39;") in body
             or secret.replace('"', "&#34;") in body]
    assert not leaks, "\n".join(leaks)
    # and the candidate did see their feedback (the policy is "immediately")
    assert any("Score" in body for url, body in bodies if "status" in url)


def _live_room(site: Any, a: Any, team: Any, bodies: list[tuple[str, str]],
               good: dict[int, dict[str, str]]) -> list[str]:
    """A's live stage: the interviewers' panel fills up while A writes; everything A can get
    of the room goes to ``bodies``. Returns the panel's coverage lines (key points' wording,
    follow-up questions) to search for."""
    from pycrdt import Map, Text
    from starlette.websockets import WebSocketDisconnect

    from tests.web import ywire

    room_id, answer_id = site.add_live_room(site.ids["a"], [site.ids["interviewer"]])

    def cookies(web: Any) -> dict[str, str]:
        return {"cookie": "; ".join(f"{k}={v}" for k, v in web.client.cookies.items())}

    exemplary = (BANK_DIR / "ml-foundations/probability-calibration/samples/exemplary.md"
                 ).read_text()
    with site.main.websocket_connect(f"/live/{room_id}/ws/panel",
                                     headers=cookies(team)) as panel:
        notes = ywire.synced(panel)
        ywire.change(panel, notes, lambda d: d.get("notes", type=Text).insert(0, CANARY_PANEL))
        with site.main.websocket_connect(f"/live/{room_id}/ws/shared",
                                         headers=cookies(a)) as shared:
            doc = ywire.synced(shared)
            ywire.change(shared, doc, lambda d: d.get(f"text-{answer_id}/answer", type=Text)
                         .insert(0, exemplary))
            coverage = ywire.until(panel, notes, lambda d: d.get(
                f"coverage-{answer_id}", type=Map).to_py() or {}, "covered")
            marked = team.json("POST", f"/live/{room_id}/marks", {
                "answer_id": answer_id, "criterion": "Key point 1", "points": 1,
                "evidence": CANARY_MARK})
            assert marked.status_code == 200, marked.text
            # A now collects what the room gives them
            bodies.append(("the room page", a.get(f"/live/{room_id}").text))
            bodies.append(("the room's state", a.client.get(f"/live/{room_id}/state").text))
            bodies.append(("the marks (refused)", a.json("POST", f"/live/{room_id}/marks", {
                "answer_id": answer_id, "criterion": "Key point 1", "points": 0,
                "evidence": "x"}).text))
        with site.main.websocket_connect(f"/live/{room_id}/ws/shared",
                                         headers=cookies(a)) as again:
            bodies.append(("the shared document", ywire.everything(ywire.synced(again))))
    assert exemplary.strip()[:60] in bodies[-1][1]  # A's own draft: the scan reads the doc
    with pytest.raises(WebSocketDisconnect) as refused, site.main.websocket_connect(
            f"/live/{room_id}/ws/panel", headers=cookies(a)) as sneaky:
        bodies.append(("the panel (must be refused)", ywire.everything(ywire.synced(sneaky))))
    assert refused.value.code == 1008
    lines = [*coverage["covered"], *coverage["missing"], *coverage["follow_ups"]]
    assert lines
    return [line for line in lines if len(line) >= 30]


def _hidden_lines(exercise_id: str) -> dict[str, str]:
    """Distinctive lines of an exercise's hidden files that are not also public."""
    exercise = builtin_bank().get(exercise_id)
    shown = [c.decode("utf-8", "replace") for c in exercise.public_files.values()]
    lines = {f"{exercise_id}/hidden/{name} #{i}": line
             for name in exercise.hidden.names()
             for i, line in enumerate(_distinctive(name, exercise.hidden.read_text(name),
                                                   shown))}
    public = "\n".join(shown)
    return {k: v for k, v in lines.items() if v not in public}


def test_no_preview_page_shows_hidden_content(make_site) -> None:
    """Preview as candidate: the team walks a loop's stages as its candidates see them. The
    preview pages of the test loop, of every built-in loop template and of a loop made from
    each, for two candidates' draws, show none of their exercises' hidden content."""
    from hireloop.bank.loops import resolve_loop
    from hireloop.hiring.service import _dump as service_dump
    from hireloop.hiring.service import validate_loop

    site = make_site(threads=0)
    team = site.client()
    team.login("admin@example.com")
    templates = sorted(p.stem for p in (BANK_DIR.parent / "loops").glob("*.toml")
                       if p.stem != "principles")
    bases = [f"/team/loops/{site.ids['loop']}/preview"]
    for template in templates:  # a template as it is, and a loop made from it
        created = team.form("/team/loops", {"template": template})
        bases += [f"/team/templates/{template}/preview",
                  f"/team/loops/{created.headers['location'].rsplit('/', 1)[1]}/preview"]
    leaks, scanned = [], set()
    for base in bases:
        if base.startswith("/team/loops/"):
            definition = team.client.get(f"/api/v1/loops/{base.split('/')[3]}").json()[
                "definition"]
        else:
            definition = service_dump(site.platform.usable_templates()[base.split("/")[3]])
        loop = validate_loop(site.platform, definition)
        for seed in (1, 2):
            bodies = [(f"{base}?seed={seed}", team.get(f"{base}?seed={seed}").text)]
            secrets: dict[str, str] = {}
            for index, stage in enumerate(resolve_loop(loop, builtin_bank(), seed)):
                page = team.get(f"{base}/{index}?seed={seed}")
                assert page.status_code == 200
                bodies.append((f"{base}/{index}?seed={seed}", page.text))
                for planned in stage.exercises:
                    scanned.add(planned.exercise_id)
                    secrets.update(_hidden_lines(planned.exercise_id))
            leaks += [f"{url}: {what}: {secret[:60]!r}"
                      for url, body in bodies for what, secret in secrets.items()
                      if secret in body or secret.replace("'", "&#39;") in body
                      or secret.replace('"', "&#34;") in body]
    assert len(scanned) > 20, scanned  # the scan covers much of the bank
    assert not leaks, "\n".join(leaks)
