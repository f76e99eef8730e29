"""Change events, and the open parse.degraded episode of each measure.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models
from storage.views import views_0001

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('capture_id', sa.Integer(), nullable=True),
    sa.Column('event_key', sa.String(length=700), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('observed_at', storage.models.UTCDateTime(), nullable=False),
    sa.Column('from_version', sa.Integer(), nullable=True),
    sa.Column('to_version', sa.Integer(), nullable=True),
    sa.Column('flags', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['capture_id'], ['captures.id'], name=op.f('fk_events_capture_id_captures')),
    sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], name=op.f('fk_events_measure_id_measures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
    sa.UniqueConstraint('measure_id', 'event_key', name='uq_events_measure_event_key')
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_kind', ['kind'], unique=False)
        batch_op.create_index('ix_events_observed', ['observed_at'], unique=False)

    with op.batch_alter_table('measures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('degraded_since', storage.models.UTCDateTime(), nullable=True))



def downgrade() -> None:
    # SQLite rebuilds "measures" to drop a column; the views over it go first and come back after.
    for view in ("contact_history", "task_history", "latest_records"):
        op.execute(f"DROP VIEW IF EXISTS {view}")
    with op.batch_alter_table('measures', schema=None) as batch_op:
        batch_op.drop_column('degraded_since')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_observed')
        batch_op.drop_index('ix_events_kind')

    op.drop_table('events')
    for sql in views_0001(op.get_bind().dialect.name):
        op.execute(sql)
