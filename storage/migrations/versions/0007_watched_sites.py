"""Watched sites: ``vahti sites add`` stores a site with what it detected and how to crawl it.

``watched`` says whether ``vahti crawl`` (with no ``--site``) and the scheduler take the site;
``settings`` holds its ``[[site]]`` keys as JSON (url, languages, every or cron, rate, name);
``plan_name`` and ``generation`` are what the site said about itself when added. Removing a
site clears ``watched`` and keeps every measure, version and event.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table rebuild: the analysts' views stand on this table).
    op.add_column('sites', sa.Column('watched', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('sites', sa.Column('settings', sa.Text(), nullable=True))
    op.add_column('sites', sa.Column('plan_name', sa.Text(), nullable=True))
    op.add_column('sites', sa.Column('generation', sa.String(length=32), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite >= 3.35, PostgreSQL): a rebuilt table would break the views on it.
    for column in ('generation', 'plan_name', 'settings', 'watched'):
        op.execute(f"ALTER TABLE sites DROP COLUMN {column}")
