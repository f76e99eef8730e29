"""Site health: events about a whole site (``site.unreachable`` / ``site.recovered``); measure names.

An event names a site (``site_id``) and, unless it is about the whole site, a measure
(``measure_id`` becomes nullable). A site row remembers its open unreachable episode
(``unreachable_since``) and how many crawls in a row could not reach it. A measure row
keeps its latest name, so every change line can say which measure it is about.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

import storage.models

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sites') as batch:
        batch.add_column(sa.Column('unreachable_since', storage.models.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('unreachable_crawls', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('events') as batch:
        batch.add_column(sa.Column('site_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_events_site_id_sites'), 'sites', ['site_id'], ['id'])
        batch.alter_column('measure_id', existing_type=sa.Integer(), nullable=True)
    op.execute("UPDATE events SET site_id = (SELECT site_id FROM measures WHERE measures.id = events.measure_id)")
    with op.batch_alter_table('measures') as batch:
        batch.add_column(sa.Column('name', sa.Text(), nullable=True))
    conn = op.get_bind()
    latest = conn.execute(sa.text(
        "SELECT v.measure_id, v.record FROM versions v JOIN (SELECT measure_id, max(number) AS n FROM versions "
        "GROUP BY measure_id) l ON l.measure_id = v.measure_id AND l.n = v.number"))
    measures = sa.table('measures', sa.column('id'), sa.column('name'))
    for measure_id, record in latest:
        name = json.loads(record).get("name")
        conn.execute(measures.update().where(measures.c.id == measure_id).values(name=name))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite >= 3.35, PostgreSQL): a rebuilt table would break the views on it.
    op.execute("ALTER TABLE measures DROP COLUMN name")
    op.execute("DELETE FROM deliveries WHERE event_id IN (SELECT id FROM events WHERE measure_id IS NULL)")
    op.execute("DELETE FROM events WHERE measure_id IS NULL")
    with op.batch_alter_table('events') as batch:
        batch.alter_column('measure_id', existing_type=sa.Integer(), nullable=False)
        batch.drop_constraint(op.f('fk_events_site_id_sites'), type_='foreignkey')
        batch.drop_column('site_id')
    op.execute("ALTER TABLE sites DROP COLUMN unreachable_crawls")
    op.execute("ALTER TABLE sites DROP COLUMN unreachable_since")
