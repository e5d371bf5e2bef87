"""The deterministic text grader: key-point coverage with evidence, plus communication."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hireloop.core import CriterionScore, Exercise, Grade, Submission, Variant
from hireloop.nlp.communication import analyse
from hireloop.nlp.content import ContentScorer, KeyPointSpec
from hireloop.nlp.embeddings import ModelUnavailable, shared_embedder
from hireloop.nlp.text import words

if TYPE_CHECKING:
    from hireloop.kinds.text.kind import Rubric, TextConfig, TextKind

MAX_CHARACTERS = 30_000
"""longer answers are refused as not gradable (the editor enforces the same limit)"""

COMMUNICATION_WEIGHT = {"explanation": 0.3, "behavioural": 0.25, "research": 0.25}
"""the share of the score given to communication, by genre (default 0.15)"""

FLAG_FEEDBACK = {
    "idk": "You said you don't know. Even a partial answer with your reasoning earns credit.",
    "copied-question": "Your answer restates the question; it needs your own explanation.",
    "keyword-list": "Your answer lists keywords without explaining them; write sentences that "
                    "say how the ideas connect.",
    "reordered-words": "Your answer strings technical words together without a clear "
                       "meaning; explain the idea in your own words.",
}


def _coverage_word(coverage: float) -> str:
    if coverage >= 0.8:
        return "covered"
    if coverage > 0:
        return "partly covered"
    return "missing"


def grade_text(kind: TextKind, exercise: Exercise, variant: Variant,
               submission: Submission) -> Grade:
    """Grade a free-text answer against the exercise's rubric."""
    seed, grader = variant.seed, kind.grader_id
    if submission.text is None:
        message = "the answer is not UTF-8 text" if submission.files else "no answer was given"
        return Grade.not_gradable(exercise.id, seed, grader, message)
    answer = submission.text.strip()
    if not words(answer):
        return Grade.not_gradable(exercise.id, seed, grader, "no answer was given")
    if len(answer) > MAX_CHARACTERS:
        return Grade.not_gradable(
            exercise.id, seed, grader,
            f"the answer is {len(answer):,} characters; the limit is {MAX_CHARACTERS:,}")
    rubric, errors = kind.load_rubric(exercise)
    if rubric is None:
        return Grade.failed(exercise.id, seed, grader,
                            "the rubric is broken: " + "; ".join(str(e) for e in errors))
    try:
        embedder = shared_embedder()
    except ModelUnavailable as exc:
        return Grade.failed(exercise.id, seed, grader, str(exc))
    config: TextConfig = exercise.config
    points = [KeyPointSpec(k.id, exercise.render(k.text, variant), k.weight,
                           tuple(exercise.render(p, variant) for p in k.phrasings),
                           tuple(exercise.render(m, variant) for m in k.must_not))
              for k in rubric.key_point]
    rubric_text = " ".join([rubric.reference_answer, *(p.text for p in points)])
    content = ContentScorer(embedder).score(answer, points, exercise.prompt_for(variant),
                                            rubric_text)
    communication = analyse(answer, genre=config.genre, audience=config.audience,
                            min_words=config.min_words, max_words=config.max_words)

    criteria: list[CriterionScore] = []
    feedback: list[str] = []
    notes: list[str] = []
    covered: list[str] = []
    missing: list[str] = []
    for point, coverage in zip(points, content.coverages, strict=True):
        evidence: list[str] = []
        if coverage.evidence is not None:
            evidence.append(coverage.evidence.text)
        if coverage.contradicted is not None:
            evidence.append(f"contradicts the point: {coverage.contradicted.text}")
        state = _coverage_word(coverage.coverage)
        (covered if coverage.coverage > 0 else missing).append(point.text)
        criteria.append(CriterionScore(
            name=point.text, points=round(point.weight * coverage.coverage, 4),
            max_points=point.weight, evidence=evidence,
            feedback=f"{state.capitalize()}: {point.text}"))
    total_weight = sum(p.weight for p in points)
    share = COMMUNICATION_WEIGHT.get(config.genre, 0.15)
    comm_max = round(total_weight * share / (1 - share), 4)
    gate = min(1.0, content.score / 0.5)
    comm_points = round(comm_max * communication.score * gate, 4)
    comm_evidence = [f"{f.message}" + (f" — “{f.evidence}”" if f.evidence else "")
                     for f in communication.findings]
    criteria.append(CriterionScore(
        name="Communication" + (f" for {config.audience}" if config.audience else ""),
        points=min(comm_points, comm_max), max_points=comm_max, evidence=comm_evidence,
        feedback="Clarity, structure and length for the audience"))

    for flag in content.flags:
        if flag in FLAG_FEEDBACK:
            feedback.append(FLAG_FEEDBACK[flag])
            notes.append(f"flag: {flag}")
    if covered:
        feedback.append("You covered: " + "; ".join(covered) + ".")
    if missing and "idk" not in content.flags:
        feedback.append("To improve, address: " + "; ".join(missing) + ".")
    feedback += [f.message for f in communication.findings if f.severity != "info"]
    for point, coverage in zip(points, content.coverages, strict=True):
        if coverage.contradicted is not None:
            notes.append(f"“{coverage.contradicted.text}” contradicts the key point "
                         f"“{point.text}”: no credit")
    if rubric.notes:
        notes.append(f"Rubric notes: {rubric.notes}")
    notes.append("Measurements: " + ", ".join(
        f"{k}={v}" for k, v in sorted(communication.metrics.items())))
    result = Grade.from_criteria(exercise.id, seed, grader, criteria, feedback=feedback,
                                 notes=notes)
    return _second_opinion(result, exercise, variant, answer, rubric, config)


def _second_opinion(result: Grade, exercise: Exercise, variant: Variant, answer: str,
                    rubric: Rubric, config: TextConfig) -> Grade:
    """With the optional LLM judge on, record its opinion and disagreement beside the grade.

    The deterministic grade stays the grade of record (DESIGN.md, core idea 5).
    """
    from hireloop.config import get_settings
    from hireloop.nlp.judge import combine, judge_from_settings

    judge = judge_from_settings(get_settings())
    if judge is None:
        return result
    rendered = rubric.model_copy(update={"key_point": [
        k.model_copy(update={
            "text": exercise.render(k.text, variant),
            "phrasings": [exercise.render(p, variant) for p in k.phrasings],
            "must_not": [exercise.render(m, variant) for m in k.must_not]})
        for k in rubric.key_point]})
    judged = judge.judge(exercise.prompt_for(variant), answer, rendered, config.audience)
    return combine(result, judged)
