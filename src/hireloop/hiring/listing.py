"""The dashboard's list of interviews: search, filters, sort and pagination, all in the
database query (a page loads its own rows only, however many interviews there are).

Who sees which interview is ``service._interview_filter`` (the same rule as everywhere else).
A status and an overall score are computed in Python elsewhere (``service.interview_status``,
the scorecard); to filter and sort on them in the database this module states the same rules
in SQL (``status_expression``, ``score_subquery``), and the tests check that both agree.

Blind review: an interview whose candidate is "Candidate N" to the viewer is searched and
sorted by that label, never by the hidden name or email.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import (
    Float,
    Integer,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session, selectinload

from hireloop.db.models import (
    Answer,
    Candidate,
    Interview,
    LoopRecord,
    StageRun,
    UTCDateTime,
    utcnow,
)
from hireloop.hiring import service
from hireloop.hiring.authz import Principal, allowed

STATUSES = ("invited", "in_progress", "submitted", "decided", "expired", "revoked")
"""every status ``service.interview_status`` returns, in the order a status sort uses"""
DECISIONS = (*service.DECISIONS, "none")
"""a decision filter: one of the decisions, or ``none`` (not decided yet)"""
SORTS = {"invited": "date invited", "submitted": "date submitted", "name": "name",
         "score": "score", "status": "status"}
DATE_FIELDS = ("invited", "submitted")
PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    """What the dashboard's URL asks for (``parse`` reads it, ``query_string`` writes it)."""

    q: str = ""
    status: str = ""
    loop: int | None = None
    decision: str = ""
    score_min: int | None = None
    """percent, inclusive"""
    score_max: int | None = None
    date_field: str = "invited"
    date_from: date | None = None
    date_to: date | None = None
    """inclusive: the whole day"""
    sort: str = "invited"
    descending: bool = True
    page: int = 1
    size: int = DEFAULT_PAGE_SIZE

    def params(self, **changes: Any) -> dict[str, str]:
        """The query parameters of these filters (defaults left out), with ``changes``."""
        f = replace(self, **changes)
        out = {"q": f.q, "status": f.status,
               "loop": "" if f.loop is None else str(f.loop), "decision": f.decision,
               "score_min": "" if f.score_min is None else str(f.score_min),
               "score_max": "" if f.score_max is None else str(f.score_max),
               "date_field": "" if f.date_field == "invited" else f.date_field,
               "from": f.date_from.isoformat() if f.date_from else "",
               "to": f.date_to.isoformat() if f.date_to else "",
               "sort": "" if f.sort == "invited" else f.sort,
               "dir": "" if f.descending == f.default_descending else (
                   "desc" if f.descending else "asc"),
               "size": "" if f.size == DEFAULT_PAGE_SIZE else str(f.size),
               "page": "" if f.page == 1 else str(f.page)}
        return {k: v for k, v in out.items() if v}

    def query_string(self, **changes: Any) -> str:
        return urlencode(self.params(**changes))

    @property
    def default_descending(self) -> bool:
        """Names read best A to Z; dates, scores and statuses newest / highest / latest
        first."""
        return self.sort != "name"

    def cleared(self) -> str:
        """The query string of these filters with only the sort and page size kept."""
        return urlencode(replace(Filters(), sort=self.sort, descending=self.descending,
                                 size=self.size).params())

    @property
    def narrowed(self) -> bool:
        """Whether anything but the sort and the page is asked for."""
        return bool(self.q or self.status or self.loop is not None or self.decision
                    or self.score_min is not None or self.score_max is not None
                    or self.date_from or self.date_to)


def _int(value: str, name: str, low: int, high: int, errors: list[str]) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or not low <= int(value) <= high:
        errors.append(f"{name}: {value[:40]!r} is not a whole number from {low} to {high}")
        return None
    return int(value)


def _date(value: str, name: str, errors: list[str]) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(f"{name}: {value[:40]!r} is not a date (YYYY-MM-DD)")
        return None


def _choice(value: str, name: str, choices: tuple[str, ...] | list[str],
            errors: list[str]) -> str:
    value = value.strip()
    if value and value not in choices:
        errors.append(f"{name}: {value[:40]!r} is not one of {', '.join(choices)}")
        return ""
    return value


