"""Every route, walked as anonymous, candidate A, candidate B, an interviewer assigned to
interview A, an interviewer of the same team assigned to none, team A's hiring manager, the
hiring manager of another team, an admin, the hiring manager's API token, and a hiring
manager deactivated after signing in.

The table below says who may use each route. A route missing from the table fails the test, so
a new route cannot ship without deciding who may reach it. "Allowed" means the request passed
authorisation (any status but 401, 403 and 404, and never a 500); "denied" means 401, 403, 404,
410 or, for a page, a redirect to the sign-in page. Candidate A's objects and team A's loop
are used throughout, so candidate B, the other team's manager and the unassigned interviewer
must be denied everything that names one of them.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.routing import Route, WebSocketRoute

from hireloop.db.models import Answer, Upload
from hireloop.hiring import service
from hireloop.hiring.authz import Principal
from tests.web.conftest import PASSWORD, Site, page_csrf

ROLES = ("anonymous", "candidate_b", "candidate_a", "interviewer_other", "manager_other",
         "deactivated", "interviewer", "manager", "manager_token", "admin")
TEAM = ("interviewer", "interviewer_other", "manager", "manager_other", "manager_token",
        "admin")

# access: public | nobody | team (any member) | admin | creator (hiring managers and admins,
# any team) | loop (team A's loop: its managers, admins) | interview (interview A: its
# assigned interviewer, team A's managers, admins) | candidate (own interview) |
# candidate_object (an answer of candidate A) | practice_owner (a practice answer of someone
# else: nobody here owns it) | room (the live room of interview A's live stage: candidate A,
# the stage's interviewer, admins) | room_lead (that room's interviewer, admins)
TABLE: dict[tuple[str, str], tuple[str, Any]] = {
    ("GET", "/"): ("public", None),
    ("GET", "/healthz"): ("public", None),
    ("GET", "/api/openapi.json"): ("public", None),
    ("GET", "/login"): ("public", None),
    ("POST", "/login"): ("public", {"email": "nobody@example.com", "password": "wrong one"}),
    ("POST", "/logout"): ("public", {}),
    ("GET", "/setup/{token}"): ("nobody", None),  # the first admin exists: gone for everyone
    ("POST", "/setup/{token}"): ("nobody", {"email": "x@example.com",
                                            "password": "long enough pw"}),
    ("GET", "/reset/{token}"): ("nobody", None),  # not a live reset link: gone for everyone
    ("POST", "/reset/{token}"): ("nobody", {"password": "long enough pw"}),
    ("GET", "/i/{token}"): ("public", None),
    ("GET", "/practice"): ("public", None),
    ("POST", "/practice/start"): ("public", {"competency": "coding"}),
    ("GET", "/practice/answers/{answer_id}"): ("practice_owner", None),
    ("POST", "/practice/answers/{answer_id}/save"): ("practice_owner", {"text": "x"}),
    ("POST", "/practice/answers/{answer_id}/submit"): ("practice_owner", {}),
    ("GET", "/practice/answers/{answer_id}/status"): ("practice_owner", None),
    ("POST", "/practice/answers/{answer_id}/trial"): ("practice_owner", {}),
    ("GET", "/practice/answers/{answer_id}/upload"): ("practice_owner", None),
    ("GET", "/practice/answers/{answer_id}/attachment"): ("practice_owner", None),
    ("POST", "/practice/answers/{answer_id}/upload"): ("practice_owner", b"chunk"),
    ("POST", "/practice/answers/{answer_id}/upload/complete"): ("practice_owner",
                                                                {"mime": "audio/webm"}),
    ("GET", "/practice/answers/{answer_id}/trial"): ("practice_owner", None),
    ("POST", "/practice/answers/{answer_id}/coverage"): ("practice_owner", {"text": "x"}),
    # the team's pages
    ("GET", "/team"): ("team", None),
    ("GET", "/team/compare"): ("team", None),  # no ids: 422; each id is checked (test_compare)
    ("GET", "/team/loops"): ("creator", None),
    ("POST", "/team/loops"): ("creator", {"template": "ml-engineer-phone-screen"}),
    ("GET", "/team/loops/{loop_id}"): ("loop", None),
    ("POST", "/team/loops/{loop_id}"): ("loop", {"definition": "title = 'x'"}),
    ("GET", "/team/loops/{loop_id}/export.{fmt}"): ("loop", None),
    ("GET", "/team/loops/{loop_id}/audit"): ("admin", None),  # self-identification: admins
    ("GET", "/team/loops/{loop_id}/audit.csv"): ("admin", None),
    ("GET", "/team/loops/{loop_id}/audit/summary"): ("admin", None),
    ("GET", "/team/loops/{loop_id}/shortlist"): ("loop", None),
    # the loop form editor and the preview as candidate (a refresh only shows the form again)
    ("GET", "/team/new-loop"): ("creator", None),
    ("POST", "/team/new-loop"): ("creator", {"action": "refresh", "stage_count": "1"}),
    ("POST", "/team/loops/{loop_id}/form"): ("loop", {"action": "refresh", "stage_count": "1"}),
    ("GET", "/team/loops/{loop_id}/preview"): ("loop", None),
    ("GET", "/team/loops/{loop_id}/preview/{index}"): ("loop", None),
    ("GET", "/team/templates/{template_id}/preview"): ("creator", None),
    ("GET", "/team/templates/{template_id}/preview/{index}"): ("creator", None),
    ("GET", "/team/quality"): ("admin", None),
    ("POST", "/team/loops/{loop_id}/shortlist/bulk"): ("loop", {  # unconfirmed: asks only
        "decision": "hold", "reason": "r", "interview": "{interview_id}"}),
    ("GET", "/team/bank"): ("team", None),
    ("POST", "/team/bank/reload"): ("admin", {}),
    ("GET", "/team/candidates/new"): ("creator", None),
    ("GET", "/team/candidates"): ("team", None),
    ("POST", "/team/candidates"): ("loop", {"name": "New", "email": "new@example.com",
                                            "loop_id": "{loop_id}"}),
    ("GET", "/team/interviews/{interview_id}"): ("interview", None),
    ("GET", "/team/interviews/{interview_id}/jobs"): ("interview", None),
    ("GET", "/team/answers/{answer_id}/recording"): ("interview", None),
    ("GET", "/team/answers/{answer_id}/signals"): ("interview", None),
    ("POST", "/team/interviews/{interview_id}/resend"): ("loop", {}),
    ("POST", "/team/interviews/{interview_id}/revoke"): ("loop", {}),
    ("POST", "/team/interviews/{interview_id}/assignments"): ("loop", {
        "user_id": "{nobody_id}", "remove": "1"}),
    ("POST", "/team/interviews/{interview_id}/answers/{answer_id}/override"): (
        "interview", {"criterion": "x", "points": 0, "reason": "r"}),
    ("POST", "/team/interviews/{interview_id}/answers/{answer_id}/regrade"): ("interview", {}),
    ("POST", "/team/interviews/{interview_id}/notes"): ("interview", {"body": "a note"}),
    ("POST", "/team/interviews/{interview_id}/decision"): ("interview", {"decision": "hold"}),
    ("GET", "/team/interviews/{interview_id}/scorecard"): ("interview", None),
    ("GET", "/team/interviews/{interview_id}/export.{fmt}"): ("interview", None),
    # reporting: the PDF, share links (read-only, no sign-in), a loop's analytics
    ("GET", "/team/interviews/{interview_id}/scorecard.pdf"): ("interview", None),
    ("POST", "/team/interviews/{interview_id}/shares"): ("interview", {"days": 7}),
    ("POST", "/team/interviews/{interview_id}/shares/{share_id}/revoke"): ("interview", {}),
    ("GET", "/shared/{token}"): ("public", None),  # a share link's token, not a session
    ("GET", "/shared/{token}/scorecard.pdf"): ("public", None),
    ("GET", "/team/loops/{loop_id}/analytics"): ("loop", None),
    ("GET", "/team/interviews/{interview_id}/ratings"): ("interview", None),
    ("POST", "/team/interviews/{interview_id}/ratings"): ("interview", {  # 422: no reason
        "value:coding": "3", "justification:coding": ""}),
    ("POST", "/team/candidates/{candidate_id}/delete"): ("admin", {"confirm": "wrong@x.org"}),
    # mail (admins) and inviting from a CSV file (unconfirmed: a preview only)
    ("GET", "/team/mail"): ("admin", None),
    ("POST", "/team/mail/test"): ("admin", {"to": "admin@example.com"}),  # mail is off: 422
    ("POST", "/team/mail/outbox/{mail_id}/retry"): ("admin", {}),
    ("POST", "/team/mail/outbox/{mail_id}/cancel"): ("admin", {}),
    ("GET", "/team/mail/templates/{kind}"): ("admin", None),
    ("POST", "/team/mail/templates/{kind}"): ("admin", {"subject": "s", "body": "no link"}),
    ("GET", "/team/loops/{loop_id}/invite-csv"): ("loop", None),
    ("POST", "/team/loops/{loop_id}/invite-csv"): ("loop", {
        "csv_text": "name,email\nNew Person,new{n}@example.com"}),
    ("GET", "/team/users"): ("admin", None),
    ("POST", "/team/users"): ("admin", {"email": "u{n}@example.com",
                                        "password": "long enough pw"}),
    ("POST", "/team/users/{user_id}"): ("admin", {"role": "interviewer"}),
    ("POST", "/team/users/{user_id}/reset"): ("admin", {}),
    ("POST", "/team/teams"): ("admin", {"name": "Team {n}"}),
    ("GET", "/team/tokens"): ("team", None),
    ("POST", "/team/tokens"): ("team", {"name": "script {n}"}),
    ("POST", "/team/tokens/{token_id}/revoke"): ("admin", {}),  # an admin's token
    # webhooks: team A's webhook; refused URLs (a loopback address) still pass authorisation
    ("GET", "/team/webhooks"): ("creator", None),
    ("POST", "/team/webhooks"): ("creator", {"url": "https://127.0.0.1/x",
                                             "event": "interview.invited"}),
    ("GET", "/team/webhooks/{webhook_id}"): ("loop", None),
    ("POST", "/team/webhooks/{webhook_id}/active"): ("loop", {"active": "1"}),
    ("POST", "/team/webhooks/{webhook_id}/test"): ("loop", {}),
    ("POST", "/team/webhooks/{webhook_id}/secret"): ("loop", {}),
    ("POST", "/team/webhooks/{webhook_id}/reveal"): ("admin", {}),
    ("POST", "/team/webhooks/{webhook_id}/delete"): ("loop", {}),  # a fresh one each time
    ("POST", "/team/webhooks/{webhook_id}/deliveries/{item_id}/retry"): ("loop", {}),
    # the candidate's pages
    ("GET", "/take"): ("candidate", None),
    ("POST", "/take/consent"): ("candidate", {}),
    ("POST", "/take/review-request"): ("candidate", {}),
    ("GET", "/take/self-identification"): ("candidate", None),
    ("GET", "/take/my-data"): ("candidate", None),
    ("POST", "/take/deletion-request"): ("candidate", {}),
    ("POST", "/take/self-identification"): ("candidate", {"sex": "Prefer not to say"}),
    ("GET", "/take/done"): ("candidate", None),  # a redirect to /take until all is in
    ("GET", "/take/stage/{index}"): ("candidate", None),
    ("POST", "/take/stage/{index}/submit"): ("candidate", {}),
    ("GET", "/take/stage/{index}/status"): ("candidate", None),
    ("POST", "/take/answers/{answer_id}/save"): ("candidate_object", {"text": "x"}),
    ("POST", "/take/answers/{answer_id}/trial"): ("candidate_object", {}),
    ("GET", "/take/answers/{answer_id}/trial"): ("candidate_object", None),
    ("GET", "/take/answers/{answer_id}/upload"): ("candidate_object", None),
    ("GET", "/take/answers/{answer_id}/attachment"): ("candidate_object", None),
    ("POST", "/take/answers/{answer_id}/upload"): ("candidate_object", b"chunk"),
    ("POST", "/take/answers/{answer_id}/upload/complete"): ("candidate_object",
                                                            {"mime": "audio/webm"}),
    ("POST", "/take/answers/{answer_id}/signals"): (
        "candidate_object", b'{"page": "p", "seq": 0, "t0": 1796000000000, "events": []}'),
    # the API
    ("POST", "/api/v1/auth/login"): ("public", {"email": "nobody@example.com",
                                                "password": "wrong one"}),
    ("POST", "/api/v1/auth/logout"): ("public", {}),
    ("GET", "/api/v1/me"): ("public", None),
    ("GET", "/api/v1/tokens"): ("team", None),
    ("POST", "/api/v1/tokens"): ("team", {"name": "api script {n}"}),
    ("DELETE", "/api/v1/tokens/{token_id}"): ("admin", None),  # an admin's token
    ("GET", "/api/v1/status"): ("admin", None),
    ("GET", "/api/v1/users"): ("admin", None),
    ("POST", "/api/v1/users"): ("admin", {"email": "api{n}@example.com",
                                          "password": "long enough pw"}),
    ("PATCH", "/api/v1/users/{user_id}"): ("admin", {"role": "interviewer"}),
    ("POST", "/api/v1/users/{user_id}/reset"): ("admin", {}),
    ("GET", "/api/v1/teams"): ("team", None),
    ("POST", "/api/v1/teams"): ("admin", {"name": "API team {n}"}),
    ("GET", "/api/v1/bank/exercises"): ("team", None),
    ("POST", "/api/v1/bank/reload"): ("admin", {}),
    ("GET", "/api/v1/templates"): ("team", None),
    ("GET", "/api/v1/loops"): ("team", None),
    ("POST", "/api/v1/loops"): ("creator", {"template": "ml-engineer-phone-screen"}),
    ("GET", "/api/v1/loops/{loop_id}"): ("loop", None),
    ("PUT", "/api/v1/loops/{loop_id}"): ("loop", {"definition": {"title": "x"}}),
    ("GET", "/api/v1/loops/{loop_id}/results"): ("loop", None),
    ("GET", "/api/v1/loops/{loop_id}/export"): ("loop", None),
    ("GET", "/api/v1/candidates"): ("team", None),
    ("DELETE", "/api/v1/candidates/{candidate_id}"): ("admin", None),  # a throwaway one
    ("POST", "/api/v1/interviews"): ("loop", {"name": "N", "email": "n@example.com",
                                              "loop_id": "{loop_id}"}),
    ("GET", "/api/v1/interviews"): ("team", None),
    ("GET", "/api/v1/interviews/changed"): ("team", None),
    ("GET", "/api/v1/interviews/{interview_id}"): ("interview", None),
    ("POST", "/api/v1/interviews/{interview_id}/resend"): ("loop", {}),
    ("POST", "/api/v1/interviews/{interview_id}/revoke"): ("loop", {}),
    ("POST", "/api/v1/interviews/{interview_id}/interviewers"): ("loop", {
        "user_id": "{interviewer_id}"}),
    ("DELETE", "/api/v1/interviews/{interview_id}/interviewers/{user_id}"): ("loop", None),
    ("POST", "/api/v1/interviews/{interview_id}/overrides"): (
        "interview", {"answer_id": "{answer_id}", "criterion": "x", "points": 0,
                      "reason": "r"}),
    ("POST", "/api/v1/interviews/{interview_id}/answers/{answer_id}/regrade"): (
        "interview", {}),
    ("GET", "/api/v1/answers/{answer_id}/recording"): ("interview", None),
    ("POST", "/api/v1/interviews/{interview_id}/notes"): ("interview", {"body": "n"}),
    ("POST", "/api/v1/interviews/{interview_id}/decision"): ("interview", {"decision": "hold"}),
    ("GET", "/api/v1/interviews/{interview_id}/scorecard"): ("interview", None),
    ("GET", "/api/v1/interviews/{interview_id}/rows"): ("interview", None),
    ("GET", "/api/v1/interviews/{interview_id}/export"): ("interview", None),
    ("GET", "/api/v1/interviews/{interview_id}/ratings"): ("interview", None),
    ("PUT", "/api/v1/interviews/{interview_id}/ratings"): ("interview", {"ratings": [
        {"competency": "coding", "value": 9, "justification": "out of scale: refused"}]}),
    ("POST", "/api/v1/take/open"): ("public", {"token": "not-a-real-token"}),
    ("GET", "/api/v1/take"): ("candidate", None),
    ("POST", "/api/v1/take/consent"): ("candidate", {}),
    ("POST", "/api/v1/take/review-request"): ("candidate", {}),
    ("POST", "/api/v1/take/stages/{index}/start"): ("candidate", {}),
    ("PUT", "/api/v1/take/answers/{answer_id}"): ("candidate_object", {"text": "x"}),
    ("POST", "/api/v1/take/answers/{answer_id}/trial"): ("candidate_object", {}),
    ("GET", "/api/v1/take/answers/{answer_id}/trial"): ("candidate_object", None),
    ("GET", "/api/v1/take/answers/{answer_id}/upload"): ("candidate_object", None),
    ("POST", "/api/v1/take/answers/{answer_id}/upload"): ("candidate_object", b"chunk"),
    ("POST", "/api/v1/take/answers/{answer_id}/upload/complete"): ("candidate_object",
                                                                   {"mime": "audio/webm"}),
    ("POST", "/api/v1/take/stages/{index}/submit"): ("candidate", {}),
    ("POST", "/api/v1/practice/start"): ("public", {"competency": "coding"}),
    ("GET", "/api/v1/practice/answers/{answer_id}"): ("practice_owner", None),
    ("PUT", "/api/v1/practice/answers/{answer_id}"): ("practice_owner", {"text": "x"}),
    ("POST", "/api/v1/practice/answers/{answer_id}/submit"): ("practice_owner", {}),
    ("POST", "/api/v1/practice/answers/{answer_id}/trial"): ("practice_owner", {}),
    ("GET", "/api/v1/practice/answers/{answer_id}/trial"): ("practice_owner", None),
    ("POST", "/api/v1/practice/answers/{answer_id}/upload"): ("practice_owner", b"chunk"),
    ("POST", "/api/v1/practice/answers/{answer_id}/upload/complete"): (
        "practice_owner", {"mime": "audio/webm"}),
    # live rooms
    ("GET", "/team/interviews/{interview_id}/live"): ("interview", None),
    ("GET", "/team/events"): ("team", None),  # a stream: walked with ?seconds=0.2
    ("POST", "/team/interviews/{interview_id}/live/{index}"): ("loop", {
        "starts_at": "2026-01-05T10:00", "interviewers": "{interviewer_id}"}),
    ("GET", "/live/{room_id}"): ("room", None),
    ("GET", "/live/{room_id}/state"): ("room", None),
    ("POST", "/live/{room_id}/run"): ("room", {"answer_id": "{live_answer_id}"}),
    ("POST", "/live/{room_id}/marks"): ("room_lead", {
        "answer_id": "{live_answer_id}", "criterion": "Key point 1", "points": 0,
        "evidence": "said nothing about it"}),
    ("POST", "/live/{room_id}/end"): ("room_lead", {}),
    ("WS", "/live/{room_id}/ws/{doc}"): ("room", None),  # test_the_room_socket_admits_...
}

# Run last, in this order: they change what the other routes see.
LAST = ["/live/{room_id}/end", "/take/stage/{index}/submit", "/api/v1/take/stages/{index}/submit",
        "/team/interviews/{interview_id}/decision", "/api/v1/interviews/{interview_id}/decision",
        "/team/interviews/{interview_id}/resend", "/api/v1/interviews/{interview_id}/resend",
        "/team/interviews/{interview_id}/revoke", "/api/v1/interviews/{interview_id}/revoke",
        "/i/{token}", "/api/v1/auth/logout", "/logout"]


def all_routes(app: Any) -> set[tuple[str, str]]:
    """Every (method, path) the app answers, including those of included routers."""
    found: set[tuple[str, str]] = set()

    def walk(routes: list[Any], prefix: str = "") -> None:
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                walk(inner.routes, prefix + (route.include_context.prefix or ""))
            elif isinstance(route, Route):
                for method in route.methods or ():
                    if method != "HEAD":
                        found.add((method, prefix + route.path))
            elif isinstance(route, WebSocketRoute):
                found.add(("WS", prefix + route.path))

    walk(app.routes)
    return found


def allowed_for(access: str, role: str) -> bool:
    return {
        "public": True,
        "nobody": False,
        "team": role in TEAM,
        "admin": role == "admin",
        "creator": role in ("manager", "manager_other", "manager_token", "admin"),
        "loop": role in ("manager", "manager_token", "admin"),
        "interview": role in ("interviewer", "manager", "manager_token", "admin"),
        "candidate": role in ("candidate_a", "candidate_b"),
        "candidate_object": role == "candidate_a",
        "practice_owner": False,
        "room": role in ("candidate_a", "interviewer", "admin"),
        "room_lead": role in ("interviewer", "admin"),
    }[access]


@pytest.fixture
def site(make_site: Any) -> Site:
    return make_site()


def test_every_route_has_a_rule(site: Site) -> None:
    assert all_routes(site.app) == set(TABLE)


def _more_people(site: Site) -> dict[str, Any]:
    """Team B with its manager, an interviewer of team A assigned to nothing, a hiring
    manager of team A to deactivate, an admin's API token, the manager's API token, a
    throwaway candidate, and a recording on candidate A's spoken answer."""
    extra: dict[str, Any] = {}
    team_b = site.add_team("Team B")
    site.add_user("manager_other@example.com", "hiring_manager", team_b)
    site.add_user("interviewer_other@example.com", "interviewer", site.ids["team"])
    extra["deactivated_id"] = site.add_user("deactivated@example.com", "hiring_manager",
                                            site.ids["team"])
    extra["nobody_id"] = site.add_user("nobody-assigned@example.com", "interviewer", team_b)
    with site.platform.db.session() as s:
        admin = Principal("admin", user_id=site.ids["admin"])
        row, _ = service.create_api_token(s, admin, "admin's script")
        extra["token_id"] = row.id
        manager = Principal("hiring_manager", user_id=site.ids["manager"],
                            team_id=site.ids["team"])
        _, extra["manager_token"] = service.create_api_token(s, manager, "manager's script")
    throwaway, _ = site.invite("Zed Throwaway", "zed@example.com", site.ids["loop"])
    extra["throwaway_candidate"] = _candidate_of(site, throwaway)
    talk_id = site.add_spoken_answer(site.ids["a"])
    recording = site.settings.data_dir / "recording.wav"
    recording.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(64))
    with site.platform.db.session() as s:
        s.add(Upload(answer_id=talk_id, name="recording.wav", path=str(recording),
                     mime="audio/wav", size=recording.stat().st_size, complete=True))
    extra["talk_id"] = talk_id
    extra["room_id"], extra["live_answer_id"] = site.add_live_room(site.ids["a"],
                                                                   [site.ids["interviewer"]])
    from hireloop.db.models import Interview
    from hireloop.hiring import sharing

    with site.platform.db.session() as s:  # a share link of interview A, to revoke
        link, _ = sharing.create(s, Principal("admin", user_id=site.ids["admin"]),
                                 s.get(Interview, site.ids["a"]), 7)
        extra["share_id"] = link.id
    extra["webhook_id"], extra["item_id"] = _team_webhook(site)
    with site.platform.db.session() as s:  # a mail that could not be sent
        from hireloop.db.models import OutboxItem

        mail = OutboxItem(channel="mail", target="ada@example.com", event="mail.invitation",
                          payload={"subject": "s", "text": "t"}, status="failed", attempts=12,
                          interview_id=site.ids["a"])
        s.add(mail)
        s.flush()
        extra["mail_id"] = mail.id
    return extra


