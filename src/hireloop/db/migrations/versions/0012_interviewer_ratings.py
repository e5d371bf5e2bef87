"""interviewer ratings: per-competency ratings with a written justification

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 06:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rating_sets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interview_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('independent', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['interview_id'], ['interviews.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('interview_id', 'user_id')
    )
    op.create_index(op.f('ix_rating_sets_interview_id'), 'rating_sets', ['interview_id'],
                    unique=False)
    op.create_table('interviewer_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('set_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('competency', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['set_id'], ['rating_sets.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('set_id', 'revision', 'competency')
    )
    op.create_index(op.f('ix_interviewer_ratings_set_id'), 'interviewer_ratings', ['set_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_interviewer_ratings_set_id'), table_name='interviewer_ratings')
    op.drop_table('interviewer_ratings')
    op.drop_index(op.f('ix_rating_sets_interview_id'), table_name='rating_sets')
    op.drop_table('rating_sets')
