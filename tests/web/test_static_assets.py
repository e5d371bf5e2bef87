"""The committed browser assets: present, built from the pinned versions, and working in a
real browser (Debian's Chromium driven by Playwright)."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "src" / "hireloop" / "web" / "static" / "vendor"
FRONTEND = ROOT / "frontend"
CHROMIUM = Path("/usr/bin/chromium")
BUNDLES = ["htmx.min.js", "editor.js", "recorder.js"]
HEADER = re.compile(r"^/\*! hireloop (?P<file>\S+): .*? Packages: (?P<packages>.*?)\. Licences")


def lock_versions() -> dict[str, str]:
    lock = json.loads((FRONTEND / "package-lock.json").read_text())
    return {
        path.removeprefix("node_modules/"): meta["version"]
        for path, meta in lock["packages"].items()
        if path.startswith("node_modules/")
    }


def header_packages(name: str) -> dict[str, str]:
    first_line = (VENDOR / name).read_text().split("\n", 1)[0]
    match = HEADER.match(first_line)
    assert match, f"{name}: first line is not the build header: {first_line[:200]}"
    assert match["file"] == name
    packages: dict[str, str] = {}
    for item in match["packages"].split(", "):
        if item == "none":
            continue
        spec = item.split(" (", 1)[0]
        package, _, version = spec.rpartition("@")
        packages[package] = version
    return packages


@pytest.mark.parametrize("name", [*BUNDLES, "LICENSES.txt"])
def test_committed_asset_exists_and_is_not_empty(name: str) -> None:
    path = VENDOR / name
    assert path.is_file(), f"{path} is missing: run frontend/build.sh"
    assert path.stat().st_size > 1000


def test_frontend_package_json_pins_exact_versions() -> None:
    manifest = json.loads((FRONTEND / "package.json").read_text())
    for package, spec in manifest["devDependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", spec), f"{package} is not pinned exactly: {spec}"
    assert manifest["devDependencies"]["htmx.org"].startswith("2.")


@pytest.mark.parametrize("name", BUNDLES)
def test_bundle_header_versions_match_the_lock_file(name: str) -> None:
    pinned = lock_versions()
    packages = header_packages(name)
    for package, version in packages.items():
        assert package in pinned, f"{name} bundles {package}, which the lock file lacks"
        assert version == pinned[package], (
            f"{name} was built with {package}@{version}, the lock file pins {pinned[package]}:"
            " run frontend/build.sh"
        )


def test_editor_bundle_holds_codemirror_and_python() -> None:
    packages = header_packages("editor.js")
    for required in ["@codemirror/view", "@codemirror/state", "@codemirror/lang-python"]:
        assert required in packages


def test_htmx_is_the_pinned_2x_release() -> None:
    version = lock_versions()["htmx.org"]
    assert version.startswith("2.")
    assert header_packages("htmx.min.js") == {"htmx.org": version}
    assert f'version:"{version}"' in (VENDOR / "htmx.min.js").read_text()


def test_licenses_list_every_bundled_package_with_its_version() -> None:
    licences = (VENDOR / "LICENSES.txt").read_text()
    for name in BUNDLES:
        for package, version in header_packages(name).items():
            assert f"\n{package} {version}\nLicence: " in licences, f"{package} {version}"
    assert "Permission is hereby granted" in licences  # the MIT text itself, not just a name


# --- real browser ------------------------------------------------------------------------


class AppState:
    """What the test server saw: the upload's bytes and its requests."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.chunks: list[tuple[int, int]] = []  # (offset, length) of each stored chunk
        self.status_queries = 0
        self.conflicts = 0  # chunks sent at an offset other than the server's
        self.complete: dict[str, Any] | None = None
        self.csrf_tokens: set[str] = set()
        self.drop_response_of_chunk: int | None = None  # answer nothing to this chunk (index)
        self.pages: dict[str, str] = {}
        self.lock = threading.Lock()


