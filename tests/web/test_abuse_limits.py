"""What an anonymous practicer or a candidate can make the server store or run is bounded:
recordings only where the exercise takes one (and typed by their bytes, not by the claim),
a cap on files per answer, trial runs through a bounded queue with one waiting per owner,
practice data purged on its retention, and invitation links that close."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from typing import Any

from hireloop.db.models import Answer, Interview, TrialRun, Upload, utcnow
from hireloop.hiring import service
from tests.web.conftest import BANK_DIR, CODE, SPOKEN, TEXT, Site

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00" + bytes(48)
HTML = b"<!doctype html><script>alert(document.cookie)</script>"


def _practice(site: Site, exercise_id: str) -> tuple[Any, int]:
    """A practicer's browser and a practice answer of theirs to ``exercise_id``."""
    web = site.client()
    started = web.form("/practice/start", {"competency": "coding"})
    assert started.status_code == 303
    answer_id = int(re.search(r"/practice/answers/(\d+)", started.headers["location"])[1])
    with site.platform.db.session() as s:
        s.get(Answer, answer_id).exercise_id = exercise_id
    return web, answer_id


def _chunk(web: Any, url: str, data: bytes, offset: int = 0) -> Any:
    return web.client.post(f"{url}?offset={offset}", content=data, headers={
        "X-CSRF-Token": web.csrf, "content-type": "application/octet-stream"})


def test_practice_uploads_are_refused_where_the_exercise_takes_no_recording(
        make_site: Any) -> None:
    site = make_site()
    web, text_answer = _practice(site, TEXT)
    refused = _chunk(web, f"/practice/answers/{text_answer}/upload", WAV)
    assert refused.status_code == 415
    assert "takes no recording" in refused.json()["detail"]
    with site.platform.db.session() as s:
        assert s.query(Upload).count() == 0
    assert not (site.settings.data_dir / "uploads").exists() or not any(
        (site.settings.data_dir / "uploads").rglob("*.part"))
    _, spoken = _practice(site, SPOKEN)
    limit = site.platform.bank.get(SPOKEN).config.max_bytes
    web2, spoken = _practice(site, SPOKEN)
    too_big = _chunk(web2, f"/practice/answers/{spoken}/upload", b"\0" * (limit + 1))
    assert too_big.status_code in (413,)


