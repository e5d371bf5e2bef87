"""The scorecard of one interview: scores per stage and per competency (after overrides), the
evidence behind every criterion, who overrode what, and the loop's pass recommendation.

The same data feeds the page, the JSON and CSV exports, and the competency chart (an SVG drawn
here, so the scorecard works offline and prints).
"""

from __future__ import annotations

import csv
import io
from html import escape
from typing import Any

from hireloop.bank.loader import Bank
from hireloop.bank.loops import PassRule
from hireloop.db.models import Interview
from hireloop.fairness.redact import redact_tree
from hireloop.hiring import ratings, service
from hireloop.hiring.authz import Principal


def build_scorecard(interview: Interview, bank: Bank,
                    viewer: Principal | None = None) -> dict[str, Any]:
    """Everything the scorecard shows, as plain data; for a ``viewer`` who may not see a blind
    interview's candidate yet, the candidate is "Candidate N"."""
    stages: list[dict[str, Any]] = []
    by_competency: dict[str, list[float]] = {}
    pending = 0
    # blind review: evidence quoting the answer is redacted like the answer
    blind = viewer is not None and service.identity_hidden(viewer, interview)
    for index, planned in enumerate(interview.plan):
        answers = [a for a in interview.answers if a.stage_index == index]
        rows = []
        scores = []
        for answer in answers:
            exercise = bank.entries.get(answer.exercise_id)
            meta = exercise.exercise.meta if exercise and exercise.exercise else None
            grade = service.automatic_grade(answer)
            job = service.latest_job(answer)
            score = service.answer_score(answer)
            if score is None:
                pending += 1
            else:
                scores.append(score)
                for comp in (meta.competencies if meta else []):
                    by_competency.setdefault(str(comp), []).append(score)
            rows.append({
                "answer_id": answer.id,
                "exercise_id": answer.exercise_id,
                "title": meta.title if meta else answer.exercise_id,
                "kind": meta.kind if meta else None,
                "competencies": [str(c) for c in meta.competencies] if meta else [],
                "state": job.state if job else ("saved" if answer.saved_at else "empty"),
                "outcome": grade.outcome.value if grade else None,
                "auto_score": grade.score if grade else None,
                "score": score,
                "message": grade.message if grade else (job.error if job else None),
                "criteria": (redact_tree(service.effective_criteria(answer),
                                         name=interview.candidate.name,
                                         email=interview.candidate.email)
                             if blind else service.effective_criteria(answer)),
            })
        stage_score = sum(scores) / len(scores) if scores else None
        stages.append({"name": planned["name"], "weight": planned["weight"],
                       "minutes": planned["minutes"], "score": stage_score, "answers": rows})
    overall = service.weighted_overall([(s["weight"], s["score"]) for s in stages])
    rule = PassRule.model_validate(interview.loop_snapshot.get("pass_rule") or {})
    complete = pending == 0 and all(s["score"] is not None for s in stages)
    recommendation = None
    if complete and overall is not None:
        passed = rule.passes(overall, [s["score"] for s in stages])
        recommendation = "meets the bar" if passed else "below the bar"
    overrides = [
        {"exercise_id": a.exercise_id, "criterion": o.criterion, "points": o.points,
         "max_points": o.max_points, "reason": o.reason, "by": o.user.email,
         "at": o.created_at.isoformat()}
        for a in interview.answers for o in a.overrides]
    return {
        "interview_id": interview.id,
        "candidate": ({"name": interview.candidate.name, "email": interview.candidate.email}
                      if viewer is None else {
                          k: v for k, v in service.candidate_identity(viewer, interview).items()
                          if k != "blind"}),
        "loop": interview.loop_snapshot.get("title"),
        "status": service.interview_status(interview),
        "overall": overall,
        "complete": complete,
        "pass_rule": rule.model_dump(),
        "recommendation": recommendation,
        "decision": interview.decision,
        "decision_reason": interview.decision_reason,
        "human_review_requested": interview.human_review_requested_at is not None,
        "stages": stages,
        "competencies": {c: sum(v) / len(v) for c, v in sorted(by_competency.items())},
        "overrides": overrides,
        "ratings": ratings.for_viewer(interview, bank, viewer),
    }


def competency_chart(competencies: dict[str, float], width: int = 520) -> str:
    """A horizontal bar chart of competency scores as inline SVG."""
    bar_h, gap, label_w = 22, 8, 170
    height = max(1, len(competencies)) * (bar_h + gap) + gap
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'aria-label="Scores per competency">']
    span = width - label_w - 60
    for i, (name, score) in enumerate(competencies.items()):
        y = gap + i * (bar_h + gap)
        w = max(1, round(span * score))
        parts.append(f'<text x="0" y="{y + 16}" font-size="13">{escape(name)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{span}" height="{bar_h}" '
                     f'fill="#eef0f4"/>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" '
                     f'fill="#3b6fd8"><title>{escape(name)}: {score:.0%}</title></rect>')
        parts.append(f'<text x="{label_w + span + 8}" y="{y + 16}" font-size="13">'
                     f'{score:.0%}</text>')
    parts.append("</svg>")
    return "".join(parts)


CSV_COLUMNS = ["interview_id", "candidate", "email", "loop", "status", "decision", "overall",
               "stage", "stage_score", "exercise_id", "title", "competencies", "state",
               "outcome", "auto_score", "score", "overridden_criteria",
               "rater", "rated_competency", "rating", "rating_label", "justification",
               "rated_at"]


def csv_rows(card: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per answer (flat, for spreadsheets)."""
    rows = []
    for stage in card["stages"]:
        for a in stage["answers"]:
            rows.append({
                "interview_id": card["interview_id"], "candidate": card["candidate"]["name"],
                "email": card["candidate"]["email"], "loop": card["loop"],
                "status": card["status"], "decision": card["decision"] or "",
                "overall": _num(card["overall"]), "stage": stage["name"],
                "stage_score": _num(stage["score"]), "exercise_id": a["exercise_id"],
                "title": a["title"], "competencies": " ".join(a["competencies"]),
                "state": a["state"], "outcome": a["outcome"] or "",
                "auto_score": _num(a["auto_score"]), "score": _num(a["score"]),
                "overridden_criteria": "; ".join(c["name"] for c in a["criteria"]
                                                 if c["override"]),
            })
    rows += rating_rows(card)
    return rows


def rating_rows(card: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per interviewer's rating of a competency (as the card's viewer may see them),
    after the answers' rows; the answer columns stay empty."""
    rated = card.get("ratings") or {"sets": []}
    return [{"interview_id": card["interview_id"], "candidate": card["candidate"]["name"],
             "email": card["candidate"]["email"], "loop": card["loop"],
             "status": card["status"], "decision": card["decision"] or "",
             "overall": _num(card["overall"]), "rater": rating_set["rater"]["email"],
             "rated_competency": competency, "rating": row["value"],
             "rating_label": row["label"], "justification": row["justification"],
             "rated_at": rating_set["updated_at"]}
            for rating_set in rated["sets"]
            for competency, row in rating_set["ratings"].items()]


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:.4f}"


def to_csv(cards: list[dict[str, Any]]) -> str:
    """Cards as CSV; cells that a spreadsheet would run as formulas are quoted with '."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for card in cards:
        for row in csv_rows(card):
            writer.writerow({k: _defuse(v) for k, v in row.items()})
    return out.getvalue()


def _defuse(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
