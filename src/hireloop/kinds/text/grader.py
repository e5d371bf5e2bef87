"""The deterministic text grader: key-point coverage with evidence, plus communication.

What the candidate reads never holds a key point's wording: criteria are named "Key point N"
and feedback uses each point's authored ``hint``. The wording, the evidence, contradictions and
flags are for the interviewer (criterion evidence, notes and ``Grade.flags``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hireloop.core import CriterionScore, Exercise, Grade, Submission, Variant
from hireloop.core.grade import Flag
from hireloop.nlp.communication import analyse
from hireloop.nlp.content import ContentResult, ContentScorer, KeyPointSpec
from hireloop.nlp.embeddings import ModelUnavailable, shared_embedder
from hireloop.nlp.language import LanguageUnavailable, other_language
from hireloop.nlp.language import name as language_name
from hireloop.nlp.text import words

if TYPE_CHECKING:
    from hireloop.kinds.text.kind import Rubric, TextConfig, TextKind

COMMUNICATION_WEIGHT = {"explanation": 0.3, "behavioural": 0.25, "research": 0.25}
"""the share of the score given to communication, by genre (default 0.15)"""

FLAG_FEEDBACK = {
    "idk": "You said you don't know. Even a partial answer with your reasoning earns credit.",
    "copied_prompt": "Your answer restates the question; it needs your own explanation.",
    "restates_prompt": "Much of your answer restates the question; that part earns nothing. "
                       "Spend the words on your own reasoning.",
    "keyword_list": "Your answer names terms without explaining them; write sentences that say "
                    "how the ideas connect and why they matter here.",
    "reordered_words": "Your answer strings technical words together without a clear "
                       "meaning; explain the idea in your own words.",
    "evasive": "You said you don't know and said little else that answers the question. Even a "
               "partial answer with your reasoning earns credit.",
    "questions": "Most of your answer asks questions instead of answering them; questions "
                 "earn nothing, so say what you think and why.",
    "padding": "Most of your answer is about other things; only the part that answers the "
               "question counts, so keep to it.",
}
"""what the candidate reads about a flag (never the rubric's words)"""

FLAG_DETAIL = {
    "idk": "the answer says the candidate does not know; graded 0",
    "copied_prompt": "the answer only restates the prompt; graded 0",
    "restates_prompt": "half or more of the answer restates the prompt (that part earned "
                       "nothing)",
    "keyword_list": "the answer lists terms without relating them; the whole grade was "
                    "multiplied by 0.15",
    "reordered_words": "the answer strings the rubric's words together in an order of its own; "
                       "the whole grade was multiplied by 0.1",
    "addresses_evaluator": "the answer speaks to the grader (those sentences earned nothing); "
                           "read it before trusting any automatic grade",
    "padding": "most of the answer is unrelated to the question",
    "evasive": "the answer says the candidate does not know and covers little of the rubric; "
               "the whole grade was multiplied by 0.5",
    "questions": "half or more of the answer is questions (they earned nothing), e.g. the hints "
                 "a candidate may have seen in practice",
    "contradicts_key_point": "the answer says the opposite of a key point",
}
"""what the interviewer reads about a flag"""


def point_label(index: int) -> str:
    """The public name of the ``index``-th key point (from 0): candidates never see a key
    point's wording, only this label and the point's hint."""
    return f"Key point {index + 1}"


def grade_text(kind: TextKind, exercise: Exercise, variant: Variant,
               submission: Submission, *, spoken: bool = False) -> Grade:
    """Grade a free-text answer against the exercise's rubric (``spoken``: a transcript, so no
    advice about paragraphs or written layout)."""
    seed, grader = variant.seed, kind.grader_id
    if submission.text is None:
        message = "the answer is not UTF-8 text" if submission.files else "no answer was given"
        return Grade.not_gradable(exercise.id, seed, grader, message)
    answer = submission.text.strip()
    if not words(answer):
        return Grade.not_gradable(exercise.id, seed, grader, "no answer was given")
    config: TextConfig = exercise.config
    if len(answer) > config.max_characters:
        return Grade.not_gradable(
            exercise.id, seed, grader,
            f"the answer is {len(answer):,} characters; the limit is {config.max_characters:,}")
    rubric, errors = kind.load_rubric(exercise)
    if rubric is None:
        return Grade.failed(exercise.id, seed, grader,
                            "the rubric is broken: " + "; ".join(str(e) for e in errors))
    try:
        embedder = shared_embedder()
        foreign = other_language(answer, config.language)
    except (ModelUnavailable, LanguageUnavailable) as exc:
        return Grade.failed(exercise.id, seed, grader, str(exc))
    if foreign is not None:
        return Grade.not_gradable(
            exercise.id, seed, grader,
            f"the answer seems to be written in {language_name(foreign.code)}; this exercise is "
            f"graded in {language_name(config.language)}: please answer in "
            f"{language_name(config.language)}")
    points = [KeyPointSpec(k.id, exercise.render(k.text, variant), k.weight,
                           tuple(exercise.render(p, variant) for p in k.phrasings),
                           tuple(exercise.render(m, variant) for m in k.must_not))
              for k in rubric.key_point]
    hints = [exercise.render(k.hint, variant) if k.hint else None for k in rubric.key_point]
    rubric_text = " ".join([rubric.reference_answer, *(p.text for p in points)])
    content = ContentScorer(embedder).score(answer, points, exercise.prompt_for(variant),
                                            rubric_text,
                                            exercise.render(rubric.reference_answer, variant),
                                            spoken=spoken)
    communication = analyse(answer, genre=config.genre, audience=config.audience,
                            min_words=config.min_words, max_words=config.max_words,
                            spoken=spoken)
    factor = content.factor

    criteria: list[CriterionScore] = []
    feedback: list[str] = []
    notes: list[str] = []
    covered: list[str] = []
    to_improve: list[str] = []
    for i, (point, coverage) in enumerate(zip(points, content.coverages, strict=True)):
        label = point_label(i)
        state = coverage.state
        evidence: list[str] = []
        if coverage.evidence is not None:
            evidence.append(coverage.evidence.text)
        if coverage.contradicted is not None:
            evidence.append(f"contradicts the point: {coverage.contradicted.text}")
        evidence.append(f"key point (never shown to the candidate): {point.text} — {state}, "
                        f"coverage {coverage.coverage:.2f}"
                        + (f" × {factor:g} for the flags" if factor != 1 else ""))
        hint = hints[i]
        if state == "covered":
            covered.append(label)
            said = "Covered."
        else:
            said = {"partly covered": "Partly covered.", "missing": "Not covered.",
                    "contradicted": "What you wrote goes against this point."}[state]
            if hint:
                said += f" To think about: {hint}"
            to_improve.append(f"{label}: {hint}" if hint else label)
        criteria.append(CriterionScore(
            name=label, points=round(point.weight * coverage.coverage * factor, 4),
            max_points=point.weight, evidence=evidence, feedback=said))
        notes.append(f"{label} — {point.text}: {state} ({coverage.coverage:.2f})"
                     + (f"; “{coverage.contradicted.text}” contradicts it: "
                        f"{coverage.reason or 'it says the opposite'}"
                        if coverage.contradicted is not None else ""))
    total_weight = sum(p.weight for p in points)
    share = COMMUNICATION_WEIGHT.get(config.genre, 0.15)
    comm_max = round(total_weight * share / (1 - share), 4)
    gate = min(1.0, content.score / 0.5)
    comm_points = round(comm_max * communication.score * gate * factor, 4)
    comm_evidence = [f"{f.message}" + (f" — “{f.evidence}”" if f.evidence else "")
                     for f in communication.findings]
    criteria.append(CriterionScore(
        name="Communication" + (f" for {config.audience}" if config.audience else ""),
        points=min(comm_points, comm_max), max_points=comm_max, evidence=comm_evidence,
        feedback="Clarity, structure and length for the audience"))

    flags = _flags(content, points)
    feedback += [FLAG_FEEDBACK[f] for f in content.flags if f in FLAG_FEEDBACK]
    if covered:
        feedback.append("You covered " + ", ".join(covered) + ".")
    if to_improve and "idk" not in content.flags:
        feedback.append("To improve, think about: " + "; ".join(to_improve) + ".")
    feedback += [f.message for f in communication.findings if f.severity != "info"]
    if rubric.notes:
        notes.append(f"Rubric notes: {rubric.notes}")
    notes.append("Measurements: " + ", ".join(
        f"{k}={v}" for k, v in sorted(communication.metrics.items())))
    result = Grade.from_criteria(exercise.id, seed, grader, criteria, feedback=feedback,
                                 notes=notes, flags=flags)
    return _second_opinion(result, exercise, variant, answer, rubric, config)


def _flags(content: ContentResult, points: list[KeyPointSpec]) -> list[Flag]:
    flags: list[Flag] = []
    for code in content.flags:
        detail = FLAG_DETAIL.get(code, code)
        seen = content.details.get(code)
        extra: dict[str, object] = {}
        if code == "contradicts_key_point":
            contradicted = [(point_label(i), c) for i, c in enumerate(content.coverages)
                            if c.contradicted is not None]
            detail += ": " + "; ".join(
                f"{label} (“{c.contradicted.text if c.contradicted else ''}” "
                f"{c.reason or 'contradicts it'})" for label, c in contradicted)
            extra["points"] = [label for label, _ in contradicted]
        elif seen:
            detail += f" ({seen})"
        flags.append(Flag(code=code, detail=detail, **extra))
    del points
    return flags


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
