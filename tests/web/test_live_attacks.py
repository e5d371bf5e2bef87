"""The outside review's attacks, replayed against a real ``hireloop serve``: cookie tossing
from another port of the same host in Chromium, lock-out by wrong passwords, a rotating
``X-Forwarded-For``, and the web process's privileges (``ps``)."""

from __future__ import annotations

import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.web.server import Api, Server, free_port

ADMIN, PASSWORD = "admin@example.com", "a long admin password"
CHROMIUM = Path("/usr/bin/chromium")


def _admin_and_interview(server: Server) -> tuple[Api, int]:
    added = server.cli("user", "add", "--admin", ADMIN, "--password-stdin",
                       stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    admin = Api.login(server.url, ADMIN, PASSWORD)
    loop = admin.call("POST", "/loops", {"definition": {
        "title": "Screen", "role": "ML engineer", "stage": [
            {"name": "One", "minutes": 10,
             "exercises": ["ml-foundations/screening-model-positive-posterior"]}]}}, ok=201)
    made = admin.call("POST", "/interviews", {"name": "Ada", "email": "ada@example.com",
                                              "loop_id": loop["id"]}, ok=201)
    return admin, made["id"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    running = Server(tmp_path_factory.mktemp("live") / "data")
    running.start(threads=1)
    running.admin, running.interview = _admin_and_interview(running)  # type: ignore[attr-defined]
    yield running
    running.stop()


def _attacker_site(target: str, interview: int) -> tuple[ThreadingHTTPServer, str]:
    """A page on another port of the same host: it plants ``hireloop_csrf`` for the whole
    host (cookies ignore ports) and auto-posts a decision with the value it planted."""
    page = f"""<!doctype html><html><body>
<form id="f" method="post" action="{target}/team/interviews/{interview}/decision">
<input name="decision" value="reject"><input name="csrf_token" value="attackerknown"></form>
<script>
document.cookie = "hireloop_csrf=attackerknown; Path=/";
document.getElementById("f").submit();
</script></body></html>""".encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/"


@pytest.mark.slow
def test_a_page_on_another_port_cannot_plant_a_csrf_cookie_and_decide(server: Any) -> None:
    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is missing: apt-get install chromium (scripts/test does)")
    from playwright.sync_api import sync_playwright

    httpd, attacker = _attacker_site(server.url, server.interview)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
            context = browser.new_context()
            admin = context.new_page()
            admin.goto(server.url + "/login")
            admin.fill("input[name=email]", ADMIN)
            admin.fill("input[name=password]", PASSWORD)
            admin.click("button[type=submit]")
            admin.wait_for_url("**/team")
            victim = context.new_page()  # the admin opens the attacker's page
            with victim.expect_navigation():
                victim.goto(attacker)
            victim.wait_for_load_state()
            status = victim.evaluate("document.title + ' ' + document.body.innerText")
            browser.close()
    finally:
        httpd.shutdown()
    detail = server.admin.call("GET", f"/interviews/{server.interview}")
    assert detail["decision"] is None, status


@pytest.mark.slow
def test_wrong_passwords_from_one_address_never_lock_the_owner_out(server: Any) -> None:
    email = "locked@example.com"
    server.admin.call("POST", "/users", {"email": email, "password": PASSWORD,
                                         "role": "interviewer"}, ok=201)
    attacker = httpx.Client(base_url=server.url)
    statuses = [attacker.post("/api/v1/auth/login", json={
        "email": email, "password": "wrong guess"}).status_code for _ in range(12)]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]
    # the owner, from an address with no failures, signs in at once
    owner = httpx.Client(base_url=server.url,
                         transport=httpx.HTTPTransport(local_address="127.0.0.2"))
    ok = owner.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert ok.status_code == 200, ok.text


@pytest.mark.slow
def test_a_rotating_forwarded_for_header_does_not_reset_the_limit(server: Any) -> None:
    email = "rotated@example.com"
    server.admin.call("POST", "/users", {"email": email, "password": PASSWORD,
                                         "role": "interviewer"}, ok=201)
    client = httpx.Client(base_url=server.url)
    statuses = [client.post("/api/v1/auth/login", json={"email": email, "password": "nope"},
                            headers={"x-forwarded-for": f"203.0.113.{i}"}).status_code
                for i in range(12)]
    assert 429 in statuses, statuses


@pytest.mark.slow
def test_the_web_process_runs_without_root_and_grading_still_works(server: Any) -> None:
    import os

    if os.geteuid() != 0:
        pytest.skip("the privilege split applies to a server started as root")
    web = server.process.pid
    table = subprocess.run(["ps", "-ww", "-o", "pid=,ppid=,ruid=,euid=,suid=,rgid=,egid=,args=",
                            "-p", str(web), "--ppid", str(web)], capture_output=True,
                           text=True, check=True).stdout.splitlines()
    rows = {int(line.split()[0]): line.split() for line in table}
    assert rows[web][2:7] != ["0"] * 5
    assert "0" not in rows[web][2:7], rows[web]  # no uid or gid 0 in the web process
    graders = [r for pid, r in rows.items() if pid != web]
    assert graders, "serve started no grading process"
    assert all(r[3] == "0" and "worker" in " ".join(r) for r in graders), rows
    candidate = Api.candidate(server.url, server.admin.call(
        "POST", f"/interviews/{server.interview}/resend")["link"])
    candidate.call("POST", "/take/consent")
    candidate.call("POST", "/take/stages/0/start")
    answer = candidate.call("GET", "/take")["stages"][0]["exercises"][0]["answer_id"]
    candidate.call("PUT", f"/take/answers/{answer}", {"text": "0.5"})
    candidate.call("POST", "/take/stages/0/submit")
    import time

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        detail = server.admin.call("GET", f"/interviews/{server.interview}")
        job = detail["answers"][0]["job"]
        if job and job["state"] in ("graded", "failed"):
            break
        time.sleep(0.5)
    assert job["state"] == "graded", job
    assert httpx.get(server.url + "/healthz").json() == {"status": "ok"}
