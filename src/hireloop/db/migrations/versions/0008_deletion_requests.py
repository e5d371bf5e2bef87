"""deletion requests: candidates asking, from their own page, for their data to be deleted

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 04:06:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('deletion_requests',
    sa.Column('interview_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['interview_id'], ['interviews.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('interview_id')
    )


def downgrade() -> None:
    op.drop_table('deletion_requests')
