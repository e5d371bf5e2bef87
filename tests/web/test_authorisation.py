"""Every route, walked as anonymous, candidate A, candidate B, an interviewer and an admin.

The table below says who may use each route. A route missing from the table fails the test, so
a new route cannot ship without deciding who may reach it. "Allowed" means the request passed
authorisation (any status but 401, 403 and 404, and never a 500); "denied" means 401, 403, 404
or, for a page, a redirect to the sign-in page. Candidate A's objects are used throughout, so
candidate B must be denied everything that names one of them.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.routing import Route

from hireloop.db.models import Answer
from tests.web.conftest import PASSWORD, Site

ROLES = ("anonymous", "candidate_b", "candidate_a", "interviewer", "admin")

# access: public | team | admin | candidate (own interview) | candidate_object (an answer of
# candidate A) | practice_owner (a practice answer of someone else: nobody here owns it)
TABLE: dict[tuple[str, str], tuple[str, Any]] = {
    ("GET", "/"): ("public", None),
    ("GET", "/healthz"): ("public", None),
    ("GET", "/api/openapi.json"): ("public", None),
    ("GET", "/api/docs"): ("public", None),
    ("GET", "/docs/oauth2-redirect"): ("public", None),
    ("GET", "/login"): ("public", None),
    ("POST", "/login"): ("public", {"email": "nobody@example.com", "password": "wrong one"}),
    ("POST", "/logout"): ("public", {}),
    ("GET", "/setup/{token}"): ("nobody", None),  # the first admin exists: gone for everyone
    ("POST", "/setup/{token}"): ("nobody", {"email": "x@example.com",
                                            "password": "long enough pw"}),
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
    # the team's pages
    ("GET", "/team"): ("team", None),
    ("GET", "/team/loops"): ("team", None),
    ("POST", "/team/loops"): ("team", {"template": "ml-engineer-phone-screen"}),
    ("GET", "/team/loops/{loop_id}"): ("team", None),
    ("POST", "/team/loops/{loop_id}"): ("team", {"definition": "title = 'x'"}),
    ("GET", "/team/loops/{loop_id}/export.{fmt}"): ("team", None),
    ("GET", "/team/bank"): ("team", None),
    ("POST", "/team/bank/reload"): ("admin", {}),
    ("GET", "/team/candidates/new"): ("team", None),
    ("GET", "/team/candidates"): ("team", None),
    ("POST", "/team/candidates"): ("team", {"name": "New", "email": "new@example.com",
                                            "loop_id": "{loop_id}"}),
    ("GET", "/team/interviews/{interview_id}"): ("team", None),
    ("GET", "/team/interviews/{interview_id}/jobs"): ("team", None),
    ("GET", "/team/answers/{answer_id}/recording"): ("team", None),
    ("POST", "/team/interviews/{interview_id}/resend"): ("team", {}),
    ("POST", "/team/interviews/{interview_id}/revoke"): ("team", {}),
    ("POST", "/team/interviews/{interview_id}/answers/{answer_id}/override"): (
        "team", {"criterion": "x", "points": 0, "reason": "r"}),
    ("POST", "/team/interviews/{interview_id}/answers/{answer_id}/regrade"): ("team", {}),
    ("POST", "/team/interviews/{interview_id}/notes"): ("team", {"body": "a note"}),
    ("POST", "/team/interviews/{interview_id}/decision"): ("team", {"decision": "hold"}),
    ("GET", "/team/interviews/{interview_id}/scorecard"): ("team", None),
    ("GET", "/team/interviews/{interview_id}/export.{fmt}"): ("team", None),
    ("POST", "/team/candidates/{candidate_id}/delete"): ("admin", {"confirm": "wrong@x.org"}),
    ("GET", "/team/users"): ("admin", None),
    ("POST", "/team/users"): ("admin", {"email": "u{n}@example.com",
                                        "password": "long enough pw"}),
    # the candidate's pages
    ("GET", "/take"): ("candidate", None),
    ("POST", "/take/consent"): ("candidate", {}),
    ("POST", "/take/review-request"): ("candidate", {}),
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
    # the API
    ("POST", "/api/v1/auth/login"): ("public", {"email": "nobody@example.com",
                                                "password": "wrong one"}),
    ("GET", "/api/v1/me"): ("public", None),
    ("POST", "/api/v1/users"): ("admin", {"email": "api{n}@example.com",
                                          "password": "long enough pw"}),
    ("GET", "/api/v1/bank/exercises"): ("team", None),
    ("GET", "/api/v1/templates"): ("team", None),
    ("GET", "/api/v1/loops"): ("team", None),
    ("POST", "/api/v1/loops"): ("team", {"template": "ml-engineer-phone-screen"}),
    ("GET", "/api/v1/loops/{loop_id}"): ("team", None),
    ("PUT", "/api/v1/loops/{loop_id}"): ("team", {"definition": {"title": "x"}}),
    ("GET", "/api/v1/loops/{loop_id}/results"): ("team", None),
    ("GET", "/api/v1/candidates"): ("team", None),
    ("POST", "/api/v1/interviews"): ("team", {"name": "N", "email": "n@example.com",
                                              "loop_id": "{loop_id}"}),
    ("GET", "/api/v1/interviews"): ("team", None),
    ("GET", "/api/v1/interviews/{interview_id}"): ("team", None),
    ("POST", "/api/v1/interviews/{interview_id}/resend"): ("team", {}),
    ("POST", "/api/v1/interviews/{interview_id}/revoke"): ("team", {}),
    ("POST", "/api/v1/interviews/{interview_id}/overrides"): (
        "team", {"answer_id": "{answer_id}", "criterion": "x", "points": 0, "reason": "r"}),
    ("POST", "/api/v1/interviews/{interview_id}/notes"): ("team", {"body": "n"}),
    ("POST", "/api/v1/interviews/{interview_id}/decision"): ("team", {"decision": "hold"}),
    ("GET", "/api/v1/interviews/{interview_id}/scorecard"): ("team", None),
    ("GET", "/api/v1/interviews/{interview_id}/rows"): ("team", None),
    ("POST", "/api/v1/take/open"): ("public", {"token": "not-a-real-token"}),
    ("GET", "/api/v1/take"): ("candidate", None),
    ("POST", "/api/v1/take/consent"): ("candidate", {}),
    ("POST", "/api/v1/take/stages/{index}/start"): ("candidate", {}),
    ("PUT", "/api/v1/take/answers/{answer_id}"): ("candidate_object", {"text": "x"}),
    ("POST", "/api/v1/take/stages/{index}/submit"): ("candidate", {}),
}

# Run last, in this order: they change what the other routes see.
LAST = ["/take/stage/{index}/submit", "/api/v1/take/stages/{index}/submit",
        "/team/interviews/{interview_id}/resend", "/api/v1/interviews/{interview_id}/resend",
        "/team/interviews/{interview_id}/revoke", "/api/v1/interviews/{interview_id}/revoke",
        "/i/{token}", "/logout"]


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

    walk(app.routes)
    return found


def allowed_for(access: str, role: str) -> bool:
    return {
        "public": True,
        "nobody": False,
        "team": role in ("interviewer", "admin"),
        "admin": role == "admin",
        "candidate": role in ("candidate_a", "candidate_b"),
        "candidate_object": role == "candidate_a",
        "practice_owner": False,
    }[access]


@pytest.fixture
def site(make_site: Any) -> Site:
    return make_site()


def test_every_route_has_a_rule(site: Site) -> None:
    assert all_routes(site.app) == set(TABLE)


def test_every_route_answers_each_role_as_the_table_says(site: Site) -> None:
    jars = _sign_everyone_in(site)
    with site.platform.db.session() as s:
        answer_a = s.query(Answer).filter_by(interview_id=site.ids["a"]).order_by(Answer.id)[0]
        practice = Answer(practice_id="someone-else", exercise_id=answer_a.exercise_id, seed=7)
        # an answer with an attachment (a research talk's slides), for the attachment route
        talk = Answer(interview_id=site.ids["a"], stage_index=0,
                      exercise_id="spoken/research-talk-with-slides", seed=0)
        s.add_all([practice, talk])
        s.flush()
        practice_id, talk_id = practice.id, talk.id
    values = {"interview_id": site.ids["a"], "answer_id": answer_a.id, "index": 0,
              "loop_id": site.ids["loop"], "token": site.ids["link_a"].rsplit("/", 1)[1],
              "fmt": "csv", "candidate_id": _candidate_of(site, site.ids["a"])}
    order = sorted(TABLE, key=lambda k: (k[1] in LAST, LAST.index(k[1]) if k[1] in LAST else 0,
                                         k[0] != "GET"))
    failures = []
    counter = 0
    for role in ROLES:
        for method, path in order:
            access, body = TABLE[(method, path)]
            counter += 1
            params = {**values, "n": counter}
            if access == "practice_owner":
                params["answer_id"] = practice_id
            elif path.endswith("/attachment"):
                params["answer_id"] = talk_id
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


def _sign_everyone_in(site: Site) -> dict[str, dict[str, str]]:
    jars: dict[str, dict[str, str]] = {}
    for role in ROLES:
        web = site.client()
        web.client.get("/login")
        if role in ("interviewer", "admin"):
            web.login(f"{role}@example.com", PASSWORD)
        elif role == "candidate_a":
            web.open_invitation(site.ids["link_a"])
            web.form("/take/consent")
        elif role == "candidate_b":
            web.open_invitation(site.ids["link_b"])
            web.form("/take/consent")
        jars[role] = dict(web.client.cookies.items())
    return jars


def _request(site: Site, jar: dict[str, str], method: str, url: str, body: Any) -> Any:
    client = TestClient(site.app, base_url="http://testserver", cookies=jar)
    csrf = jar.get("hireloop_csrf", "")
    headers = {"accept": "text/html", "X-CSRF-Token": csrf}
    json_body = url.startswith("/api/") or url.endswith(("/save", "/complete", "/trial"))
    if body is None:
        return client.request(method, url, headers=headers, follow_redirects=False)
    if isinstance(body, bytes):
        return client.request(method, url, content=body, headers={
            **headers, "content-type": "application/octet-stream"}, follow_redirects=False)
    if json_body:
        return client.request(method, url, json=body, headers=headers, follow_redirects=False)
    return client.request(method, url, data={**body, "csrf_token": csrf}, headers=headers,
                          follow_redirects=False)


def test_a_state_changing_request_without_the_csrf_token_is_refused(site: Site) -> None:
    jars = _sign_everyone_in(site)
    client = TestClient(site.app, base_url="http://testserver", cookies=jars["interviewer"])
    response = client.post(f"/team/interviews/{site.ids['a']}/notes", data={"body": "x"},
                           follow_redirects=False)
    assert response.status_code == 403
    assert "CSRF" in response.text
    forged = client.post(f"/team/interviews/{site.ids['a']}/notes",
                         data={"body": "x", "csrf_token": "forged"}, follow_redirects=False)
    assert forged.status_code == 403


def test_sign_in_is_rate_limited(site: Site) -> None:
    web = site.client()
    statuses = [web.form("/login", {"email": "admin@example.com", "password": "wrong"}
                         ).status_code for _ in range(12)]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]
    # the right password is refused too while the limit holds
    assert web.form("/login", {"email": "admin@example.com", "password": PASSWORD}
                    ).status_code == 429


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
    assert response.headers["referrer-policy"] == "no-referrer"
