"""foreign key indexes: the columns that lists, scorecards and cascading deletes look up by

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 07:45:00
"""

from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

INDEXES = [
    ("interviews", "loop_id"),
    ("interviews", "candidate_id"),
    ("grading_jobs", "answer_id"),
    ("overrides", "answer_id"),
    ("notes", "interview_id"),
    ("uploads", "answer_id"),
    ("trial_runs", "answer_id"),
    ("live_marks", "answer_id"),
    ("web_sessions", "interview_id"),
]


def upgrade() -> None:
    for table, column in INDEXES:
        op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade() -> None:
    for table, column in reversed(INDEXES):
        op.drop_index(f"ix_{table}_{column}", table_name=table)
