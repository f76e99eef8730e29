"""Crawl records (for `vahti status`) and database locks (one crawler per site).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('locks',
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('acquired_at', storage.models.UTCDateTime(), nullable=False),
    sa.Column('expires_at', storage.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_locks'))
    )
    op.create_table('crawls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('started_at', storage.models.UTCDateTime(), nullable=False),
    sa.Column('finished_at', storage.models.UTCDateTime(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('counts', sa.Text(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('runner', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_crawls_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crawls'))
    )
    with op.batch_alter_table('crawls', schema=None) as batch_op:
        batch_op.create_index('ix_crawls_site_started', ['site_id', 'started_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('crawls', schema=None) as batch_op:
        batch_op.drop_index('ix_crawls_site_started')

    op.drop_table('crawls')
    op.drop_table('locks')
