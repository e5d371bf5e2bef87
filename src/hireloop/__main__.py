"""``python -m hireloop``."""

from hireloop.cli import app

app(prog_name="hireloop")
