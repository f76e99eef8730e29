"""Capture headers: the answer's HTTP headers, kept with a stored body so a WARC export can
write the response as it came (``vahti export --format warc``). Older captures have none.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('captures', sa.Column('headers', sa.Text(), nullable=True))  # plain ADD COLUMN: views stay


def downgrade() -> None:
    op.execute("ALTER TABLE captures DROP COLUMN headers")
