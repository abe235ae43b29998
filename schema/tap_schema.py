"""TAP_SCHEMA (TAP 1.1 form) described with the same model, and its rows.

The five tables are declared here like any other published table, so they
appear in their own metadata; :func:`tap_schema_rows` derives their content
from the catalog. Nothing in TAP_SCHEMA is written by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .model import AdqlType as T
from .model import Column, ForeignKey, Schema, Table

TAP_SCHEMA_NAME = "tap_schema"


def _c(name: str, datatype: T, description: str, *, nullable: bool = True,
       delimited: bool = False) -> Column:
    return Column(name, datatype, description, principal=True, std=True, nullable=nullable,
                  delimited=delimited)


def _key(key_id: str, column: str, target: str, target_column: str) -> ForeignKey:
    # Declared for clients (taplint checks them); TAP_SCHEMA rows are rebuilt from code,
    # so no database constraint is needed.
    return ForeignKey(key_id, (column,), f"{TAP_SCHEMA_NAME}.{target}", (target_column,),
                      f"TAP_SCHEMA {key_id.replace('_', ' ')}", constraint=False)


SCHEMAS = Table(
    TAP_SCHEMA_NAME, "schemas", "Schemas published by this service.",
    columns=(
        _c("schema_name", T.VARCHAR, "Schema name, as used in queries.", nullable=False),
        _c("utype", T.VARCHAR, "Data model of the schema."),
        _c("description", T.VARCHAR, "Description of the schema."),
        _c("schema_index", T.INTEGER, "Recommended order of display."),
    ),
)
TABLES = Table(
    TAP_SCHEMA_NAME, "tables", "Tables published by this service.",
    columns=(
        _c("schema_name", T.VARCHAR, "Schema containing the table.", nullable=False),
        _c("table_name", T.VARCHAR, "Qualified table name, as used in queries.",
           nullable=False),
        _c("table_type", T.VARCHAR, "table or view.", nullable=False),
        _c("utype", T.VARCHAR, "Data model of the table."),
        _c("description", T.VARCHAR, "Description of the table."),
        _c("table_index", T.INTEGER, "Recommended order of display."),
    ),
    foreign_keys=(_key("tables_schema", "schema_name", "schemas", "schema_name"),),
)
COLUMNS = Table(
    TAP_SCHEMA_NAME, "columns", "Columns of the published tables.",
    columns=(
        _c("table_name", T.VARCHAR, "Qualified table name.", nullable=False),
        _c("column_name", T.VARCHAR, "Column name.", nullable=False),
        _c("datatype", T.VARCHAR, "VOTable datatype.", nullable=False),
        _c("arraysize", T.VARCHAR, "VOTable arraysize."),
        _c("xtype", T.VARCHAR, "VOTable/DALI extended type."),
        _c("size", T.INTEGER, "Length of fixed-size values (deprecated, TAP 1.0).",
           delimited=True),
        _c("description", T.VARCHAR, "Description of the column."),
        _c("utype", T.VARCHAR, "Data model field of the column."),
        _c("unit", T.VARCHAR, "Unit (VOUnit)."),
        _c("ucd", T.VARCHAR, "UCD 1+ of the column."),
        _c("indexed", T.INTEGER, "1 if the column is indexed.", nullable=False),
        _c("principal", T.INTEGER, "1 if the column is shown by default.", nullable=False),
        _c("std", T.INTEGER, "1 if the column is defined by a standard.", nullable=False),
        _c("column_index", T.INTEGER, "Recommended order of display."),
    ),
    foreign_keys=(_key("columns_table", "table_name", "tables", "table_name"),),
)
KEYS = Table(
    TAP_SCHEMA_NAME, "keys", "Foreign keys between published tables.",
    columns=(
        _c("key_id", T.VARCHAR, "Key identifier.", nullable=False),
        _c("from_table", T.VARCHAR, "Table holding the foreign key.", nullable=False),
        _c("target_table", T.VARCHAR, "Table the key points to.", nullable=False),
        _c("utype", T.VARCHAR, "Data model of the key."),
        _c("description", T.VARCHAR, "Description of the key."),
    ),
    foreign_keys=(_key("keys_from_table", "from_table", "tables", "table_name"),
                  _key("keys_target_table", "target_table", "tables", "table_name")),
)
KEY_COLUMNS = Table(
    TAP_SCHEMA_NAME, "key_columns", "Column pairs of the foreign keys.",
    columns=(
        _c("key_id", T.VARCHAR, "Key identifier.", nullable=False),
        _c("from_column", T.VARCHAR, "Column in from_table.", nullable=False),
        _c("target_column", T.VARCHAR, "Column in target_table.", nullable=False),
    ),
    foreign_keys=(_key("key_columns_key", "key_id", "keys", "key_id"),),
)

TAP_SCHEMA_TABLES = (SCHEMAS, TABLES, COLUMNS, KEYS, KEY_COLUMNS)


def _flag(value: bool) -> int:
    return 1 if value else 0


def _size(col: Column) -> int | None:
    arraysize = col.votable.arraysize
    if arraysize and arraysize.isdigit():
        return int(arraysize)
    return None


def tap_schema_rows(
    schemas: Iterable[Schema], tables: Iterable[Table]
) -> dict[str, list[dict[str, Any]]]:
    """Rows of every TAP_SCHEMA table for the given published schemas/tables."""
    published = [t for t in tables if t.published]
    rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in TAP_SCHEMA_TABLES}
    for index, schema in enumerate(s for s in schemas if s.published):
        rows["schemas"].append({"schema_name": schema.name, "utype": schema.utype,
                                "description": schema.description, "schema_index": index})
    for table_index, table in enumerate(published):
        rows["tables"].append({
            "schema_name": table.schema, "table_name": table.qualified_name,
            "table_type": table.kind, "utype": table.utype,
            "description": table.description, "table_index": table_index,
        })
        for column_index, col in enumerate(table.published_columns):
            vot = col.votable
            rows["columns"].append({
                "table_name": table.qualified_name, "column_name": col.adql_name,
                "datatype": vot.datatype, "arraysize": vot.arraysize, "xtype": vot.xtype,
                "size": _size(col), "description": col.description, "utype": col.utype,
                "unit": col.unit, "ucd": col.ucd, "indexed": _flag(col.indexed),
                "principal": _flag(col.principal), "std": _flag(col.std),
                "column_index": column_index,
            })
        for key in table.foreign_keys:
            if not _key_is_published(key, published):
                continue
            rows["keys"].append({"key_id": key.key_id, "from_table": table.qualified_name,
                                 "target_table": key.target, "utype": None,
                                 "description": key.description})
            for from_col, target_col in zip(key.columns, key.target_columns, strict=True):
                rows["key_columns"].append({"key_id": key.key_id, "from_column": from_col,
                                            "target_column": target_col})
    return rows


def _key_is_published(key: ForeignKey, published: list[Table]) -> bool:
    names = {t.qualified_name for t in published}
    return key.published and key.target in names
