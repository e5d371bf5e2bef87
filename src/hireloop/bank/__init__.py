"""The exercise bank: finding, validating and self-testing exercise directories; loops."""

from hireloop.bank.loader import Bank, LoadedExercise, bank_for_paths, load_bank

__all__ = ["Bank", "LoadedExercise", "bank_for_paths", "load_bank"]
