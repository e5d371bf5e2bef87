"""The container image and the compose deployment, built and run on this machine.

What runs is the repository's own ``Dockerfile`` and ``compose.yaml``. Only what a machine
without a registry cannot pull is replaced: the base image is Debian 12 made with
debootstrap and ``docker import`` (passed as the ``BASE`` build argument, as a user could),
PostgreSQL and Redis are Debian's packages on that base (``tests/deploy/images``), and
hireloop installs from a wheelhouse built here (``PIP_ARGS``), since this machine's package
index is reached through a proxy whose certificate the image does not hold.

Needs a Docker engine, ``docker-compose`` and ``debootstrap`` (``scripts/test`` installs and
starts them and sets ``HIRELOOP_TEST_DOCKER=1``, which makes a missing engine a failure
instead of a skip). The phases' timings go to ``<work dir>/timings.json``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from tests.web.server import Api

ROOT = Path(__file__).resolve().parents[2]
WORK = Path(os.environ.get("HIRELOOP_COMPOSE_WORKDIR", "/var/tmp/hireloop-compose"))
BASE = "hireloop-test/debian:bookworm-slim"
IMAGE = "hireloop:compose-test"
POSTGRES = "hireloop-test/postgres:15"
REDIS = "hireloop-test/redis:7"
MIRROR = os.environ.get("HIRELOOP_DEBIAN_MIRROR", "http://deb.debian.org/debian")
EXERCISE = "coding/edit-distance"
ADMIN, PASSWORD = "admin@example.com", "a long admin password"

#: The worker's capabilities, as compose.yaml grants them (docs/operating.md, "Containers").
WORKER_CAPS = {"CAP_CHOWN": 0, "CAP_DAC_OVERRIDE": 1, "CAP_FOWNER": 3, "CAP_KILL": 5,
               "CAP_SETGID": 6, "CAP_SETUID": 7, "CAP_SETPCAP": 8, "CAP_NET_ADMIN": 12,
               "CAP_SYS_ADMIN": 21}

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


def _why_not() -> str | None:
    for tool in ("docker", "docker-compose", "debootstrap"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    if os.geteuid() != 0:
        return "debootstrap needs root"
    info = subprocess.run(["docker", "info"], capture_output=True, text=True, check=False)
    if info.returncode != 0:
        return "no Docker engine answers: " + (info.stderr.strip().splitlines() or ["?"])[-1]
    return None


@pytest.fixture(scope="module", autouse=True)
def _docker() -> None:
    why = _why_not()
    if why is None:
        return
    if os.environ.get("HIRELOOP_TEST_DOCKER") == "1":
        pytest.fail(f"HIRELOOP_TEST_DOCKER=1 but {why}")
    pytest.skip(f"{why} (scripts/test sets it up)")


def sh(*args: str, timeout: float = 900, check: bool = True, stdin: str | None = None,
       env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, input=stdin,
                          env=env, cwd=cwd, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {done.returncode}:\n"
                             f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


@dataclass
class Timings:
    phases: dict[str, float] = field(default_factory=dict)

    def record(self, name: str, started: float) -> None:
        self.phases[name] = round(time.monotonic() - started, 1)
        WORK.mkdir(parents=True, exist_ok=True)
        (WORK / "timings.json").write_text(json.dumps(self.phases, indent=2) + "\n")


TIMINGS = Timings()


def _has_image(name: str) -> bool:
    return subprocess.run(["docker", "image", "inspect", name], capture_output=True,
                          check=False).returncode == 0


def _base_image() -> None:
    """Debian 12 minbase from the apt mirror, imported as the base every image builds on."""
    if _has_image(BASE):
        return
    started = time.monotonic()
    rootfs = WORK / "rootfs"
    if not (rootfs / ".done").exists():
        shutil.rmtree(rootfs, ignore_errors=True)
        sh("debootstrap", "--variant=minbase", "bookworm", str(rootfs), MIRROR, timeout=1200)
        (rootfs / ".done").touch()
    tar = subprocess.Popen(["tar", "-C", str(rootfs), "--exclude=./.done", "-c", "."],
                           stdout=subprocess.PIPE)
    imported = subprocess.run(["docker", "import", "-", BASE], stdin=tar.stdout,
                              capture_output=True, text=True, check=False)
    assert tar.wait() == 0
    assert imported.returncode == 0, imported.stderr
    TIMINGS.record("base image (debootstrap + import)", started)


def _context() -> Path:
    """The checkout's files (tracked and new, as git sees them) and a wheelhouse."""
    started = time.monotonic()
    wheels = WORK / "wheels"
    pip = [sys.executable, "-m", "pip"]
    shutil.rmtree(wheels, ignore_errors=True)
    sh(*pip, "wheel", "-q", "-w", str(wheels), str(ROOT), timeout=1200)
    # what the image's build needs beyond the package's own dependencies: the build backend,
    # and async-timeout, which redis needs on Debian's Python 3.11.2 but not on this one
    sh(*pip, "download", "-q", "-d", str(wheels), "hatchling>=1.25", "async-timeout>=4.0.3")
    for built in wheels.glob("hireloop-*.whl"):
        built.unlink()  # the image builds the package from the context
    context = WORK / "context"
    shutil.rmtree(context, ignore_errors=True)
    context.mkdir(parents=True)
    files = sh("git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others",
               "--exclude-standard").split("\0")
    with tarfile.open(context / "src.tar", "w") as tar:
        for name in files:
            if name and (ROOT / name).is_file():
                tar.add(ROOT / name, arcname=name, recursive=False)
    with tarfile.open(context / "src.tar") as tar:
        tar.extractall(context, filter="tar")
    (context / "src.tar").unlink()
    shutil.copytree(wheels, context / "wheelhouse")
    TIMINGS.record("wheelhouse and build context", started)
    return context


