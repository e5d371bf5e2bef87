"""The first screen: a loop whose first stage is ``screening = true`` gets a shortlist of its
candidates ranked by that stage's score, each with its reasons (per-competency scores with the
evidence behind them) and what would change its position. The shortlist recommends; it never
decides. A person decides every rejection, one by one on the review page or several at once
here, after confirming; a bulk decision is logged with who made it (``BulkAction``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireloop.bank.loader import Bank
from hireloop.db.models import BulkAction, LoopRecord
from hireloop.hiring import service
from hireloop.hiring.authz import Principal
from hireloop.reports.scorecard import build_scorecard

BULK_DECISIONS = ("advance", "hold", "reject")


def is_screening(definition: dict[str, Any]) -> bool:
    """Whether a loop (definition or snapshot) starts with a screening stage."""
    stages = definition.get("stage") or []
    return bool(stages and stages[0].get("screening"))


def _entry(card: dict[str, Any], interview: Any, me: Principal) -> dict[str, Any]:
    stage = card["stages"][0]
    competencies: dict[str, dict[str, Any]] = {}
    for answer in stage["answers"]:
        for comp in answer["competencies"] or ["(untagged)"]:
            slot = competencies.setdefault(comp, {"scores": [], "evidence": []})
            if answer["score"] is not None:
                slot["scores"].append(answer["score"])
            for criterion in answer["criteria"]:
                for line in criterion.get("evidence") or []:
                    if len(slot["evidence"]) < 3:
                        slot["evidence"].append(
                            f"{answer['title']} — {criterion['name']}: {line}")
    per_competency = [
        {"competency": comp, "score": sum(v["scores"]) / len(v["scores"]) if v["scores"]
         else None, "evidence": v["evidence"]}
        for comp, v in sorted(competencies.items())]
    return {"interview_id": interview.id, "who": service.candidate_identity(me, interview),
            "score": stage["score"], "answers": len(stage["answers"]),
            "competencies": per_competency, "decision": interview.decision,
            "human_review_requested": card["human_review_requested"],
            "pending": any(a["score"] is None for a in stage["answers"])}


def _what_would_change(ranked: list[dict[str, Any]], min_stage: float) -> None:
    """Fill each entry's ``changes``: the score gap to the places above and below, and how
    much one answer of its weakest competency would have to gain to close the gap up."""
    for i, entry in enumerate(ranked):
        changes: list[str] = []
        score, answers = entry["score"], max(1, entry["answers"])
        weakest = min((c for c in entry["competencies"] if c["score"] is not None),
                      key=lambda c: c["score"], default=None)
        if i > 0:
            above = ranked[i - 1]
            gap = above["score"] - score
            line = (f"up one place: {gap:+.0%} on the screening score would pass "
                    f"{above['who']['name']} ({above['score']:.0%})")
            if weakest is not None:
                need = min(1.0, weakest["score"] + gap * answers)
                line += (f", e.g. {weakest['competency']} from {weakest['score']:.0%} to "
                         f"{need:.0%} on one answer")
                if weakest["score"] + gap * answers > 1:
                    line += " (more than one answer would have to improve)"
            changes.append(line)
        if i + 1 < len(ranked):
            below = ranked[i + 1]
            changes.append(f"down one place: {below['score'] - score:+.0%} would put "
                           f"{below['who']['name']} ({below['score']:.0%}) above")
        if score < min_stage:
            changes.append(f"below the stage's bar of {min_stage:.0%} by {min_stage - score:.0%}"
                           " (a recommendation: a person decides)")
        else:
            changes.append(f"meets the stage's bar of {min_stage:.0%}")
        changes.append("an override of any criterion by a reviewer, or a human review the "
                       "candidate asked for, changes the score and so the position")
        entry["changes"] = changes


def shortlist(s: Session, me: Principal, record: LoopRecord, bank: Bank) -> dict[str, Any]:
    """The loop's shortlist as ``me`` may see it: ``ranked`` (graded screening stages, best
    first, ties by invitation order), ``waiting`` (not yet submitted or graded) and the log of
    bulk decisions."""
    ranked: list[dict[str, Any]] = []
    waiting: list[dict[str, Any]] = []
    for interview in service.visible_interviews(s, me, loop_id=record.id, limit=100_000):
        if not is_screening(interview.loop_snapshot):
            continue
        entry = _entry(build_scorecard(interview, bank, me), interview, me)
        (waiting if entry["score"] is None or entry["pending"] else ranked).append(entry)
    ranked.sort(key=lambda e: (-e["score"], e["interview_id"]))
    for position, entry in enumerate(ranked, start=1):
        entry["position"] = position
    rule = (record.definition.get("pass_rule") or {})
    _what_would_change(ranked, float(rule.get("min_stage", 0.0)))
    log = s.scalars(select(BulkAction).where(BulkAction.loop_id == record.id)
                    .order_by(BulkAction.id.desc())).all()
    return {"ranked": ranked, "waiting": waiting, "log": log}


def bulk_decide(s: Session, me: Principal, record: LoopRecord, interview_ids: list[int],
                decision: str, reason: str) -> BulkAction:
    """Record one decision for several interviews of the loop, as ``me`` (who confirmed it),
    and log it. Each interview is checked as if decided on its own page."""
    if decision not in BULK_DECISIONS:
        raise service.Invalid(f"the decision must be one of {', '.join(BULK_DECISIONS)}")
    if not interview_ids:
        raise service.Invalid("choose at least one candidate")
    if not reason.strip():
        raise service.Invalid("give a reason: it is kept with each decision")
    interviews = []
    for interview_id in dict.fromkeys(interview_ids):
        interview = service.interview_for(s, me, interview_id, "interview.act")
        if interview.loop_id != record.id:
            raise service.NotFound(f"interview {interview_id} is not in this loop")
        interviews.append(interview)
    for interview in interviews:
        service.decide(interview, me, decision, f"{reason.strip()} (bulk decision)")
    action = BulkAction(loop_id=record.id, user_id=me.user_id, decision=decision,
                        reason=reason.strip()[:5000],
                        interview_ids=[i.id for i in interviews])
    s.add(action)
    s.flush()
    return action
