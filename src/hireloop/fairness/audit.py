"""Adverse-impact audit: selection or scoring rates per category, impact ratios, the
four-fifths rule, the intersection of the first two groups, small categories, unknown answers
and whether a difference is statistically significant.

The figures follow NYC Local Law 144's rules for a bias audit (6 RCNY § 5-301):

- selection rate: the share of a category that was selected (advanced);
- scoring rate (``--score``): the share of a category scoring *above* the median score of all
  candidates;
- impact ratio: a category's rate divided by the rate of the category with the highest rate;
- a category under 2% of the candidates is reported but left out of the impact ratios.

A ratio under 0.8 is flagged (the four-fifths rule of the US Uniform Guidelines, 29 CFR
1607.4(D)); Fisher's exact test says whether the difference from the highest-rate category is
larger than chance would explain. The rates come from fairlearn's ``MetricFrame``.

An audit informs a team; it does not certify compliance with any law.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

FOUR_FIFTHS = 0.8
"""Impact ratios below this are flagged (the four-fifths rule)."""
SMALL_SHARE = 0.02
"""Categories holding less than this share of all candidates are left out of impact ratios."""
ALPHA = 0.05
"""Significance level of Fisher's exact test."""
UNKNOWN_VALUES = frozenset({
    "", "unknown", "prefer not to say", "prefer_not_to_say", "prefer-not-to-say",
    "declined", "decline to state", "decline to answer", "not disclosed", "not specified",
    "n/a", "na", "nan", "none", "not answered",
})
"""Answers that say nothing about the category (compared case-insensitively, trimmed)."""
DEFAULT_GROUPS = ("sex", "race_ethnicity")

Mode = Literal["selection", "scoring"]


class AuditError(ValueError):
    """Bad input to an audit, with a message that names what to fix."""


@dataclass(frozen=True)
class AuditInput:
    """One row per candidate: an outcome (1/0) or a score, and a category per group."""

    mode: Mode
    values: list[float]
    """outcome (1 = selected, 0 = not) in selection mode, the score in scoring mode"""
    groups: dict[str, list[str]]
    """group name -> each candidate's answer, in the same order as ``values``"""


def is_unknown(value: str | None) -> bool:
    """True for a blank, declined or unknown answer."""
    return value is None or value.strip().casefold() in UNKNOWN_VALUES