def _build(context: Path) -> None:
    env = {**os.environ, "DOCKER_BUILDKIT": "0"}
    started = time.monotonic()
    sh("docker", "build", "-q", "--network", "host", "--build-arg", f"BASE={BASE}",
       "--build-arg", "PIP_ARGS=--no-index --find-links wheelhouse", "-t", IMAGE,
       str(context), env=env, timeout=1800)
    TIMINGS.record("hireloop image build", started)
    started = time.monotonic()
    images = ROOT / "tests" / "deploy" / "images"
    for tag, dockerfile in ((POSTGRES, "postgres.Dockerfile"), (REDIS, "redis.Dockerfile")):
        sh("docker", "build", "-q", "--network", "host", "--build-arg", f"BASE={BASE}",
           "-f", str(images / dockerfile), "-t", tag, str(images), env=env, timeout=900)
    TIMINGS.record("PostgreSQL and Redis stand-in images", started)


@pytest.fixture(scope="module")
def image() -> str:
    _base_image()
    _build(_context())
    return IMAGE


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Deployment:
    project: str
    env: dict[str, str]
    url: str

    def compose(self, *args: str, check: bool = True, stdin: str | None = None,
                timeout: float = 600) -> str:
        return sh("docker-compose", "-f", str(ROOT / "compose.yaml"), "-p", self.project,
                  *args, env=self.env, check=check, stdin=stdin, timeout=timeout, cwd=ROOT)

    def containers(self, service: str) -> list[str]:
        return self.compose("ps", "-q", service).split()

    def psql(self, query: str) -> list[list[str]]:
        out = self.compose("exec", "-T", "postgres", "psql", "-U", "hireloop", "-d",
                           "hireloop", "-At", "-F", "\t", "-c", query)
        return [line.split("\t") for line in out.splitlines() if line]


@pytest.fixture(scope="module")
def deployment(image: str) -> Iterator[Deployment]:
    port = _free_port()
    project = f"hireloop-test-{os.getpid()}"
    env = {**os.environ, "HIRELOOP_IMAGE": image, "HIRELOOP_POSTGRES_IMAGE": POSTGRES,
           "HIRELOOP_REDIS_IMAGE": REDIS, "HIRELOOP_PORT": str(port),
           "HIRELOOP_BASE_URL": f"http://127.0.0.1:{port}",
           "HIRELOOP_DB_PASSWORD": "a test database password"}
    d = Deployment(project, env, f"http://127.0.0.1:{port}")
    started = time.monotonic()
    try:
        d.compose("up", "-d", "--no-build", "--scale", "worker=2")
        _wait_healthy(d)
        TIMINGS.record("compose up until /healthz", started)
        yield d
    finally:
        logs = d.compose("logs", "--no-color", check=False)
        (WORK / "compose.log").write_text(logs)
        d.compose("down", "-v", "--remove-orphans", check=False)


