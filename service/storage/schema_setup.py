"""Create, migrate and verify the database schema on either backend.

Tables come from :mod:`obsportal.schema`. On PostgreSQL they are created by
the alembic migrations (the first one creates the ``pg_sphere`` extension);
on SQLite by ``create_all``, since the embedded database is created fresh and
never shared. Views and the ``TAP_SCHEMA`` rows are *derived* objects: they
are rebuilt from code after every upgrade, so they can never drift from
``schema/``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

import obsportal
from alembic import command

from ...schema.catalog import CATALOG
from ...schema.domain import EXPOSURE
from ...schema.sql import MANAGED_SCHEMAS, POSTGRESQL, SQLITE, build_metadata, sa_table
from ...schema.tap_schema import TAP_SCHEMA_TABLES, tap_schema_rows
from ...schema.views import view_ddl
from .access_setup import install_access
from .engine import dialect_name

#: ``obsportal/migrations`` is the repository's ``alembic/`` folder, shipped in the package.
MIGRATIONS_DIR = Path(obsportal.__file__).parent / "migrations"


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """Alembic configuration pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: sa.Engine) -> None:
    """Bring the database to the current schema and rebuild derived objects."""
    dialect = dialect_name(engine)
    if dialect == POSTGRESQL:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")
    else:
        metadata = build_metadata(SQLITE)
        metadata.create_all(engine)
        _add_missing_sqlite_columns(engine, metadata)
    rebuild_derived(engine)


def _add_missing_sqlite_columns(engine: sa.Engine, metadata: sa.MetaData) -> None:
    """Bring an embedded database made by an older version up to the current tables.

    ``create_all`` adds new tables but not new columns. An empty table is simply
    recreated; a table with rows gets its new columns when they may be NULL, and
    a new NOT NULL column on a filled table stops with a clear message.
    """
    inspector = sa.inspect(engine)
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            present = {c["name"] for c in inspector.get_columns(table.name)}
            missing = [c for c in table.columns if c.name not in present]
            if not missing:
                continue
            if conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 0:
                conn.exec_driver_sql(f'DROP TABLE "{table.name}"')
                table.create(conn)
                continue
            for column in missing:
                if not column.nullable:
                    raise RuntimeError(
                        f"the embedded database's table {table.name} lacks the required "
                        f"column {column.name}: export its data and start a new database")
                kind = column.type.compile(dialect=conn.dialect)
                conn.exec_driver_sql(f'ALTER TABLE "{table.name}" ADD COLUMN '
                                     f'"{column.name}" {kind}')


def rebuild_derived(engine: sa.Engine) -> None:
    """Recreate the views and the TAP_SCHEMA rows from the declarative catalog."""
    dialect = dialect_name(engine)
    metadata = build_metadata(dialect)
    rows = tap_schema_rows(CATALOG.schemas, CATALOG.tables)
    with engine.begin() as conn:
        if dialect == POSTGRESQL:
            # Raw cursor, no parameters: the script contains '%' and '$$'.
            raw: Any = conn.connection.dbapi_connection
            cursor = raw.cursor()
            try:
                cursor.execute(_translator_functions_sql())
            finally:
                cursor.close()
        for statement in view_ddl(metadata, dialect, engine.dialect):
            conn.execute(sa.text(statement))
        if dialect == POSTGRESQL:
            install_access(conn)  # after the views: their grants go with them
        # Children first on delete, parents first on insert (foreign keys).
        for table in reversed(TAP_SCHEMA_TABLES):
            conn.execute(sa.delete(sa_table(metadata, table, dialect)))
        for table in TAP_SCHEMA_TABLES:
            if rows[table.name]:
                conn.execute(sa.insert(sa_table(metadata, table, dialect)), rows[table.name])


def _translator_functions_sql() -> str:
    """SQL functions the ADQL translator's PostgreSQL emitter calls (adql/sql/)."""
    return (resources.files("obsportal.adql") / "sql" / "pgsphere_functions.sql").read_text()


def schema_differences(engine: sa.Engine) -> list[Any]:
    """Differences between the live tables and ``schema/`` (empty when in sync)."""
    dialect = dialect_name(engine)
    metadata = build_metadata(dialect)
    opts: dict[str, Any] = {"compare_type": True}
    if dialect == POSTGRESQL:
        opts.update(include_schemas=True,
                    include_name=lambda name, type_, parent: type_ != "schema"
                    or name in MANAGED_SCHEMAS)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts=opts)
        diffs = compare_metadata(context, metadata)
        if dialect == POSTGRESQL:
            pending = _pending_revisions(conn)
            if pending:
                diffs.append(("pending_migrations", pending))
    return [d for d in diffs if not _is_version_table(d)]


def _pending_revisions(conn: sa.Connection) -> list[str]:
    from alembic.script import ScriptDirectory
    script = ScriptDirectory.from_config(alembic_config())
    context = MigrationContext.configure(conn)
    current = set(context.get_current_heads())
    return [h for h in script.get_heads() if h not in current]


def _is_version_table(diff: Any) -> bool:
    return (isinstance(diff, tuple) and len(diff) > 1 and diff[0] == "remove_table"
            and getattr(diff[1], "name", None) == "alembic_version")


def is_initialised(engine: sa.Engine) -> bool:
    """True when the exposure table exists (the schema was created)."""
    schema, name = EXPOSURE.sql_name(dialect_name(engine))
    return sa.inspect(engine).has_table(name, schema=schema)


def count_exposures(engine: sa.Engine) -> int:
    dialect = dialect_name(engine)
    table = sa_table(build_metadata(dialect), EXPOSURE, dialect)
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
