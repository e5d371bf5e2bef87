"""`hireloop eval answers`: measure the text grader against human scores.

The file is tab-separated with a header and the columns ``question_id, question,
reference_answer, student_answer, score`` (numeric, any range), optionally ``label``
(categorical) and ``split``. A reference answer may hold several references separated by
`` ||| ``.

- Zero training: the grader's own content score (the reference answer is the rubric), mapped
  linearly onto the file's score range.
- ``cv=K``: a calibration (ridge regression on the grader's measurements; logistic regression
  for labels) fitted on K-1 folds grouped by question, predicting the held-out fold.
- ``train_split=S``: fitted on the rows of split S, reported on the other splits; labels also
  use the most similar training answers of the same question (seen questions only).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from hireloop.nlp.content import (
    NEGATIONS,
    ContentScorer,
    KeyPointSpec,
    content_stems,
    group_words,
    token_recall,
)
from hireloop.nlp.embeddings import Embedder
from hireloop.nlp.text import split_sentences, words

REQUIRED = ("question_id", "question", "reference_answer", "student_answer", "score")
REFERENCE_SEPARATOR = " ||| "
Floats = npt.NDArray[np.float64]


class EvalFileError(ValueError):
    """The evaluation file cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Row:
    """One human-scored answer."""

    line: int
    question_id: str
    question: str
    references: tuple[str, ...]
    answer: str
    score: float
    label: str | None
    split: str | None


def read_rows(path: Path) -> list[Row]:
    """Read and check an evaluation file; every problem names the line and the column."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise EvalFileError(f"{path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EvalFileError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise EvalFileError(f"{path}: the file is empty")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t", strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise EvalFileError(f"{path}: line 1: {exc}") from None
    columns = [h.strip() for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise EvalFileError(
            f"{path}: missing column(s) {', '.join(missing)}; the header has: "
            f"{', '.join(columns) or '(nothing)'}; needed: {', '.join(REQUIRED)} "
            "(tab-separated), optionally label and split")
    index = {c: columns.index(c) for c in columns}
    rows: list[Row] = []
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(columns):
                raise EvalFileError(
                    f"{path}: line {line}: expected {len(columns)} tab-separated fields, got "
                    f"{len(values)} (a stray tab, or a quote that is never closed?)")
            raw_score = values[index["score"]].strip()
            try:
                score = float(raw_score)
            except ValueError:
                raise EvalFileError(
                    f"{path}: line {line}: score {raw_score!r} is not a number") from None
            if not math.isfinite(score):
                raise EvalFileError(f"{path}: line {line}: score {raw_score!r} is not finite")
            references = tuple(r.strip() for r in values[index["reference_answer"]]
                               .split(REFERENCE_SEPARATOR.strip()) if r.strip())
            rows.append(Row(
                line=line, question_id=values[index["question_id"]].strip(),
                question=values[index["question"]], references=references or ("",),
                answer=values[index["student_answer"]], score=score,
                label=values[index["label"]].strip() if "label" in index else None,
                split=values[index["split"]].strip() if "split" in index else None,
            ))
    except csv.Error as exc:
        problem = str(exc)
        if "unexpected end of data" in problem:
            problem = "a quoted field is never closed (a stray \" in an answer?)"
        raise EvalFileError(f"{path}: line {reader.line_num}: {problem}") from None
    if not rows:
        raise EvalFileError(f"{path}: the file has a header but no answers")
    return rows


FEATURES = ("content", "similarity", "tok_recall", "tok_precision", "cosine", "lex_recall",
            "lex_precision", "log_words", "length_ratio", "negation_mismatch",
            "answer_negated", "max_cosine", "max_content")


@dataclass
class Measurements:
    """The grader's measurements of every row (one row of ``values`` per answer)."""

    values: Floats
    content: Floats
    answer_vectors: npt.NDArray[np.float32]


