"""Voluntary self-identification and the platform's own audit.

Candidates may say their sex and race/ethnicity in the categories of the US EEO-1 form, or
"Prefer not to say" (always offered), or skip the form. The answers live in their own table,
which only this module reads: review pages, scorecards, exports, grading and the API never see
them. They are used in aggregate only, by ``loop_audit``, which admins alone may open.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from hireloop.db.models import Answer, Interview, SelfIdentification, utcnow
from hireloop.fairness.audit import FOUR_FIFTHS, Mode, from_records, run_audit
from hireloop.hiring import service

PREFER_NOT = "Prefer not to say"
SEX = ("Female", "Male", PREFER_NOT)
"""EEO-1 sex categories"""
RACE_ETHNICITY = (
    "Hispanic or Latino",
    "White",
    "Black or African American",
    "Native Hawaiian or Other Pacific Islander",
    "Asian",
    "American Indian or Alaska Native",
    "Two or More Races",
    PREFER_NOT,
)
"""EEO-1 race/ethnicity categories (Hispanic or Latino first, as the form asks it first)"""
NOT_ANSWERED = "Not answered"
GROUPS = ("sex", "race_ethnicity")
ALERT_MIN_DECIDED = 30
"""an impact ratio under 0.8 raises the loop's alert only with at least this many decided
candidates in the audit (fewer move too much with one person's outcome)"""


class SelfIdError(ValueError):
    """An answer outside the offered categories."""


def record(s: Session, interview: Interview, *, sex: str | None,
           race_ethnicity: str | None) -> SelfIdentification:
    """Store (or replace) the candidate's answers. An empty answer means not answered."""
    sex = (sex or "").strip() or None
    race_ethnicity = (race_ethnicity or "").strip() or None
    if sex is not None and sex not in SEX:
        raise SelfIdError(f"sex must be one of: {', '.join(SEX)}")
    if race_ethnicity is not None and race_ethnicity not in RACE_ETHNICITY:
        raise SelfIdError(f"race/ethnicity must be one of: {', '.join(RACE_ETHNICITY)}")
    row = s.get(SelfIdentification, interview.id)
    if row is None:
        row = SelfIdentification(interview_id=interview.id)
        s.add(row)
    row.sex, row.race_ethnicity, row.answered_at = sex, race_ethnicity, utcnow()
    s.flush()
    return row


def answered(s: Session, interview: Interview) -> bool:
    """Whether the candidate has sent the form (what the candidate's own page shows)."""
    return s.get(SelfIdentification, interview.id) is not None


def own_answers(s: Session, interview: Interview) -> dict[str, str | None]:
    """The candidate's own answers, for their own form only."""
    row = s.get(SelfIdentification, interview.id)
    return {"sex": row.sex if row else None,
            "race_ethnicity": row.race_ethnicity if row else None}


def loop_audit(s: Session, loop_id: int | None = None, *, since: datetime | None = None,
               until: datetime | None = None, mode: Mode = "selection") -> dict[str, Any]:
    """The audit of a loop's interviews (or of all loops) invited between ``since`` and
    ``until``. Candidates who skipped the form count as unknown.

    - ``selection``: decided interviews; advance is selected, reject is not; holds and
      undecided interviews are counted (``undecided``) but not audited.
    - ``scoring``: every interview with a complete automatic score (``automatic_overall``:
      what the tool produced, before any person's override), decided or not; the scoring
      rate is the share above the median of all of them. Interviews not fully graded yet are
      counted (``not_scored``) but not audited."""
    query = select(Interview).options(
        selectinload(Interview.answers).selectinload(Answer.jobs))
    if loop_id is not None:
        query = query.where(Interview.loop_id == loop_id)
    if since is not None:
        query = query.where(Interview.created_at >= since)
    if until is not None:
        query = query.where(Interview.created_at < until)
    interviews = list(s.scalars(query))
    answers = {row.interview_id: row for row in s.scalars(
        select(SelfIdentification).where(
            SelfIdentification.interview_id.in_([i.id for i in interviews])))}
    records: list[dict[str, Any]] = []
    left_out = 0
    for interview in interviews:
        if mode == "selection":
            value: float | None = ({"advance": 1, "reject": 0}.get(interview.decision or ""))
        else:
            value = service.automatic_overall(interview)
        if value is None:
            left_out += 1
            continue
        row = answers.get(interview.id)
        records.append({"value": value, "sex": (row.sex if row else None) or NOT_ANSWERED,
                        "race_ethnicity": (row.race_ethnicity if row else None)
                        or NOT_ANSWERED})
    key, why = (("undecided", "on hold or undecided") if mode == "selection"
                else ("not_scored", "not fully graded yet"))
    if not records:
        what = ("decided interviews (advance or reject)" if mode == "selection"
                else "fully graded interviews")
        return {"n": 0, "mode": mode, "groups": {}, "unknown": {}, key: left_out,
                "warnings": [f"no {what} in this range yet"]}
    result = run_audit(from_records(records, value_key="value", mode=mode, groups=GROUPS))
    result[key] = left_out
    if left_out:
        result["warnings"].append(f"{left_out} interview(s) {why} are not audited")
    return result


def alerts(result: dict[str, Any]) -> list[str]:
    """The loop's alert: each category below four-fifths, once enough candidates are decided."""
    if result["n"] < ALERT_MIN_DECIDED:
        return []
    return [f"{group}: {row['category']} has an impact ratio of {row['impact_ratio']:.2f}, "
            f"below {FOUR_FIFTHS} ({row['n']} candidates)"
            for group, rows in result["groups"].items() for row in rows
            if row["below_four_fifths"]]