def parse(args: dict[str, str]) -> tuple[Filters, list[str]]:
    """The filters of a dashboard URL and, in words, what was wrong with it (each bad value
    is named and left out)."""
    errors: list[str] = []
    q = args.get("q", "").strip()[:200]
    score_min = _int(args.get("score_min", ""), "score from", 0, 100, errors)
    score_max = _int(args.get("score_max", ""), "score to", 0, 100, errors)
    if score_min is not None and score_max is not None and score_min > score_max:
        errors.append(f"score: from {score_min}% is above to {score_max}%")
        score_min = score_max = None
    date_from = _date(args.get("from", ""), "from", errors)
    date_to = _date(args.get("to", ""), "to", errors)
    if date_from and date_to and date_from > date_to:
        errors.append(f"dates: from {date_from} is after to {date_to}")
        date_from = date_to = None
    size = _int(args.get("size", ""), "page size", 1, max(PAGE_SIZES), errors)
    if size is not None and size not in PAGE_SIZES:
        errors.append(f"page size: {size} is not one of {', '.join(map(str, PAGE_SIZES))}")
        size = None
    direction = _choice(args.get("dir", ""), "direction", ("asc", "desc"), errors)
    sort = _choice(args.get("sort", ""), "sort", list(SORTS), errors) or "invited"
    filters = Filters(
        q=q,
        status=_choice(args.get("status", ""), "status", STATUSES, errors),
        loop=_int(args.get("loop", ""), "loop", 0, 2**31 - 1, errors),
        decision=_choice(args.get("decision", ""), "decision", DECISIONS, errors),
        score_min=score_min, score_max=score_max,
        date_field=_choice(args.get("date_field", ""), "date of", DATE_FIELDS,
                           errors) or "invited",
        date_from=date_from, date_to=date_to, sort=sort,
        descending=(direction == "desc") if direction else Filters(sort=sort).default_descending,
        page=_int(args.get("page", ""), "page", 1, 10**6, errors) or 1,
        size=size or DEFAULT_PAGE_SIZE)
    return filters, errors


# --- the rules in SQL ------------------------------------------------------------------------

def status_expression(now: datetime | None = None) -> Any:
    """``service.interview_status`` as a SQL expression on ``Interview``."""
    now = now or utcnow()
    runs = StageRun.interview_id == Interview.id
    has_stages = exists().where(runs)
    open_stage = exists().where(runs, StageRun.submitted_at.is_(None))
    started = exists().where(runs, StageRun.started_at.is_not(None))
    return case(
        (and_(Interview.decision.is_not(None), Interview.decision != ""), "decided"),
        (Interview.revoked_at.is_not(None), "revoked"),
        (and_(has_stages, ~open_stage), "submitted"),
        (or_(started, Interview.consented_at.is_not(None)), "in_progress"),
        (Interview.expires_at < literal(now, UTCDateTime()), "expired"),
        else_="invited")


def submitted_expression() -> Any:
    """``service.submitted_at`` in SQL: when the last stage was handed in, else NULL."""
    runs = StageRun.interview_id == Interview.id
    last = (select(func.max(StageRun.submitted_at)).where(runs)
            .correlate(Interview).scalar_subquery())
    return case((and_(exists().where(runs),
                      ~exists().where(runs, StageRun.submitted_at.is_(None))), last),
                else_=None)


def hidden_expression(me: Principal) -> Any:
    """``service.identity_hidden`` in SQL: 1 where ``me`` sees "Candidate N", else 0."""
    if me.role == "admin":
        return literal(0)
    blind = Interview.loop_snapshot["blind"].as_boolean()
    return case((and_(blind.is_(True), Interview.decision.is_(None)), 1), else_=0)


_SCORES_SQLITE = """
WITH latest AS (
  SELECT answer_id, MAX(id) AS job_id FROM grading_jobs GROUP BY answer_id
), graded AS (
  SELECT a.id AS answer_id, a.interview_id, a.stage_index, j.grade AS grade,
         json_extract(j.grade, '$.outcome') AS outcome
    FROM answers AS a JOIN latest AS l ON l.answer_id = a.id
    JOIN grading_jobs AS j ON j.id = l.job_id
   WHERE a.interview_id IS NOT NULL
), newest AS (
  SELECT o.answer_id, o.criterion, o.points FROM overrides AS o
    JOIN (SELECT MAX(id) AS id FROM overrides GROUP BY answer_id, criterion) AS n
      ON n.id = o.id
), points AS (
  -- each criterion's automatic points beside the newest override's (grouped, not joined:
  -- SQLite would scan the overrides once per criterion)
  SELECT g.answer_id, json_extract(c.value, '$.name') AS name,
         json_extract(c.value, '$.points') AS points,
         json_extract(c.value, '$.max_points') AS max_points, 0 AS overridden
    FROM graded AS g, json_each(g.grade, '$.criteria') AS c
  UNION ALL
  SELECT answer_id, criterion, points, NULL, 1 FROM newest
), criteria AS (
  SELECT answer_id,
         COALESCE(MAX(CASE WHEN overridden = 1 THEN points END),
                  MAX(CASE WHEN overridden = 0 THEN points END)) AS points,
         MAX(max_points) AS max_points
    FROM points GROUP BY answer_id, name HAVING MIN(overridden) = 0
), final AS (
  SELECT answer_id, SUM(points) AS points, SUM(max_points) AS total
    FROM criteria GROUP BY answer_id
), answer_scores AS (
  SELECT g.interview_id, g.stage_index, CASE
    WHEN g.outcome IS NULL OR g.outcome = 'error' THEN NULL
    WHEN g.outcome = 'not_gradable' THEN 0.0
    WHEN COALESCE(f.total, 0) <= 0 THEN CAST(json_extract(g.grade, '$.score') AS REAL)
    ELSE CAST(f.points AS REAL) / f.total
    END AS score
    FROM graded AS g LEFT JOIN final AS f ON f.answer_id = g.answer_id
), stage_scores AS (
  SELECT interview_id, stage_index, AVG(score) AS score FROM answer_scores
   WHERE score IS NOT NULL GROUP BY interview_id, stage_index
), weighted AS (
  SELECT s.interview_id, s.score,
         CAST(json_extract(i.plan, '$[' || s.stage_index || '].weight') AS REAL) AS weight
    FROM stage_scores AS s JOIN interviews AS i ON i.id = s.interview_id
)
SELECT interview_id, ROUND(SUM(weight * score) / NULLIF(SUM(weight), 0), 9) AS overall
  FROM weighted WHERE weight IS NOT NULL GROUP BY interview_id
"""