def measure(rows: list[Row], embedder: Embedder,
            progress: Callable[[int], None] | None = None) -> Measurements:
    """Grade every answer with the reference as rubric, and take the grader's measurements."""
    scorer = ContentScorer(embedder)
    values = np.zeros((len(rows), len(FEATURES)))
    answer_vectors = np.zeros((len(rows), 384), dtype=np.float32)
    for n, row in enumerate(rows):
        question_stems = set(content_stems(row.question))
        answer_enc = embedder.encode([row.answer])[0]
        answer_vectors[n] = answer_enc.pooled
        answer_words = group_words(answer_enc)
        answer_stems = set(content_stems(row.answer)) - question_stems
        best: list[float] | None = None
        max_cosine = max_content = 0.0
        for reference in row.references:
            points = [KeyPointSpec(f"r{i}", s.text, weight=max(1, len(words(s.text))))
                      for i, s in enumerate(split_sentences(reference))]
            if not points:
                continue
            result = scorer.score(row.answer, points, row.question)
            ref_enc = embedder.encode([reference])[0]
            ref_words = group_words(ref_enc)
            recall = token_recall(ref_words, answer_enc.vectors, question_stems)
            precision = (token_recall(answer_words, ref_enc.vectors, question_stems)
                         if answer_enc.vectors.shape[0] else 0.0)
            ref_stems = set(content_stems(reference)) - question_stems
            shared = len(ref_stems & answer_stems)
            n_words = len(words(row.answer))
            candidate = [
                result.score,
                float(np.mean([c.similarity for c in result.coverages])),
                recall,
                precision,
                float(answer_enc.pooled @ ref_enc.pooled),
                shared / max(1, len(ref_stems)),
                shared / max(1, len(answer_stems)),
                math.log1p(n_words),
                n_words / max(1, len(words(reference))),
                float(bool(NEGATIONS.search(row.answer)) != bool(NEGATIONS.search(reference))),
                float(bool(NEGATIONS.search(row.answer))),
            ]
            max_cosine = max(max_cosine, candidate[4])
            max_content = max(max_content, candidate[0])
            if best is None or candidate[2] > best[2]:
                best = candidate
        values[n] = [*best, max_cosine, max_content] if best is not None else 0.0
        if progress is not None:
            progress(n + 1)
    return Measurements(values=values, content=values[:, 0].copy(), answer_vectors=answer_vectors)


# ---- metrics --------------------------------------------------------------------------------

def pearson(a: Floats, b: Floats) -> float:
    """Pearson's r (nan when either side is constant)."""
    if len(a) < 2 or np.std(a) == 0 or np.std(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def spearman(a: Floats, b: Floats) -> float:
    """Spearman's rho (average ranks for ties)."""
    from scipy.stats import rankdata

    return pearson(rankdata(a).astype(float), rankdata(b).astype(float))


def quadratic_weighted_kappa(a: Floats, b: Floats) -> float:
    """QWK on scores rounded to whole numbers."""
    x, y = np.rint(a).astype(int), np.rint(b).astype(int)
    low, high = min(x.min(), y.min()), max(x.max(), y.max())
    k = high - low + 1
    if k <= 1:
        return float("nan")
    observed = np.zeros((k, k))
    for i, j in zip(x - low, y - low, strict=True):
        observed[i, j] += 1
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
    weights = np.array([[(i - j) ** 2 / (k - 1) ** 2 for j in range(k)] for i in range(k)])
    denominator = (weights * expected).sum()
    return float(1 - (weights * observed).sum() / denominator) if denominator else float("nan")


def macro_f1(truth: list[str], predicted: list[str]) -> float:
    """Macro-averaged F1 over the labels present in the truth."""
    scores = []
    for label in sorted(set(truth)):
        tp = sum(t == label and p == label for t, p in zip(truth, predicted, strict=True))
        fp = sum(t != label and p == label for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == label and p != label for t, p in zip(truth, predicted, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores))


def report(rows: list[Row], predicted: Floats, labels: list[str] | None) -> dict[str, Any]:
    """The metrics of one set of rows."""
    truth = np.array([r.score for r in rows])
    out: dict[str, Any] = {
        "n": len(rows),
        "pearson": round(pearson(predicted, truth), 4),
        "spearman": round(spearman(predicted, truth), 4),
        "rmse": round(float(np.sqrt(np.mean((predicted - truth) ** 2))), 4),
        "qwk": round(quadratic_weighted_kappa(predicted, truth), 4),
    }
    if labels is not None:
        gold = [r.label or "" for r in rows]
        out["macro_f1"] = round(macro_f1(gold, labels), 4)
        out["accuracy"] = round(float(np.mean([g == p for g, p in zip(gold, labels,
                                                                        strict=True)])), 4)
    return out


# ---- predictions ----------------------------------------------------------------------------

POSITIVE_LABELS = ("correct", "right", "true", "yes", "pass", "1", "accept", "accepted")


@dataclass
class Evaluation:
    """Predictions for every row and the metrics overall and per split."""

    mode: str
    predicted: Floats
    labels: list[str] | None
    overall: dict[str, Any]
    splits: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """``{"overall": {...}, "splits": {...}}`` plus the mode."""
        return {"mode": self.mode, "overall": self.overall, "splits": self.splits}


def _zero_training_labels(rows: list[Row], content: Floats) -> list[str] | None:
    names = sorted({r.label for r in rows if r.label is not None})
    if len(names) != 2:
        return None
    positive = [n for n in names if n.lower() in POSITIVE_LABELS]
    if len(positive) != 1:
        return None
    negative = next(n for n in names if n != positive[0])
    return [positive[0] if c >= 0.5 else negative for c in content]


def _design(m: Measurements) -> Floats:
    return m.values


def _fit_predict(train_x: Floats, train_y: Floats, test_x: Floats) -> Floats:
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(StandardScaler(), Ridge(alpha=1.0))
    model.fit(train_x, train_y)
    result: Floats = model.predict(test_x)
    return result


def _fit_classify(train_x: Floats, train_labels: list[str], test_x: Floats) -> list[str]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if len(set(train_labels)) < 2:
        return [train_labels[0]] * len(test_x)
    model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000,
                                                               class_weight="balanced"))
    model.fit(train_x, train_labels)
    return [str(x) for x in model.predict(test_x)]


