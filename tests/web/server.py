"""A real ``hireloop serve`` process for tests that kill it, and a small API client."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import weakref
from pathlib import Path
from typing import Any

import httpx

HIRELOOP = str(Path(sys.executable).parent / "hireloop")
CHROMIUM = Path("/usr/bin/chromium")
"""Debian's Chromium, which the browser tests drive through Playwright"""


def require_chromium() -> None:
    """Fail (never skip) a browser test on a machine without Debian's Chromium."""
    import pytest

    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is missing: apt-get install chromium (scripts/test does)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``hireloop serve`` in a subprocess on a free port.

    Started as root, ``serve`` runs its web process as an unprivileged user, who must be able
    to reach the data dir: pytest's own temporary folders are closed to others, so as root the
    data dir is a fresh folder under /tmp instead (removed when this object goes)."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self._own: Path | None = None
        if os.geteuid() == 0:
            self._own = Path(tempfile.mkdtemp(prefix="hireloop-server-"))
            self._own.chmod(0o755)
            data_dir = self._own / "data"
            # kept across stop() and start() (a restart must find its data), removed with
            # this object
            weakref.finalize(self, shutil.rmtree, str(self._own), True)
        self.data_dir = data_dir
        self.env = {**os.environ, "HIRELOOP_DATA_DIR": str(data_dir), **(env or {})}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data_dir.parent / f"server-{self.port}.log"

    def start(self, threads: int = 1, env: dict[str, str] | None = None,
              host: str = "127.0.0.1") -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [HIRELOOP, "serve", "--host", host, "--port", str(self.port),
                 "--grading-threads", str(threads)],
                env={**self.env, **(env or {})}, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not start: {self.log.read_text()[-3000:]}")

    def kill9(self) -> None:
        assert self.process is not None
        children = self.children()
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        deadline = time.monotonic() + 30  # the grading process ends with the web process
        while any(Path(f"/proc/{c}").exists() for c in children) and \
                time.monotonic() < deadline:
            time.sleep(0.2)

    def children(self) -> list[int]:
        """The server's child processes (as root: its privileged grading process)."""
        if self.process is None:
            return []
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(p) for p in path.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        children = self.children()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        deadline = time.monotonic() + 30  # the grading process ends with the web process
        while any(Path(f"/proc/{c}").exists() for c in children) and \
                time.monotonic() < deadline:
            time.sleep(0.2)

    def cli(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([HIRELOOP, *args], env=self.env, input=stdin, text=True,
                              capture_output=True, timeout=120, check=False)

    def add_admin(self, email: str, password: str) -> Api:
        """Add an admin through the real ``hireloop user add`` and sign them in to the API."""
        added = self.cli("user", "add", "--admin", email, "--password-stdin",
                         stdin=password + "\n")
        assert added.returncode == 0, added.stderr
        return Api.login(self.url, email, password)


class Api:
    """The JSON API with a bearer token."""

    def __init__(self, url: str, token: str | None = None) -> None:
        self.client = httpx.Client(base_url=url, timeout=30)
        if token:
            self.client.headers["authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, body: Any = None, ok: int = 200) -> Any:
        response = self.client.request(method, f"/api/v1{path}", json=body)
        assert response.status_code == ok, (response.status_code, response.text)
        return response.json()

    @classmethod
    def login(cls, url: str, email: str, password: str) -> Api:
        token = cls(url).call("POST", "/auth/login", {"email": email, "password": password})
        return cls(url, token["token"])

    @classmethod
    def candidate(cls, url: str, link: str) -> Api:
        opened = cls(url).call("POST", "/take/open", {"token": link.rsplit("/", 1)[1]})
        return cls(url, opened["token"])
