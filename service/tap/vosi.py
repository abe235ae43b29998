"""VOSI 1.1 documents: ``/tables`` (VODataService 1.2 table set) and ``/availability``.

Both are generated from the declarative catalog. Empty metadata (no unit, no
UCD) is left out rather than written as an empty element, because validators
compare a missing unit with TAP_SCHEMA's NULL.
"""

from __future__ import annotations

from lxml import etree

from ...schema.catalog import Catalog
from ...schema.model import Column, Schema, Table

VOSI_TABLES_NS = "http://www.ivoa.net/xml/VOSITables/v1.0"
VOSI_AVAILABILITY_NS = "http://www.ivoa.net/xml/VOSIAvailability/v1.0"
VS_NS = "http://www.ivoa.net/xml/VODataService/v1.1"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_NSMAP = {"vosi": VOSI_TABLES_NS, "vs": VS_NS, "xsi": XSI_NS}


def _text(parent: etree._Element, tag: str, value: str | None) -> None:
    if value:
        etree.SubElement(parent, tag).text = value


def _column(parent: etree._Element, col: Column) -> None:
    elem = etree.SubElement(parent, "column")
    if col.std:
        elem.set("std", "true")
    _text(elem, "name", col.adql_name)
    _text(elem, "description", col.description)
    _text(elem, "unit", col.unit)
    _text(elem, "ucd", col.ucd)
    _text(elem, "utype", col.utype)
    vot = col.votable
    data_type = etree.SubElement(elem, "dataType")
    data_type.set(f"{{{XSI_NS}}}type", "vs:VOTableType")
    if vot.arraysize:
        data_type.set("arraysize", vot.arraysize)
    data_type.text = vot.datatype
    if col.indexed:
        etree.SubElement(elem, "flag").text = "indexed"
    if col.primary_key:
        etree.SubElement(elem, "flag").text = "primary"
    if col.nullable and not col.primary_key:
        etree.SubElement(elem, "flag").text = "nullable"


def _table(parent: etree._Element | None, table: Table, catalog: Catalog,
           detail: bool = True) -> etree._Element:
    if parent is None:
        elem = etree.Element(f"{{{VOSI_TABLES_NS}}}table", nsmap=_NSMAP)
    else:
        elem = etree.SubElement(parent, "table")
    elem.set("type", table.kind)
    _text(elem, "name", table.qualified_name)
    _text(elem, "description", table.description)
    _text(elem, "utype", table.utype)
    if not detail:
        return elem
    for col in table.published_columns:
        _column(elem, col)
    published = {t.qualified_name for t in catalog.published_tables}
    for key in table.foreign_keys:
        if not key.published or key.target not in published:
            continue
        fk = etree.SubElement(elem, "foreignKey")
        _text(fk, "targetTable", key.target)
        for from_col, target_col in zip(key.columns, key.target_columns, strict=True):
            pair = etree.SubElement(fk, "fkColumn")
            _text(pair, "fromColumn", from_col)
            _text(pair, "targetColumn", target_col)
        _text(fk, "description", key.description)
    return elem


def _schema(parent: etree._Element, schema: Schema, catalog: Catalog, detail: bool) -> None:
    elem = etree.SubElement(parent, "schema")
    _text(elem, "name", schema.name)
    _text(elem, "description", schema.description)
    _text(elem, "utype", schema.utype)
    for table in catalog.published_tables:
        if table.schema == schema.name:
            _table(elem, table, catalog, detail)


def tableset_document(catalog: Catalog, detail: bool = True) -> bytes:
    """The VOSI ``/tables`` document (``detail=False`` omits columns and keys)."""
    root = etree.Element(f"{{{VOSI_TABLES_NS}}}tableset", nsmap=_NSMAP)
    for schema in catalog.published_schemas:
        _schema(root, schema, catalog, detail)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def table_document(table: Table, catalog: Catalog) -> bytes:
    """The VOSI ``/tables/{name}`` document of one table."""
    return etree.tostring(_table(None, table, catalog), xml_declaration=True,
                          encoding="UTF-8", pretty_print=True)


def availability_document(available: bool, note: str) -> bytes:
    root = etree.Element(f"{{{VOSI_AVAILABILITY_NS}}}availability",
                         nsmap={"vosi": VOSI_AVAILABILITY_NS})
    etree.SubElement(root, f"{{{VOSI_AVAILABILITY_NS}}}available").text = (
        "true" if available else "false")
    etree.SubElement(root, f"{{{VOSI_AVAILABILITY_NS}}}note").text = note
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
