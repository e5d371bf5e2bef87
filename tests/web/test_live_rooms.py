"""Live rooms through the app: scheduling names what is wrong, a room is closed outside its
window, and the end of the window ends the room by itself with the document as the answer,
graded like any other."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pycrdt import Map, Text
from starlette.websockets import WebSocketDisconnect

from hireloop.db.models import Answer, LiveRoom, utcnow
from tests.web import ywire
from tests.web.conftest import TEXT, Site


def _cookies(web: Any) -> dict[str, str]:
    return {"cookie": "; ".join(f"{k}={v}" for k, v in web.client.cookies.items())}


def _move(site: Site, room_id: int, starts_at: datetime, minutes: int) -> None:
    with site.platform.db.session() as s:
        room = s.get(LiveRoom, room_id)
        room.starts_at, room.minutes = starts_at, minutes


def test_scheduling_a_live_stage_names_what_is_wrong(make_site: Any) -> None:
    site = make_site()
    room_id, _ = site.add_live_room(site.ids["a"], [site.ids["interviewer"]])
    other_team = site.add_team("Team B")
    outsider = site.add_user("outsider@example.com", "interviewer", other_team)
    manager = site.client()
    manager.login("manager@example.com")
    url = f"/team/interviews/{site.ids['a']}/live"
    good = {"starts_at": "2030-01-02T10:00", "interviewers": site.ids["interviewer"],
            "meeting_link": "https://meet.example.com/x"}
    cases = [
        (f"{url}/0", good, "is not live"),
        (f"{url}/1", {**good, "starts_at": "next tuesday"}, "is not a date and time"),
        (f"{url}/1", {**good, "interviewers": outsider}, "not an active member"),
        (f"{url}/1", {**good, "meeting_link": "http://meet.example.com/x"}, "https://"),
        (f"{url}/1", {k: v for k, v in good.items() if k != "interviewers"}, "interviewers"),
        (f"{url}/1", {**good, "minutes": 0}, "minutes"),
    ]
    for path, data, message in cases:
        response = manager.form(path, data)
        assert response.status_code == 422, (path, data, response.status_code)
        assert message in response.text, (message, response.text[:300])
    moved = manager.form(f"{url}/1", {**good, "minutes": 45})
    assert moved.status_code == 303
    with site.platform.db.session() as s:
        room = s.get(LiveRoom, room_id)
        assert (room.minutes, room.meeting_link) == (45, "https://meet.example.com/x")
        assert room.starts_at == datetime(2030, 1, 2, 10, 0, tzinfo=UTC)


def test_a_room_is_closed_before_and_after_its_window(make_site: Any) -> None:
    site = make_site()
    room_id, answer_id = site.add_live_room(site.ids["a"], [site.ids["interviewer"]])
    candidate = site.client()
    candidate.open_invitation(site.ids["link_a"])
    before_consent = candidate.get(f"/live/{room_id}")
    assert before_consent.status_code == 403
    assert "accept how you will be assessed" in before_consent.text
    candidate.form("/take/consent")
    _move(site, room_id, utcnow() + timedelta(hours=2), 30)
    page = candidate.get(f"/live/{room_id}")
    assert page.status_code == 200
    assert "The room opens at" in page.text
    assert candidate.client.get(f"/live/{room_id}/state").json()["state"] == "scheduled"
    with pytest.raises(WebSocketDisconnect), site.main.websocket_connect(
            f"/live/{room_id}/ws/shared", headers=_cookies(candidate)) as socket:
        socket.receive_bytes()
    refused = candidate.json("POST", f"/live/{room_id}/run", {"answer_id": answer_id})
    assert refused.status_code == 409
    assert "opens at" in refused.json()["detail"]
    # open now: the socket serves the document
    _move(site, room_id, utcnow() - timedelta(minutes=1), 30)
    with site.main.websocket_connect(f"/live/{room_id}/ws/shared",
                                     headers=_cookies(candidate)) as socket:
        assert ywire.synced(socket) is not None
    # over: the clock ends it, and the socket is refused again
    _move(site, room_id, utcnow() - timedelta(minutes=40), 30)
    _ended(site, room_id)
    assert candidate.client.get(f"/live/{room_id}/state").json()["state"] == "ended"
    with pytest.raises(WebSocketDisconnect), site.main.websocket_connect(
            f"/live/{room_id}/ws/shared", headers=_cookies(candidate)) as socket:
        socket.receive_bytes()


def _read_until_closed(socket: Any) -> None:
    while True:
        socket.receive_bytes()


def _ended(site: Site, room_id: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with site.platform.db.session(write=False) as s:
            if s.get(LiveRoom, room_id).ended_at is not None:
                return
        assert time.monotonic() < deadline, "the room clock did not end the room"
        time.sleep(0.2)


def test_the_end_of_the_window_ends_the_room_and_grades_the_document(make_site: Any) -> None:
    site = make_site()
    room_id, answer_id = site.add_live_room(site.ids["a"], [site.ids["interviewer"]],
                                            exercise_id=TEXT)
    candidate = site.client()
    candidate.open_invitation(site.ids["link_a"])
    candidate.form("/take/consent")
    draft = "Calibration means that predicted probabilities match observed frequencies."
    # four seconds of the window left
    _move(site, room_id, utcnow() - timedelta(seconds=56), 1)
    with site.main.websocket_connect(f"/live/{room_id}/ws/shared",
                                     headers=_cookies(candidate)) as socket:
        doc = ywire.synced(socket)
        ywire.change(socket, doc, lambda d: d.get(f"text-{answer_id}/answer", type=Text)
                     .insert(0, draft))
        with pytest.raises(WebSocketDisconnect) as closed:
            _read_until_closed(socket)  # the room closes it at the end of the window
        assert closed.value.code == 4000
    _ended(site, room_id)
    site.wait_for_jobs()
    with site.platform.db.session(write=False) as s:
        answer = s.get(Answer, answer_id)
        assert answer.text == draft
        assert answer.submitted_at is not None
        job = answer.jobs[-1]
        assert job.state == "graded"
        assert job.grade["outcome"] == "graded"
        assert s.get(LiveRoom, room_id).ended_by is None  # the clock ended it


def _events(web: Any, query: str = "") -> list[tuple[str, Any]]:
    import json

    response = web.client.get(f"/team/events?seconds=1.5{query}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    out = []
    for block in response.text.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in lines:
            out.append((lines["event"], json.loads(lines["data"])))
    return out


def test_the_progress_stream_follows_only_what_one_may_see(make_site: Any) -> None:
    site = make_site()
    candidate = site.client()
    candidate.open_invitation(site.ids["link_a"])
    candidate.form("/take/consent")
    candidate.get("/take/stage/0")
    with site.platform.db.session(write=False) as s:
        answer = s.query(Answer).filter_by(interview_id=site.ids["a"]).first().id
    assert candidate.json("POST", f"/take/answers/{answer}/save",
                          {"text": "a draft"}).status_code == 200
    interviewer = site.client()
    interviewer.login("interviewer@example.com")
    seen = {d["id"]: d for name, d in _events(interviewer) if name == "progress"}
    assert set(seen) == {site.ids["a"], site.ids["b"]}
    a = seen[site.ids["a"]]
    assert a["status"] == "in_progress"
    assert a["stage"]["name"] == "Everything"
    assert 0 < a["stage"]["seconds_left"] <= 30 * 60
    assert a["last_saved"] is not None
    one = [d for name, d in _events(interviewer, f"&interview={site.ids['b']}")
           if name == "progress"]
    assert [d["id"] for d in one] == [site.ids["b"]]
    other_team = site.add_team("Team B")
    site.add_user("elsewhere@example.com", "interviewer", other_team)
    stranger = site.client()
    stranger.login("elsewhere@example.com")
    assert [name for name, _ in _events(stranger)] == ["ready"]  # sees no interview
    refused = stranger.client.get(f"/team/events?seconds=1&interview={site.ids['a']}")
    assert refused.status_code == 404


def test_practice_coverage_shows_hints_for_the_missing_points_never_the_points(
        make_site: Any) -> None:
    """A practicer's draft, measured as they write: the count of key points covered grows
    with the draft, and the hints listed are the authored hints of the points still missing,
    never a point's wording."""
    from hireloop.hiring import security
    from hireloop.live.rooms import checklist
    from tests.web.conftest import BANK_DIR

    site = make_site()
    practicer = site.client()
    started = practicer.form("/practice/start", {"competency": "ml-foundations"})
    assert started.status_code == 303
    cookie = practicer.client.cookies.get("hireloop_practice")
    with site.platform.db.session() as s:
        answer = Answer(practice_id=security.token_hash(cookie), exercise_id=TEXT, seed=0)
        s.add(answer)
        s.flush()
        answer_id = answer.id
    points = checklist(site.platform, TEXT)
    exemplary = (BANK_DIR / TEXT / "samples" / "exemplary.md").read_text()
    readings = []
    for draft in ("", exemplary[: len(exemplary) // 3], exemplary):
        response = practicer.json("POST", f"/practice/answers/{answer_id}/coverage",
                                  {"text": draft})
        assert response.status_code == 200, response.text
        reading = response.json()
        readings.append(reading)
        assert reading["points"] == len(points)
        for point in points:
            assert point.text not in response.text
        assert len(reading["hints"]) == reading["points"] - reading["covered"]
        assert set(reading["hints"]) <= {p.hint for p in points}
    assert readings[0]["covered"] == 0
    assert readings[0]["covered"] < readings[1]["covered"] < readings[2]["covered"]
    other = site.client()  # another practicer cannot read this draft's coverage
    other.form("/practice/start", {"competency": "ml-foundations"})
    assert other.json("POST", f"/practice/answers/{answer_id}/coverage",
                      {"text": "x"}).status_code == 404


def test_an_ml_task_room_shares_every_project_file_and_hands_them_in(make_site: Any) -> None:
    """A project exercise's editable files are separate texts of the shared document; what
    the interviewer ends the room with is the answer's files."""
    site = make_site()
    exercise = "ml_task/churn-leakage"
    room_id, answer_id = site.add_live_room(site.ids["a"], [site.ids["interviewer"]],
                                            exercise_id=exercise)
    candidate = site.client()
    candidate.open_invitation(site.ids["link_a"])
    candidate.form("/take/consent")
    with site.main.websocket_connect(f"/live/{room_id}/ws/shared",
                                     headers=_cookies(candidate)) as socket:
        doc = ywire.synced(socket)
        names = sorted(doc.get(f"files-{answer_id}", type=Map).keys())
        starter = {f["path"] for f in _view(site, answer_id).fields["files"] if f["editable"]}
        assert set(names) == starter
        assert len(names) >= 1
        target = names[0]
        ywire.change(socket, doc, lambda d: d.get(f"text-{answer_id}/{target}", type=Text)
                     .insert(0, "# edited in the live room\n"))
        interviewer = site.client()
        interviewer.login("interviewer@example.com")
        ended = interviewer.json("POST", f"/live/{room_id}/end")
        assert ended.status_code == 200, ended.text
    with site.platform.db.session(write=False) as s:
        answer = s.get(Answer, answer_id)
        assert set(answer.files) == starter
        assert answer.files[target].startswith("# edited in the live room\n")
        assert answer.submitted_at is not None
        assert answer.jobs  # graded like any other answer of its kind


def _view(site: Site, answer_id: int) -> Any:
    from hireloop.web.take import view_of

    with site.platform.db.session(write=False) as s:
        return view_of(site.platform, s.get(Answer, answer_id))[0]
