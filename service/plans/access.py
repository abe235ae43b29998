"""Transactions on private tables as a given caller, on either backend.

On PostgreSQL the transaction switches to the editor role after writing the
caller into the settings the row-level security policies read: the database
itself refuses to show or change another team's rows. On SQLite every read of
a private table adds the same visibility rule (:mod:`schema.access_rules`) with
the caller's values; writes are checked in :mod:`service.plans.store` before
they are made.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from ...harvesters.derive.night import datetime_to_mjd
from ...schema.access_rules import EDITOR_ROLE, Viewer, visibility_predicate
from ...schema.model import Table
from ...schema.sql import POSTGRESQL, stored_table
from ..access.session import bind_caller


@contextmanager
def caller_transaction(engine: sa.Engine, viewer: Viewer | None,
                       role: str = EDITOR_ROLE) -> Iterator[sa.Connection]:
    """A transaction as ``viewer``; ``None`` is the system (harvests, matching, CLI)."""
    with engine.begin() as conn:
        if viewer is not None:
            bind_caller(conn, viewer, role)
        yield conn


def visible(conn: sa.Connection, table: Table, viewer: Viewer | None
            ) -> list[sa.TextClause]:
    """Extra WHERE conditions that keep only rows ``viewer`` may see (SQLite only).

    On PostgreSQL row-level security already applies; ``None`` (system) sees all.
    """
    dialect = conn.dialect.name
    if viewer is None or dialect == POSTGRESQL:
        return []
    schema, name = table.sql_name(dialect)
    alias = f'"{name}"' if schema is None else f'"{schema}"."{name}"'
    return [sa.text(visibility_predicate(table, alias, dialect, viewer))]


def table_of(conn: sa.Connection, table: Table) -> sa.Table:
    return stored_table(table, conn.dialect.name)


def mjd_now() -> float:
    return datetime_to_mjd(datetime.now(UTC))


def as_json(row: Any) -> dict[str, Any]:
    """A result row as JSON-ready values (ISO times)."""
    out = {}
    for key, value in dict(row).items():
        out[key] = value.isoformat() if isinstance(value, datetime) else value
    return out