def read_csv(path: Path, *, outcome: str | None = None, score: str | None = None,
             groups: Sequence[str] | None = None) -> AuditInput:
    """Read an audit CSV (one row per candidate) into an ``AuditInput``.

    Without ``outcome`` or ``score``, a column named ``outcome`` is used. Without ``groups``,
    ``sex`` and ``race_ethnicity`` are used if present.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise AuditError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise AuditError(f"{path} is not UTF-8 text") from exc
    return parse_csv(text, name=str(path), outcome=outcome, score=score, groups=groups)


def parse_csv(text: str, *, name: str = "the CSV", outcome: str | None = None,
              score: str | None = None, groups: Sequence[str] | None = None) -> AuditInput:
    """Parse CSV text; see ``read_csv``."""
    if outcome and score:
        raise AuditError("give either --outcome or --score, not both")
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in (reader.fieldnames or [])]
    if not columns:
        raise AuditError(f"{name} is empty: it needs a header row")
    reader.fieldnames = columns
    has = ", ".join(columns)
    mode: Mode = "scoring" if score else "selection"
    value_column = score or outcome or "outcome"
    if value_column not in columns:
        what = "score" if score else "outcome"
        hint = "" if (score or outcome) else " (name it with --outcome COL or --score COL)"
        raise AuditError(f"{name} has no {what} column {value_column!r}{hint}; "
                         f"its columns are: {has}")
    if groups:
        group_columns = [g.strip() for g in groups if g.strip()]
    else:
        group_columns = [g for g in DEFAULT_GROUPS if g in columns]
        if not group_columns:
            raise AuditError(f"{name} has neither 'sex' nor 'race_ethnicity'; name the group "
                             f"columns with --groups COL,...; its columns are: {has}")
    for group in group_columns:
        if group not in columns:
            raise AuditError(f"{name} has no group column {group!r}; its columns are: {has}")
        if group == value_column:
            raise AuditError(f"{group!r} cannot be both a group and the {mode} column")
    if len(set(group_columns)) != len(group_columns):
        raise AuditError("a group column is named twice in --groups")
    values: list[float] = []
    answers: dict[str, list[str]] = {g: [] for g in group_columns}
    for line, row in enumerate(reader, start=2):
        raw = (row.get(value_column) or "").strip()
        if mode == "selection":
            if raw not in {"0", "1"}:
                raise AuditError(f"{name}, line {line}: the outcome column {value_column!r} "
                                 f"must be 1 (selected) or 0 (not), not {raw!r}")
            values.append(float(raw))
        else:
            try:
                number = float(raw)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                raise AuditError(f"{name}, line {line}: the score column {value_column!r} must "
                                 f"be a number, not {raw!r}")
            values.append(number)
        for group in group_columns:
            answers[group].append((row.get(group) or "").strip())
    if not values:
        raise AuditError(f"{name} has a header but no candidates")
    return AuditInput(mode=mode, values=values, groups=answers)


def from_records(records: Iterable[Mapping[str, Any]], *, value_key: str, mode: Mode,
                 groups: Sequence[str]) -> AuditInput:
    """An ``AuditInput`` from dictionaries (the platform's own rows)."""
    values: list[float] = []
    answers: dict[str, list[str]] = {g: [] for g in groups}
    for record in records:
        values.append(float(record[value_key]))
        for group in groups:
            answers[group].append(str(record.get(group) or "").strip())
    return AuditInput(mode=mode, values=values, groups=answers)


def _fisher_p(selected_a: int, n_a: int, selected_b: int, n_b: int) -> float:
    from scipy.stats import fisher_exact

    table = [[selected_a, n_a - selected_a], [selected_b, n_b - selected_b]]
    return float(fisher_exact(table, alternative="two-sided").pvalue)


def _table(title: str, labels: list[str], hits: list[int], total: int,
           warnings: list[str]) -> list[dict[str, Any]]:
    """The rows of one group's table. ``labels`` and ``hits`` are the known answers only."""
    import pandas as pd
    from fairlearn.metrics import MetricFrame, count, selection_rate

    if not labels:
        return []
    frame = MetricFrame(
        metrics={"n": count, "rate": selection_rate},
        y_true=pd.Series(hits), y_pred=pd.Series(hits),
        sensitive_features=pd.Series(labels, name=title),
    )
    by_group = frame.by_group
    rows: list[dict[str, Any]] = []
    for category, metrics in by_group.iterrows():
        n = int(metrics["n"])
        rate = float(metrics["rate"])
        rows.append({
            "category": str(category),
            "n": n,
            "selected": round(rate * n),
            "rate": rate,
            "impact_ratio": None,
            "below_four_fifths": False,
            "excluded_small": n < SMALL_SHARE * total,
            "p_value": None,
            "significant": None,
        })
    for row in rows:
        if row["excluded_small"]:
            warnings.append(f"{title}: {row['category']} ({row['n']} of {total} candidates, "
                            f"under {SMALL_SHARE:.0%}) is reported but left out of the impact "
                            "ratios")
    counted = [r for r in rows if not r["excluded_small"]]
    if not counted:
        warnings.append(f"{title}: every category is under {SMALL_SHARE:.0%} of the candidates; "
                        "no impact ratio")
        return rows
    best = max(counted, key=lambda r: r["rate"])
    if best["rate"] == 0:
        warnings.append(f"{title}: no category has a rate above 0; no impact ratio")
        return rows
    for row in counted:
        row["impact_ratio"] = row["rate"] / best["rate"]
        row["below_four_fifths"] = row["impact_ratio"] < FOUR_FIFTHS
        if row is best:
            continue
        p = _fisher_p(row["selected"], row["n"], best["selected"], best["n"])
        row["p_value"] = p
        row["significant"] = p < ALPHA
        if row["below_four_fifths"] and not row["significant"]:
            warnings.append(
                f"{title}: {row['category']}'s impact ratio {row['impact_ratio']:.2f} is below "
                f"{FOUR_FIFTHS} but the difference from {best['category']} is not "
                f"statistically significant (Fisher's exact test, p = {p:.3f}); with "
                f"{row['n']} and {best['n']} candidates it may be chance")
        elif row["significant"] and not row["below_four_fifths"]:
            warnings.append(
                f"{title}: {row['category']}'s rate differs significantly from "
                f"{best['category']}'s (p = {p:.3f}) although its impact ratio "
                f"{row['impact_ratio']:.2f} passes the four-fifths rule")
    return rows


def run_audit(data: AuditInput) -> dict[str, Any]:
    """The audit as plain data (the JSON of ``hireloop audit --json``)."""
    total = len(data.values)
    warnings: list[str] = []
    result: dict[str, Any] = {"n": total, "mode": data.mode}
    if data.mode == "scoring":
        import statistics

        median = statistics.median(data.values)
        hits = [1 if v > median else 0 for v in data.values]
        result["median"] = median
        ties = sum(1 for v in data.values if v == median)
        if ties > 1:
            warnings.append(f"{ties} candidates score exactly the median ({median:g}) and count "
                            "as not above it")
    else:
        hits = [int(v) for v in data.values]
    result["rate"] = sum(hits) / total
    names = list(data.groups)
    tables: dict[str, list[dict[str, Any]]] = {}
    unknown: dict[str, dict[str, Any]] = {}

    def add(title: str, labels: list[str | None], raw: list[str]) -> None:
        known = [i for i, label in enumerate(labels) if label is not None]
        missing = Counter(raw[i].strip() or "(blank)" for i in range(total) if labels[i] is None)
        unknown[title] = {"n": total - len(known), "values": dict(sorted(missing.items()))}
        if unknown[title]["n"]:
            warnings.append(f"{title}: {unknown[title]['n']} of {total} candidates have no "
                            "known category (unknown or declined); they are counted here and "
                            "left out of that group's table")
        tables[title] = _table(title, [str(labels[i]) for i in known],
                               [hits[i] for i in known], total, warnings)

    for name in names:
        raw = data.groups[name]
        add(name, [None if is_unknown(v) else v.strip() for v in raw], raw)
    if len(names) >= 2:
        pairs = list(zip(data.groups[names[0]], data.groups[names[1]], strict=True))
        add(f"{names[0]} x {names[1]}",
            [None if is_unknown(a) or is_unknown(b) else f"{a.strip()} × {b.strip()}"
             for a, b in pairs],
            [f"{a.strip() or '(blank)'} × {b.strip() or '(blank)'}" for a, b in pairs])
    result["groups"] = tables
    result["unknown"] = unknown
    result["warnings"] = warnings
    result["thresholds"] = {"four_fifths": FOUR_FIFTHS, "small_share": SMALL_SHARE,
                            "alpha": ALPHA}
    return result


def flagged(result: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(group, row) for every category with an impact ratio below four-fifths."""
    return [(group, row) for group, rows in result["groups"].items() for row in rows
            if row["below_four_fifths"]]


def to_csv(result: Mapping[str, Any]) -> str:
    """The audit's tables as one CSV (one row per group and category, unknowns included)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["group", "category", "n", "selected", "rate", "impact_ratio",
                     "below_four_fifths", "excluded_small", "p_value"])
    for group, rows in result["groups"].items():
        for row in rows:
            writer.writerow([
                group, row["category"], row["n"], row["selected"], f"{row['rate']:.4f}",
                "" if row["impact_ratio"] is None else f"{row['impact_ratio']:.4f}",
                int(row["below_four_fifths"]), int(row["excluded_small"]),
                "" if row["p_value"] is None else f"{row['p_value']:.4f}",
            ])
        missing = result["unknown"].get(group, {}).get("n", 0)
        if missing:
            writer.writerow([group, "(unknown or declined)", missing, "", "", "", "", "", ""])
    return out.getvalue()
