"""Engine creation for the two backends.

SQLite connections get foreign keys, WAL and the translator's user-defined
functions on connect, so every connection can run translated ADQL.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlalchemy as sa

from ...schema.sql import POSTGRESQL, SQLITE


def dialect_name(engine: sa.Engine) -> str:
    """``postgresql`` or ``sqlite``: the names the translator and schema use."""
    name = engine.dialect.name
    if name not in (POSTGRESQL, SQLITE):
        raise ValueError(f"unsupported database backend {name!r}: use PostgreSQL or SQLite")
    return name


def _on_sqlite_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # ADQL LIKE is case-sensitive (ILIKE is not); SQLite's LIKE is not by default.
    cursor.execute("PRAGMA case_sensitive_like=ON")
    cursor.close()
    register_udfs(dbapi_connection)


def register_udfs(connection: sqlite3.Connection) -> None:
    """Register the ADQL translator's SQLite functions, when it is installed."""
    from ... import adql

    register = getattr(adql, "register_sqlite_functions", None)
    if register is not None:
        register(connection)


def make_engine(url: str, **kwargs: Any) -> sa.Engine:
    """Create an engine for ``url`` with the backend's connection setup."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, **kwargs)
        sa.event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg2://" + url.removeprefix("postgresql://")
    return sa.create_engine(url, pool_pre_ping=True, **kwargs)
