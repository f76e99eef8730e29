"""Checks as runs: an unchanged check extends the run of captures that confirmed the same version.

Adds ``checks`` (how many checks the row stands for), ``last_checked_at`` (the last of
them) and ``longest_gap_s`` (the longest time between two of them) to ``captures``,
then folds every existing run of consecutive captures of a measure that confirmed the
same version the same way (unchanged, or 304 not modified) into its first row: events
and versions that pointed at a folded row point at the run. Every fact an old archive
held stays: which version each check saw, when the run started and ended, how many
checks it holds and how far apart they came. Downgrading keeps one row per run.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_RUN_OUTCOMES = ("unchanged", "not_modified")


def upgrade() -> None:
    with op.batch_alter_table('captures') as batch:
        batch.add_column(sa.Column('checks', sa.Integer(), nullable=False, server_default='1'))
        batch.add_column(sa.Column('last_checked_at', storage.models.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('longest_gap_s', sa.Integer(), nullable=True))
    conn = op.get_bind()
    _fold_runs(conn)


def _fold_runs(conn: sa.Connection) -> None:
    utc = storage.models.UTCDateTime()
    captures = sa.table('captures', sa.column('id'), sa.column('measure_id'), sa.column('requested_at', utc),
                        sa.column('outcome'), sa.column('version_id'), sa.column('error'), sa.column('blob_id'),
                        sa.column('etag'), sa.column('last_modified'), sa.column('http_status'),
                        sa.column('duration_ms'), sa.column('checks'), sa.column('last_checked_at', utc),
                        sa.column('longest_gap_s'))
    events = sa.table('events', sa.column('capture_id'))
    versions = sa.table('versions', sa.column('last_capture_id'), sa.column('first_capture_id'))
    c = captures.c
    rows = conn.execute(sa.select(c.id, c.measure_id, c.requested_at, c.outcome, c.version_id, c.error, c.blob_id,
                                  c.etag, c.last_modified, c.http_status, c.duration_ms)
                        .where(c.measure_id.is_not(None)).order_by(c.measure_id, c.requested_at, c.id))
    run: list[sa.Row] = []  # type: ignore[type-arg]

    def close() -> None:
        if len(run) > 1:
            head, tail = run[0], run[1:]
            times = [r.requested_at for r in run]
            gap = max(int((b - a).total_seconds()) for a, b in zip(times, times[1:]))
            last = run[-1]
            conn.execute(captures.update().where(captures.c.id == head.id).values(
                checks=len(run), last_checked_at=times[-1], longest_gap_s=gap, etag=last.etag,
                last_modified=last.last_modified, http_status=last.http_status, duration_ms=last.duration_ms))
            ids = [r.id for r in tail]
            for i in range(0, len(ids), 500):
                chunk = ids[i:i + 500]
                conn.execute(events.update().where(events.c.capture_id.in_(chunk)).values(capture_id=head.id))
                conn.execute(versions.update().where(versions.c.last_capture_id.in_(chunk))
                             .values(last_capture_id=head.id))
                conn.execute(captures.delete().where(captures.c.id.in_(chunk)))
        run.clear()

    for row in rows.all():
        extends = (run and row.measure_id == run[0].measure_id and row.outcome == run[0].outcome
                   and row.version_id == run[0].version_id)
        foldable = row.outcome in _RUN_OUTCOMES and row.error is None and row.blob_id is None
        if not (extends and foldable):
            close()
        if foldable:
            run.append(row)
    close()


def downgrade() -> None:
    with op.batch_alter_table('captures') as batch:
        batch.drop_column('longest_gap_s')
        batch.drop_column('last_checked_at')
        batch.drop_column('checks')
