"""The analysts' SQL views (``latest_records``, ``task_history``, ``contact_history``), in each dialect's words.

Each set is named after the migration that made it and never changes after (migrations keep making
what they made): ``views_0001`` is what migration 0001 made (and 0002's downgrade puts back). A
migration that changes a view adds its own set here, and ``view_statements``, what a new database
gets (``storage.migrate.create_database``), names the newest.
"""

from __future__ import annotations


def _json(dialect: str, path: str) -> str:
    """A JSON text value of the record column, in the dialect's words."""
    if dialect == "postgresql":
        parts = path.split(".")
        expr = "v.record::jsonb"
        for part in parts[:-1]:
            expr = f"({expr} -> '{part}')"
        return f"({expr} ->> '{parts[-1]}')"
    return f"json_extract(v.record, '$.{path}')"


def views_0001(dialect: str) -> list[str]:
    """``CREATE VIEW`` statements for ``dialect`` (``sqlite`` or ``postgresql``), as of migration 0001."""
    completion = _json(dialect, "completion")
    if dialect == "postgresql":
        completion = f"({completion})::integer"
    return [
        f"""CREATE VIEW latest_records AS
SELECT m.id AS measure_id, s.base_url AS site, m.url, m.identifier, m.language,
       v.number AS version, v.verdict, v.first_seen_at AS version_first_seen_at,
       v.last_seen_at AS version_last_seen_at, m.last_seen_at AS checked_at,
       {_json(dialect, "name")} AS name, {_json(dialect, "status.label")} AS status,
       {_json(dialect, "status.identifier")} AS status_identifier, {completion} AS completion,
       {_json(dialect, "updated_on")} AS updated_on, m.removed_at, m.merged_into, v.record
FROM measures m
JOIN sites s ON s.id = m.site_id
JOIN versions v ON v.measure_id = m.id
WHERE v.number = (SELECT max(v2.number) FROM versions v2 WHERE v2.measure_id = m.id)""",
        """CREATE VIEW task_history AS
SELECT m.id AS measure_id, s.base_url AS site, m.url, m.identifier AS measure,
       t.task_key, t.task_id, t.name, t.state, t.due_date, t.completed_date, t.due_period, t.comment,
       t.valid_from AS from_version, t.valid_until AS until_version,
       vf.first_seen_at AS valid_from, vu.first_seen_at AS valid_until
FROM task_states t
JOIN measures m ON m.id = t.measure_id
JOIN sites s ON s.id = m.site_id
JOIN versions vf ON vf.measure_id = t.measure_id AND vf.number = t.valid_from
LEFT JOIN versions vu ON vu.measure_id = t.measure_id AND vu.number = t.valid_until""",
        """CREATE VIEW contact_history AS
SELECT m.id AS measure_id, s.base_url AS site, m.url, m.identifier AS measure,
       c.contact_key, c.contact_id, c.name, c.title, c.organization, c.is_primary,
       c.valid_from AS from_version, c.valid_until AS until_version,
       vf.first_seen_at AS valid_from, vu.first_seen_at AS valid_until
FROM contact_states c
JOIN measures m ON m.id = c.measure_id
JOIN sites s ON s.id = m.site_id
JOIN versions vf ON vf.measure_id = c.measure_id AND vf.number = c.valid_from
LEFT JOIN versions vu ON vu.measure_id = c.measure_id AND vu.number = c.valid_until""",
    ]


#: The views of the current schema.
view_statements = views_0001