def _team_webhook(site: Site) -> tuple[int, int]:
    """A webhook of team A and a failed delivery of it."""
    from hireloop.db.models import OutboxItem, Webhook

    with site.platform.db.session() as s:
        hook = Webhook(url="https://hooks.example.com/hireloop", events=["interview.invited"],
                       secret="whsec_test", team_id=site.ids["team"])
        s.add(hook)
        s.flush()
        item = OutboxItem(channel="webhook", target=str(hook.id), event="webhook.test",
                          payload={}, status="failed", attempts=1)
        s.add(item)
        s.flush()
        return hook.id, item.id


def test_every_route_answers_each_role_as_the_table_says(site: Site) -> None:
    extra = _more_people(site)
    jars = _sign_everyone_in(site, extra)
    with site.platform.db.session() as s:
        answer_a = s.query(Answer).filter_by(interview_id=site.ids["a"]).order_by(Answer.id)[0]
        practice = Answer(practice_id="someone-else", exercise_id=answer_a.exercise_id, seed=7)
        # an answer with an attachment (a research talk's slides), for the attachment route
        slides = Answer(interview_id=site.ids["a"], stage_index=0,
                        exercise_id="spoken/research-talk-with-slides", seed=0)
        s.add_all([practice, slides])
        s.flush()
        practice_id, slides_id = practice.id, slides.id
    values = {"interview_id": site.ids["a"], "answer_id": answer_a.id, "index": 0,
              "template_id": "ml-engineer-phone-screen",
              "loop_id": site.ids["loop"], "token": site.ids["link_a"].rsplit("/", 1)[1],
              "fmt": "csv", "candidate_id": _candidate_of(site, site.ids["a"]),
              "user_id": extra["nobody_id"], "nobody_id": extra["nobody_id"],
              "interviewer_id": site.ids["interviewer"], "token_id": extra["token_id"],
              "room_id": extra["room_id"], "live_answer_id": extra["live_answer_id"],
              "share_id": extra["share_id"], "webhook_id": extra["webhook_id"],
              "item_id": extra["item_id"], "mail_id": extra["mail_id"], "kind": "invitation"}
    order = sorted(TABLE, key=lambda k: (k[1] in LAST, LAST.index(k[1]) if k[1] in LAST else 0,
                                         k[0] != "GET"))
    failures = []
    counter = 0
    for role in ROLES:
        for method, path in order:
            if method == "WS":
                continue  # test_the_room_socket_admits_only_its_people walks every role
            access, body = TABLE[(method, path)]
            counter += 1
            params = {**values, "n": counter}
            if access == "practice_owner":
                params["answer_id"] = practice_id
            elif path.endswith("/attachment"):
                params["answer_id"] = slides_id
            elif "/upload" in path or "/recording" in path:
                params["answer_id"] = extra["talk_id"]
            if path == "/api/v1/candidates/{candidate_id}":
                params["candidate_id"] = extra["throwaway_candidate"]
            if path == "/team/webhooks/{webhook_id}/delete":
                params["webhook_id"] = _team_webhook(site)[0]
            url = path.format(**params)
            response = _request(site, jars[role], method, url, _fill(body, params))
            expected = allowed_for(access, role)
            status = response.status_code
            login_redirect = status == 303 and response.headers.get(
                "location", "").startswith("/login?next=")
            denied = status in (401, 403, 404, 410) or login_redirect
            # public routes are reachable by all: any answer but a crash is right
            bad = status >= 500 or (access != "public" and denied == expected)
            if bad:
                failures.append(f"{role:12} {method:4} {url}: {status} "
                                f"(expected {'allowed' if expected else 'denied'}) "
                                f"{response.text[:120]!r}")
    assert not failures, "\n".join(failures)


