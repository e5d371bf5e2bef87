"""The adverse-impact audit against tables computed by hand, through `hireloop audit`.

The selection-mode set has 100 candidates built from the cells below (sex, race/ethnicity,
candidates, selected). Every expected figure is worked out in the comments from those cells.
"""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

CELLS = [
    ("Male", "White", 20, 12),
    ("Male", "Asian", 15, 8),
    ("Male", "Black or African American", 10, 3),
    ("Male", "Hispanic or Latino", 5, 2),
    ("Female", "White", 18, 9),
    ("Female", "Asian", 13, 6),
    ("Female", "Black or African American", 9, 2),
    ("Female", "Hispanic or Latino", 3, 1),
    ("Female", "American Indian or Alaska Native", 1, 0),
    ("Female", "Prefer not to say", 1, 0),
    ("Prefer not to say", "White", 2, 1),
    ("Prefer not to say", "Asian", 2, 1),
    ("", "Hispanic or Latino", 1, 1),
]


def write_selection_csv(path: Path) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["candidate", "sex", "race_ethnicity", "advanced"])
        number = 0
        for sex, race, n, selected in CELLS:
            for i in range(n):
                number += 1
                writer.writerow([f"c{number}", sex, race, 1 if i < selected else 0])
    return path


def hireloop(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hireloop", *args], capture_output=True,
                          text=True, env={**os.environ, "COLUMNS": "200"}, timeout=120)


def fisher_two_sided(a: int, n_a: int, b: int, n_b: int) -> float:
    """Fisher's exact test by its definition: the hypergeometric probabilities of every table
    with the same margins that is no more likely than the one observed."""
    selected, total = a + b, n_a + n_b

    def p(k: int) -> float:
        return math.comb(n_a, k) * math.comb(n_b, selected - k) / math.comb(total, selected)

    observed = p(a)
    low, high = max(0, selected - n_b), min(n_a, selected)
    return sum(p(k) for k in range(low, high + 1) if p(k) <= observed * (1 + 1e-7))


def rows_by_category(result: dict, group: str) -> dict[str, dict]:
    return {row["category"]: row for row in result["groups"][group]}


