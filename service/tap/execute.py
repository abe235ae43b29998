"""Run one translated ADQL query and stream its result document.

The query runs read-only (a READ ONLY transaction on PostgreSQL,
``PRAGMA query_only`` on SQLite) with a time limit (``statement_timeout`` on
PostgreSQL, a progress handler on SQLite). Rows come from a server-side cursor
in batches and go straight into the streaming writer, so memory stays flat
whatever the result size. Uploaded tables are created as temporary tables on
the same connection and disappear with it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ... import adql, votable
from ...schema.access_rules import ANONYMOUS, QUERY_ADMIN_ROLE, QUERY_ROLE, Viewer
from ...schema.catalog import CATALOG
from ...schema.model import Column, Table
from ..access.session import bind_caller
from ..settings import Settings
from .params import TapRequest

log = logging.getLogger("obsportal.tap")

FETCH_BATCH = 2000
WRITE_SIZE = 1 << 16
INFOS = {"SERVICE_PROTOCOL": "ivo://ivoa.net/std/TAP", "REQUEST": "doQuery"}


class QueryError(Exception):
    """A query could not be translated or run; the message is for the user."""


@dataclass
class UploadedTable:
    """A parsed upload: its catalog description and rows."""

    name: str
    columns: list[Column]
    rows: list[tuple[Any, ...]]

    @property
    def physical_name(self) -> str:
        return f"tap_upload_{self.name.lower()}"

    def table(self) -> Table:
        return Table(schema="TAP_UPLOAD", name=self.name, description="uploaded table",
                     columns=tuple(self.columns))


@dataclass
class PreparedQuery:
    """A query ready to run: SQL, output columns and the effective MAXREC."""

    sql: str
    parameters: dict[str, Any]
    columns: list[Column]
    maxrec: int
    fmt: Any
    uploads: list[UploadedTable] = field(default_factory=list)
    query_text: str = ""
    #: Who runs it: private rows are filtered for this caller (RLS or translator).
    viewer: Viewer = ANONYMOUS


def prepare(engine: sa.Engine, request: TapRequest, settings: Settings,
            uploads: Sequence[UploadedTable] = (), viewer: Viewer = ANONYMOUS
            ) -> PreparedQuery:
    """Translate the ADQL of ``request``; raise :class:`QueryError` with a clear message."""
    try:
        fmt = votable.resolve_format(request.response_format)
    except votable.UnsupportedFormat as exc:
        raise QueryError(str(exc)) from exc
    maxrec = settings.maxrec_default if request.maxrec is None else request.maxrec
    if maxrec > settings.maxrec_hard:
        maxrec = settings.maxrec_hard
    mapping = {u.name: (u.table(), u.physical_name) for u in uploads}
    try:
        translation = adql.translate(request.query, catalog=CATALOG,
                                     dialect=engine.dialect.name, maxrec=maxrec,
                                     uploads=mapping, viewer=viewer)
    except adql.AdqlError as exc:
        raise QueryError(str(exc)) from exc
    return PreparedQuery(sql=translation.sql, parameters=dict(translation.parameters),
                         columns=list(translation.columns), maxrec=maxrec, fmt=fmt,
                         uploads=list(uploads), query_text=request.query, viewer=viewer)


def _create_uploads(conn: sa.Connection, uploads: Sequence[UploadedTable]) -> None:
    from ...schema.sql import column_type

    for upload in uploads:
        metadata = sa.MetaData()
        table = sa.Table(upload.physical_name, metadata,
                         *(sa.Column(c.name, column_type(c, conn.dialect.name))
                           for c in upload.columns),
                         prefixes=["TEMPORARY"])
        table.create(conn)
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f'GRANT SELECT ON "{upload.physical_name}" TO '
                                 f"{QUERY_ROLE}, {QUERY_ADMIN_ROLE}")
        if upload.rows:
            names = [c.name for c in upload.columns]
            conn.execute(sa.insert(table), [dict(zip(names, row, strict=True))
                                            for row in upload.rows])


def stream(engine: sa.Engine, prepared: PreparedQuery, timeout: float,
           on_backend: Callable[[Any], None] | None = None,
           stats: dict[str, Any] | None = None) -> Iterator[bytes]:
    """Execute ``prepared`` and yield the encoded document in chunks.

    ``on_backend`` receives the PostgreSQL backend pid (or the sqlite3
    connection) so an ABORT can cancel the running statement.
    """
    conn = engine.connect()
    try:
        try:
            rows = _execute(conn, prepared, timeout, on_backend)
        except sa.exc.DBAPIError as exc:
            raise QueryError(_database_message(exc)) from exc
        yield from _coalesce(votable.write_result(
            prepared.columns, rows, prepared.fmt, maxrec=prepared.maxrec,
            query=prepared.query_text, infos=INFOS, stats=stats))
    finally:
        _cleanup(conn, prepared)


def _coalesce(chunks: Iterator[bytes], size: int = WRITE_SIZE) -> Iterator[bytes]:
    """Join small pieces into writes of ``size`` bytes.

    A document written as many small pieces meets Nagle's algorithm and delayed
    ACKs on the way: a small result would then wait ~40 ms for nothing.
    """
    pending = bytearray()
    for chunk in chunks:
        pending += chunk
        if len(pending) >= size:
            yield bytes(pending)
            pending.clear()
    if pending:
        yield bytes(pending)


def _execute(conn: sa.Connection, prepared: PreparedQuery, timeout: float,
             on_backend: Callable[[Any], None] | None) -> Iterator[tuple[Any, ...]]:
    dialect = conn.dialect.name
    if prepared.uploads:
        with conn.begin():
            _create_uploads(conn, prepared.uploads)
    if dialect == "postgresql":
        conn.begin()
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(timeout * 1000)}")
        # From here on the query runs as the query role, as this caller: row-level
        # security decides which private rows exist for it.
        bind_caller(conn, prepared.viewer, QUERY_ROLE)
        if on_backend:
            on_backend(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar())
        # Per statement: Connection.execution_options() would leave the connection in
        # streaming mode, and the cleanup's DROP TABLE would then be DECLAREd as a cursor.
        result = conn.execute(sa.text(prepared.sql), prepared.parameters,
                              execution_options={"stream_results": True,
                                                 "max_row_buffer": FETCH_BATCH})
    else:
        raw: Any = conn.connection.dbapi_connection
        deadline = time.monotonic() + timeout
        raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        conn.exec_driver_sql("PRAGMA query_only = 1")
        if on_backend:
            on_backend(raw)
        result = conn.execute(sa.text(prepared.sql), prepared.parameters)
    return _rows(result)


def _rows(result: sa.CursorResult[Any]) -> Iterator[tuple[Any, ...]]:
    try:
        while True:
            batch = result.fetchmany(FETCH_BATCH)
            if not batch:
                return
            for row in batch:
                yield tuple(row)
    except sa.exc.OperationalError as exc:
        raise QueryError(_database_message(exc)) from exc
    except sa.exc.DBAPIError as exc:
        raise QueryError(_database_message(exc)) from exc


def _database_message(exc: sa.exc.DBAPIError) -> str:
    text = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    if "statement timeout" in text or "interrupted" in text:
        return "query exceeded its time limit and was cancelled; narrow it, or use /tap/async"
    if "canceling statement due to user request" in text:
        return "query was aborted"
    return f"database error: {text}"


def _cleanup(conn: sa.Connection, prepared: PreparedQuery) -> None:
    try:
        if conn.in_transaction():
            conn.rollback()
        if conn.dialect.name == "sqlite":
            raw: Any = conn.connection.dbapi_connection
            raw.set_progress_handler(None, 0)
            conn.exec_driver_sql("PRAGMA query_only = 0")
        for upload in prepared.uploads:
            conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{upload.physical_name}"')
        if conn.in_transaction():
            conn.commit()
    except sa.exc.SQLAlchemyError:
        log.warning("connection cleanup failed; discarding it", exc_info=True)
        conn.invalidate()
    finally:
        conn.close()