def make_handler(state: AppState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def send_json(self, status: int, payload: object) -> None:
            self.send(status, json.dumps(payload).encode(), "application/json")

        def do_GET(self) -> None:
            path = urlparse(self.path).path
            if path == "/upload":
                with state.lock:
                    state.status_queries += 1
                    self.send_json(200, {"received": len(state.data)})
            elif path in state.pages:
                self.send(200, state.pages[path].encode(), "text/html; charset=utf-8")
            elif path.startswith("/static/") and (VENDOR / path.removeprefix("/static/")).is_file():
                body = (VENDOR / path.removeprefix("/static/")).read_bytes()
                self.send(200, body, "text/javascript; charset=utf-8")
            else:
                self.send(404, b"not found", "text/plain")

        def do_POST(self) -> None:
            url = urlparse(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with state.lock:
                state.csrf_tokens.add(self.headers.get("X-CSRF-Token", ""))
                if url.path == "/upload/complete":
                    state.complete = json.loads(body)
                    self.send_json(200, {"id": "rec-1", "size": len(state.data)})
                    return
                if url.path != "/upload":
                    self.send(404, b"not found", "text/plain")
                    return
                assert self.headers["Content-Type"] == "application/octet-stream"
                offset = int(parse_qs(url.query)["offset"][0])
                if offset != len(state.data):
                    state.conflicts += 1
                    self.send_json(409, {"received": len(state.data)})
                    return
                assert 0 < len(body) <= 1024 * 1024
                state.data += body
                state.chunks.append((offset, len(body)))
                if state.drop_response_of_chunk == len(state.chunks) - 1:
                    # Stored, but the answer is lost: the client must ask where to resume.
                    state.drop_response_of_chunk = None
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_json(200, {"received": len(state.data)})

    return Handler


@pytest.fixture
def app() -> Iterator[tuple[str, AppState]]:
    state = AppState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.skip("needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("needs playwright (pip install -e '.[dev]')")
    with sync_playwright() as pw:
        yield pw


def launch(playwright: Any, *args: str) -> Any:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=list(args))


@pytest.fixture(scope="module")
def browser(playwright: Any) -> Iterator[Any]:
    # Fake camera and microphone (a beeping tone), and consent given without a prompt.
    instance = launch(
        playwright, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"
    )
    yield instance
    instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(15_000)
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


EDITOR_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>editor</title></head><body>
<form id="form">
  <label for="code">Your code</label>
  <textarea id="code" name="code" data-editor="python"></textarea>
  <textarea id="notes" name="notes" data-editor="markdown"># Notes</textarea>
  <textarea id="given" name="given" data-editor="text" data-readonly>given text</textarea>
</form>
<script src="/static/editor.js"></script>
<script>
  window.inputEvents = [];
  document.getElementById("form").addEventListener("input",
    (e) => window.inputEvents.push({target: e.target.id, value: e.target.value}));
  window.editors = HireloopEditor.mountAll();
</script>
</body></html>
"""


def open_editor_page(page: Any, app: tuple[str, AppState]) -> None:
    base, state = app
    state.pages["/editor.html"] = EDITOR_PAGE
    page.goto(f"{base}/editor.html")
    page.wait_for_function("window.editors && window.editors.length === 3")


def test_typing_in_the_editor_updates_the_textarea_and_fires_input(
    page: Any, app: tuple[str, AppState]
) -> None:
    open_editor_page(page, app)
    assert page.locator("#code").is_hidden()
    editor = page.locator("#code + .cm-editor .cm-content")
    editor.click()
    page.keyboard.type("def area(r):\n")
    page.keyboard.type("return 3.14 * r ** 2  # [x]")
    expected = "def area(r):\n    return 3.14 * r ** 2  # [x]"
    assert page.eval_on_selector("#code", "t => t.value") == expected
    assert page.evaluate("window.editors[0].getValue()") == expected
    events = page.evaluate("window.inputEvents")
    assert events, "no input event reached the form"
    assert all(event["target"] == "code" for event in events)
    assert events[-1]["value"] == expected


def test_the_editor_highlights_python_syntax(page: Any, app: tuple[str, AppState]) -> None:
    open_editor_page(page, app)
    page.locator("#code + .cm-editor .cm-content").click()
    page.keyboard.type("def f(x):\nreturn 'text'")
    colours = page.evaluate(
        """() => {
          const line = document.querySelector('#code + .cm-editor .cm-line');
          const colour = (el) => getComputedStyle(el).color;
          const spans = [...document.querySelectorAll('#code + .cm-editor .cm-line span')];
          const byText = Object.fromEntries(spans.map((s) => [s.textContent, colour(s)]));
          return {plain: colour(line), def: byText['def'], string: byText["'text'"]};
        }"""
    )
    assert colours["def"] is not None, "the keyword `def` is not wrapped in a highlight span"
    assert colours["string"] is not None, "the string literal is not wrapped in a highlight span"
    assert colours["def"] != colours["plain"]
    assert colours["string"] != colours["plain"]
    assert colours["def"] != colours["string"]


def test_tab_indents_four_spaces_and_brackets_match(page: Any, app: tuple[str, AppState]) -> None:
    open_editor_page(page, app)
    page.locator("#code + .cm-editor .cm-content").click()
    page.keyboard.press("Tab")
    page.keyboard.type("x = (1)")
    assert page.eval_on_selector("#code", "t => t.value") == "    x = (1)"
    # The cursor sits after ")": both brackets are marked as matching.
    assert page.locator("#code + .cm-editor .cm-matchingBracket").count() == 2
    assert page.locator("#code + .cm-editor .cm-gutterElement", has_text="1").count() >= 1
    page.keyboard.press("Control+z")
    assert page.eval_on_selector("#code", "t => t.value") != "    x = (1)"


def test_read_only_editor_ignores_typing_and_set_value_syncs(
    page: Any, app: tuple[str, AppState]
) -> None:
    open_editor_page(page, app)
    page.locator("#given + .cm-editor .cm-content").click()
    page.keyboard.type("changed")
    assert page.eval_on_selector("#given", "t => t.value") == "given text"
    assert page.evaluate("window.editors[2].getValue()") == "given text"
    page.evaluate("window.editors[1].setValue('# New heading\\n\\n*emphasis*')")
    assert page.eval_on_selector("#notes", "t => t.value") == "# New heading\n\n*emphasis*"
    assert page.evaluate("window.inputEvents.at(-1).target") == "notes"
    page.evaluate("window.editors[0].focus()")
    assert page.evaluate("document.activeElement.closest('.cm-editor') !== null")


def test_an_unknown_editor_language_is_a_clear_error(page: Any, app: tuple[str, AppState]) -> None:
    open_editor_page(page, app)
    message = page.evaluate(
        """() => {
          const t = document.createElement('textarea'); t.id = 'bad';
          document.body.append(t);
          try { HireloopEditor.mount(t, {language: 'cobol'}); return null; }
          catch (e) { return e.message; }
        }"""
    )
    assert message is not None
    assert "cobol" in message
    assert "#bad" in message
    assert "python" in message


RECORDER_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>recorder</title></head><body>
<div id="rec"></div>
<script src="/static/recorder.js"></script>
<script>
  window.uploaded = null;
  window.recorder = HireloopRecorder.mount(document.getElementById("rec"), Object.assign({
    maxSeconds: 30, allowRerecord: true, video: false, uploadUrl: "/upload",
    csrfToken: "tok-123", onUploaded: (json) => { window.uploaded = json; },
  }, OPTIONS));
</script>
</body></html>
"""


def open_recorder(page: Any, app: tuple[str, AppState], **options: Any) -> None:
    base, state = app
    state.pages["/recorder.html"] = RECORDER_PAGE.replace("OPTIONS", json.dumps(options))
    page.goto(f"{base}/recorder.html")


def record(page: Any, seconds: float) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.get_by_role("button", name="Start recording").click()
    page.wait_for_function("window.recorder.getState() === 'recording'")
    started = time.monotonic()
    # the meter follows the fake microphone, which beeps with silence in between: wait for a
    # beep rather than sample once
    try:
        page.wait_for_function(
            "Number(document.querySelector('.hr-meter').getAttribute('aria-valuenow')) > 0",
            timeout=3000)
    except PlaywrightTimeout:
        pytest.fail("the level meter shows no sound from the fake microphone")
    assert "left" in page.inner_text(".hr-timer")
    left_ms = int((seconds - (time.monotonic() - started)) * 1000)
    if left_ms > 0:
        page.wait_for_timeout(left_ms)
    page.get_by_role("button", name="Stop recording").click()
    page.wait_for_function("window.recorder.getState() === 'recorded'")


def assert_media(data: bytes, mime: str) -> None:
    assert len(data) > 1000
    if "webm" in mime:
        assert data[:4] == b"\x1a\x45\xdf\xa3", "not a WebM (EBML) file"
    elif "ogg" in mime:
        assert data[:4] == b"OggS"
    else:
        pytest.fail(f"unexpected recording type {mime}")


@pytest.mark.slow
def test_recorder_records_and_uploads_with_the_chunk_protocol(
    page: Any, app: tuple[str, AppState]
) -> None:
    _, state = app
    open_recorder(page, app)
    record(page, 2.0)
    assert page.locator(".hr-playback").is_visible(), "no playback before submitting"
    assert "Play it back" in page.inner_text(".hr-status")
    page.get_by_role("button", name="Submit this recording").click()
    page.wait_for_function("window.uploaded !== null")
    assert state.complete is not None
    mime = state.complete["mime"]
    assert mime.startswith(("audio/webm", "audio/ogg")), mime
    assert_media(bytes(state.data), mime)
    assert state.complete["size"] == len(state.data)
    assert 1.5 <= state.complete["duration_s"] <= 4.0
    assert state.csrf_tokens == {"tok-123"}
    assert page.evaluate("window.uploaded") == {"id": "rec-1", "size": len(state.data)}
    assert page.get_attribute(".hr-progress progress", "value") == "100"
    assert "uploaded" in page.inner_text(".hr-status")


@pytest.mark.slow
def test_recorder_resumes_from_the_server_offset_after_a_lost_response(
    page: Any, app: tuple[str, AppState]
) -> None:
    _, state = app
    state.drop_response_of_chunk = 1
    open_recorder(page, app, chunkBytes=4096)
    record(page, 2.0)
    page.get_by_role("button", name="Submit this recording").click()
    page.wait_for_function("window.uploaded !== null", timeout=30_000)
    assert state.status_queries >= 1, "the client never asked the server where to resume"
    assert state.conflicts == 0, "the client resent a chunk the server already held"
    # Every byte arrived exactly once, in order, in chunks of at most 4096 bytes.
    offsets = [offset for offset, _ in state.chunks]
    assert offsets == sorted(set(offsets))
    assert all(length <= 4096 for _, length in state.chunks)
    assert len(state.chunks) >= 3
    assert state.complete is not None
    assert state.complete["size"] == len(state.data)
    assert_media(bytes(state.data), state.complete["mime"])


@pytest.mark.slow
def test_recorder_records_video_with_a_live_preview(page: Any, app: tuple[str, AppState]) -> None:
    _, state = app
    open_recorder(page, app, video=True)
    page.get_by_role("button", name="Start recording").click()
    page.wait_for_function("window.recorder.getState() === 'recording'")
    page.wait_for_function("document.querySelector('.hr-preview').videoWidth > 0")
    page.wait_for_timeout(1500)
    page.get_by_role("button", name="Stop recording").click()
    page.wait_for_function("window.recorder.getState() === 'recorded'")
    assert page.locator("video.hr-playback").is_visible()
    page.get_by_role("button", name="Submit this recording").click()
    page.wait_for_function("window.uploaded !== null", timeout=30_000)
    assert state.complete is not None
    assert state.complete["mime"].startswith("video/"), state.complete["mime"]
    assert_media(bytes(state.data), state.complete["mime"])


@pytest.mark.slow
def test_recorder_stops_by_itself_at_max_seconds(page: Any, app: tuple[str, AppState]) -> None:
    open_recorder(page, app, maxSeconds=1, allowRerecord=False)
    page.get_by_role("button", name="Start recording").click()
    page.wait_for_function("window.recorder.getState() === 'recorded'", timeout=10_000)
    assert "Time is up" in page.inner_text(".hr-status")
    assert page.get_by_role("button", name="Discard this recording and record again").is_hidden()


def test_recorder_explains_a_denied_microphone(playwright: Any, app: tuple[str, AppState]) -> None:
    base, state = app
    state.pages["/recorder.html"] = RECORDER_PAGE.replace("OPTIONS", "{}")
    # A fake microphone exists but nothing grants the permission: headless Chromium denies it.
    denying = launch(playwright, "--use-fake-device-for-media-stream")
    try:
        page = denying.new_page()
        page.goto(f"{base}/recorder.html")
        page.get_by_role("button", name="Start recording").click()
        page.wait_for_function("window.recorder.getState() === 'denied'", timeout=15_000)
        assert "denied" in page.inner_text(".hr-status")
        assert page.get_attribute(".hr-status", "aria-live") == "polite"
        assert page.get_by_role("button", name="Start recording").is_visible()
    finally:
        denying.close()