def test_the_room_socket_admits_only_its_people(site: Site) -> None:
    """The live room's websocket, both documents, for every role: the shared document is
    open to candidate A, the stage's interviewer and admins; the interviewers' panel to the
    interviewer and admins only (never the candidate). Everyone else is refused before the
    handshake, and so is a page of another origin even with the right cookies."""
    from starlette.websockets import WebSocketDisconnect

    extra = _more_people(site)
    jars = _sign_everyone_in(site, extra)
    expected = {"shared": ("candidate_a", "interviewer", "admin"),
                "panel": ("interviewer", "admin")}
    failures = []
    for role in ROLES:
        for doc, admitted in expected.items():
            headers = _socket_headers(jars[role])
            url = f"/live/{extra['room_id']}/ws/{doc}"
            try:  # through the app's own event loop, where the rooms are served
                with site.main.websocket_connect(url, headers=headers) as socket:
                    first = socket.receive_bytes()
                    opened = first[:2] == b"\x00\x00"  # sync step 1: the document is served
            except WebSocketDisconnect:
                opened = False
            if opened != (role in admitted):
                failures.append(f"{role} {doc}: {'opened' if opened else 'refused'}")
    assert not failures, "\n".join(failures)
    forged = {**_socket_headers(jars["admin"]), "origin": "https://evil.example"}
    with pytest.raises(WebSocketDisconnect), site.main.websocket_connect(
            f"/live/{extra['room_id']}/ws/shared", headers=forged) as socket:
        socket.receive_bytes()


