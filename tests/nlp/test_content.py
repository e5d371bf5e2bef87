"""Content scoring: coverage of key points with verbatim evidence; gaming scores near zero."""

from __future__ import annotations

import pytest

from hireloop.nlp.content import ContentScorer, KeyPointSpec
from hireloop.nlp.embeddings import shared_embedder

QUESTION = "What is overfitting, and how do you detect it?"
POINTS = [
    KeyPointSpec("variance", "Overfitting means the model has high variance: it fits noise in "
                 "the training data instead of the general pattern", 2.0,
                 ("memorises the training data", "fits the noise"),
                 ("overfitting is caused by a model that is too simple",)),
    KeyPointSpec("detect", "You detect it when performance on held-out validation data is much "
                 "worse than on the training data", 1.0,
                 ("validation error goes up", "gap between training and validation")),
]
RUBRIC = ("Overfitting is when a model memorises noise in its training data. Detect it with a "
          "validation set: training error keeps falling while validation error rises. "
          + " ".join(p.text for p in POINTS))
GOOD = ("Overfitting happens when a model learns the quirks and noise of its training examples "
        "rather than the underlying pattern, so it has high variance. You can see it when the "
        "score on a held-out validation set is much worse than on the training set.")


@pytest.fixture(scope="module")
def scorer() -> ContentScorer:
    return ContentScorer(shared_embedder())


def score(scorer: ContentScorer, answer: str) -> float:
    return scorer.score(answer, POINTS, QUESTION, RUBRIC).score


def test_a_good_paraphrase_covers_every_point_with_its_sentence_as_evidence(
    scorer: ContentScorer,
) -> None:
    result = scorer.score(GOOD, POINTS, QUESTION, RUBRIC)
    assert result.score >= 0.8
    for coverage in result.coverages:
        assert coverage.evidence is not None
        assert GOOD[coverage.evidence.start:coverage.evidence.end] == coverage.evidence.text
    assert "held-out validation set" in result.coverages[1].evidence.text  # type: ignore[union-attr]


def test_a_negated_key_point_earns_nothing(scorer: ContentScorer) -> None:
    answer = ("Overfitting is not about variance and it has nothing to do with fitting noise in "
              "the training data. You detect it when the held-out validation score is much "
              "worse than the training score.")
    result = scorer.score(answer, POINTS, QUESTION, RUBRIC)
    assert result.coverages[0].coverage == 0.0
    assert result.coverages[0].contradicted is not None
    assert result.coverages[1].coverage > 0.5


def test_a_must_not_statement_does_not_earn_the_point(scorer: ContentScorer) -> None:
    answer = "Overfitting is caused by a model that is far too simple for the data."
    result = scorer.score(answer, POINTS, QUESTION, RUBRIC)
    assert result.coverages[0].coverage == 0.0


def test_copying_the_question_scores_near_zero(scorer: ContentScorer) -> None:
    assert score(scorer, "What is overfitting, and how do you detect it?") <= 0.1


def test_keyword_stuffing_scores_near_zero(scorer: ContentScorer) -> None:
    stuffed = ("overfitting variance noise training data validation held-out generalisation "
               "regularisation bias memorise pattern detect gap error")
    result = scorer.score(stuffed, POINTS, QUESTION, RUBRIC)
    assert "keyword_list" in result.flags
    assert result.score <= 0.15


def test_rubric_words_in_a_meaningless_order_score_near_zero(scorer: ContentScorer) -> None:
    words = RUBRIC.replace(".", "").replace(":", "").split()
    shuffled = " ".join(words[i] for i in sorted(range(len(words)), key=lambda i: (i * 7919) % 101))
    result = scorer.score(shuffled, POINTS, QUESTION, RUBRIC)
    assert "reordered_words" in result.flags or "keyword_list" in result.flags
    assert result.score <= 0.15


def test_an_off_topic_answer_scores_near_zero(scorer: ContentScorer) -> None:
    off_topic = ("I led the migration of our payment service to Kubernetes last year. The team "
                 "set up dashboards and on-call rotations, and we cut deploy time in half.")
    assert score(scorer, off_topic) <= 0.1


@pytest.mark.parametrize("answer", ["I don't know.", "No idea, sorry.", "idk",
                                    "I'm not sure, pass."])
def test_i_dont_know_scores_zero(scorer: ContentScorer, answer: str) -> None:
    result = scorer.score(answer, POINTS, QUESTION, RUBRIC)
    assert result.score == 0.0
    assert "idk" in result.flags


def test_the_same_answer_gets_the_same_result(scorer: ContentScorer) -> None:
    first = scorer.score(GOOD, POINTS, QUESTION, RUBRIC)
    second = ContentScorer(shared_embedder()).score(GOOD, POINTS, QUESTION, RUBRIC)
    assert first.score == second.score
    assert [c.coverage for c in first.coverages] == [c.coverage for c in second.coverages]
