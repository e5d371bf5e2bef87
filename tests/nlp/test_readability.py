"""Readability: syllables counted offline, ratio-only measures, grade ranges per audience."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hireloop.nlp.readability import (
    count_syllables,
    familiar_words,
    is_unfamiliar,
    measure,
    sentences,
    target_grade,
)

ONESTOP = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "readability" / (
    "onestopenglish.tsv")

PLAIN = ("The model learns from old cases. Then it guesses new ones. We check it on cases it "
         "has not seen. If it does well there, we trust it more.")
DENSE = ("Regularisation constrains the hypothesis space, reducing estimator variance at the "
         "expense of additional bias, thereby improving generalisation performance on "
         "distributionally similar but previously unobserved observations.")


@pytest.mark.parametrize(("word", "expected"), [
    ("the", 1), ("cat", 1), ("table", 2), ("people", 2), ("created", 3), ("walked", 1),
    ("boxes", 2), ("makes", 1), ("area", 3), ("idea", 3), ("video", 3), ("radio", 3),
    ("quiet", 2), ("science", 2), ("every", 2), ("business", 2), ("something", 2),
    ("completely", 3), ("beautiful", 3), ("university", 5), ("regularisation", 6),
    ("regularization", 6), ("overfitting", 4), ("hyperparameter", 6), ("calibration", 4),
    ("hallucination", 5), ("tokenizer", 4), ("precision", 3), ("recall", 2),
    ("embedding", 3), ("probability", 5), ("variance", 3), ("million", 2), ("tourism", 3),
])
def test_syllables_of_everyday_and_ml_words(word: str, expected: int) -> None:
    assert count_syllables(word) == expected


def test_syllables_of_numbers_initialisms_compounds_and_contractions() -> None:
    assert count_syllables("2024") == 1  # a numeral is read at a glance
    assert count_syllables("ML") == 2
    assert count_syllables("LLMs") == 3
    assert count_syllables("AUC") == 3
    assert count_syllables("state-of-the-art") == 4
    assert count_syllables("don't") == 1
    assert count_syllables("model’s") == 2
    assert count_syllables("Table") == count_syllables("table")
    assert count_syllables("") == 1
    assert count_syllables("hmm") == 1


def test_syllables_are_counted_offline() -> None:
    """pyphen's dictionary and the familiar-word list ship with the packages: counting works in
    a fresh interpreter with no network at all (textstat, by contrast, downloads at run time)."""
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("needs root and unshare to take the network away")
    script = textwrap.dedent("""
        import socket
        try:
            socket.create_connection(("1.1.1.1", 443), timeout=2)
        except OSError:
            pass
        else:
            raise SystemExit("the network is still there")
        from hireloop.nlp.readability import count_syllables, measure
        words = ["regularisation", "antidisestablishmentarianism", "hyperparameter", "cat"]
        print(*[count_syllables(w) for w in words])
        print(measure("Overfitting is when a model memorises noise. It then fails.").grade_level)
    """)
    result = subprocess.run(["unshare", "--net", sys.executable, "-c", script],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    counts, grade = result.stdout.split("\n")[:2]
    assert counts.split() == ["6", "12", "6", "1"]
    assert float(grade) > 0


def test_measures_are_ratios_so_length_alone_changes_nothing() -> None:
    once, five_times = measure(PLAIN), measure("\n\n".join([PLAIN] * 5))
    assert five_times.words == 5 * once.words
    assert five_times.sentences == 5 * once.sentences
    for name in ("syllables_per_word", "words_per_sentence", "polysyllable_share",
                 "flesch_reading_ease", "fk_grade", "grade_level", "unfamiliar_share"):
        assert getattr(five_times, name) == pytest.approx(getattr(once, name), abs=0.011), name


def test_dense_jargon_reads_at_a_higher_grade_than_plain_words() -> None:
    plain, dense = measure(PLAIN), measure(DENSE)
    assert plain.grade_level < 6 < 16 < dense.grade_level
    assert plain.flesch_reading_ease > 80 > 10 > dense.flesch_reading_ease
    assert dense.unfamiliar_share > plain.unfamiliar_share
    assert dense.polysyllable_share > plain.polysyllable_share


def test_measure_handles_empty_and_wordless_text() -> None:
    for text in ("", "   \n\n ", "--- ***"):
        scores = measure(text)
        assert (scores.words, scores.sentences, scores.grade_level) == (0, 0, 0.0)


def test_typographic_quotes_and_bold_lead_ins_end_sentences_with_offsets_kept() -> None:
    text = "“It failed.” Then we fixed it.\n\n**Why.** Because the data changed."
    found = sentences(text)
    assert [s.text for s in found] == ["“It failed.”", "Then we fixed it.", "Why.",
                                       "Because the data changed."]
    assert all(text[s.start:s.end] == s.text for s in found)


def test_familiar_words_come_from_the_shipped_vocabulary() -> None:
    familiar = familiar_words()
    assert len(familiar) == 3000
    assert {"the", "people", "because", "money"} <= familiar
    assert not is_unfamiliar("People")
    assert not is_unfamiliar("don't")
    assert not is_unfamiliar("2024")
    assert is_unfamiliar("regularisation")
    assert is_unfamiliar("hyperparameter")
    assert is_unfamiliar("well-calibrated")


@pytest.mark.parametrize(("audience", "expected"), [
    ("executive", (8.0, 11.0)), ("the Chief Operating Officer", (8.0, 11.0)),
    ("sales director", (8.0, 11.0)), ("product manager", (9.0, 12.0)),
    ("nurse manager", (9.0, 12.0)), ("legal counsel", (9.0, 12.0)),
    ("new grad", (8.0, 12.0)), ("customer", (6.0, 9.0)), ("ML engineer", (10.0, 15.0)),
    ("hiring panel", (10.0, 15.0)), ("junior data scientist", (10.0, 15.0)),
    ("zookeeper", (8.0, 12.0)), (None, (8.0, 12.0)), ("", (8.0, 12.0)),
])
def test_target_grade_by_audience(audience: str | None, expected: tuple[float, float]) -> None:
    assert target_grade(audience) == expected


@pytest.mark.skipif(not ONESTOP.exists(), reason="the OneStopEnglish texts are not beside the repo")
def test_simpler_versions_of_the_same_article_read_at_a_lower_grade() -> None:
    """The figure of benchmarks/readability.py: >= 188/189 articles on each pair of levels."""
    csv.field_size_limit(1 << 30)
    grades: dict[str, dict[str, float]] = {}
    with ONESTOP.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        for article, level, text in reader:
            grades.setdefault(article, {})[level] = measure(
                text.replace("\\n", "\n\n")).grade_level
    assert len(grades) == 189
    for easy, hard in [("elementary", "intermediate"), ("intermediate", "advanced"),
                       ("elementary", "advanced")]:
        right = sum(g[easy] < g[hard] for g in grades.values())
        assert right >= 188, (easy, hard, right)
