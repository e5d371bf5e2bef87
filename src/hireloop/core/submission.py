"""What a candidate handed in, as the grader receives it."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Submission(BaseModel):
    """One answer to one exercise variant. Graders read it; they never change it."""

    model_config = {"frozen": True}

    exercise_id: str
    """the exercise answered"""
    seed: int = 0
    """the variant the candidate saw"""
    text: str | None = None
    """the answer as text, when it is text (choice, code, text kinds)"""
    files: dict[str, bytes] = Field(default_factory=dict)
    """the answer as files, by relative name (project directories, recordings)"""

    @property
    def is_empty(self) -> bool:
        """True when nothing was handed in: no text (or only white space) and no files."""
        no_text = self.text is None or not self.text.strip()
        no_files = not any(self.files.values())
        return no_text and no_files