_SCORES_POSTGRESQL = """
WITH latest AS (
  SELECT answer_id, MAX(id) AS job_id FROM grading_jobs GROUP BY answer_id
), graded AS (
  SELECT a.id AS answer_id, a.interview_id, a.stage_index, j.grade::jsonb AS grade,
         j.grade::jsonb ->> 'outcome' AS outcome
    FROM answers AS a JOIN latest AS l ON l.answer_id = a.id
    JOIN grading_jobs AS j ON j.id = l.job_id
   WHERE a.interview_id IS NOT NULL
), newest AS (
  SELECT DISTINCT ON (answer_id, criterion) answer_id, criterion, points
    FROM overrides ORDER BY answer_id, criterion, id DESC
), criteria AS (
  SELECT g.answer_id, c ->> 'name' AS name, (c ->> 'points')::float8 AS points,
         (c ->> 'max_points')::float8 AS max_points
    FROM graded AS g, jsonb_array_elements(CASE WHEN jsonb_typeof(g.grade -> 'criteria')
         = 'array' THEN g.grade -> 'criteria' ELSE '[]'::jsonb END) AS c
), final AS (
  SELECT c.answer_id, SUM(COALESCE(o.points, c.points)) AS points,
         SUM(c.max_points) AS total
    FROM criteria AS c LEFT JOIN newest AS o
      ON o.answer_id = c.answer_id AND o.criterion = c.name
   GROUP BY c.answer_id
), answer_scores AS (
  SELECT g.interview_id, g.stage_index, CASE
    WHEN g.outcome IS NULL OR g.outcome = 'error' THEN NULL
    WHEN g.outcome = 'not_gradable' THEN 0.0
    WHEN COALESCE(f.total, 0) <= 0 THEN (g.grade ->> 'score')::float8
    ELSE f.points / f.total
    END AS score
    FROM graded AS g LEFT JOIN final AS f ON f.answer_id = g.answer_id
), stage_scores AS (
  SELECT interview_id, stage_index, AVG(score) AS score FROM answer_scores
   WHERE score IS NOT NULL GROUP BY interview_id, stage_index
), weighted AS (
  SELECT s.interview_id, s.score,
         (i.plan::jsonb -> s.stage_index ->> 'weight')::float8 AS weight
    FROM stage_scores AS s JOIN interviews AS i ON i.id = s.interview_id
)
SELECT interview_id,
       ROUND(CAST(SUM(weight * score) / NULLIF(SUM(weight), 0) AS numeric), 9)::float8
       AS overall
  FROM weighted WHERE weight IS NOT NULL GROUP BY interview_id
"""


def score_subquery(dialect: str) -> Any:
    """Every interview's overall score as the scorecard computes it (after overrides: each
    answer's final points over its maximum, a stage's mean, the stages weighted), as a
    subquery of ``(interview_id, overall)``, to 9 decimals (so that equal scores reached by
    different sums tie on every database); interviews with no score yet have no row."""
    sql = _SCORES_POSTGRESQL if dialect == "postgresql" else _SCORES_SQLITE
    return text(sql).columns(interview_id=Integer, overall=Float).subquery("scores")


# --- the query -------------------------------------------------------------------------------

