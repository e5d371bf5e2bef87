"""Assessment quality from real grades and overrides: six candidates answer the screening
question (four right, two wrong), the choice grader grades them, people override two, one
answer is re-graded; `hireloop quality --json` and the admins' page report the figures
computed by hand below."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from hireloop.db.models import Answer
from hireloop.hiring import service
from hireloop.hiring.authz import Principal
from tests.web.conftest import BANK_DIR, CHOICE, builtin_bank


def test_override_rate_agreement_and_regrades_match_the_hand_computed_figures(
    make_site: Any,
) -> None:
    site = make_site()
    bank = builtin_bank()
    exercise = bank.get(CHOICE)
    answer_ids = []
    for number in range(6):
        _, link = site.invite(f"Q{number}", f"q{number}@example.com", site.ids["loop"])
        web = site.client()
        web.open_invitation(link)
        web.form("/take/consent")
        web.get("/take/stage/0")
        with site.platform.db.session() as s:
            answer = next(a for a in s.query(Answer).order_by(Answer.id.desc())
                          if a.exercise_id == CHOICE)
            answer_id, seed = answer.id, answer.seed
        sample = "right.txt" if number < 4 else "sensitivity.txt"
        raw = (BANK_DIR / CHOICE / "samples" / sample).read_text()
        text = exercise.render(raw, bank.variant(exercise, seed)).strip()
        web.json("POST", f"/take/answers/{answer_id}/save", {"text": text})
        web.form("/take/stage/0/submit")
        answer_ids.append(answer_id)
    site.wait_for_jobs()
    admin = Principal("admin", user_id=site.ids["admin"])
    with site.platform.db.session() as s:
        scores = [service.automatic_grade(s.get(Answer, i)).score for i in answer_ids]
        assert scores == [1.0, 1.0, 1.0, 1.0, 0.0, 0.0]
        for answer_id, points in ((answer_ids[0], 0.0), (answer_ids[4], None)):
            answer = s.get(Answer, answer_id)
            criterion = service.effective_criteria(answer)[0]
            service.override(s, answer, admin, criterion=criterion["name"],
                             points=criterion["max_points"] if points is None else points,
                             reason="checked by hand")
        job = service.regrade(s, s.get(Answer, answer_ids[1]))
    site.platform.runtime.enqueue(job)
    site.wait_for_jobs()

    env = {**os.environ, "HIRELOOP_DATA_DIR": str(site.settings.data_dir),
           "HIRELOOP_DATABASE_URL": site.settings.db_url()}
    result = subprocess.run([sys.executable, "-m", "hireloop", "quality", "--json"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    row = next(r for r in json.loads(result.stdout) if r["exercise_id"] == CHOICE)
    # automatic bands (4,4,4,4,0,0), final bands (0,4,4,4,4,0): answers 1 and 5 overridden
    assert (row["graded"], row["overridden"]) == (6, 2)
    assert row["override_rate"] == pytest.approx(2 / 6)
    # mean |auto - final| = (1 + 0 + 0 + 0 + 1 + 0) / 6
    assert row["mean_abs_difference"] == pytest.approx(1 / 3)
    # quadratic weighted kappa, weights (i - j)^2 / 16: observed disagreement 1 + 1 = 2;
    # expected from the margins (auto 2 low, 4 high; final 2 low, 4 high) over 6 answers:
    # 2*4/6 + 4*2/6 = 8/3; kappa = 1 - 2 / (8/3) = 0.25
    assert row["kappa"] == pytest.approx(0.25)
    # the re-graded answer scored the same (the grader is deterministic)
    assert (row["regrades"], row["regrade_mean_difference"]) == (1, 0.0)
    # final scores 0,1,1,1,1,0: mean 4/6, population sd sqrt(2/9)
    assert row["mean"] == pytest.approx(4 / 6)
    assert row["sd"] == pytest.approx((2 / 9) ** 0.5)
    assert row["histogram"] == [2, 0, 0, 0, 4]
    assert row["flagged"] is True
    assert any("agreement 0.25" in reason for reason in row["reasons"])

    web = site.client()
    web.login("admin@example.com")
    page = web.get("/team/quality").text
    assert CHOICE in page
    assert "flagged" in page
    manager = site.client()
    manager.login("manager@example.com")
    assert manager.get("/team/quality").status_code == 403
