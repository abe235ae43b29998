"""Alembic environment: migrations of the PostgreSQL schema built from ``schema/``.

The target metadata is :func:`obsportal.schema.sql.build_metadata`, so
``alembic check`` compares the live database with the declarative catalog.
Views and TAP_SCHEMA rows are derived objects recreated by ``obsportal db
upgrade`` after the migrations; they are not migrated.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import context
from obsportal.schema.sql import MANAGED_SCHEMAS, build_metadata

config = context.config
target_metadata = build_metadata("postgresql")


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Only the schemas the service owns are compared (never pg_catalog or public)."""
    if type_ == "schema":
        return name in MANAGED_SCHEMAS
    return True


def include_object(obj: Any, name: str | None, type_: str, reflected: bool,
                   compare_to: Any) -> bool:
    # Views are derived objects, recreated at every upgrade.
    return not (type_ == "table" and reflected and compare_to is None
                and name in {"obscore"})


def _configure(connection: sa.Connection) -> None:
    # pg_sphere types are unknown to SQLAlchemy's reflection: they only appear in
    # expression indexes, which autogenerate compares by their SQL text.
    postgresql.base.ischema_names.setdefault("spoint", sa.types.NullType)
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_schemas=True,
        include_name=include_name,
        include_object=include_object,
        compare_type=True,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from obsportal.service.settings import get_settings
        url = get_settings().effective_database_url
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline SQL generation is not supported: run `obsportal db upgrade`")
run_migrations_online()
