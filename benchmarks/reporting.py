"""Reporting: how long a loop's analytics and a scorecard PDF take to build.

A fresh SQLite platform gets one two-stage loop and ``--interviews`` invitations; every
interview started and submitted both stages (times spread over 5-45 minutes) and each answer
has a grade. Then the analytics of the loop are computed (``loop_analytics`` and its charts,
what the page does) ``--repeat`` times, and one interview's scorecard is built and drawn as a
PDF ``--repeat`` times. Printed: the median of each and the PDF's size.

    python benchmarks/reporting.py [--interviews 500] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hireloop.bank import load_bank
from hireloop.config import Settings
from hireloop.core.grade import CriterionScore, Grade
from hireloop.db.models import GradingJob, Interview
from hireloop.hiring import service
from hireloop.hiring.authz import Principal
from hireloop.jobs import Runtime
from hireloop.reports.analytics import charts, loop_analytics, loop_interviews
from hireloop.reports.pdf import scorecard_pdf
from hireloop.reports.scorecard import build_scorecard, competency_chart

LOOP = {"title": "Benchmark loop", "role": "ML engineer", "feedback": "after_submission",
        "stage": [{"name": "Screen", "minutes": 30, "exercises": [
            "ml-foundations/screening-model-positive-posterior", "coding/stable-log-softmax"]},
                  {"name": "Deep dive", "minutes": 60, "exercises": [
                      "ml-foundations/probability-calibration"]}]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--interviews", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(7)
    data = Path(tempfile.mkdtemp(prefix="reporting-bench-"))
    settings = Settings(data_dir=data, grading_threads=0)
    bank = load_bank(settings.bank_roots(), principles_file=settings.principles_path())
    platform = service.Platform.create(settings, Runtime.create(settings, bank=bank))
    start = datetime(2026, 11, 2, 9, tzinfo=UTC)
    with platform.db.session() as s:
        admin = Principal("admin", user_id=service.create_user(
            s, "admin@example.com", "a long password", "admin").id)
        loop = service.create_loop(s, platform, admin, definition=LOOP)
        for n in range(args.interviews):
            interview, _ = service.invite(s, platform, admin, name=f"Candidate {n}",
                                          email=f"c{n}@example.com", loop_id=loop.id)
            for run in interview.stages:
                run.started_at = start + timedelta(hours=n)
                run.submitted_at = run.started_at + timedelta(minutes=rng.uniform(5, 45))
            for answer in interview.answers:
                score = rng.random()
                s.add(GradingJob(answer_id=answer.id, state="graded", grade=Grade(
                    exercise_id=answer.exercise_id, seed=answer.seed, outcome="graded",
                    score=score, grader="bench", criteria=[CriterionScore(
                        name="Criterion", points=score * 4, max_points=4,
                        evidence=["evidence"])]).model_dump(mode="json")))
            if n % 3 == 0:
                interview.decision = rng.choice(["advance", "hold", "reject"])
        loop_id = loop.id
    analytics_s, pdf_s, size = [], [], 0
    for _ in range(args.repeat):
        with platform.db.sessions() as s:
            t0 = time.perf_counter()
            ids = {i for (i,) in s.query(Interview.id).filter_by(loop_id=loop_id)}
            interviews = loop_interviews(s, loop_id, ids)
            charts(loop_analytics(interviews, platform.bank))
            analytics_s.append(time.perf_counter() - t0)
            one = interviews[0]
            t0 = time.perf_counter()
            card = build_scorecard(one, platform.bank, admin)
            size = len(scorecard_pdf(card, competency_chart(card["competencies"])))
            pdf_s.append(time.perf_counter() - t0)
    print(f"loop analytics, {args.interviews} interviews: "
          f"{statistics.median(analytics_s):.2f} s (median of {args.repeat})")
    print(f"one scorecard PDF: {statistics.median(pdf_s) * 1000:.0f} ms, {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