@pytest.fixture(scope="module")
def selection(tmp_path_factory: pytest.TempPathFactory) -> dict:
    path = write_selection_csv(tmp_path_factory.mktemp("audit") / "candidates.csv")
    result = hireloop("audit", str(path), "--outcome", "advanced", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_selection_rates_and_impact_ratios_per_sex_match_the_hand_computed_table(
    selection: dict,
) -> None:
    assert selection["n"] == 100
    assert selection["mode"] == "selection"
    # 25 + 18 + 2 + 1 = 46 of 100 selected.
    assert selection["rate"] == pytest.approx(0.46)
    sex = rows_by_category(selection, "sex")
    assert set(sex) == {"Male", "Female"}
    # Male: 20+15+10+5 = 50 candidates, 12+8+3+2 = 25 selected: 0.5, the highest rate.
    assert sex["Male"]["n"] == 50
    assert sex["Male"]["rate"] == pytest.approx(0.5)
    assert sex["Male"]["impact_ratio"] == pytest.approx(1.0)
    # Female: 18+13+9+3+1+1 = 45, 9+6+2+1 = 18 selected: 0.4; 0.4 / 0.5 = 0.8 exactly, which
    # is not *below* four-fifths.
    assert sex["Female"]["n"] == 45
    assert sex["Female"]["rate"] == pytest.approx(0.4)
    assert sex["Female"]["impact_ratio"] == pytest.approx(0.8)
    assert sex["Female"]["below_four_fifths"] is False
    assert sex["Female"]["excluded_small"] is False


def test_unknown_and_declined_answers_are_counted_not_dropped(selection: dict) -> None:
    # sex: 4 "Prefer not to say" and 1 blank; race: 1 "Prefer not to say".
    assert selection["unknown"]["sex"] == {"n": 5, "values": {"(blank)": 1,
                                                               "Prefer not to say": 4}}
    assert selection["unknown"]["race_ethnicity"] == {"n": 1, "values": {"Prefer not to say": 1}}
    # crossed: the 5 of unknown sex plus the Female with unknown race.
    assert selection["unknown"]["sex x race_ethnicity"]["n"] == 6
    assert any("5 of 100 candidates have no known category" in w
               for w in selection["warnings"])


def test_race_table_flags_four_fifths_and_leaves_the_small_category_out(
    selection: dict,
) -> None:
    race = rows_by_category(selection, "race_ethnicity")
    # White: 20+18+2 = 40 candidates, 12+9+1 = 22 selected: 0.55, the highest rate.
    assert (race["White"]["n"], race["White"]["rate"]) == (40, pytest.approx(0.55))
    # Asian: 15+13+2 = 30, 8+6+1 = 15: 0.5; ratio 0.5 / 0.55 = 0.90909.
    assert race["Asian"]["impact_ratio"] == pytest.approx(0.5 / 0.55)
    # Black or African American: 10+9 = 19, 3+2 = 5: 0.26316; ratio 0.47847: flagged.
    black = race["Black or African American"]
    assert (black["n"], black["rate"]) == (19, pytest.approx(5 / 19))
    assert black["impact_ratio"] == pytest.approx((5 / 19) / 0.55)
    assert black["below_four_fifths"] is True
    # Fisher's exact test of 5/19 against 22/40.
    assert black["p_value"] == pytest.approx(fisher_two_sided(5, 19, 22, 40), rel=1e-6)
    assert black["significant"] is (black["p_value"] < 0.05)
    # Hispanic or Latino: 5+3+1 = 9, 2+1+1 = 4: 0.4444; ratio 0.80808: not flagged.
    assert race["Hispanic or Latino"]["impact_ratio"] == pytest.approx((4 / 9) / 0.55)
    assert race["Hispanic or Latino"]["below_four_fifths"] is False
    # American Indian or Alaska Native: 1 candidate, under 2% of 100: reported, no ratio.
    small = race["American Indian or Alaska Native"]
    assert small["n"] == 1
    assert small["excluded_small"] is True
    assert small["impact_ratio"] is None
    assert small["below_four_fifths"] is False
    assert any("American Indian or Alaska Native" in w and "left out" in w
               for w in selection["warnings"])


def test_the_intersection_of_sex_and_race_matches_the_cells(selection: dict) -> None:
    cross = rows_by_category(selection, "sex x race_ethnicity")
    # 94 candidates with both answers known; the highest rate is Male × White, 12/20 = 0.6.
    assert sum(row["n"] for row in cross.values()) == 94
    expected = {
        "Male × White": (20, 12 / 20, 1.0),
        "Male × Asian": (15, 8 / 15, (8 / 15) / 0.6),            # 0.889
        "Male × Black or African American": (10, 0.3, 0.5),
        "Male × Hispanic or Latino": (5, 0.4, 0.4 / 0.6),          # 0.667: flagged
        "Female × White": (18, 0.5, 0.5 / 0.6),                   # 0.833
        "Female × Asian": (13, 6 / 13, (6 / 13) / 0.6),           # 0.769: flagged
        "Female × Black or African American": (9, 2 / 9, (2 / 9) / 0.6),
        "Female × Hispanic or Latino": (3, 1 / 3, (1 / 3) / 0.6),
    }
    for category, (n, rate, ratio) in expected.items():
        row = cross[category]
        assert row["n"] == n, category
        assert row["rate"] == pytest.approx(rate), category
        assert row["impact_ratio"] == pytest.approx(ratio), category
        assert row["below_four_fifths"] is (ratio < 0.8), category
    assert cross["Female × American Indian or Alaska Native"]["excluded_small"] is True


def test_scoring_mode_uses_the_share_above_the_median_and_says_when_it_may_be_chance(
    tmp_path: Path,
) -> None:
    path = tmp_path / "scores.csv"
    path.write_text("sex,score\n"
                    "Male,90\nMale,80\nMale,70\nMale,60\nMale,50\n"
                    "Female,85\nFemale,55\nFemale,40\nFemale,30\nFemale,20\n")
    result = hireloop("audit", str(path), "--score", "score", "--groups", "sex", "--json")
    assert result.returncode == 0, result.stderr
    audit = json.loads(result.stdout)
    # All ten scores sorted: 20 30 40 50 55 | 60 70 80 85 90; the median is (55+60)/2 = 57.5.
    assert audit["mode"] == "scoring"
    assert audit["median"] == pytest.approx(57.5)
    sex = rows_by_category(audit, "sex")
    # Male above 57.5: 90, 80, 70, 60 = 4 of 5; Female: 85 = 1 of 5.
    assert sex["Male"]["rate"] == pytest.approx(0.8)
    assert sex["Female"]["rate"] == pytest.approx(0.2)
    assert sex["Female"]["impact_ratio"] == pytest.approx(0.25)
    assert sex["Female"]["below_four_fifths"] is True
    # 1/5 against 4/5 with five each: p = 0.206, not significant, and the audit says so.
    assert sex["Female"]["p_value"] == pytest.approx(fisher_two_sided(1, 5, 4, 5), rel=1e-6)
    assert sex["Female"]["significant"] is False
    assert any("not statistically significant" in w and "Female" in w
               for w in audit["warnings"])
    assert "sex x" not in " ".join(audit["groups"])   # one group: nothing to cross


def test_a_score_equal_to_the_median_is_not_above_it(tmp_path: Path) -> None:
    path = tmp_path / "ties.csv"
    # Scores 1 2 2 2 3: median 2; only the 3 is above it.
    path.write_text("sex,score\nMale,1\nMale,2\nFemale,2\nFemale,2\nFemale,3\n")
    result = hireloop("audit", str(path), "--score", "score", "--groups", "sex", "--json")
    audit = json.loads(result.stdout)
    sex = rows_by_category(audit, "sex")
    assert sex["Female"]["rate"] == pytest.approx(1 / 3)
    assert sex["Male"]["rate"] == 0
    assert any("exactly the median" in w for w in audit["warnings"])


def test_the_table_prints_for_people_with_the_flag_and_the_disclaimer(tmp_path: Path) -> None:
    path = write_selection_csv(tmp_path / "candidates.csv")
    result = hireloop("audit", str(path), "--outcome", "advanced")
    assert result.returncode == 0, result.stderr
    assert "Black or African American" in result.stdout
    assert "0.478" in result.stdout                  # its impact ratio
    assert "under 2%: left out" in result.stdout
    assert "does not certify compliance" in result.stdout


def test_a_missing_column_is_named_with_the_columns_the_file_has(tmp_path: Path) -> None:
    path = write_selection_csv(tmp_path / "candidates.csv")
    result = hireloop("audit", str(path), "--groups", "sex,gender")
    assert result.returncode == 2
    assert "no outcome column 'outcome'" in result.stderr
    result = hireloop("audit", str(path), "--outcome", "advanced", "--groups", "sex,gender")
    assert result.returncode == 2
    assert "no group column 'gender'" in result.stderr
    assert "candidate, sex, race_ethnicity, advanced" in result.stderr


def test_an_outcome_that_is_not_zero_or_one_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("sex,outcome\nMale,1\nFemale,yes\n")
    result = hireloop("audit", str(path))
    assert result.returncode == 2
    assert "line 3" in result.stderr
    assert "'yes'" in result.stderr