@dataclass
class Listing:
    """One page of the dashboard: its interviews in order, the count of all that match,
    and the pages."""

    interviews: list[Interview]
    total: int
    filters: Filters
    pages: int

    @property
    def first(self) -> int:
        """The position (from 1) of the page's first row; 0 when the page is empty."""
        return (self.filters.page - 1) * self.filters.size + 1 if self.interviews else 0

    @property
    def last(self) -> int:
        return self.first + len(self.interviews) - 1 if self.interviews else 0

    def page_links(self, around: int = 2) -> list[int | None]:
        """The page numbers to link: the first, the last and those around this one (None
        where numbers are skipped)."""
        keep = {1, self.pages, *range(self.filters.page - around,
                                      self.filters.page + around + 1)}
        out: list[int | None] = []
        for n in range(1, self.pages + 1):
            if n in keep:
                out.append(n)
            elif out and out[-1] is not None:
                out.append(None)
        return out


def loops_of(s: Session, me: Principal) -> list[tuple[int, str]]:
    """The loops of the interviews ``me`` may see, by title (the loop filter's choices)."""
    rows = s.execute(select(LoopRecord.id, LoopRecord.title).where(
        LoopRecord.id.in_(select(Interview.loop_id).where(service._interview_filter(me))))
        .order_by(func.lower(LoopRecord.title), LoopRecord.id)).all()
    return [(r[0], r[1]) for r in rows]


def _day_start(day: date) -> datetime:
    from datetime import UTC

    return datetime.combine(day, time.min, tzinfo=UTC)


def interviews(s: Session, me: Principal, filters: Filters) -> Listing:
    """The page of interviews ``me`` may see that ``filters`` ask for, counted and ordered in
    the database."""
    dialect = s.get_bind().dialect.name
    hidden = hidden_expression(me)
    label = literal("Candidate ") + cast(Interview.id, String)
    shown_name = case((hidden == 1, label), else_=Candidate.name)
    status = status_expression()
    submitted = submitted_expression()
    needs_score = (filters.sort == "score" or filters.score_min is not None
                   or filters.score_max is not None)
    scores = score_subquery(dialect) if needs_score else None

    query = (select(Interview.id).join(Candidate, Candidate.id == Interview.candidate_id)
             .where(service._interview_filter(me)))
    if scores is not None:
        query = query.outerjoin(scores, scores.c.interview_id == Interview.id)
    if filters.q:
        needle = filters.q.lower()
        query = query.where(or_(
            and_(hidden == 0, or_(func.lower(Candidate.name).contains(needle, autoescape=True),
                                  func.lower(Candidate.email).contains(needle,
                                                                       autoescape=True))),
            and_(hidden == 1, func.lower(label).contains(needle, autoescape=True))))
    if filters.status:
        query = query.where(status == filters.status)
    if filters.loop is not None:
        query = query.where(Interview.loop_id == filters.loop)
    if filters.decision == "none":
        query = query.where(or_(Interview.decision.is_(None), Interview.decision == ""))
    elif filters.decision:
        query = query.where(Interview.decision == filters.decision)
    if scores is not None:
        if filters.score_min is not None:
            query = query.where(scores.c.overall >= filters.score_min / 100)
        if filters.score_max is not None:
            query = query.where(scores.c.overall <= filters.score_max / 100)
    when = Interview.created_at if filters.date_field == "invited" else submitted
    if filters.date_from:
        query = query.where(when >= literal(_day_start(filters.date_from), UTCDateTime()))
    if filters.date_to:
        query = query.where(when < literal(_day_start(filters.date_to + timedelta(days=1)),
                                           UTCDateTime()))

    total = s.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // filters.size))
    filters = replace(filters, page=min(filters.page, pages))

    key: Any = {"invited": Interview.created_at, "submitted": submitted,
                "name": func.lower(shown_name),
                "score": scores.c.overall if scores is not None else literal(None),
                "status": case({name: i for i, name in enumerate(STATUSES)},
                               value=status)}[filters.sort]
    missing_last = case((key.is_(None), 1), else_=0)
    ordered = key.desc() if filters.descending else key.asc()
    tie = Interview.id.desc() if filters.descending else Interview.id.asc()
    query = query.order_by(missing_last, ordered, tie)
    ids = list(s.scalars(query.limit(filters.size).offset((filters.page - 1) * filters.size)))
    # the page's interviews with what its rows show, in a few queries instead of one per row
    found = {i.id: i for i in s.scalars(select(Interview).where(Interview.id.in_(ids)).options(
        selectinload(Interview.candidate), selectinload(Interview.stages),
        selectinload(Interview.assignments),
        selectinload(Interview.answers).selectinload(Answer.jobs),
        selectinload(Interview.answers).selectinload(Answer.overrides)))}
    # the SQL filter is the rule; ``allowed`` checks each row once more
    page = [found[i] for i in ids if i in found
            and allowed(me, "interview.read", service.interview_scope(found[i]))]
    return Listing(interviews=page, total=total, filters=filters, pages=pages)

__all__ = ["DECISIONS", "PAGE_SIZES", "SORTS", "STATUSES", "Filters", "Listing", "interviews",
           "parse", "score_subquery", "status_expression"]
