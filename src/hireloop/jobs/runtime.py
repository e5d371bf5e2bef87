"""What a grading process holds: settings, database, bank, queue; and the consumer threads.

A job's life: ``enqueue_answer`` commits a ``queued`` row, then puts its id on the queue. A
consumer claims it with one conditional UPDATE (queued → running, with its worker id), grades,
and stores the grade (→ graded) or the failure (→ failed). Every consumer process heartbeats in
the ``workers`` table and sweeps: jobs ``running`` on a worker that stopped heartbeating (or
whose process on this host is gone) go back to ``queued``, and queued jobs whose queue message
may have been lost (the process died between commit and enqueue) are enqueued again. A
duplicate message is harmless: the claim lets only one consumer run a job.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from huey import RedisHuey, SqliteHuey
from huey.api import Huey
from huey.consumer import Consumer
from sqlalchemy import select, update

from hireloop.bank import load_bank
from hireloop.bank.grading import GradingUnavailable, grade
from hireloop.bank.loader import Bank
from hireloop.config import Settings
from hireloop.core import Grade, Submission
from hireloop.db import Database, open_database
from hireloop.db.models import Answer, BankReload, GradingJob, TrialRun, Worker, utcnow
from hireloop.integrity import flag_grade
from hireloop.notify.outbox import DeliveryThread

log = logging.getLogger("hireloop.jobs")

HEARTBEAT_S = 5.0
"""how often a consumer process says it is alive"""
DEAD_AFTER_S = 30.0
"""a worker silent this long is dead: its running jobs go back to the queue"""
REQUEUE_AFTER_S = 60.0
"""a job queued this long without being claimed is put on the queue again"""
PURGE_EVERY_S = 3600.0
"""how often interviews past the retention period are deleted"""
REMINDERS_EVERY_S = 60.0
"""how often invitations are looked at for reminder mails due (``notify.mail``)"""
TRIAL_STALE_S = 600.0
"""a trial run still waiting after this long is given up (the page says so)"""
TRIAL_LOG_EVERY_S = 0.3
"""how often a running trial's new log lines are written for the page to poll"""


def make_huey(settings: Settings, name: str = "hireloop") -> Huey:
    """A queue: Redis when configured, else a SQLite file in the data dir. ``hireloop`` carries
    grading jobs, ``hireloop-trials`` trial runs (consumed by their own, bounded, threads)."""
    if settings.redis_url:
        return RedisHuey(name, url=settings.redis_url, results=False)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(settings.data_dir / "queue.db"), results=False)