def _wait_healthy(d: Deployment, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(d.url + "/healthz", timeout=3).json() == {"status": "ok"}:
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(1)
    raise AssertionError("no /healthz in time:\n" + d.compose("logs", "--no-color",
                                                              check=False)[-4000:])


# --- the image --------------------------------------------------------------------------------

def test_the_image_holds_no_build_tools_and_reports_its_size(image: str) -> None:
    found = sh("docker", "run", "--rm", "--entrypoint", "sh", image, "-c",
               "for t in gcc cc c++ make pip pip3 git; do command -v $t; done; true")
    assert found.split() == []
    size = int(sh("docker", "image", "inspect", "-f", "{{.Size}}", image))
    TIMINGS.phases["image size MB"] = round(size / 1e6)
    version = sh("docker", "run", "--rm", image, "--version")
    assert "hireloop" in version.lower()


# --- the deployment ---------------------------------------------------------------------------

def test_compose_up_serves_and_logs_the_first_admin_link(deployment: Deployment) -> None:
    assert httpx.get(deployment.url + "/healthz").json() == {"status": "ok"}
    logs = deployment.compose("logs", "--no-color", "web")
    links = re.findall(r"(http://\S+/setup/[A-Za-z0-9_-]+)", logs)
    assert links, logs[-2000:]
    page = httpx.get(links[-1])
    assert page.status_code == 200
    assert "admin" in page.text.lower()


def _status(d: Deployment, service: str) -> list[dict[str, str]]:
    """/proc/<pid>/status of every hireloop process in the service's containers."""
    script = ("import json, os\n"
              "out = []\n"
              "for p in filter(str.isdigit, os.listdir('/proc')):\n"
              "    try:\n"
              "        cmd = open(f'/proc/{p}/cmdline', 'rb').read().split(b'\\0')\n"
              "        st = open(f'/proc/{p}/status').read()\n"
              "    except OSError:\n"
              "        continue\n"
              "    if any(part.endswith(b'/hireloop') for part in cmd[:2]):\n"
              "        out.append(dict(l.split(':\\t', 1) for l in st.splitlines() "
              "if ':\\t' in l))\n"
              "print(json.dumps(out))\n")
    found: list[dict[str, str]] = []
    for container in d.containers(service):
        found += json.loads(sh("docker", "exec", container, "python3", "-c", script))
    return found


def test_the_web_process_has_no_privileges_and_the_worker_only_the_listed_ones(
        deployment: Deployment) -> None:
    web = _status(deployment, "web")
    assert web, "no hireloop process in the web container"
    for st in web:
        assert st["Uid"].split() == ["999"] * 4
        assert st["Gid"].split() == ["999"] * 4
        assert int(st["CapEff"], 16) == int(st["CapPrm"], 16) == int(st["CapBnd"], 16) == 0
        assert st["NoNewPrivs"].strip() == "1"
    workers = _status(deployment, "worker")
    assert len(workers) == 2
    wanted = sum(1 << bit for bit in WORKER_CAPS.values())
    for st in workers:
        assert st["Uid"].split()[0] == "0"
        assert int(st["CapBnd"], 16) == wanted, hex(int(st["CapBnd"], 16))
        assert st["NoNewPrivs"].strip() == "1"
        assert st["Seccomp"].strip() == "2"  # deploy/worker-seccomp.json is applied


def test_a_worker_passes_the_sandbox_doctor(deployment: Deployment) -> None:
    container = deployment.containers("worker")[0]
    report = subprocess.run(["docker", "exec", container, "hireloop", "sandbox", "doctor",
                             "--probe"], capture_output=True, text=True, check=False)
    assert report.returncode == 0, report.stdout[-3000:]
    assert "Candidate code can run isolated on this host." in report.stdout


def test_without_the_remount_setting_the_doctor_says_what_is_missing(
        deployment: Deployment) -> None:
    """The worker's privileges without HIRELOOP_SANDBOX_CGROUP_REMOUNT: the cgroup file system
    stays read-only, runs cannot get their limits, and the doctor names the fix."""
    report = subprocess.run(
        ["docker-compose", "-f", str(ROOT / "compose.yaml"), "-p", deployment.project, "run",
         "--rm", "--no-deps", "-e", "HIRELOOP_SANDBOX_CGROUP_REMOUNT=0", "worker", "sandbox",
         "doctor", "--json"], capture_output=True, text=True, env=deployment.env, cwd=ROOT,
        timeout=300, check=False)
    assert report.returncode == 1, report.stderr[-2000:]
    checks = {c["protection"]: c for c in json.loads(report.stdout)["checks"]}
    assert not checks["cgroups"]["supported"]
    assert "read-only" in checks["cgroups"]["detail"]
    assert "HIRELOOP_SANDBOX_CGROUP_REMOUNT=1" in checks["cgroups"]["detail"]


SLOW = """
import time as _time

_solve = edit_distance


def edit_distance(*args, **kwargs):
    _time.sleep(0.4)  # slow, not wrong: the job is still running when its worker is killed
    return _solve(*args, **kwargs)
"""


def _interview(admin: Api, url: str, loop_id: int, name: str, code: str) -> int:
    invited = admin.call("POST", "/interviews", {"name": name, "email": f"{name}@example.com",
                                                 "loop_id": loop_id}, ok=201)
    candidate = Api.candidate(url, invited["link"])
    candidate.call("POST", "/take/consent")
    candidate.call("POST", "/take/stages/0/start")
    exercise = candidate.call("GET", "/take")["stages"][0]["exercises"][0]
    candidate.call("PUT", f"/take/answers/{exercise['answer_id']}", {"text": code})
    candidate.call("POST", "/take/stages/0/submit")
    return int(invited["id"])


def _job(d: Deployment, interview_id: int) -> dict[str, str]:
    rows = d.psql("select j.state, coalesce(j.worker_id, ''), j.attempts from grading_jobs j "
                  "join answers a on a.id = j.answer_id "
                  f"where a.interview_id = {int(interview_id)}")
    assert len(rows) == 1, rows
    state, worker, attempts = rows[0]
    return {"state": state, "worker": worker, "attempts": attempts}


def _wait_job(d: Deployment, interview_id: int, done, timeout: float) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    job = _job(d, interview_id)
    while not done(job) and time.monotonic() < deadline:
        time.sleep(0.3)
        job = _job(d, interview_id)
    assert done(job), (job, d.compose("logs", "--no-color", "--tail", "60", "worker",
                                      check=False))
    return job


def _score(admin: Api, interview_id: int) -> float:
    scorecard = admin.call("GET", f"/interviews/{interview_id}/scorecard")
    return float(scorecard["stages"][0]["score"])


def test_a_worker_grades_code_and_a_killed_worker_s_job_finishes_on_the_other(
        deployment: Deployment) -> None:
    d = deployment
    # (the output of `docker exec -i` is not always passed on once its input ends; the
    # sign-in below is the proof)
    sh("docker", "exec", "-i", d.containers("web")[0], "hireloop", "user", "add", "--admin",
       ADMIN, "--password-stdin", stdin=PASSWORD + "\n")
    admin = Api.login(d.url, ADMIN, PASSWORD)
    loop = admin.call("POST", "/loops", {"definition": {
        "title": "Compose loop", "role": "ML engineer",
        "stage": [{"name": "Code", "minutes": 30, "exercises": [EXERCISE]}]}}, ok=201)
    reference = (ROOT / "bank" / EXERCISE / "hidden" / "reference.py").read_text()
    hosts = {sh("docker", "inspect", "-f", "{{.Config.Hostname}}", c).strip(): c
             for c in d.containers("worker")}
    assert len(hosts) == 2

    started = time.monotonic()
    first = _interview(admin, d.url, loop["id"], "ada", reference)
    job = _wait_job(d, first, lambda j: j["state"] in ("graded", "failed"), 180)
    assert job["state"] == "graded"
    assert job["worker"].split(":")[0] in hosts
    assert _score(admin, first) == pytest.approx(1.0)
    TIMINGS.record("one code answer graded by a worker", started)

    started = time.monotonic()
    second = _interview(admin, d.url, loop["id"], "grace", reference + SLOW)
    job = _wait_job(d, second, lambda j: j["state"] == "running" and j["worker"], 120)
    victim = job["worker"].split(":")[0]
    sh("docker", "kill", "--signal", "KILL", hosts[victim])
    job = _wait_job(d, second, lambda j: j["state"] in ("graded", "failed"), 300)
    assert job["state"] == "graded", job
    survivor = job["worker"].split(":")[0]
    assert survivor != victim
    assert survivor in hosts
    assert int(job["attempts"]) == 2
    assert _score(admin, second) == pytest.approx(1.0)
    TIMINGS.record("kill -9 of a worker mid-grade until graded on the other", started)


def test_compose_stops_cleanly(deployment: Deployment) -> None:
    started = time.monotonic()
    deployment.compose("stop", "-t", "30")
    states = sh("docker", "ps", "-a", "--filter", f"label=com.docker.compose.project="
                f"{deployment.project}", "--format", "{{.Names}} {{.Status}}")
    assert "Up " not in states, states
    TIMINGS.record("compose stop", started)
