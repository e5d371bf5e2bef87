"""Practice mode: mock interviews in the terminal with instant feedback and a local history."""

from hireloop.practice.history import Attempt, History, Progress

__all__ = ["Attempt", "History", "Progress"]
