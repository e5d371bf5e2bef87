"""Shared fixtures: small exercise banks written into a temporary folder."""

from __future__ import annotations

import hashlib
import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

# Generated hidden cases and ml_task data are drawn from the installation's secret key. The
# tests use the same public key as `hireloop bank check`, so that what they expect of a
# reference answer holds on every machine (tests that need another key set their own).
os.environ.setdefault("HIRELOOP_INSTALLATION_KEY",
                      hashlib.sha256(b"hireloop bank check").hexdigest())

from hireloop.bank import Bank, bank_for_paths
from hireloop.plugins import KindRegistry, load_kinds

CHOICE_TOML = """\
title = "Which split leaks?"
kind = "choice"
competencies = ["ml-debugging"]
level = "mid"
minutes = 2

[choice]
mode = "single"
options = [
  { id = "a", text = "Random split of rows" },
  { id = "b", text = "Split by user id" },
]
"""
CHOICE_KEY = 'correct = ["b"]\nexplanation = "Users in both splits leak identity."\n'
CHOICE_SAMPLES = """\
[[sample]]
name = "right"
file = "samples/right.txt"
score = [1.0, 1.0]

[[sample]]
name = "empty"
file = "samples/empty.txt"
outcome = "not_gradable"
"""

WriteExercise = Callable[..., Path]


@pytest.fixture
def bank_root(tmp_path: Path) -> Path:
    """An empty bank folder (with its bank.toml marker)."""
    root = tmp_path / "bank"
    root.mkdir()
    (root / "bank.toml").write_text('name = "test bank"\n')
    return root


@pytest.fixture
def write_exercise(bank_root: Path) -> WriteExercise:
    """Write a valid choice exercise at ``bank_root/<ex_id>``; ``files`` replaces (None: omits)."""

    def write(ex_id: str = "debugging/leaky-split", root: Path | None = None,
              files: dict[str, str | None] | None = None) -> Path:
        directory = (root or bank_root) / ex_id
        contents: dict[str, str | None] = {
            "exercise.toml": CHOICE_TOML,
            "prompt.md": "Which split leaks user identity into the test set?\n",
            "hidden/key.toml": CHOICE_KEY,
            "samples/samples.toml": CHOICE_SAMPLES,
            "samples/right.txt": "b\n",
            "samples/empty.txt": "",
        }
        contents.update(files or {})
        for name, content in contents.items():
            if content is None:
                continue
            path = directory / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(content))
        return directory

    return write


@pytest.fixture(scope="session")
def kinds() -> KindRegistry:
    """The installed kinds."""
    return load_kinds()


def load(paths: list[Path], kinds: KindRegistry | None = None) -> Bank:
    """Load a bank from paths, as `hireloop bank check PATH` does."""
    return bank_for_paths(paths, kinds=kinds)
