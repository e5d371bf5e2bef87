"""Structured interviewer feedback: a rating per competency on one anchored scale, each with a
written justification (docs/fairness.md, "Structured interviewer feedback").

- **The scale** is ``SCALE`` below, the one definition the form, the scorecard, the exports
  and the API show.
- **Who rates**: whoever may act on the interview (``interview.act``: its assigned
  interviewers, the hiring managers of the loop's team, admins), once per interview; the set
  is edited, not repeated, until the decision is recorded, and every revision is kept.
- **What is rated**: every competency the loop assesses (those of the exercises in the
  interview's plan), each with a justification.
- **Independence**: an interviewer assigned to the interview sees the others' ratings only
  once they have submitted their own (or once the decision is recorded). Hiring managers and
  admins who are not on the panel see them all (they run the debrief and decide); a set given
  by someone who could already see others' ratings is marked as such.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, object_session

from hireloop.bank.loader import Bank
from hireloop.core.taxonomy import COMPETENCY_DESCRIPTIONS, Competency
from hireloop.db.models import Interview, InterviewerRating, RatingSet, utcnow
from hireloop.hiring import service
from hireloop.hiring.authz import Principal
from hireloop.hiring.service import Conflict, Invalid


@dataclass(frozen=True)
class Anchor:
    """One point of the scale: its value, its label and what earns it."""

    value: int
    label: str
    meaning: str


SCALE: tuple[Anchor, ...] = (
    Anchor(1, "Does not meet",
           "little or no evidence of the competency, or evidence against it"),
    Anchor(2, "Partly meets",
           "some evidence, with gaps the role could not carry"),
    Anchor(3, "Meets",
           "clear evidence of what the role needs; gaps are minor"),
    Anchor(4, "Exceeds",
           "strong evidence beyond what the role needs, shown without prompting"),
)
"""the rating scale, lowest first (1 to 4: no middle point to settle on)"""

LOWEST, HIGHEST = SCALE[0].value, SCALE[-1].value
JUSTIFICATION_LIMIT = 5000
"""characters of one justification"""

_BY_VALUE = {a.value: a for a in SCALE}
_ORDER = {str(c): i for i, c in enumerate(Competency)}


def scale() -> list[dict[str, Any]]:
    """The scale as plain data (for pages, exports and the API)."""
    return [asdict(a) for a in SCALE]


def label(value: int) -> str:
    anchor = _BY_VALUE.get(value)
    return anchor.label if anchor else "?"


def describe(competency: str) -> str:
    """The taxonomy's description of a competency ("" for one it does not know)."""
    try:
        return COMPETENCY_DESCRIPTIONS[Competency(competency)]
    except ValueError:
        return ""


def loop_competencies(interview: Interview, bank: Bank) -> list[str]:
    """The competencies the interview's loop assesses: those of the exercises in its plan
    (taxonomy order). Exercises that left the bank add none."""
    found: set[str] = set()
    for stage in interview.plan:
        for planned in stage.get("exercises", []):
            entry = bank.entries.get(planned.get("id", ""))
            if entry is not None and entry.exercise is not None:
                found.update(str(c) for c in entry.exercise.meta.competencies)
    return sorted(found, key=lambda c: (_ORDER.get(c, len(_ORDER)), c))


_CACHE = "hireloop.ratings"
"""``Session.info`` key: rating sets by interview id, loaded for every interview the session
holds at once (a dashboard or an export builds hundreds of scorecards in one session)"""
_CHUNK = 500


def sets_of(s: Session, interview: Interview) -> list[RatingSet]:
    """Every rating set of the interview, oldest first (with those of every other interview
    the session holds, in one query per 500: building many scorecards costs a query or two)."""
    cache: dict[int, list[RatingSet]] = s.info.setdefault(_CACHE, {})
    if interview.id not in cache:
        held = {key[1][0] for key in list(s.identity_map.keys())  # keys: nothing is loaded
                if key[0] is Interview}
        ids = sorted(({interview.id} | held) - set(cache))
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            for interview_id in chunk:
                cache[interview_id] = []
            query = (select(RatingSet).where(RatingSet.interview_id.in_(chunk))
                     .options(joinedload(RatingSet.user), joinedload(RatingSet.ratings))
                     .order_by(RatingSet.id))
            for row in s.scalars(query).unique():
                cache[row.interview_id].append(row)
    return list(cache[interview.id])


def own_set(sets: list[RatingSet], me: Principal) -> RatingSet | None:
    return next((r for r in sets if me.user_id is not None and r.user_id == me.user_id), None)


def others_visible(me: Principal | None, interview: Interview,
                   sets: list[RatingSet]) -> bool:
    """The independence rule: whether ``me`` may read other people's ratings now."""
    if me is None or interview.decision is not None:
        return True
    if own_set(sets, me) is not None:
        return True
    on_panel = me.user_id is not None and any(a.user_id == me.user_id
                                              for a in interview.assignments)
    return me.role in ("hiring_manager", "admin") and not on_panel


def current(rating_set: RatingSet) -> list[InterviewerRating]:
    """The ratings of the revision in force."""
    return [r for r in rating_set.ratings if r.revision == rating_set.revision]


