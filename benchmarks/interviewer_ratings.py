"""Interviewer ratings: what they add to building scorecards (the dashboard, a loop's export
and the API's loop results build one per interview).

A fresh SQLite platform gets one loop (a choice, a code and a text exercise: two competencies)
and ``--interviews`` invitations, each rated by ``--raters`` interviewers (every competency,
with a justification), and a second revision for half of them. Then every interview's
scorecard is built for a hiring manager of the team, ``--repeat`` times, once as is and once
with the ratings left out (``ratings.for_viewer`` replaced by an empty answer), alternating.
Printed: the median time per scorecard both ways and the difference.

    python benchmarks/interviewer_ratings.py [--interviews 200] [--raters 2] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from hireloop.bank import load_bank
from hireloop.config import Settings
from hireloop.hiring import ratings, service
from hireloop.hiring.authz import Principal
from hireloop.jobs import Runtime
from hireloop.reports import scorecard

LOOP = {"title": "Benchmark loop", "role": "ML engineer", "feedback": "after_submission",
        "stage": [{"name": "Everything", "minutes": 30, "exercises": [
            "ml-foundations/screening-model-positive-posterior", "coding/stable-log-softmax",
            "ml-foundations/probability-calibration"]}]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--interviews", type=int, default=200)
    parser.add_argument("--raters", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="ratings-bench-"))
    settings = Settings(data_dir=data, grading_threads=0)
    bank = load_bank(settings.bank_roots(), principles_file=settings.principles_path())
    platform = service.Platform.create(settings, Runtime.create(settings, bank=bank))
    with platform.db.session() as s:
        admin = service.create_user(s, "admin@example.com", "a long password", "admin")
        team = service.create_team(s, "Team")
        manager = service.create_user(s, "m@example.com", "a long password", "hiring_manager",
                                      "", team.id)
        raters = [service.create_user(s, f"r{i}@example.com", "a long password",
                                      "interviewer", "", team.id)
                  for i in range(args.raters)]
        loop = service.create_loop(s, platform, Principal("admin", user_id=admin.id),
                                   definition=LOOP, team_id=team.id)
        me = Principal("hiring_manager", user_id=manager.id, team_id=team.id)
        for n in range(args.interviews):
            interview, _ = service.invite(s, platform, Principal("admin", user_id=admin.id),
                                          name=f"Candidate {n}", email=f"c{n}@example.com",
                                          loop_id=loop.id,
                                          interviewers=[r.id for r in raters])
            for r in raters:
                who = Principal("interviewer", user_id=r.id, team_id=team.id)
                items: list[dict[str, Any]] = [
                    {"competency": c, "value": 1 + (n + r.id) % 4,
                     "justification": "Explained the trade-off and tested the edge case"}
                    for c in ("ml-foundations", "coding")]
                ratings.save(s, interview, bank, who, items)
                if n % 2:
                    ratings.save(s, interview, bank, who, items)
        s.commit()

    real = ratings.for_viewer

    def build(with_ratings: bool) -> float:
        vars(ratings)["for_viewer"] = real if with_ratings else (lambda *_: {})
        with platform.db.session() as s:
            start = time.perf_counter()
            interviews = service.visible_interviews(s, me, limit=100_000)
            for interview in interviews:
                scorecard.build_scorecard(interview, bank, me)
            return (time.perf_counter() - start) / len(interviews)

    times: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(args.repeat):
        for flag in (False, True):
            times[flag].append(build(flag))
    vars(ratings)["for_viewer"] = real
    without, with_ = statistics.median(times[False]), statistics.median(times[True])
    print(f"{args.interviews} interviews, {args.raters} rating sets each, "
          f"median of {args.repeat} runs:")
    print(f"  scorecard without ratings {without * 1000:.2f} ms, with ratings "
          f"{with_ * 1000:.2f} ms (+{(with_ - without) * 1000:.2f} ms, "
          f"+{(with_ / without - 1):.0%})")


if __name__ == "__main__":
    main()
