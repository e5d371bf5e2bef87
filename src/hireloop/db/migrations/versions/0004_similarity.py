"""similarity: answers' fingerprints, their inverted index, and the matches found

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 03:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('similarity_prints',
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('exercise_id', sa.String(length=300), nullable=False),
    sa.Column('scope', sa.String(length=20), nullable=False),
    sa.Column('medium', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('answer_id')
    )
    op.create_index('ix_similarity_prints_exercise', 'similarity_prints',
                    ['exercise_id', 'scope'], unique=False)
    op.create_table('similarity_hashes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('exercise_id', sa.String(length=300), nullable=False),
    sa.Column('scope', sa.String(length=20), nullable=False),
    sa.Column('hash', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_similarity_hashes_lookup', 'similarity_hashes',
                    ['exercise_id', 'scope', 'hash'], unique=False)
    op.create_index(op.f('ix_similarity_hashes_answer_id'), 'similarity_hashes', ['answer_id'],
                    unique=False)
    op.create_table('similarity_matches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('other_answer_id', sa.Integer(), nullable=False),
    sa.Column('similarity', sa.Float(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('regions', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answers.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['other_answer_id'], ['answers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('answer_id', 'other_answer_id')
    )
    op.create_index(op.f('ix_similarity_matches_answer_id'), 'similarity_matches',
                    ['answer_id'], unique=False)
    op.create_index(op.f('ix_similarity_matches_other_answer_id'), 'similarity_matches',
                    ['other_answer_id'], unique=False)


def downgrade() -> None:
    op.drop_table('similarity_matches')
    op.drop_table('similarity_hashes')
    op.drop_table('similarity_prints')