def _neighbour_features(rows: list[Row], m: Measurements, train: npt.NDArray[np.bool_],
                        labels: list[str], positive: str | None) -> Floats:
    """For each answer, its similarity to the closest training answers of the same question
    scored high and low (zero when the question has no training answers)."""
    out = np.zeros((len(rows), 3))
    by_question: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        if train[i]:
            by_question.setdefault(row.question_id, []).append(i)
    scores = np.array([r.score for r in rows])
    for i, row in enumerate(rows):
        pool = [j for j in by_question.get(row.question_id, []) if j != i]
        if not pool:
            continue
        sims = m.answer_vectors[pool] @ m.answer_vectors[i]
        good = [s for s, j in zip(sims, pool, strict=True)
                if (labels[j] == positive if positive else scores[j] >= np.median(scores))]
        bad = [s for s, j in zip(sims, pool, strict=True)
               if not (labels[j] == positive if positive else scores[j] >= np.median(scores))]
        out[i] = [max(good, default=0.0), max(bad, default=0.0), 1.0]
    return out


def evaluate(rows: list[Row], m: Measurements, *, cv: int | None = None,
             train_split: str | None = None) -> Evaluation:
    """Predict every row's score (and label) and report the metrics."""
    truth = np.array([r.score for r in rows])
    low, high = float(truth.min()), float(truth.max())
    has_labels = all(r.label is not None for r in rows)
    gold = [r.label or "" for r in rows]
    if cv is None and train_split is None:
        predicted = low + (high - low) * m.content
        labels = _zero_training_labels(rows, m.content) if has_labels else None
        mode = "zero-training"
        report_rows = list(range(len(rows)))
    elif cv is not None:
        from sklearn.model_selection import GroupKFold

        groups = [r.question_id for r in rows]
        if len(set(groups)) < cv:
            raise EvalFileError(f"--cv {cv} needs at least {cv} questions; the file has "
                                f"{len(set(groups))}")
        x = _design(m)
        predicted = np.zeros(len(rows))
        label_out = [""] * len(rows)
        for train_idx, test_idx in GroupKFold(n_splits=cv).split(x, truth, groups):
            predicted[test_idx] = _fit_predict(x[train_idx], truth[train_idx], x[test_idx])
            if has_labels:
                guess = _fit_classify(x[train_idx], [gold[i] for i in train_idx], x[test_idx])
                for i, g in zip(test_idx, guess, strict=True):
                    label_out[i] = g
        labels = label_out if has_labels else None
        mode = f"{cv}-fold cross-validation grouped by question"
        report_rows = list(range(len(rows)))
    else:
        train = np.array([r.split == train_split for r in rows])
        if not train.any():
            found = sorted({r.split or "" for r in rows})
            raise EvalFileError(f"no rows of split {train_split!r}; the splits are: {found}")
        names = sorted({r.label for r in rows if r.label is not None})
        positive = next((n for n in names if n.lower() in POSITIVE_LABELS), None)
        base = _design(m)
        neighbours = _neighbour_features(rows, m, train, gold, positive)
        seen = neighbours[:, 2] > 0
        # Two calibrations: with the nearest training answers of the same question (seen
        # questions), and without (unseen questions), so neither leans on a missing feature.
        with_n = np.hstack([base, neighbours])
        train_gold = [g for g, t in zip(gold, train, strict=True) if t]
        predicted = _fit_predict(base[train], truth[train], base)
        predicted[seen] = _fit_predict(with_n[train], truth[train], with_n[seen])
        labels = None
        if has_labels:
            labels = _fit_classify(base[train], train_gold, base)
            if seen.any():
                seen_labels = _fit_classify(with_n[train], train_gold, with_n[seen])
                for i, label in zip(np.flatnonzero(seen), seen_labels, strict=True):
                    labels[i] = label
        mode = f"trained on split {train_split!r}"
        report_rows = [i for i in range(len(rows)) if not train[i]]
    predicted = np.clip(predicted, low, high)
    chosen = [rows[i] for i in report_rows]
    overall = report(chosen, predicted[report_rows],
                     [labels[i] for i in report_rows] if labels else None)
    evaluation = Evaluation(mode, predicted, labels, overall)
    splits = sorted({r.split for r in chosen if r.split})
    for split in splits:
        idx = [i for i in report_rows if rows[i].split == split]
        evaluation.splits[split] = report([rows[i] for i in idx], predicted[idx],
                                          [labels[i] for i in idx] if labels else None)
    return evaluation
