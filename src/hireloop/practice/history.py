"""The practising candidate's history: a local SQLite file, progress per competency."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from hireloop.core import Exercise, Grade

SCHEMA = """
CREATE TABLE IF NOT EXISTS attempt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    exercise_id TEXT NOT NULL,
    seed INTEGER NOT NULL,
    kind TEXT NOT NULL,
    competencies TEXT NOT NULL,
    outcome TEXT NOT NULL,
    score REAL NOT NULL,
    grader TEXT NOT NULL,
    answer TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS attempt_exercise ON attempt (exercise_id);
"""


@dataclass(frozen=True)
class Attempt:
    """One graded practice attempt."""

    at: float
    exercise_id: str
    seed: int
    kind: str
    competencies: list[str]
    outcome: str
    score: float


@dataclass(frozen=True)
class Progress:
    """How a candidate is doing on one competency."""

    competency: str
    attempts: int
    mean: float
    best: float
    last: float
    trend: float | None
    """mean of the last three graded attempts minus the mean of those before; None if too few"""


class History:
    """Attempts stored in ``practice.sqlite`` in the data directory."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path)
        self._db.executescript(SCHEMA)
        self._db.execute("PRAGMA journal_mode=WAL")

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def record(self, exercise: Exercise, grade: Grade, answer: str) -> None:
        """Store a graded attempt (committed before returning)."""
        with self._db:
            self._db.execute(
                "INSERT INTO attempt (at, exercise_id, seed, kind, competencies, outcome, score,"
                " grader, answer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (time.time(), exercise.id, grade.seed, exercise.kind,
                 json.dumps([str(c) for c in exercise.meta.competencies]), str(grade.outcome),
                 grade.score, grade.grader, answer),
            )

    def attempts(self) -> list[Attempt]:
        """Every attempt, oldest first."""
        rows = self._db.execute(
            "SELECT at, exercise_id, seed, kind, competencies, outcome, score FROM attempt "
            "ORDER BY at, id").fetchall()
        return [Attempt(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6]) for r in rows]

    def last_attempted(self) -> dict[str, float]:
        """When each exercise was last attempted."""
        rows = self._db.execute("SELECT exercise_id, MAX(at) FROM attempt GROUP BY exercise_id")
        return {r[0]: r[1] for r in rows}

    def progress(self) -> list[Progress]:
        """Progress per competency over graded attempts (not_gradable ones don't count)."""
        by_comp: dict[str, list[float]] = {}
        for attempt in self.attempts():
            if attempt.outcome != "graded":
                continue
            for comp in attempt.competencies:
                by_comp.setdefault(comp, []).append(attempt.score)
        result = []
        for comp, scores in sorted(by_comp.items()):
            trend = None
            if len(scores) >= 4:
                recent, earlier = scores[-3:], scores[:-3]
                trend = sum(recent) / len(recent) - sum(earlier) / len(earlier)
            result.append(Progress(comp, len(scores), sum(scores) / len(scores), max(scores),
                                   scores[-1], trend))
        return result
