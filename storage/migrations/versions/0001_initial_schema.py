"""Initial schema: sites, measures, blobs, captures, versions, task and contact states; views.

Revision ID: 0001
Revises: 
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models
from storage.views import views_0001

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('blobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('codec', sa.String(length=16), nullable=False),
    sa.Column('base_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['base_id'], ['blobs.id'], name=op.f('fk_blobs_base_id_blobs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blobs')),
    sa.UniqueConstraint('sha256', name=op.f('uq_blobs_sha256'))
    )
    op.create_table('sites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('base_url', sa.String(length=500), nullable=False),
    sa.Column('created_at', storage.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sites')),
    sa.UniqueConstraint('base_url', name=op.f('uq_sites_base_url'))
    )
    op.create_table('measures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=1000), nullable=False),
    sa.Column('identifier', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('first_seen_at', storage.models.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', storage.models.UTCDateTime(), nullable=False),
    sa.Column('removed_at', storage.models.UTCDateTime(), nullable=True),
    sa.Column('merged_into', sa.String(length=200), nullable=True),
    sa.Column('missing_checks', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_measures_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measures')),
    sa.UniqueConstraint('url', name=op.f('uq_measures_url'))
    )
    with op.batch_alter_table('measures', schema=None) as batch_op:
        batch_op.create_index('ix_measures_site_identifier', ['site_id', 'identifier'], unique=False)

    op.create_table('contact_states',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('contact_key', sa.String(length=300), nullable=False),
    sa.Column('valid_from', sa.Integer(), nullable=False),
    sa.Column('valid_until', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.String(length=100), nullable=True),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=True),
    sa.Column('organization', sa.String(length=500), nullable=True),
    sa.Column('is_primary', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], name=op.f('fk_contact_states_measure_id_measures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_states'))
    )
    with op.batch_alter_table('contact_states', schema=None) as batch_op:
        batch_op.create_index('ix_contact_states_measure_open', ['measure_id', 'valid_until'], unique=False)

    op.create_table('task_states',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('task_key', sa.String(length=600), nullable=False),
    sa.Column('valid_from', sa.Integer(), nullable=False),
    sa.Column('valid_until', sa.Integer(), nullable=True),
    sa.Column('task_id', sa.String(length=100), nullable=True),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('completed_date', sa.Date(), nullable=True),
    sa.Column('due_period', sa.String(length=7), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], name=op.f('fk_task_states_measure_id_measures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_states'))
    )
    with op.batch_alter_table('task_states', schema=None) as batch_op:
        batch_op.create_index('ix_task_states_measure_open', ['measure_id', 'valid_until'], unique=False)

    op.create_table('versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('record', sa.Text(), nullable=False),
    sa.Column('record_hash', sa.String(length=64), nullable=False),
    sa.Column('verdict', sa.String(length=16), nullable=False),
    sa.Column('parser', sa.String(length=64), nullable=False),
    sa.Column('generation', sa.String(length=16), nullable=False),
    sa.Column('extraction', sa.String(length=16), nullable=False),
    sa.Column('unobserved', sa.Text(), nullable=False),
    sa.Column('first_capture_id', sa.Integer(), nullable=True),
    sa.Column('last_capture_id', sa.Integer(), nullable=True),
    sa.Column('first_seen_at', storage.models.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], name=op.f('fk_versions_measure_id_measures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_versions')),
    sa.UniqueConstraint('measure_id', 'number', name='uq_versions_measure_number')
    )
    with op.batch_alter_table('versions', schema=None) as batch_op:
        batch_op.create_index('ix_versions_first_seen', ['first_seen_at'], unique=False)

    op.create_table('captures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=True),
    sa.Column('url', sa.String(length=1000), nullable=True),
    sa.Column('requested_at', storage.models.UTCDateTime(), nullable=False),
    sa.Column('http_status', sa.Integer(), nullable=True),
    sa.Column('etag', sa.String(length=300), nullable=True),
    sa.Column('last_modified', sa.String(length=100), nullable=True),
    sa.Column('bytes', sa.Integer(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('blob_id', sa.Integer(), nullable=True),
    sa.Column('verdict', sa.String(length=16), nullable=True),
    sa.Column('outcome', sa.String(length=24), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('meta', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['blob_id'], ['blobs.id'], name=op.f('fk_captures_blob_id_blobs')),
    sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], name=op.f('fk_captures_measure_id_measures')),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], name=op.f('fk_captures_version_id_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_captures'))
    )
    with op.batch_alter_table('captures', schema=None) as batch_op:
        batch_op.create_index('ix_captures_measure_time', ['measure_id', 'requested_at'], unique=False)

    for sql in views_0001(op.get_bind().dialect.name):
        op.execute(sql)


def downgrade() -> None:
    for view in ("contact_history", "task_history", "latest_records"):
        op.execute(f"DROP VIEW IF EXISTS {view}")
    with op.batch_alter_table('captures', schema=None) as batch_op:
        batch_op.drop_index('ix_captures_measure_time')

    op.drop_table('captures')
    with op.batch_alter_table('versions', schema=None) as batch_op:
        batch_op.drop_index('ix_versions_first_seen')

    op.drop_table('versions')
    with op.batch_alter_table('task_states', schema=None) as batch_op:
        batch_op.drop_index('ix_task_states_measure_open')

    op.drop_table('task_states')
    with op.batch_alter_table('contact_states', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_states_measure_open')

    op.drop_table('contact_states')
    with op.batch_alter_table('measures', schema=None) as batch_op:
        batch_op.drop_index('ix_measures_site_identifier')

    op.drop_table('measures')
    op.drop_table('sites')
    op.drop_table('blobs')
