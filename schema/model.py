"""Types of the declarative catalog: schemas, tables, columns, keys.

Every table the service knows is described once with these classes. Everything
else — DDL (through SQLAlchemy), TAP_SCHEMA rows, VOSI ``/tables``, VOTable
FIELDs and the ADQL translator's name resolution — is derived from them, so a
unit or a UCD is never written twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class AdqlType(StrEnum):
    """Logical column types, in ADQL/TAP 1.0 naming.

    The VOTable datatype, arraysize and xtype published in TAP_SCHEMA (TAP 1.1
    form) are derived from this through :func:`votable_type`.
    """

    BOOLEAN = "BOOLEAN"
    SMALLINT = "SMALLINT"
    INTEGER = "INTEGER"
    BIGINT = "BIGINT"
    REAL = "REAL"
    DOUBLE = "DOUBLE"
    CHAR = "CHAR"
    VARCHAR = "VARCHAR"
    CLOB = "CLOB"
    TIMESTAMP = "TIMESTAMP"
    POINT = "POINT"
    CIRCLE = "CIRCLE"
    POLYGON = "POLYGON"
    #: A sky region published as an STC-S string (ObsCore ``s_region``).
    REGION = "REGION"


@dataclass(frozen=True)
class VOTableType:
    """VOTable serialisation of a column: datatype, arraysize, xtype."""

    datatype: str
    arraysize: str | None = None
    xtype: str | None = None


_SCALAR_VOTABLE = {
    AdqlType.BOOLEAN: "boolean",
    AdqlType.SMALLINT: "short",
    AdqlType.INTEGER: "int",
    AdqlType.BIGINT: "long",
    AdqlType.REAL: "float",
    AdqlType.DOUBLE: "double",
}


def votable_type(datatype: AdqlType, length: int | None = None,
                 unicode: bool = False) -> VOTableType:
    """Map a logical type to its VOTable 1.4 / DALI 1.1 serialisation.

    ``unicode`` text (free text such as titles and names of people) is published
    as ``unicodeChar``: VOTable 1.4 ``char`` is ASCII and common readers reject
    other bytes in binary serialisations.
    """
    if datatype in _SCALAR_VOTABLE:
        return VOTableType(_SCALAR_VOTABLE[datatype])
    if datatype is AdqlType.CHAR:
        return VOTableType("char", str(length) if length else "*")
    text_type = "unicodeChar" if unicode else "char"
    if datatype is AdqlType.VARCHAR:
        return VOTableType(text_type, f"{length}*" if length else "*")
    if datatype is AdqlType.CLOB:
        return VOTableType(text_type, "*")
    if datatype is AdqlType.TIMESTAMP:
        return VOTableType("char", "*", "timestamp")
    if datatype is AdqlType.POINT:
        return VOTableType("double", "2", "point")
    if datatype is AdqlType.CIRCLE:
        return VOTableType("double", "3", "circle")
    if datatype is AdqlType.POLYGON:
        return VOTableType("double", "*", "polygon")
    if datatype is AdqlType.REGION:
        return VOTableType("char", "*", "adql:REGION")
    raise ValueError(f"no VOTable mapping for {datatype}")


@dataclass(frozen=True)
class Column:
    """One column with the metadata TAP publishes about it.

    ``published=False`` marks storage-only columns (surrogate keys used by the
    harvest pipeline, the HEALPix index column of the SQLite backend, access
    control columns): they exist in the database but never in TAP_SCHEMA, so
    ADQL cannot name them.
    """

    name: str
    datatype: AdqlType
    description: str
    unit: str | None = None
    ucd: str | None = None
    utype: str | None = None
    length: int | None = None
    principal: bool = False
    indexed: bool = False
    std: bool = False
    nullable: bool = True
    primary_key: bool = False
    unique: bool = False
    published: bool = True
    autoincrement: bool = False
    #: Free text that may hold non-ASCII characters (published as unicodeChar).
    unicode: bool = False
    #: The name is an ADQL reserved word: clients must write it delimited ("size").
    delimited: bool = False

    @property
    def adql_name(self) -> str:
        """The name as published in TAP_SCHEMA and VOSI (quoted when it must be)."""
        return f'"{self.name}"' if self.delimited else self.name

    @property
    def votable(self) -> VOTableType:
        return votable_type(self.datatype, self.length, self.unicode)


@dataclass(frozen=True)
class ForeignKey:
    """A key TAP_SCHEMA declares so clients (TOPCAT) can offer the join."""

    key_id: str
    columns: tuple[str, ...]
    target: str  # qualified "schema.table"
    target_columns: tuple[str, ...]
    description: str = ""
    published: bool = True
    #: False for keys only declared to clients (no database constraint), e.g. TAP_SCHEMA's.
    constraint: bool = True


@dataclass(frozen=True)
class Index:
    """A secondary index; ``method='gist_spoint'`` asks for a pgsphere GiST
    index on ``spoint(radians(ra), radians(dec))`` built from two columns."""

    name: str
    columns: tuple[str, ...]
    unique: bool = False
    method: str = "btree"


@dataclass(frozen=True)
class SkyPosition:
    """Declares which columns hold a table's ICRS position.

    The PostgreSQL backend indexes them with a functional pgsphere GiST index;
    the SQLite backend keeps ``healpix_column`` (NESTED, ``HEALPIX_ORDER``)
    up to date so cone searches are prefiltered on a B-tree.
    """

    ra: str
    dec: str
    healpix_column: str = "healpix"


#: HEALPix order of the SQLite position index (nside 4096, ~0.86' pixels).
HEALPIX_ORDER = 12


@dataclass(frozen=True)
class Table:
    """A table or view, in a schema, with its columns and keys."""

    schema: str
    name: str
    description: str
    columns: tuple[Column, ...]
    utype: str | None = None
    kind: str = "table"  # "table" or "view"
    published: bool = True
    foreign_keys: tuple[ForeignKey, ...] = ()
    indexes: tuple[Index, ...] = ()
    unique_constraints: tuple[tuple[str, ...], ...] = ()
    position: SkyPosition | None = None
    #: True for tables whose rows belong to a team (row-level security).
    private: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def published_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.published)

    @property
    def primary_key(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.primary_key)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.qualified_name} has no column {name!r}")

    def sql_name(self, dialect: str) -> tuple[str | None, str]:
        """(schema, table) as the given SQL dialect stores them.

        SQLite has no schemas inside one file, so ``ivoa.obscore`` is stored
        as the table ``ivoa_obscore`` there.
        """
        if dialect == "sqlite":
            return None, f"{self.schema}_{self.name}"
        return self.schema, self.name


@dataclass(frozen=True)
class Schema:
    name: str
    description: str
    utype: str | None = None
    published: bool = True