def parse(items: list[dict[str, Any]], competencies: list[str]) -> dict[str, tuple[int, str]]:
    """Check submitted ratings (``{"competency", "value", "justification"}`` each) and return
    them by competency; ``Invalid`` names every problem at once."""
    problems: list[str] = []
    found: dict[str, tuple[int, str]] = {}
    scale_text = f"use {LOWEST} ({label(LOWEST)}) to {HIGHEST} ({label(HIGHEST)})"
    for item in items:
        competency = str(item.get("competency") or "").strip()
        if competency not in competencies:
            known = ", ".join(competencies) or "none"
            problems.append(f"unknown competency {competency!r}: this loop assesses {known}")
            continue
        if competency in found:
            problems.append(f"{competency} is rated twice; give one rating per competency")
            continue
        raw = item.get("value")
        value: int | None = None
        if isinstance(raw, bool):
            value = None
        elif isinstance(raw, int):
            value = raw
        elif isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
            value = int(raw.strip())
        if value is None or raw in ("", None):
            problems.append(f"{competency}: choose a rating ({scale_text})")
            continue
        if value not in _BY_VALUE:
            problems.append(f"{competency}: {value} is not on the scale; {scale_text}")
            continue
        justification = str(item.get("justification") or "").strip()
        if not justification:
            problems.append(f"{competency}: write a justification for the rating "
                            "(what you saw that earns it)")
            continue
        if len(justification) > JUSTIFICATION_LIMIT:
            problems.append(f"{competency}: the justification is longer than "
                            f"{JUSTIFICATION_LIMIT} characters")
            continue
        found[competency] = (value, justification)
    missing = [c for c in competencies if c not in found and not any(
        str(i.get("competency") or "").strip() == c for i in items)]
    if missing:
        problems.append("rate every competency this loop assesses; missing: "
                        + ", ".join(missing))
    if not competencies:
        problems.append("this interview's exercises assess no competency to rate")
    if problems:
        raise Invalid("; ".join(problems))
    return found


def save(s: Session, interview: Interview, bank: Bank, me: Principal,
         items: list[dict[str, Any]]) -> RatingSet:
    """Record ``me``'s ratings of the interview (the caller checked ``interview.act``): the
    first set, or the next revision of theirs. Refused once the decision is recorded."""
    if interview.decision is not None:
        raise Conflict("the decision is recorded, so the ratings are final")
    if me.user_id is None:
        raise service.Forbidden("only a member of the team rates an interview")
    checked = parse(items, loop_competencies(interview, bank))
    s.info.pop(_CACHE, None)  # read afresh, and the scorecard after this save sees it
    sets = sets_of(s, interview)
    mine = own_set(sets, me)
    others = [r for r in sets if r is not mine]
    saw_others = bool(others) and others_visible(me, interview, [r for r in sets if r is mine])
    now = utcnow()
    if mine is None:
        mine = RatingSet(interview_id=interview.id, user_id=me.user_id, revision=1,
                         created_at=now, updated_at=now)
        s.add(mine)
    else:
        mine.revision += 1
        mine.updated_at = now
    mine.independent = not saw_others
    for competency, (value, justification) in checked.items():
        mine.ratings.append(InterviewerRating(revision=mine.revision, competency=competency,
                                              value=value, justification=justification,
                                              created_at=now))
    s.flush()
    s.info.pop(_CACHE, None)
    return mine


def _rater(rating_set: RatingSet) -> dict[str, Any]:
    user = rating_set.user
    return {"user_id": user.id, "name": user.name or user.email, "email": user.email,
            "role": user.role}


def for_viewer(interview: Interview, bank: Bank, viewer: Principal | None) -> dict[str, Any]:
    """The ratings as ``viewer`` may see them (the scorecard's ``ratings``): the scale, the
    competencies, each visible set with its current ratings, and the mean per competency.
    Others' sets are left out (``hidden`` counts them) under the independence rule;
    justifications are redacted in a blind review like the answers."""
    s = object_session(interview)
    sets = sets_of(s, interview) if s is not None else []
    competencies = loop_competencies(interview, bank)
    visible = others_visible(viewer, interview, sets)
    shown = sets if visible else [r for r in sets if viewer is not None
                                  and r.user_id == viewer.user_id]
    blind = viewer is not None and service.identity_hidden(viewer, interview)

    def hide(text: str) -> str:
        """Blind review: the justification with the candidate's details redacted."""
        if not blind:
            return text
        from hireloop.fairness.redact import redact

        return redact(text, name=interview.candidate.name, email=interview.candidate.email)
    out_sets = []
    values: dict[str, list[int]] = {}
    for rating_set in shown:
        rows = {}
        for r in current(rating_set):
            rows[r.competency] = {"value": r.value, "label": label(r.value),
                                  "justification": hide(r.justification)}
            values.setdefault(r.competency, []).append(r.value)
            if r.competency not in competencies:
                competencies.append(r.competency)  # rated before the bank changed
        out_sets.append({
            "rater": _rater(rating_set), "revision": rating_set.revision,
            "independent": rating_set.independent,
            "submitted_at": rating_set.created_at.isoformat(),
            "updated_at": rating_set.updated_at.isoformat(), "ratings": rows})
    return {
        "scale": scale(),
        "competencies": competencies,
        "sets": out_sets,
        "hidden": len(sets) - len(shown),
        "means": {c: (sum(values[c]) / len(values[c]) if values.get(c) else None)
                  for c in competencies},
        "counts": {c: len(values.get(c, [])) for c in competencies},
        "final": interview.decision is not None,
    }


def history(rating_set: RatingSet) -> list[dict[str, Any]]:
    """Every revision of a set, newest first: when, and the ratings then."""
    revisions: dict[int, list[InterviewerRating]] = {}
    for r in rating_set.ratings:
        revisions.setdefault(r.revision, []).append(r)
    return [{"revision": n, "at": rows[0].created_at.isoformat(),
             "ratings": {r.competency: {"value": r.value, "label": label(r.value),
                                        "justification": r.justification} for r in rows}}
            for n, rows in sorted(revisions.items(), reverse=True)]
