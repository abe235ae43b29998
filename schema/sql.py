"""SQLAlchemy metadata built from the declarative catalog, per SQL dialect.

Tables only: views are derived objects created by :mod:`schema.views`.
PostgreSQL gets real schemas and pgsphere GiST indexes on
``spoint(radians(ra), radians(dec))``; SQLite gets prefixed table names and
relies on the HEALPix column for positional indexing.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeEngine

from .catalog import CATALOG, Catalog
from .model import AdqlType, Column, Table

POSTGRESQL = "postgresql"
SQLITE = "sqlite"

#: PostgreSQL schemas created and migrated by the service.
MANAGED_SCHEMAS = ("ivoa", "obsportal", "tap_schema", "uws", "auth")


def column_type(col: Column, dialect: str) -> TypeEngine[Any]:
    """SQL storage type of a column (geometry columns are stored as text)."""
    t = col.datatype
    if t is AdqlType.BIGINT:
        # SQLite only autoincrements an INTEGER PRIMARY KEY.
        if dialect == SQLITE and col.primary_key:
            return sa.Integer()
        return sa.BigInteger()
    mapping: dict[AdqlType, TypeEngine[Any]] = {
        AdqlType.BOOLEAN: sa.Boolean(),
        AdqlType.SMALLINT: sa.SmallInteger(),
        AdqlType.INTEGER: sa.Integer(),
        AdqlType.REAL: sa.REAL(),
        AdqlType.DOUBLE: sa.Double(),
        AdqlType.CHAR: sa.String(col.length),
        AdqlType.VARCHAR: sa.String(col.length),
        AdqlType.CLOB: sa.Text(),
        AdqlType.TIMESTAMP: sa.DateTime(),
        AdqlType.REGION: sa.Text(),
        AdqlType.POINT: sa.Text(),
        AdqlType.CIRCLE: sa.Text(),
        AdqlType.POLYGON: sa.Text(),
    }
    return mapping[t]


def _sa_column(col: Column, dialect: str) -> sa.Column[object]:
    return sa.Column(
        col.name,
        column_type(col, dialect),
        primary_key=col.primary_key,
        nullable=col.nullable and not col.primary_key,
        autoincrement=col.autoincrement if col.primary_key else False,
        unique=col.unique or None,
        comment=col.description if dialect == POSTGRESQL else None,
    )


def _target_ref(catalog: Catalog, qualified: str, column: str, dialect: str) -> str:
    schema, name = catalog.table(qualified).sql_name(dialect)
    return f"{schema}.{name}.{column}" if schema else f"{name}.{column}"


def add_table(metadata: sa.MetaData, table: Table, dialect: str,
              catalog: Catalog = CATALOG) -> sa.Table:
    """Add one catalog table to ``metadata`` in the dialect's form."""
    schema, name = table.sql_name(dialect)
    items: list[Any] = [_sa_column(c, dialect) for c in table.columns]
    for key in table.foreign_keys:
        if not key.constraint:
            continue
        refs = [_target_ref(catalog, key.target, c, dialect) for c in key.target_columns]
        items.append(sa.ForeignKeyConstraint(list(key.columns), refs, name=f"fk_{key.key_id}"))
    for cols in table.unique_constraints:
        items.append(sa.UniqueConstraint(*cols, name=f"uq_{table.name}_{'_'.join(cols)}"))
    sa_table = sa.Table(name, metadata, *items, schema=schema,
                        comment=table.description if dialect == POSTGRESQL else None)
    _add_indexes(sa_table, table, dialect)
    return sa_table


def _add_indexes(sa_table: sa.Table, table: Table, dialect: str) -> None:
    prefix = f"ix_{table.schema}_{table.name}"
    explicit = {c for idx in table.indexes if idx.method == "btree" for c in idx.columns}
    for col in table.columns:
        if col.indexed and not (col.primary_key or col.unique) and col.name not in explicit:
            sa.Index(f"{prefix}_{col.name}", sa_table.c[col.name])
    for idx in table.indexes:
        if idx.method == "gist_spoint":
            if dialect != POSTGRESQL:
                continue
            ra, dec = idx.columns
            sa.Index(idx.name, sa.text(f'spoint(radians("{ra}"), radians("{dec}"))'),
                     postgresql_using="gist", _table=sa_table)
        else:
            sa.Index(f"{prefix}_{idx.name}", *(sa_table.c[c] for c in idx.columns),
                     unique=idx.unique)


def build_metadata(dialect: str, catalog: Catalog = CATALOG) -> sa.MetaData:
    """Metadata of every stored table (views excluded) for ``dialect``."""
    metadata = sa.MetaData()
    for table in catalog.tables:
        if table.kind == "table":
            add_table(metadata, table, dialect, catalog)
    return metadata


def sa_table(metadata: sa.MetaData, table: Table, dialect: str) -> sa.Table:
    """The SQLAlchemy table of a catalog table inside ``metadata``."""
    schema, name = table.sql_name(dialect)
    return metadata.tables[f"{schema}.{name}" if schema else name]


@lru_cache(maxsize=2)
def catalog_metadata(dialect: str) -> sa.MetaData:
    """The service catalog's metadata, built once per dialect (building it takes ~20 ms:
    request handlers must not pay that on every call). Shared: read it, never change it."""
    return build_metadata(dialect)


def stored_table(table: Table, dialect: str) -> sa.Table:
    """The SQLAlchemy table of a catalog table, from :func:`catalog_metadata`."""
    return sa_table(catalog_metadata(dialect), table, dialect)
