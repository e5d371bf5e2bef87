"""The spoken kind: a recorded answer gets a transcript, delivery metrics and a content grade
with timestamped evidence; every bad recording is not_gradable with a clear message."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from hireloop.bank import Bank, load_bank
from hireloop.config import builtin_bank_dir
from hireloop.core import Exercise, Grade, Outcome
from tests.speech.espeak import speak, wav_bytes

FRAUD = "spoken/explain-fraud-block-to-executive"
TALK = "spoken/research-talk-with-slides"
STAMP = re.compile(r"^\[(\d+):(\d{2})\] ")


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank([builtin_bank_dir()])


def grade_file(bank: Bank, exercise_id: str, path: Path) -> Grade:
    from hireloop.bank.grading import grade

    exercise: Exercise = bank.exercises[exercise_id]
    kind = bank.kinds.get("spoken")
    variant = bank.variant(exercise, 0)
    return grade(kind, exercise, variant, kind.read_submission(exercise, variant, path))


@pytest.fixture(scope="module")
def exemplary(bank: Bank) -> Grade:
    path = builtin_bank_dir() / FRAUD / "samples" / "exemplary.ogg"
    return grade_file(bank, FRAUD, path)


def test_the_view_asks_for_audio_with_the_exercise_limits(bank: Bank) -> None:
    exercise = bank.exercises[FRAUD]
    view = bank.kinds.get("spoken").render(exercise, bank.variant(exercise, 0))
    assert view.input_kind == "audio"
    assert view.fields["max_seconds"] == 120
    assert view.fields["max_bytes"] == 10_000_000
    assert view.fields["allow_rerecord"] is True
    assert "no face or emotion analysis" in view.answer_format
    assert "rubric" not in json.dumps(view.model_dump(mode="json")).lower()


def test_an_espeak_answer_gets_a_transcript_delivery_metrics_and_a_content_grade(
        exemplary: Grade) -> None:
    assert exemplary.outcome is Outcome.GRADED
    assert exemplary.score >= 0.6
    assert exemplary.transcript
    assert "unusual for this customer" in " ".join(
        line.text for line in exemplary.transcript)
    names = [c.name for c in exemplary.criteria]
    assert any(n.startswith("Delivery") for n in names)
    assert any("words a minute" in f for f in exemplary.feedback)
    assert any(n.startswith("Delivery:") and "words/min" in n for n in exemplary.notes)


def test_content_evidence_points_at_the_moment_it_was_said(exemplary: Grade) -> None:
    reason = next(c for c in exemplary.criteria
                  if any(e.startswith("key point") and "unusual" in e for e in c.evidence))
    assert reason.name.startswith("Key point"), "candidates read a label, never the point"
    assert reason.evidence, "the covered key point quotes its sentence"
    match = STAMP.match(reason.evidence[0])
    assert match, reason.evidence[0]
    seconds = int(match.group(1)) * 60 + int(match.group(2))
    line = next(t for t in exemplary.transcript if reason.evidence[0][match.end():] in t.text
                or t.text in reason.evidence[0])
    assert abs(seconds - line.start) < 1.5


def test_transcript_lines_are_in_order_within_the_recording(exemplary: Grade) -> None:
    starts = [t.start for t in exemplary.transcript]
    assert starts == sorted(starts)
    assert all(t.end >= t.start for t in exemplary.transcript)
    assert exemplary.transcript[-1].end <= 60


def test_a_weak_answer_scores_low_and_is_told_about_fillers_and_pauses(bank: Bank) -> None:
    weak = grade_file(bank, FRAUD, builtin_bank_dir() / FRAUD / "samples" / "weak.ogg")
    assert weak.outcome is Outcome.GRADED
    assert weak.score <= 0.35
    delivery = next(c for c in weak.criteria if c.name.startswith("Delivery"))
    assert any("filler words" in e for e in delivery.evidence)
    assert any(re.match(r"^\[0:\d\d\] pause of [23]\.\d s", e) for e in delivery.evidence)


def test_the_research_talk_is_checked_for_its_parts_and_slides_with_follow_up_questions(
        bank: Bank, tmp_path: Path) -> None:
    partial = tmp_path / "talk.wav"
    partial.write_bytes(wav_bytes(speak(
        "Our support assistant invented policy answers in eighteen percent of cases.\n"
        "For every question we retrieve the relevant policy documents, and the model must "
        "cite a retrieved passage for each claim.\n"
        "On five hundred held out questions, hallucinations fell from eighteen to six "
        "percent.")))
    result = grade_file(bank, TALK, partial)
    assert result.outcome is Outcome.GRADED
    talk = next(c for c in result.criteria if c.name.startswith("Research talk"))
    assert any(e.startswith("Limitations: not found") for e in talk.evidence)
    assert any("slide 5 “Limitations”: not discussed" in e for e in talk.evidence)
    questions = next(n for n in result.notes if n.startswith("Suggested follow-up"))
    assert "limitations" in questions.lower()
    assert "Slide 5" in questions


def _unknown_codec() -> bytes:
    import struct

    data = bytearray(wav_bytes(speak("Hello there.")))
    fmt = data.find(b"fmt ")
    data[fmt + 8:fmt + 10] = struct.pack("<H", 0x9999)
    return bytes(data)


@pytest.mark.parametrize(("name", "make", "says"), [
    ("silence.wav", lambda: wav_bytes(np.zeros(16000 * 5, np.float32)), "is silent"),
    ("noise.wav", lambda: wav_bytes((np.random.default_rng(1).standard_normal(16000 * 5)
                                     * 0.1).astype(np.float32)), "only noise"),
    ("notes.webm", lambda: b"just some text, not a recording\n" * 10,
     "not an audio or video recording"),
    ("cut.wav", lambda: wav_bytes(speak("We retrain every week on recent data."))[:30_000],
     "cut short"),
    ("long.wav", lambda: wav_bytes(np.zeros(16000 * 200, np.float32)), "limit"),
    ("odd-codec.wav", _unknown_codec, "codec"),
    ("empty.webm", lambda: b"", "empty"),
])
def test_bad_recordings_are_not_gradable_with_a_clear_message(
        bank: Bank, tmp_path: Path, name: str, make: object, says: str) -> None:
    path = tmp_path / name
    path.write_bytes(make())  # type: ignore[operator]
    result = grade_file(bank, FRAUD, path)
    assert result.outcome is Outcome.NOT_GRADABLE
    assert result.score == 0
    assert not result.criteria
    assert says in (result.message or ""), result.message


def test_a_file_over_the_size_limit_is_not_gradable_and_not_read_whole(
        bank: Bank, tmp_path: Path) -> None:
    big = tmp_path / "big.wav"
    big.write_bytes(wav_bytes(np.zeros(16000 * 400, np.float32)))  # 12.8 MB > 10 MB
    exercise = bank.exercises[FRAUD]
    kind = bank.kinds.get("spoken")
    submission = kind.read_submission(exercise, bank.variant(exercise, 0), big)
    assert len(next(iter(submission.files.values()))) == 10_000_001
    result = grade_file(bank, FRAUD, big)
    assert result.outcome is Outcome.NOT_GRADABLE
    assert "MB" in (result.message or "")


def test_hireloop_grade_grades_a_spoken_answer_end_to_end(tmp_path: Path) -> None:
    sample = builtin_bank_dir() / FRAUD / "samples" / "exemplary.ogg"
    out = subprocess.run([sys.executable, "-m", "hireloop", "grade", FRAUD, str(sample),
                          "--json"], capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["outcome"] == "graded"
    assert data["score"] >= 0.6
    assert data["transcript"][0]["start"] >= 0
    assert any(e.startswith("[") for c in data["criteria"] for e in c["evidence"])


def test_terminal_practice_of_a_spoken_exercise_grades_a_recording_file(tmp_path: Path) -> None:
    import os

    import pexpect

    sample = builtin_bank_dir() / FRAUD / "samples" / "exemplary.ogg"
    env = {**os.environ, "HIRELOOP_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "120",
           "TERM": "xterm"}
    child = pexpect.spawn(sys.executable, ["-m", "hireloop", "practice", "--exercise", FRAUD],
                          env=env, encoding="utf-8", timeout=240, dimensions=(50, 120))
    child.expect("Path to your recording")
    child.sendline(str(sample))
    child.expect(r"Score \d+%")
    child.expect("words a minute")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
