"""self-identification: candidates' voluntary answers (sex, race/ethnicity), apart from interviews

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 03:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('self_identifications',
    sa.Column('interview_id', sa.Integer(), nullable=False),
    sa.Column('sex', sa.String(length=40), nullable=True),
    sa.Column('race_ethnicity', sa.String(length=60), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['interview_id'], ['interviews.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('interview_id')
    )


def downgrade() -> None:
    op.drop_table('self_identifications')
