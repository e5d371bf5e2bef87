"""teams, assignments, api tokens, password resets, trial runs

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05 23:09:28.203661
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_table('bank_reloads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('by', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['by'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('password_resets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_table('interview_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interview_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['interview_id'], ['interviews.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('interview_id', 'user_id')
    )
    op.create_table('trial_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('worker_id', sa.String(length=100), nullable=True),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['answer_id'], ['answers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('trial_runs', schema=None) as batch_op:
        batch_op.create_index('ix_trials_owner', ['owner'], unique=False)
        batch_op.create_index('ix_trials_state', ['state'], unique=False)

    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('loops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_loops_team', 'teams', ['team_id'], ['id'])

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_users_team', 'teams', ['team_id'], ['id'])

    # Before teams, every interviewer acted on every loop and interview. Keep what they could
    # do: one team holds every loop, and interviewers become its hiring managers.
    bind = op.get_bind()
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('role', sa.String),
                     sa.column('team_id', sa.Integer))
    loops = sa.table('loops', sa.column('team_id', sa.Integer))
    teams = sa.table('teams', sa.column('id', sa.Integer), sa.column('name', sa.String),
                     sa.column('created_at', sa.DateTime(timezone=True)))
    has_data = bind.execute(sa.select(sa.func.count()).select_from(users)).scalar() or \
        bind.execute(sa.select(sa.func.count()).select_from(loops)).scalar()
    if has_data:
        from datetime import UTC, datetime

        bind.execute(teams.insert().values(name='Hiring team', created_at=datetime.now(UTC)))
        team = bind.execute(sa.select(teams.c.id).where(teams.c.name == 'Hiring team')).scalar()
        bind.execute(loops.update().values(team_id=team))
        bind.execute(users.update().where(users.c.role == 'interviewer')
                     .values(role='hiring_manager', team_id=team))
        bind.execute(users.update().where(users.c.role == 'admin').values(team_id=team))


def downgrade() -> None:
    op.execute("UPDATE users SET role = 'interviewer' WHERE role = 'hiring_manager'")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint('fk_users_team', type_='foreignkey')
        batch_op.drop_column('team_id')

    with op.batch_alter_table('loops', schema=None) as batch_op:
        batch_op.drop_constraint('fk_loops_team', type_='foreignkey')
        batch_op.drop_column('team_id')

    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_column('created_at')

    with op.batch_alter_table('trial_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_trials_state')
        batch_op.drop_index('ix_trials_owner')

    op.drop_table('trial_runs')
    op.drop_table('interview_assignments')
    op.drop_table('password_resets')
    op.drop_table('bank_reloads')
    op.drop_table('api_tokens')
    op.drop_table('teams')
