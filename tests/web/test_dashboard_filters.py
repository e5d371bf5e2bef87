"""The dashboard's search, filters, sort and pages over a few thousand interviews, through the
real app: every count, page boundary, filter and sort is checked against a computation made
here from what was seeded (bulk inserted: statuses, grades, overrides, decisions, dates),
for an admin, a hiring manager of a blind loop and an interviewer who sees only what they
are assigned; and once on PostgreSQL. In-progress interviews show their time left and the
candidate's last activity without any script."""

from __future__ import annotations

import json
import random
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from hireloop.db.models import (
    Answer,
    Assignment,
    Candidate,
    GradingJob,
    Interview,
    Override,
    StageRun,
)
from hireloop.hiring import service
from hireloop.hiring.authz import Principal
from tests.web.conftest import CHOICE, CODE, TEXT, Site, postgres_url

NOW = datetime.now(UTC).replace(microsecond=0)
WEIGHTS = (2.0, 1.0)
FIRST = ("Ada", "grace", "Alan", "Barbara", "edsger", "Frances", "Katherine", "Linus",
         "Margaret", "Niklaus", "Radia", "Tim")
LAST = ("Lovelace", "hopper", "Turing", "Liskov", "Dijkstra", "Allen", "Johnson", "Torvalds",
        "Hamilton", "Wirth", "Perlman", "Berners-Lee")
MONTH_AGO = (NOW - timedelta(days=30)).date()
STATUS_ORDER = ("invited", "in_progress", "submitted", "decided", "expired", "revoked")


@dataclass
class Seeded:
    """What was seeded, as this test knows it (never read back through the app's rules)."""

    id: int
    name: str
    email: str
    loop: str
    created: datetime
    status: str
    decision: str | None
    submitted: datetime | None
    score: float | None
    blind: bool
    assigned: bool
    stage_left: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _loop(site: Site, title: str, *, team: int | None, blind: bool = False) -> int:
    definition = {"title": title, "role": "ML engineer", "feedback": "after_submission",
                  "blind": blind,
                  "stage": [{"name": "Screen", "minutes": 30, "weight": WEIGHTS[0],
                             "exercises": [CHOICE, CODE]},
                            {"name": "Written", "minutes": 45, "weight": WEIGHTS[1],
                             "exercises": [TEXT]}]}
    with site.platform.db.session() as s:
        return service.create_loop(s, site.platform, Principal("admin", user_id=1),
                                   definition=definition, team_id=team).id


def _grade(exercise: str, points: tuple[float, float], outcome: str = "graded") -> dict[str, Any]:
    return {"exercise_id": exercise, "seed": 0, "outcome": outcome,
            "score": (points[0] + points[1]) / 5, "grader": "seeded",
            "criteria": [{"name": "first", "points": points[0], "max_points": 2.0},
                         {"name": "second", "points": points[1], "max_points": 3.0}]}


