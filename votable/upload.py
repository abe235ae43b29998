"""Uploaded tables (TAP ``UPLOAD``): VOTable in any serialisation → columns and rows.

astropy does the parsing; this module maps each FIELD to the catalog's column
model (so the translator types ``TAP_UPLOAD.name`` columns like any other) and
turns values into plain Python (None for nulls, datetimes for timestamps, DALI
text for geometries).
"""

from __future__ import annotations

import io
import math
from datetime import datetime
from typing import Any

import numpy as np

from ..schema.model import AdqlType, Column


class UploadError(ValueError):
    """The upload is not a VOTable this service can use."""


_SCALARS = {"boolean": AdqlType.BOOLEAN, "unsignedByte": AdqlType.SMALLINT,
            "short": AdqlType.SMALLINT, "int": AdqlType.INTEGER, "long": AdqlType.BIGINT,
            "float": AdqlType.REAL, "double": AdqlType.DOUBLE}
_GEOMETRY = {"point": AdqlType.POINT, "circle": AdqlType.CIRCLE, "polygon": AdqlType.POLYGON}


def _column_type(field: Any) -> AdqlType:
    datatype = field.datatype
    xtype = (field.xtype or "").lower().removeprefix("adql:")
    arraysize = field.arraysize
    if datatype in ("char", "unicodeChar"):
        return AdqlType.TIMESTAMP if xtype == "timestamp" else AdqlType.VARCHAR
    if xtype in _GEOMETRY and datatype in ("float", "double"):
        return _GEOMETRY[xtype]
    if arraysize not in (None, "1"):
        raise UploadError(f"column {field.name}: arrays of {datatype} are not supported "
                          "(only point, circle and polygon arrays)")
    if datatype not in _SCALARS:
        raise UploadError(f"column {field.name}: datatype {datatype} is not supported")
    return _SCALARS[datatype]


def _python(value: Any, kind: AdqlType) -> Any:
    if value is None or value is np.ma.masked:
        return None
    if isinstance(value, np.ma.MaskedArray):
        if value.mask.all():
            return None
        value = value.filled(np.nan)
    if kind in (AdqlType.POINT, AdqlType.CIRCLE, AdqlType.POLYGON):
        numbers = [float(x) for x in np.ravel(value)]
        if not numbers or any(math.isnan(x) for x in numbers):
            return None
        return " ".join(repr(x) for x in numbers)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if kind is AdqlType.VARCHAR and isinstance(value, str) and value == "":
        return None  # VOTable cannot tell an empty string from a null one
    if kind is AdqlType.TIMESTAMP:
        text = str(value).strip()
        if not text:
            return None
        try:
            return datetime.fromisoformat(text.replace("Z", ""))
        except ValueError as exc:
            raise UploadError(f"{text!r} is not an ISO 8601 timestamp") from exc
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if kind is AdqlType.BOOLEAN:
        return bool(value)
    return value


def parse_upload(data: bytes, name: str, max_rows: int | None = None
                 ) -> tuple[list[Column], list[tuple[Any, ...]]]:
    """Columns and rows of the first table of an uploaded VOTable."""
    import warnings

    from astropy.io.votable import parse_single_table
    from astropy.io.votable.exceptions import VOWarning

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", VOWarning)
            table = parse_single_table(io.BytesIO(data), verify="ignore")
    except Exception as exc:  # astropy raises many exception types for bad XML
        raise UploadError(f"upload {name}: not a readable VOTable ({exc})") from None
    columns: list[Column] = []
    seen: set[str] = set()
    for field in table.fields:
        column_name = (field.name or field.ID or "").strip()
        if not column_name:
            raise UploadError(f"upload {name}: a FIELD has no name")
        if column_name.lower() in seen:
            raise UploadError(f"upload {name}: column {column_name} appears twice")
        seen.add(column_name.lower())
        kind = _column_type(field)
        columns.append(Column(column_name, kind, field.description or "",
                              unit=str(field.unit) if field.unit else None, ucd=field.ucd,
                              utype=field.utype))
    rows_table: Any = table.to_table()
    if max_rows is not None and len(rows_table) > max_rows:
        raise UploadError(f"upload {name} has {len(rows_table)} rows; the limit is "
                          f"{max_rows}")
    kinds = [c.datatype for c in columns]
    values = []
    for index, kind in enumerate(kinds):
        column = rows_table.columns[index]
        mask = getattr(column, "mask", None)
        cells = []
        for row in range(len(rows_table)):
            masked = mask is not None and np.all(mask[row])
            cells.append(None if masked else _python(column[row], kind))
        values.append(cells)
    return columns, list(zip(*values, strict=True)) if values else []
