"""hireloop: self-hosted interviews and assessments for AI/ML roles."""

__version__ = "0.1.0"