@dataclass
class Runtime:
    """Everything grading needs, loaded once per process."""

    settings: Settings
    db: Database
    bank: Bank
    huey: Huey
    trial_huey: Huey | None = None
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:"
                           f"{uuid.uuid4().hex[:8]}")
    bank_generation: int = 0
    """the newest ``bank_reloads`` row this process has loaded the bank for"""
    _task: Any = None
    _trial_task: Any = None

    @classmethod
    def create(cls, settings: Settings, *, bank: Bank | None = None) -> Runtime:
        """Open the database (migrating it), load the bank and the queue."""
        db = open_database(settings.db_url())
        if bank is None:
            bank = load_bank(settings.bank_roots(), principles_file=settings.principles_path())
        runtime = cls(settings, db, bank, make_huey(settings),
                      make_huey(settings, "hireloop-trials"))
        runtime._task = runtime.huey.task(name="grade")(runtime.run_job)
        assert runtime.trial_huey is not None
        runtime._trial_task = runtime.trial_huey.task(name="trial")(runtime.run_trial)
        with db.session(write=False) as session:
            runtime.bank_generation = session.scalar(
                select(BankReload.id).order_by(BankReload.id.desc()).limit(1)) or 0
        return runtime

    # --- enqueueing -----------------------------------------------------------------------

    def enqueue(self, job_id: int) -> None:
        """Put a job's id on the queue (the row is committed already)."""
        self._task(job_id)

    def enqueue_trial(self, trial_id: int) -> None:
        """Put a trial run's id on the trial queue (the row is committed already)."""
        self._trial_task(trial_id)

    # --- the bank ---------------------------------------------------------------------------

    def reload_bank_if_asked(self) -> bool:
        """Reload the bank folders when an admin asked since the last load (any process)."""
        with self.db.session(write=False) as session:
            newest = session.scalar(
                select(BankReload.id).order_by(BankReload.id.desc()).limit(1)) or 0
        if newest <= self.bank_generation:
            return False
        self.bank = load_bank(self.settings.bank_roots(),
                              principles_file=self.settings.principles_path())
        self.bank_generation = newest
        log.info("reloaded the bank folders (reload %d)", newest)
        return True

    # --- grading --------------------------------------------------------------------------

    def submission_of(self, answer: Answer) -> Submission:
        """The frozen submission an answer hands to its grader."""
        files: dict[str, bytes] = {
            name: str(content).encode() for name, content in (answer.files or {}).items()}
        for upload in answer.uploads:
            if upload.complete:
                files[upload.name] = Path(upload.path).read_bytes()
        return Submission(exercise_id=answer.exercise_id, seed=answer.seed, text=answer.text,
                          files=files)

    def grade_submission(self, submission: Submission) -> Grade:
        """Grade one submission with its exercise's kind (no database involved)."""
        exercise = self.bank.get(submission.exercise_id)
        kind = self.bank.kinds.get(exercise.meta.kind)
        if kind is None:
            raise GradingUnavailable(self.bank.kinds.why_missing(exercise.meta.kind))
        variant = self.bank.variant(exercise, submission.seed)
        result = grade(kind, exercise, variant, submission)
        if result.outcome == "error":
            return result
        return flag_grade(kind, exercise, variant, submission, result)

    def run_job(self, job_id: int) -> str:
        """Claim and run one job; returns its final state (or why it was not run)."""
        with self.db.session() as session:
            claimed = session.execute(  # type: ignore[attr-defined]
                update(GradingJob)
                .where(GradingJob.id == job_id, GradingJob.state == "queued")
                .values(state="running", worker_id=self.worker_id, started_at=utcnow(),
                        attempts=GradingJob.attempts + 1)
            ).rowcount
        if not claimed:
            return "not claimed"
        state, grade_json, error = "failed", None, None
        submission: Submission | None = None
        try:
            with self.db.session(write=False) as session:  # read, then let go
                job = session.get(GradingJob, job_id)
                assert job is not None
                submission = self.submission_of(job.answer)
            result = self.grade_submission(submission)
            grade_json = result.model_dump(mode="json")
            if result.outcome == "error":
                error = result.message
            else:
                state = "graded"
        except (GradingUnavailable, KeyError) as exc:
            error = str(exc.args[0] if exc.args else exc)
        except Exception as exc:
            log.exception("grading job %s failed", job_id)
            error = f"{type(exc).__name__}: {exc}"
        with self.db.session() as session:
            stored = session.execute(  # type: ignore[attr-defined]
                update(GradingJob)
                .where(GradingJob.id == job_id, GradingJob.worker_id == self.worker_id)
                .values(state=state, grade=grade_json, error=error, finished_at=utcnow())
            ).rowcount
            if state == "graded" and stored:
                # the live marks and the interview.graded event commit with the grade; a
                # failure in either is logged and loses neither the grade nor the other
                self._in_savepoint(session, "recording the live marks of", job_id,
                                   self._record_marks)
                self._in_savepoint(session, "announcing the grades of", job_id,
                                   self.announce_graded)
        if state == "graded" and submission is not None and grade_json is not None:
            self.compare_answer(job_id, submission, Grade.model_validate(grade_json))
        if self.settings.recording_retention_days == 0 and submission_has_upload(submission):
            from hireloop.hiring.service import purge_recordings

            with self.db.session() as session:
                purge_recordings(session, self.settings)
        return state

    @staticmethod
    def _in_savepoint(session: Any, what: str, job_id: int, step: Any) -> None:
        try:
            with session.begin_nested():
                step(session, job_id)
        except Exception:
            log.exception("%s grading job %s failed", what, job_id)

    @staticmethod
    def _record_marks(session: Any, job_id: int) -> None:
        from hireloop.live.rooms import record_job_marks

        record_job_marks(session, job_id)

    def announce_graded(self, session: Any, job_id: int) -> None:
        """Emit ``interview.graded`` when this job completed its interview's grading: every
        stage submitted and every answer's latest grading job graded (a regrade announces the
        new round; its key makes each round reach a webhook once)."""
        from hireloop.hiring.service import latest_job
        from hireloop.notify.events import emit
        from hireloop.reports.scorecard import build_scorecard

        job = session.get(GradingJob, job_id)
        interview = job.answer.interview if job is not None else None
        if interview is None or any(r.submitted_at is None for r in interview.stages):
            return
        latest = [latest_job(a) for a in interview.answers]
        if not latest or any(j is None or j.state != "graded" for j in latest):
            return
        card = build_scorecard(interview, self.bank)
        round_id = max(j.id for j in latest if j is not None)
        emit(session, "interview.graded", interview,
             once=f"interview.graded:{interview.id}:{round_id}",
             score=card["overall"], recommendation=card["recommendation"],
             stages=[{"index": i, "name": st["name"], "score": st["score"]}
                     for i, st in enumerate(card["stages"])])

    def compare_answer(self, job_id: int, submission: Submission, result: Grade) -> None:
        """Index a graded answer and store its matches with the other answers of its
        exercise (after the grade is stored: a failure here never touches the grade)."""
        from hireloop.integrity.store import index, store

        try:
            exercise = self.bank.get(submission.exercise_id)
            kind = self.bank.kinds.get(exercise.meta.kind)
            if kind is None:
                return
            # the comparisons read; only the short store writes (on SQLite a write
            # transaction locks out every other writer, web requests included)
            with self.db.session(write=False) as session:
                job = session.get(GradingJob, job_id)
                if job is None:
                    return
                answer_id = job.answer_id
                indexed = index(session, kind, exercise,
                                self.bank.variant(exercise, submission.seed), job.answer,
                                submission, result)
            with self.db.session() as session:
                store(session, answer_id, indexed)
        except Exception:
            log.exception("similarity of grading job %s failed", job_id)

    # --- trial runs -------------------------------------------------------------------------

    def run_trial(self, trial_id: int) -> str:
        """Claim and run one trial run; its log lines and result go to its row."""
        with self.db.session() as session:
            claimed = session.execute(  # type: ignore[attr-defined]
                update(TrialRun)
                .where(TrialRun.id == trial_id, TrialRun.state == "queued")
                .values(state="running", worker_id=self.worker_id, started_at=utcnow())
            ).rowcount
        if not claimed:
            return "not claimed"
        lines: list[str] = []
        written = [0, time.monotonic()]

        def flush(force: bool = False) -> None:
            if len(lines) == written[0] or (
                    not force and time.monotonic() - written[1] < TRIAL_LOG_EVERY_S):
                return
            with self.db.session() as session:
                session.execute(update(TrialRun).where(TrialRun.id == trial_id)
                                .values(lines=list(lines)))
            written[0], written[1] = len(lines), time.monotonic()

        def sink(line: str) -> None:
            lines.append(line[:2000])
            del lines[:-2000]
            flush()

        result: dict[str, Any]
        try:
            with self.db.session(write=False) as session:
                run = session.get(TrialRun, trial_id)
                assert run is not None
                answer = session.get(Answer, run.answer_id)
                assert answer is not None
                submission = self.submission_of(answer)
            exercise = self.bank.get(submission.exercise_id)
            kind = self.bank.kinds.get(exercise.meta.kind)
            if kind is None:
                raise GradingUnavailable(self.bank.kinds.why_missing(exercise.meta.kind))
            variant = self.bank.variant(exercise, submission.seed)
            outcome = kind.trial(exercise, variant, submission, sink)
            result = (outcome.model_dump() if outcome is not None else
                      {"passed": None, "summary": "this exercise has no trial run", "log": ""})
        except Exception as exc:
            log.exception("trial run %s failed", trial_id)
            result = {"passed": None, "summary": f"the run failed on our side "
                                                 f"({type(exc).__name__})", "log": ""}
        flush(force=True)
        with self.db.session() as session:
            session.execute(update(TrialRun).where(TrialRun.id == trial_id)
                            .values(state="done", result=result, lines=list(lines),
                                    finished_at=utcnow()))
        return "done"

    # --- liveness and recovery ------------------------------------------------------------

    def heartbeat(self) -> None:
        """Say this process is alive."""
        host, pid = socket.gethostname(), os.getpid()
        with self.db.session() as session:
            worker = session.get(Worker, self.worker_id)
            if worker is None:
                session.add(Worker(id=self.worker_id, host=host, pid=pid))
            else:
                worker.heartbeat_at = utcnow()

    def _dead_workers(self) -> set[str]:
        now = utcnow()
        host = socket.gethostname()
        dead: set[str] = set()
        with self.db.session() as session:
            for worker in session.scalars(select(Worker)):
                if worker.id == self.worker_id:
                    continue
                silent = (now - worker.heartbeat_at).total_seconds() > DEAD_AFTER_S
                gone = worker.host == host and not _pid_alive(worker.pid)
                if silent or gone:
                    dead.add(worker.id)
        return dead

    def sweep(self) -> int:
        """Recover jobs of dead workers and re-send stale queue messages; returns how many."""
        dead = self._dead_workers()
        cutoff = utcnow() - timedelta(seconds=REQUEUE_AFTER_S)
        resend: list[int] = []
        with self.db.session() as session:
            live = set(session.scalars(select(Worker.id))) - dead
            running = session.scalars(select(GradingJob).where(GradingJob.state == "running"))
            for job in running:
                # a worker that stopped cleanly removed its row: its jobs are orphans too
                if job.worker_id is None or job.worker_id not in live:
                    job.state, job.worker_id, job.queued_at = "queued", None, utcnow()
                    resend.append(job.id)
            stale = session.scalars(select(GradingJob).where(
                GradingJob.state == "queued", GradingJob.queued_at < cutoff))
            for job in stale:
                job.queued_at = utcnow()
                resend.append(job.id)
            given_up = {"passed": None, "summary": "the run was interrupted on our side; "
                                                   "run it again", "log": ""}
            for trial in session.scalars(select(TrialRun).where(TrialRun.state != "done")):
                lost = trial.state == "running" and (trial.worker_id is None
                                                     or trial.worker_id in dead)
                waited = trial.state == "queued" and (
                    utcnow() - trial.queued_at).total_seconds() > TRIAL_STALE_S
                if lost or waited:
                    trial.state, trial.result, trial.finished_at = "done", given_up, utcnow()
            for worker_id in dead:
                worker = session.get(Worker, worker_id)
                if worker is not None:
                    session.delete(worker)
        for job_id in resend:
            self.enqueue(job_id)
        if resend:
            log.info("re-queued %d grading job(s)", len(resend))
        return len(resend)

    def purge(self) -> int:
        """Delete interviews past the retention period (``HIRELOOP_RETENTION_DAYS``) and
        recordings past theirs (``HIRELOOP_RECORDING_RETENTION_DAYS``); returns the number of
        interviews deleted."""
        from hireloop.hiring.service import purge_expired, purge_practice, purge_recordings

        with self.db.session() as session:
            deleted = purge_expired(session, self.settings)
            recordings = purge_recordings(session, self.settings)
            practice = purge_practice(session, self.settings)
        if practice:
            log.info("deleted %d practice answer(s) past the practice retention period",
                     practice)
        if deleted:
            log.info("deleted %d interview(s) past the retention period", deleted)
        if recordings:
            log.info("deleted %d recording(s) past the recording retention period", recordings)
        return deleted

    def queue_state(self) -> dict[str, Any]:
        """Counts by state, the queue's backlog and the live workers (for /healthz)."""
        from sqlalchemy import func

        with self.db.session(write=False) as session:
            counts = dict(session.execute(
                select(GradingJob.state, func.count()).group_by(GradingJob.state)).all())
            workers = session.scalar(select(func.count()).select_from(Worker)) or 0
        try:
            pending: int | None = self.huey.pending_count()
        except Exception:
            pending = None
        return {"backend": "redis" if self.settings.redis_url else "sqlite",
                "pending_messages": pending, "workers": workers,
                "jobs": {s: int(counts.get(s, 0)) for s in
                         ("queued", "running", "graded", "failed")}}