def test_practice_upload_volume_per_address_is_capped(make_site: Any) -> None:
    site = make_site(practice_upload_mb_per_hour=3)
    web, spoken = _practice(site, SPOKEN)
    statuses = [_chunk(web, f"/practice/answers/{spoken}/upload", WAV, offset=i * len(WAV))
                .status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_the_recording_type_is_read_from_its_bytes_never_taken_from_the_claim(
        make_site: Any) -> None:
    site = make_site()
    candidate = site.client()
    candidate.open_invitation(site.ids["link_a"])
    candidate.form("/take/consent")
    candidate.get("/take/stage/0")
    spoken = site.add_spoken_answer(site.ids["a"])
    url = f"/take/answers/{spoken}/upload"
    # a real recording claimed as HTML is served as what it is
    assert _chunk(candidate, url, WAV).status_code == 200
    done = candidate.json("POST", f"{url}/complete", {"mime": "text/html"})
    assert done.status_code == 200, done.text
    assert done.json()["mime"] == "audio/wav"
    reviewer = site.client()
    reviewer.login("interviewer@example.com")
    served = reviewer.get(f"/team/answers/{spoken}/recording")
    assert served.status_code == 200
    assert served.headers["content-type"] == "audio/wav"
    assert served.headers["content-disposition"].startswith("attachment")
    # an HTML page claimed as audio is refused and deleted; the earlier recording stays
    assert _chunk(candidate, url, HTML).status_code == 200
    refused = candidate.json("POST", f"{url}/complete", {"mime": "audio/webm"})
    assert refused.status_code == 415
    with site.platform.db.session() as s:
        uploads = s.query(Upload).filter_by(answer_id=spoken).all()
        assert [(u.mime, u.complete) for u in uploads] == [("audio/wav", True)]
    assert reviewer.get(f"/team/answers/{spoken}/recording").headers[
        "content-type"] == "audio/wav"


def test_an_answer_may_hold_only_so_many_files_and_only_where_files_are_taken(
        make_site: Any) -> None:
    site = make_site(max_answer_files=5)
    web, text_answer = _practice(site, TEXT)
    many = {f"f{i}.py": "x" for i in range(20_000)}
    refused = web.json("POST", f"/practice/answers/{text_answer}/save",
                       {"text": "", "files": many})
    assert refused.status_code == 422
    web2, project = _practice(site, "ml_task/drift-monitoring")
    six = {f"f{i}.py": "x" for i in range(6)}
    over = web2.json("POST", f"/practice/answers/{project}/save", {"files": six})
    assert over.status_code == 413
    assert "limit is 5" in over.json()["detail"]
    five = {f"f{i}.py": "x" for i in range(5)}
    assert web2.json("POST", f"/practice/answers/{project}/save",
                     {"files": five}).status_code == 200


def test_trial_runs_wait_in_a_bounded_queue_one_per_address(make_site: Any) -> None:
    """Eight trial requests at once from one address start one run; the platform holds at
    most ``trial_queue`` waiting or running; runs never overlap beyond the trial threads."""
    site = make_site(threads=0, trial_queue=3)  # nothing consumes: runs stay queued
    answers = [_practice(site, CODE) for _ in range(8)]
    statuses = [web.json("POST", f"/practice/answers/{a}/trial").status_code
                for web, a in answers]
    assert statuses.count(200) == 1
    assert statuses.count(429) == 7
    candidate = site.client()
    candidate.open_invitation(site.ids["link_a"])
    candidate.form("/take/consent")
    candidate.get("/take/stage/0")
    with site.platform.db.session() as s:
        code_answer = s.query(Answer).filter_by(interview_id=site.ids["a"],
                                                exercise_id=CODE).one().id
    assert candidate.json("POST", f"/take/answers/{code_answer}/trial").status_code == 200
    other = site.client()
    other.open_invitation(site.ids["link_b"])
    other.form("/take/consent")
    other.get("/take/stage/0")
    with site.platform.db.session() as s:
        code_b = s.query(Answer).filter_by(interview_id=site.ids["b"],
                                           exercise_id=CODE).one().id
        s.add(TrialRun(answer_id=code_b, owner="address:elsewhere", state="queued", lines=[]))
    full = other.json("POST", f"/take/answers/{code_b}/trial")
    assert full.status_code == 429
    assert "busy" in full.json()["detail"]


def test_trial_runs_are_run_by_the_grading_side_one_at_a_time(make_site: Any) -> None:
    site = make_site(threads=1, trial_threads=1, trials_per_hour=100)
    good = (BANK_DIR / CODE / "hidden" / "reference.py").read_text()
    owners = []
    for _ in range(3):
        web, answer = _practice(site, CODE)
        assert web.json("POST", f"/practice/answers/{answer}/save",
                        {"text": good}).status_code == 200
        owners.append((web, answer))
    with site.platform.db.session() as s:  # three owners at once: as from three addresses
        for _, answer in owners:
            s.add(TrialRun(answer_id=answer, owner=f"address:{answer}", state="queued",
                           lines=[]))
        s.flush()
        ids = [r.id for r in s.query(TrialRun)]
    for trial_id in ids:
        site.platform.runtime.enqueue_trial(trial_id)
    import time

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with site.platform.db.session() as s:
            runs = s.query(TrialRun).order_by(TrialRun.started_at).all()
            if all(r.state == "done" for r in runs):
                break
        time.sleep(0.3)
    assert all(r.state == "done" for r in runs)
    assert all("visible tests passed" in r.result["summary"] for r in runs), \
        [r.result for r in runs]
    for before, after in itertools.pairwise(runs):
        assert after.started_at >= before.finished_at  # one trial thread: never overlapping
    web, answer = owners[0]
    state = web.client.get(f"/practice/answers/{answer}/trial").json()
    assert state["state"] == "done"


def test_practice_answers_and_abandoned_uploads_are_purged(make_site: Any) -> None:
    site = make_site(practice_retention_days=7)
    web, old = _practice(site, SPOKEN)
    assert _chunk(web, f"/practice/answers/{old}/upload", WAV).status_code == 200
    _, fresh = _practice(site, TEXT)
    with site.platform.db.session() as s:
        part = s.query(Upload).one()
        part_path = part.path
        part.created_at = utcnow() - timedelta(days=2)
        answer = s.get(Answer, old)
        answer.created_at = answer.saved_at = utcnow() - timedelta(days=8)
    site.platform.runtime.purge()
    with site.platform.db.session() as s:
        assert s.get(Answer, old) is None
        assert s.get(Answer, fresh) is not None
        assert s.query(Upload).count() == 0
    from pathlib import Path

    assert not Path(part_path).exists()


def test_the_invitation_link_closes_once_the_interview_is_decided(make_site: Any) -> None:
    site = make_site()
    candidate = site.client()
    candidate.open_invitation(site.ids["link_a"])
    assert candidate.get("/take").status_code == 200
    admin = site.client()
    admin.login("admin@example.com")
    assert admin.form(f"/team/interviews/{site.ids['a']}/decision",
                      {"decision": "reject"}).status_code == 303
    link = "/" + site.ids["link_a"].split("/", 3)[3]
    closed = site.client().get(link)
    assert closed.status_code == 410
    assert "closed" in closed.text
    assert candidate.get("/take").status_code in (401, 303)  # the session ended too
    api = site.main.post("/api/v1/take/open", json={"token": link.rsplit("/", 1)[1]})
    assert api.status_code == 410


def test_the_invitation_link_closes_some_days_after_submission(make_site: Any) -> None:
    site = make_site(close_after_submission_days=3)
    candidate = site.client()
    candidate.open_invitation(site.ids["link_a"])
    candidate.form("/take/consent")
    candidate.get("/take/stage/0")
    assert candidate.form("/take/stage/0/submit").status_code == 303
    link = "/" + site.ids["link_b"].split("/", 3)[3]
    assert site.client().get(link).status_code == 303  # B has not submitted: still open
    with site.platform.db.session() as s:
        run = s.get(Interview, site.ids["a"]).stages[0]
        assert service.invitation_closed(site.settings, s.get(Interview, site.ids["a"])) is None
        run.submitted_at = utcnow() - timedelta(days=4)
    link_a = "/" + site.ids["link_a"].split("/", 3)[3]
    assert site.client().get(link_a).status_code == 410