def seed(site: Site, n: int, rng_seed: int = 16) -> dict[int, Seeded]:
    """``n`` interviews over three loops (team A's, team A's blind one, team B's) in every
    status, with grades (some failed, not gradable, pending or overridden), decisions, dates
    and assignments to the site's interviewer; inserted in bulk."""
    rng = random.Random(rng_seed)
    team_b = site.add_team(f"Team B{rng_seed}")
    loops = {"open": _loop(site, "Applied ML", team=site.ids["team"]),
             "blind": _loop(site, "Blind research", team=site.ids["team"], blind=True),
             "other": _loop(site, "Other team's loop", team=team_b)}
    with site.platform.db.session() as s:
        from hireloop.db.models import LoopRecord

        snapshots = {k: s.get(LoopRecord, v).definition for k, v in loops.items()}
    plan = [{"name": "Screen", "minutes": 30, "weight": WEIGHTS[0], "principle": None,
             "live": False, "exercises": [{"id": CHOICE, "seed": 0}, {"id": CODE, "seed": 0}]},
            {"name": "Written", "minutes": 45, "weight": WEIGHTS[1], "principle": None,
             "live": False, "exercises": [{"id": TEXT, "seed": 0}]}]
    exercises = ((0, CHOICE), (0, CODE), (1, TEXT))
    with site.platform.db.session() as s:
        first_id = (s.scalar(select(Interview.id).order_by(Interview.id.desc()).limit(1)) or 0) + 1
        first_candidate = (s.scalar(select(Candidate.id).order_by(Candidate.id.desc())
                                    .limit(1)) or 0) + 1
    candidates, interviews, runs, answers, jobs, overrides, assignments = ([] for _ in range(7))
    answer_id = 10_000_000
    moment = datetime.now(UTC)  # a running stage's timer and autosaves: just now
    seeded: dict[int, Seeded] = {}
    for i in range(n):
        iid, cid = first_id + i, first_candidate + i
        loop = rng.choices(("open", "blind", "other"), (6, 2, 2))[0]
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i:04d}"
        if i == 7:
            name = "Percy 100% Sure"
        email = f"{name.split()[0].lower()}.{i}@{rng.choice(('example.com', 'Mail.ORG'))}"
        created = NOW - timedelta(hours=5 * (i // 2))  # pairs invited at the same moment
        roll = rng.random()
        status = ("revoked" if roll < .05 else "decided" if roll < .22 else
                  "submitted" if roll < .52 else "in_progress" if roll < .70 else "waiting")
        expires = created + timedelta(days=7)
        decision = rng.choice(service.DECISIONS) if status == "decided" else None
        consented = created + timedelta(minutes=5) if status != "waiting" and roll > .05 \
            else None
        started = [None, None]
        handed = [None, None]
        stage_left = None
        if status in ("submitted", "decided"):
            started = [created + timedelta(minutes=10), created + timedelta(minutes=50)]
            handed = [created + timedelta(minutes=40), created + timedelta(minutes=70 + i % 9)]
        elif status == "in_progress":
            if rng.random() < .5:  # in stage 1, its timer running
                started = [created + timedelta(minutes=10), moment - timedelta(minutes=20)]
                handed = [created + timedelta(minutes=40), None]
                stage_left = 25 * 60
            else:
                started = [created + timedelta(minutes=10), None]
        if status == "waiting":
            status = "expired" if expires < NOW else "invited"
        candidates.append({"id": cid, "name": name, "email": email.lower()})
        interviews.append({
            "id": iid, "candidate_id": cid, "loop_id": loops[loop],
            "loop_snapshot": snapshots[loop], "plan": plan, "token_hash": f"{iid:064d}",
            "expires_at": expires, "created_at": created, "consented_at": consented,
            "revoked_at": created + timedelta(hours=1) if status == "revoked" else None,
            "decision": decision, "decided_at": NOW if decision else None,
            "decision_reason": "seeded" if decision else None})
        for index in (0, 1):
            runs.append({"interview_id": iid, "index": index, "started_at": started[index],
                         "submitted_at": handed[index]})
        stage_scores: dict[int, list[float]] = {}
        for index, exercise in exercises:
            answer_id += 1
            answers.append({"id": answer_id, "interview_id": iid, "stage_index": index,
                            "exercise_id": exercise, "seed": 0, "text": "x", "files": {},
                            "saved_at": (moment - timedelta(seconds=30)) if stage_left
                            else None})
            if handed[index] is None:
                continue
            kind = rng.random()
            points = (float(rng.randint(0, 2)), float(rng.randint(0, 3)))
            if kind < .05:
                continue  # no job yet: pending
            if kind < .1:
                jobs.append({"answer_id": answer_id, "state": "queued", "grade": None})
                continue
            if kind < .15:
                jobs.append({"answer_id": answer_id, "state": "graded",
                             "grade": _grade(exercise, points, "error")})
                continue
            if kind < .2:
                jobs.append({"answer_id": answer_id, "state": "graded",
                             "grade": _grade(exercise, (0.0, 0.0), "not_gradable")})
                stage_scores.setdefault(index, []).append(0.0)
                continue
            if kind < .25:  # an older grade, then the one that counts
                jobs.append({"answer_id": answer_id, "state": "graded",
                             "grade": _grade(exercise, (2.0, 3.0))})
            jobs.append({"answer_id": answer_id, "state": "graded",
                         "grade": _grade(exercise, points)})
            final = list(points)
            if kind > .85:  # overridden twice: the newest counts
                newest = float(rng.randint(0, 2))
                for value in (1.5, newest):
                    overrides.append({"answer_id": answer_id, "criterion": "first",
                                      "points": value, "max_points": 2.0, "reason": "seeded",
                                      "user_id": site.ids["manager"]})
                final[0] = newest
            stage_scores.setdefault(index, []).append(sum(final) / 5)
        means = {k: sum(v) / len(v) for k, v in stage_scores.items()}
        score = (sum(WEIGHTS[k] * m for k, m in means.items())
                 / sum(WEIGHTS[k] for k in means)) if means else None
        assigned = loop != "other" and rng.random() < .15
        if assigned:
            assignments.append({"interview_id": iid, "user_id": site.ids["interviewer"]})
        seeded[iid] = Seeded(
            id=iid, name=name, email=email.lower(), loop=loop, created=created, status=status,
            decision=decision,
            submitted=max(h for h in handed if h is not None) if all(handed) else None,
            score=None if score is None else round(score, 9), blind=loop == "blind",
            assigned=assigned, stage_left=stage_left)
    with site.platform.db.session() as s:
        for model, rows in ((Candidate, candidates), (Interview, interviews),
                            (StageRun, runs), (Answer, answers), (GradingJob, jobs),
                            (Override, overrides), (Assignment, assignments)):
            if rows:
                s.execute(insert(model), rows)
    return seeded


def _existing(site: Site) -> dict[int, Seeded]:
    """The site's own two invitations (Ada and Bob, loop of team A, nothing started)."""
    out = {}
    with site.platform.db.session() as s:
        for key in ("a", "b"):
            i = s.get(Interview, site.ids[key])
            out[i.id] = Seeded(id=i.id, name=i.candidate.name, email=i.candidate.email,
                               loop="site", created=i.created_at, status="invited",
                               decision=None, submitted=None, score=None, blind=False,
                               assigned=True)
    return out


def found_by(r: Seeded, needle: str, blind_applies: bool) -> bool:
    """Whether a search for ``needle`` finds the interview: by name or email, or for a
    viewer to whom the candidate is hidden, by the "Candidate N" label only."""
    if blind_applies and r.blind and r.decision is None:
        return needle in f"candidate {r.id}"
    return needle in r.name.lower() or needle in r.email


ROW = re.compile(r'<tr data-interview="(\d+)">')
TOTAL = re.compile(r'data-total="(\d+)"')


def listing(web: Any, query: str = "", status: int = 200) -> tuple[list[int], int, str]:
    """The ids of a dashboard page in order, the total it reports, and the page."""
    response = web.get(f"/team?{query}")
    assert response.status_code == status, response.text[:2000]
    page = response.text
    found = TOTAL.search(page)
    assert found, "the page says how many interviews match"
    return [int(x) for x in ROW.findall(page)], int(found.group(1)), page


def expected(rows: dict[int, Seeded], keep: Any = lambda r: True, sort: str = "invited",
             descending: bool = True) -> list[int]:
    """The order the dashboard must show: by the key (missing values last), then by id in
    the same direction."""
    def key(r: Seeded) -> Any:
        return {"invited": r.created, "submitted": r.submitted, "score": r.score,
                "name": r.name.lower(), "status": STATUS_ORDER.index(r.status)}[sort]
    chosen = [r for r in rows.values() if keep(r)]
    present = sorted((r for r in chosen if key(r) is not None),
                     key=lambda r: (key(r), r.id), reverse=descending)
    return [r.id for r in present] + sorted((r.id for r in chosen if key(r) is None),
                                            reverse=descending)


@pytest.fixture(scope="module")
def big(make_module_site: Any) -> tuple[Site, dict[int, Seeded], Any]:
    """One site with 3002 interviews for the whole module (its tests only read)."""
    site = make_module_site(threads=0)
    started = time.monotonic()
    rows = {**_existing(site), **seed(site, 3000)}
    print(f"seeded 3000 interviews in {time.monotonic() - started:.1f} s")
    admin = site.client()
    admin.login("admin@example.com")
    return site, rows, admin


def test_counts_and_page_boundaries_match_the_seeded_interviews(big: Any) -> None:
    _site, rows, admin = big
    want = expected(rows)
    started = time.monotonic()
    ids, total, page = listing(admin)
    took = time.monotonic() - started
    assert total == len(rows) == 3002
    assert ids == want[:50], "the first page: the newest 50, ties broken by id"
    assert "1–50 of 3002 interviews" in unescape(page)
    print(f"first page of 3002 in {took:.2f} s")
    first, _, _ = listing(admin, "size=100")
    second, _, page2 = listing(admin, "size=100&page=2")
    assert first + second == want[:200]
    assert 'aria-current="page">2<' in page2
    assert "rel=\"prev\"" in page2
    last_page = -(-3002 // 100)
    last, total, page_last = listing(admin, f"size=100&page={last_page}")
    assert last == want[(last_page - 1) * 100:]
    assert len(last) == 3002 % 100
    assert 'rel="next"' not in page_last
    beyond, _, _ = listing(admin, "size=100&page=999")
    assert beyond == last, "a page past the end shows the last page"
    # a page link keeps every filter (the URL is the whole state)
    _, _, filtered = listing(admin, "status=submitted&sort=score&size=25")
    assert re.search(r'href="/team\?status=submitted&amp;sort=score&amp;size=25&amp;page=2"',
                     filtered)
    # and the direction, either way, whatever the sort's own default
    for sort, direction in (("name", "desc"), ("name", "asc"), ("score", "asc")):
        first, _, page = listing(admin, f"sort={sort}&dir={direction}&size=25")
        link = re.search(r'href="/team\?([^"]*page=2)"', page)
        assert link, (sort, direction)
        second, _, _ = listing(admin, unescape(link.group(1)))
        assert first + second == expected(rows, sort=sort, descending=direction == "desc")[:50]


def test_each_filter_keeps_exactly_the_interviews_it_names(big: Any) -> None:
    site, rows, admin = big
    checks: list[tuple[str, Any]] = []
    for status in STATUS_ORDER:
        checks.append((f"status={status}", lambda r, st=status: r.status == st))
    for key, title in (("open", "Applied ML"), ("blind", "Blind research")):
        with site.platform.db.session() as s:
            from hireloop.db.models import LoopRecord

            loop_id = s.scalar(select(LoopRecord.id).where(LoopRecord.title == title))
        checks.append((f"loop={loop_id}", lambda r, k=key: r.loop == k))
    for decision in (*service.DECISIONS, "none"):
        checks.append((f"decision={decision}",
                       lambda r, d=decision: r.decision == (None if d == "none" else d)))
    checks.append(("score_min=60", lambda r: r.score is not None and r.score >= .6))
    checks.append(("score_min=20&score_max=50",
                   lambda r: r.score is not None and .2 <= r.score <= .5))
    checks.append(("score_max=0", lambda r: r.score is not None and r.score <= 0))
    day_from, day_to = (NOW - timedelta(days=200)).date(), (NOW - timedelta(days=100)).date()
    checks.append((f"from={day_from}&to={day_to}",
                   lambda r: day_from <= r.created.date() <= day_to))
    checks.append((f"date_field=submitted&from={day_from}",
                   lambda r: r.submitted is not None and r.submitted.date() >= day_from))
    checks.append(("q=LOVELACE", lambda r: "lovelace" in r.name.lower()
                   or "lovelace" in r.email))
    checks.append(("q=mail.org", lambda r: "mail.org" in r.email or "mail.org" in r.name.lower()))
    checks.append(("q=100%25", lambda r: "100%" in r.name))  # % is a character, not a wildcard
    checks.append(("q=0%25", lambda r: "0%" in r.name))
    checks.append(("status=submitted&loop=&decision=none&score_min=40&q=a",
                   lambda r: r.status == "submitted" and r.decision is None
                   and r.score is not None and r.score >= .4
                   and ("a" in r.name.lower() or "a" in r.email)))
    failures = []
    for query, keep in checks:
        want = expected(rows, keep)
        ids, total, _ = listing(admin, query + "&size=25")
        if total != len(want) or ids != want[:25]:
            failures.append(f"{query}: {total} (expected {len(want)}), first ids "
                            f"{ids[:5]} (expected {want[:5]})")
        assert total > 0 or query.startswith("score_max=0"), f"{query} matched nothing"
    assert not failures, "\n".join(failures)


def test_each_sort_orders_as_computed_here_with_missing_values_last(big: Any) -> None:
    _site, rows, admin = big
    failures = []
    for sort in ("name", "invited", "submitted", "score", "status"):
        for direction in ("asc", "desc"):
            want = expected(rows, sort=sort, descending=direction == "desc")
            first, total, _ = listing(admin, f"sort={sort}&dir={direction}&size=25")
            last, _, _ = listing(admin, f"sort={sort}&dir={direction}&size=25&page=121")
            if first != want[:25] or last != want[3000:] or total != len(rows):
                failures.append(f"{sort} {direction}: {first[:4]}… {last[-3:]} (expected "
                                f"{want[:4]}… {want[-3:]})")
    assert not failures, "\n".join(failures)
    # the scores shown are the scorecard's, and agree with the ones computed here
    ids, _, page = listing(admin, "sort=score&dir=asc&score_min=1&size=25")
    more, _, page2 = listing(admin, "sort=score&size=50")
    ids, page = ids + more, page + page2
    for interview_id in ids:
        cell = re.search(rf'<tr data-interview="{interview_id}">.*?data-field="score">([^<]*)<',
                         page, re.S)
        assert cell is not None
        score = rows[interview_id].score
        assert cell.group(1).strip() == ("—" if score is None else f"{score:.0%}"), interview_id


def test_an_interviewer_sees_only_assigned_interviews_and_blind_names_stay_hidden(
        big: Any) -> None:
    site, rows, admin = big
    interviewer = site.client()
    interviewer.login("interviewer@example.com")
    assigned = lambda r: r.assigned  # noqa: E731
    ids, total, page = listing(interviewer, "size=50")
    assert total == len(expected(rows, assigned))
    assert ids == expected(rows, assigned)[:50]
    ids, total, _ = listing(interviewer, "status=submitted&size=50")
    want = expected(rows, lambda r: r.assigned and r.status == "submitted")
    assert (ids, total) == (want[:50], len(want))
    needle = "grace"
    _, total, _ = listing(interviewer, f"q={needle}&size=25")
    assert total == len(expected(rows, lambda r: r.assigned and found_by(r, needle, True)))

    # a manager of team A: a blind interview's candidate is "Candidate N" until decided, so
    # their name finds nothing and their label does; the admin finds them by name
    manager = site.client()
    manager.login("manager@example.com")
    hidden = next(r for r in rows.values() if r.blind and r.decision is None)
    number = hidden.name.rsplit(" ", 1)[1]  # the unique number in the name
    ids, _, page = listing(manager, f"q={hidden.name.replace(' ', '+')}")
    assert hidden.id not in ids
    ids, _, page = listing(manager, f"q=Candidate+{hidden.id}&size=200")
    assert hidden.id in ids
    assert hidden.email not in page
    ids, _, _ = listing(admin, f"q={number}")
    assert hidden.id in ids
    # sorting by name sorts a hidden candidate by the label the manager sees
    team_a = lambda r: r.loop in ("open", "blind", "site")  # noqa: E731
    shown = {i: (f"Candidate {r.id}" if r.blind and r.decision is None else r.name)
             for i, r in rows.items()}
    want = sorted((i for i in rows if team_a(rows[i])), key=lambda i: (shown[i].lower(), i))
    ids, total, _ = listing(manager, "sort=name&size=50")
    assert total == len(want)
    assert ids == want[:50]
    # the other team's interviews are not counted for team A's manager
    _, total, _ = listing(manager, f"loop={_loop_id(site, 'Other team')}")
    assert total == 0


def _loop_id(site: Site, title_start: str) -> int:
    from hireloop.db.models import LoopRecord

    with site.platform.db.session() as s:
        return int(s.scalar(select(LoopRecord.id).where(
            LoopRecord.title.startswith(title_start))))


def test_in_progress_interviews_show_time_left_and_last_activity_without_scripts(
        big: Any) -> None:
    _site, rows, admin = big
    running = [r for r in rows.values() if r.stage_left]
    assert running
    ids, _total, page = listing(admin, "status=in_progress&size=50")
    for r in running[:20]:
        if r.id not in ids:
            continue
        now = re.search(rf'<tr data-interview="{r.id}">.*?data-field="now">([^<]*)<', page,
                        re.S)
        assert now is not None
        text = unescape(now.group(1))
        left = re.search(r"Written, (\d+):(\d\d) left", text)
        assert left, text
        assert 20 * 60 <= int(left.group(1)) * 60 + int(left.group(2)) <= 25 * 60, text
        assert re.search(r"saved \d+ (s|min) ago", text), text
    # the page's live updates follow exactly the interviews it shows
    holder = re.search(r'data-progress-url="/team/events\?ids=([0-9,]+)"', page)
    assert holder
    assert [int(x) for x in holder.group(1).split(",")] == ids


def test_the_sql_status_and_score_are_the_services_and_the_scorecards_for_every_interview(
        big: Any) -> None:
    """The two statements of each rule agree: SQL's status and overall score against
    ``service.interview_status`` and ``build_scorecard`` for all 3002 interviews, including
    edge cases added here (a grade without criteria, an override of a criterion the grade
    does not have, an answer in a stage the plan does not have)."""
    site, rows, _ = big
    added: list[Any] = []
    try:
        _check_statuses_and_scores(site, rows, added)
    finally:  # the module's other tests read the site as seeded
        with site.platform.db.session() as s:
            for model, row_id in reversed(added):
                s.delete(s.get(model, row_id))


def _check_statuses_and_scores(site: Site, rows: dict[int, Seeded], added: list[Any]) -> None:
    from hireloop.hiring import listing
    from hireloop.reports.scorecard import build_scorecard

    with site.platform.db.session() as s:
        odd = s.scalars(select(Interview).where(Interview.id.in_(
            [r.id for r in rows.values() if r.status == "submitted"][:3]))).all()
        no_criteria, foreign_override, beyond = odd
        answer = no_criteria.answers[0]
        job = GradingJob(answer_id=answer.id, state="graded", grade={
            "exercise_id": answer.exercise_id, "seed": 0, "outcome": "graded", "score": 0.37,
            "grader": "seeded", "criteria": []})
        graded = next(a for a in foreign_override.answers if a.jobs and a.jobs[-1].grade
                      and a.jobs[-1].grade["criteria"])
        override = Override(answer_id=graded.id, criterion="not in the grade", points=0.0,
                            max_points=1.0, reason="seeded", user_id=site.ids["manager"])
        extra = Answer(interview_id=beyond.id, stage_index=7, exercise_id=TEXT, seed=0)
        s.add_all([job, override, extra])
        s.flush()
        extra_job = GradingJob(answer_id=extra.id, state="graded",
                               grade=_grade(TEXT, (2.0, 3.0)))
        s.add(extra_job)
        s.flush()
        added += [(GradingJob, job.id), (Override, override.id), (Answer, extra.id),
                  (GradingJob, extra_job.id)]
    with site.platform.db.session(write=False) as s:
        scores_sql = listing.score_subquery(s.get_bind().dialect.name)
        scores = dict(s.execute(select(scores_sql.c.interview_id, scores_sql.c.overall)).all())
        statuses = dict(s.execute(select(Interview.id, listing.status_expression())).all())
        mismatched = []
        for interview in s.scalars(select(Interview).options(
                selectinload(Interview.candidate), selectinload(Interview.stages),
                selectinload(Interview.answers).selectinload(Answer.jobs),
                selectinload(Interview.answers).selectinload(Answer.overrides))):
            card = build_scorecard(interview, site.platform.bank)
            want = card["overall"]
            got = scores.get(interview.id)
            if (want is None) != (got is None) or (want is not None and abs(want - got) > 1e-9):
                mismatched.append(f"{interview.id}: score {got} (scorecard {want})")
            if statuses[interview.id] != service.interview_status(interview):
                mismatched.append(f"{interview.id}: status {statuses[interview.id]} "
                                  f"(service {service.interview_status(interview)})")
        assert len(statuses) == len(rows)
    assert not mismatched, "\n".join(mismatched[:20])


def test_the_live_stream_follows_the_pages_interviews_and_only_visible_ones(big: Any) -> None:
    site, rows, _ = big
    interviewer = site.client()
    interviewer.login("interviewer@example.com")
    mine = next(r for r in rows.values() if r.assigned and r.stage_left)
    theirs = next(r for r in rows.values() if not r.assigned and r.stage_left)
    response = interviewer.client.get(f"/team/events?seconds=0.5&ids={mine.id},{theirs.id}")
    assert response.status_code == 200
    shown = [json.loads(line[6:])["id"] for line in response.text.splitlines()
             if line.startswith("data: ") and '"grading"' in line]
    assert shown == [mine.id], "an interview one may not see is never streamed"
    assert interviewer.client.get("/team/events?seconds=0.5&ids=1,x").status_code == 422


def test_bad_filters_are_named_and_the_rest_still_apply(big: Any) -> None:
    _site, rows, admin = big
    ids, total, page = listing(admin, "score_min=abc&status=submitted&sort=height&from=2026-13-01"
                               "&size=7", status=422)
    text = unescape(page)
    for said in ("score from: 'abc'", "sort: 'height'", "from: '2026-13-01'",
                 "page size: 7 is not one of"):
        assert said in text, said
    want = expected(rows, lambda r: r.status == "submitted")
    assert total == len(want)
    assert ids == want[:50]
    _, _, page = listing(admin, "score_min=80&score_max=20", status=422)
    assert "from 80% is above to 20%" in unescape(page)


def test_filters_and_score_sort_on_postgresql(make_site: Any) -> None:
    if postgres_url() is None:
        pytest.skip("set HIRELOOP_TEST_POSTGRES_URL (scripts/test does) to test PostgreSQL")
    site = make_site(database_url=postgres_url(), threads=0)
    assert site.platform.db.engine.dialect.name == "postgresql"
    rows = {**_existing(site), **seed(site, 400, rng_seed=5)}
    admin = site.client()
    admin.login("admin@example.com")
    for query, keep, sort in (
            ("", lambda r: True, "invited"),
            ("status=in_progress", lambda r: r.status == "in_progress", "invited"),
            ("status=expired", lambda r: r.status == "expired", "invited"),
            ("score_min=30&score_max=70", lambda r: r.score is not None
             and .3 <= r.score <= .7, "score"),
            ("decision=none&date_field=submitted&from=" + str(MONTH_AGO),
             lambda r: r.decision is None and r.submitted is not None
             and r.submitted.date() >= MONTH_AGO, "submitted"),
            ("q=HOPPER", lambda r: "hopper" in r.name.lower(), "score"),
            ("", lambda r: True, "status")):
        want = expected(rows, keep, sort=sort)
        ids, total, _ = listing(admin, f"{query}&sort={sort}&size=25")
        assert (total, ids) == (len(want), want[:25]), query
    manager = site.client()
    manager.login("manager@example.com")
    hidden = next(r for r in rows.values() if r.blind and r.decision is None)
    ids, _, _ = listing(manager, f"q={hidden.name.replace(' ', '+')}")
    assert hidden.id not in ids
    ids, _, _ = listing(manager, f"q=candidate+{hidden.id}")
    assert hidden.id in ids