def _socket_headers(jar: dict[str, Any]) -> dict[str, str]:
    headers = {k: v for k, v in jar["headers"].items() if k == "authorization"}
    if jar["cookies"]:
        headers["cookie"] = "; ".join(f"{k}={v}" for k, v in jar["cookies"].items())
    return headers


def _candidate_of(site: Site, interview_id: int) -> int:
    from hireloop.db.models import Interview

    with site.platform.db.session() as s:
        return s.get(Interview, interview_id).candidate_id


def _fill(body: Any, params: dict[str, Any]) -> Any:
    if isinstance(body, dict):
        out = {}
        for k, v in body.items():
            value = v
            if isinstance(v, str) and "{" in v:
                value = v.format(**params)
                value = int(value) if value.isdigit() else value
            out[k] = value
        return out
    return body


def _sign_everyone_in(site: Site, extra: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Each role's cookies and headers: ``{"cookies": ..., "headers": ...}``."""
    jars: dict[str, dict[str, Any]] = {}
    for role in ROLES:
        web = site.client()
        web.client.get("/login")
        headers: dict[str, str] = {}
        if role in ("interviewer", "interviewer_other", "manager", "manager_other",
                    "deactivated", "admin"):
            web.login(f"{role}@example.com", PASSWORD)
        elif role == "manager_token":
            headers["authorization"] = f"Bearer {extra['manager_token']}"
        elif role == "candidate_a":
            web.open_invitation(site.ids["link_a"])
            web.form("/take/consent")
        elif role == "candidate_b":
            web.open_invitation(site.ids["link_b"])
            web.form("/take/consent")
        cookies = dict(web.client.cookies.items())
        if role != "manager_token":
            headers["X-CSRF-Token"] = page_csrf(web.client)
        else:
            cookies = {}
        jars[role] = {"cookies": cookies, "headers": headers}
    with site.platform.db.session() as s:  # signed in, then deactivated by an admin
        service.update_user(s, Principal("admin", user_id=site.ids["admin"]),
                            service.get_user(s, extra["deactivated_id"]), active=False)
    return jars  # type: ignore[return-value]


def _request(site: Site, jar: dict[str, Any], method: str, url: str, body: Any) -> Any:
    client = TestClient(site.app, base_url="http://testserver", cookies=jar["cookies"])
    headers = {"accept": "text/html", **jar["headers"]}
    if url.endswith("/events"):
        url += "?seconds=0.2"  # a stream of server-sent events, ended soon
    csrf = jar["headers"].get("X-CSRF-Token", "")
    json_body = url.startswith("/api/") or url.endswith(("/save", "/complete", "/trial",
                                                         "/run", "/marks", "/coverage"))
    if body is None:
        return client.request(method, url, headers=headers, follow_redirects=False)
    if isinstance(body, bytes):
        return client.request(method, url, content=body, headers={
            **headers, "content-type": "application/octet-stream"}, follow_redirects=False)
    if json_body:
        return client.request(method, url, json=body, headers=headers, follow_redirects=False)
    return client.request(method, url, data={**body, "csrf_token": csrf}, headers=headers,
                          follow_redirects=False)


def test_lists_show_each_role_only_what_it_may_see(site: Site) -> None:
    """Listings follow the same rule as single objects: an interviewer lists their assigned
    interviews only, a hiring manager their team's loops and interviews, an admin all."""
    team_b = site.add_team("Team B")
    site.add_user("manager_other@example.com", "hiring_manager", team_b)
    site.add_user("interviewer_other@example.com", "interviewer", site.ids["team"])
    with site.platform.db.session() as s:
        other = service.create_loop(s, site.platform,
                                    Principal("admin", user_id=site.ids["admin"]),
                                    template="ml-engineer-phone-screen", team_id=team_b)
        other_loop = other.id
    c, _ = site.invite("Cy Other", "cy@example.com", other_loop)
    expected = {
        "admin": ({site.ids["loop"], other_loop}, {site.ids["a"], site.ids["b"], c}),
        "manager": ({site.ids["loop"]}, {site.ids["a"], site.ids["b"]}),
        "manager_other": ({other_loop}, {c}),
        "interviewer": (set(), {site.ids["a"], site.ids["b"]}),
        "interviewer_other": (set(), set()),
    }
    for role, (loops, interviews) in expected.items():
        web = site.client()
        web.login(f"{role}@example.com")
        assert {r["id"] for r in web.client.get("/api/v1/loops").json()} == loops, role
        listed = web.client.get("/api/v1/interviews").json()
        assert {i["id"] for i in listed} == interviews, role
        names = {c["name"] for c in web.client.get("/api/v1/candidates").json()}
        assert ("Cy Other" in names) == (c in interviews), role
        dashboard = web.get("/team").text
        assert ("Cy Other" in dashboard) == (c in interviews), role


def test_an_interviewer_assigned_to_neither_can_rename_no_loop_and_decide_no_interview(
        site: Site) -> None:
    """The outside review's case: an interviewer assigned to nothing renamed loop 1 and
    decided interview 2 (both 200). Now both are refused and nothing changed."""
    site.add_user("interviewer_other@example.com", "interviewer", site.ids["team"])
    web = site.client()
    web.login("interviewer_other@example.com")
    renamed = web.json("PUT", f"/api/v1/loops/{site.ids['loop']}",
                       {"definition": {"title": "Renamed", "stage": []}})
    assert renamed.status_code == 404
    decided = web.json("POST", f"/api/v1/interviews/{site.ids['b']}/decision",
                       {"decision": "reject"})
    assert decided.status_code == 404
    page = web.form(f"/team/interviews/{site.ids['b']}/decision", {"decision": "reject"})
    assert page.status_code == 404
    from hireloop.db.models import Interview, LoopRecord

    with site.platform.db.session() as s:
        assert s.get(LoopRecord, site.ids["loop"]).title == "Web test loop"
        assert s.get(Interview, site.ids["b"]).decision is None


def test_deactivating_a_user_ends_their_sessions_and_tokens_at_once(site: Site) -> None:
    manager = site.client()
    manager.login("manager@example.com")
    made = manager.form("/team/tokens", {"name": "nightly export"})
    token = next(line.split('value="')[1].split('"')[0] for line in made.text.splitlines()
                 if 'id="api-token"' in line)
    bearer = {"authorization": f"Bearer {token}"}
    assert site.main.get("/api/v1/loops", headers=bearer).status_code == 200
    assert manager.get("/team").status_code == 200
    admin = site.client()
    admin.login("admin@example.com")
    assert admin.form(f"/team/users/{site.ids['manager']}", {"active": "no"}
                      ).status_code == 303
    assert manager.get("/team").status_code == 303  # to the sign-in page
    assert site.main.get("/api/v1/loops", headers=bearer).status_code == 401
    again = site.client().form("/login", {"email": "manager@example.com", "password": PASSWORD})
    assert again.status_code == 401


def test_an_admin_password_link_works_once_and_ends_old_sessions(site: Site) -> None:
    interviewer = site.client()
    interviewer.login("interviewer@example.com")
    admin = site.client()
    admin.login("admin@example.com")
    made = admin.form(f"/team/users/{site.ids['interviewer']}/reset")
    link = next(line.split('value="')[1].split('"')[0] for line in made.text.splitlines()
                if 'id="reset-link"' in line)
    path = "/" + link.split("/", 3)[3]
    browser = site.client()
    assert browser.get(path).status_code == 200
    done = browser.form(path, {"password": "a brand new password"})
    assert done.status_code == 303
    assert interviewer.get("/team").status_code == 303  # the old session ended
    assert browser.get("/team").status_code == 200  # signed in with the new one
    assert site.client().get(path).status_code == 410  # used once
    fresh = site.client()
    fresh.login("interviewer@example.com", "a brand new password")


def test_a_state_changing_request_without_the_csrf_token_is_refused(site: Site) -> None:
    web = site.client()
    web.login("interviewer@example.com")
    client = web.client
    response = client.post(f"/team/interviews/{site.ids['a']}/notes", data={"body": "x"},
                           follow_redirects=False)
    assert response.status_code == 403
    assert "CSRF" in response.text
    forged = client.post(f"/team/interviews/{site.ids['a']}/notes",
                         data={"body": "x", "csrf_token": "forged"}, follow_redirects=False)
    assert forged.status_code == 403


def test_a_planted_csrf_cookie_forges_nothing_for_a_signed_in_browser(site: Site) -> None:
    """Cookie tossing: another origin of the same site sets ``hireloop_csrf`` to a value it
    knows and posts that value. The token is bound to the session, so it fails."""
    web = site.client()
    web.login("admin@example.com")
    real = web.csrf
    web.client.cookies.set("hireloop_csrf", "attackerknown", domain="testserver.local")
    forged = web.client.post(f"/team/interviews/{site.ids['a']}/decision",
                             data={"decision": "reject", "csrf_token": "attackerknown"},
                             follow_redirects=False)
    assert forged.status_code == 403
    other_origin = web.client.post(
        f"/team/interviews/{site.ids['a']}/decision",
        data={"decision": "reject", "csrf_token": real},
        headers={"origin": "http://testserver:8001"}, follow_redirects=False)
    assert other_origin.status_code == 403
    from hireloop.db.models import Interview

    with site.platform.db.session() as s:
        assert s.get(Interview, site.ids["a"]).decision is None


def test_cookies_are_http_only_and_same_site(site: Site) -> None:
    web = site.client()
    response = web.form("/login", {"email": "admin@example.com", "password": PASSWORD})
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("hireloop_session="))
    assert "HttpOnly" in session
    assert "SameSite=lax" in session.replace("Lax", "lax")


def test_pages_send_security_headers(site: Site) -> None:
    response = site.client().get("/login")
    assert response.headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "same-origin"
