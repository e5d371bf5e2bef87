"""integrity signals: what the candidate's page recorded per answer (pastes, time away, typing)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 03:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('signal_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('page', sa.String(length=32), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('t0', sa.BigInteger(), nullable=False),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('answer_id', 'page', 'seq')
    )
    op.create_index(op.f('ix_signal_batches_answer_id'), 'signal_batches', ['answer_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_signal_batches_answer_id'), table_name='signal_batches')
    op.drop_table('signal_batches')