def submission_has_upload(submission: Submission | None) -> bool:
    """Whether a submission carried an uploaded recording."""
    return submission is not None and any(n.startswith("recording.") for n in submission.files)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _QuietConsumer(Consumer):  # type: ignore[misc]
    """huey's consumer without its signal handlers: it runs inside a host process."""

    def _set_signal_handlers(self) -> None:
        pass


class JobRunner:
    """Consumer threads (grading, and trial runs on their own bounded threads) plus the
    heartbeat/sweep thread, started and stopped by the host."""

    def __init__(self, runtime: Runtime, threads: int, trial_threads: int = 0) -> None:
        self.runtime = runtime
        self.threads = threads
        self.trial_threads = trial_threads
        self._stop = threading.Event()
        self._consumer: Consumer | None = None
        self._trial_consumer: Consumer | None = None
        self._keeper: threading.Thread | None = None
        self._delivery: DeliveryThread | None = None

    def start(self) -> None:
        """Heartbeat, recover what a previous crash left, then consume."""
        self.runtime.heartbeat()
        self.runtime.sweep()
        if self.threads > 0:
            self._consumer = _QuietConsumer(self.runtime.huey, workers=self.threads,
                                            worker_type="thread", periodic=False,
                                            initial_delay=0.05, backoff=1.5, max_delay=0.5,
                                            check_worker_health=False)
            self._consumer.start()
        if self.trial_threads > 0 and self.runtime.trial_huey is not None:
            self._trial_consumer = _QuietConsumer(
                self.runtime.trial_huey, workers=self.trial_threads, worker_type="thread",
                periodic=False, initial_delay=0.05, backoff=1.5, max_delay=0.5,
                check_worker_health=False)
            self._trial_consumer.start()
        self._keeper = threading.Thread(target=self._keep, name="hireloop-heartbeat",
                                        daemon=True)
        self._keeper.start()
        # mails and webhook calls leave from grading processes only (docs/integrations.md):
        # a web-only process (no grading threads) needs no SMTP credentials or network
        if self.threads > 0:
            self._delivery = DeliveryThread(self.runtime.db, self.runtime.settings,
                                            self.runtime.worker_id)
            self._delivery.start()

    def _keep(self) -> None:
        last_sweep = time.monotonic()
        last_purge = last_reminders = 0.0
        while not self._stop.wait(HEARTBEAT_S):
            try:
                self.runtime.heartbeat()
                if time.monotonic() - last_sweep > 2 * HEARTBEAT_S:
                    self.runtime.sweep()
                    last_sweep = time.monotonic()
                self.runtime.reload_bank_if_asked()
                if time.monotonic() - last_purge > PURGE_EVERY_S:
                    self.runtime.purge()
                    last_purge = time.monotonic()
                if self.threads > 0 and time.monotonic() - last_reminders > REMINDERS_EVERY_S:
                    last_reminders = time.monotonic()
                    from hireloop.notify import mail

                    mail.scan_reminders(self.runtime.db, self.runtime.settings)
            except Exception:
                log.exception("heartbeat failed")

    def stop(self) -> None:
        """Stop consuming (running jobs finish or are recovered by the next sweep)."""
        self._stop.set()
        if self._delivery is not None:
            self._delivery.stop()
        for consumer in (self._consumer, self._trial_consumer):
            if consumer is not None:
                consumer.stop(graceful=False)
        with contextlib.suppress(Exception), self.runtime.db.session() as session:
            worker = session.get(Worker, self.runtime.worker_id)
            if worker is not None:
                session.delete(worker)
