"""Fairness: adverse-impact audits, voluntary self-identification, blind review and PII redaction.

Nothing here imports the web app: the CLI, the pages and the reports call the same functions.
"""
