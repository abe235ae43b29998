"""Uploaded tables (TAP ``UPLOAD``): VOTable in any serialisation → columns and rows.

astropy does the parsing (TABLEDATA, BINARY, BINARY2, FITS-in-VOTable); this
module maps each FIELD to the catalog's column model, so the translator types
``TAP_UPLOAD.name`` columns like any other, and turns values into plain Python:
None for nulls, datetimes for timestamps, DALI text ("ra dec", "ra dec r",
"x1 y1 ...", degrees) for geometries — the same forms the writers accept.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Collection
from datetime import UTC, datetime
from typing import IO, Any

import numpy as np

from ..schema.model import AdqlType, Column


class UploadError(ValueError):
    """The upload is not a VOTable this service can use; the message says why."""


#: ADQL <regular identifier>: a letter, then letters, digits and underscores.
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_SCALARS = {"boolean": AdqlType.BOOLEAN, "bit": AdqlType.BOOLEAN, "unsignedByte": AdqlType.SMALLINT,
            "short": AdqlType.SMALLINT, "int": AdqlType.INTEGER, "long": AdqlType.BIGINT,
            "float": AdqlType.REAL, "double": AdqlType.DOUBLE}
_GEOMETRY = {"point": AdqlType.POINT, "circle": AdqlType.CIRCLE, "polygon": AdqlType.POLYGON}
_GEOMETRY_SIZE = {AdqlType.POINT: (2, 2), AdqlType.CIRCLE: (3, 3),
                  AdqlType.POLYGON: (6, None)}


def is_identifier(name: str) -> bool:
    """Whether ``name`` is an ADQL regular identifier."""
    return bool(_IDENTIFIER.match(name))


def _column_type(field: Any, where: str) -> AdqlType:
    datatype = field.datatype
    xtype = (field.xtype or "").lower().removeprefix("adql:")
    arraysize = field.arraysize
    if datatype in ("char", "unicodeChar"):
        if xtype == "timestamp":
            return AdqlType.TIMESTAMP
        if xtype == "region":
            return AdqlType.REGION
        return AdqlType.VARCHAR
    if xtype in _GEOMETRY and datatype in ("float", "double"):
        return _GEOMETRY[xtype]
    if arraysize not in (None, "1"):
        raise UploadError(f"{where}: arrays of {datatype} (arraysize={arraysize}) are not "
                          "supported; only point, circle and polygon arrays are")
    if datatype not in _SCALARS:
        raise UploadError(f"{where}: VOTable datatype {datatype} is not supported")
    return _SCALARS[datatype]


def _converter(kind: AdqlType, where: str) -> Any:
    """cell value (not masked) → Python value for the database."""
    if kind in _GEOMETRY_SIZE:
        low, high = _GEOMETRY_SIZE[kind]

        def geometry(value: Any, row: int) -> str | None:
            if isinstance(value, np.ma.MaskedArray):
                value = value.filled(np.nan)
            numbers = [float(x) for x in np.ravel(value)]
            if not numbers or all(math.isnan(x) for x in numbers):
                return None
            if any(math.isnan(x) for x in numbers):
                raise UploadError(f"{where}, row {row}: {kind.lower()} with a null coordinate")
            if len(numbers) < low or (high is not None and len(numbers) > high) or \
                    (kind is AdqlType.POLYGON and len(numbers) % 2):
                raise UploadError(f"{where}, row {row}: {len(numbers)} numbers do not make "
                                  f"a {kind.lower()}")
            return " ".join(repr(x) for x in numbers)
        return geometry
    if kind is AdqlType.TIMESTAMP:
        def timestamp(value: Any, row: int) -> datetime | None:
            text = (value.decode("utf-8", "replace") if isinstance(value, bytes)
                    else str(value)).strip()
            if not text:
                return None
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                raise UploadError(f"{where}, row {row}: {text!r} is not an ISO 8601 "
                                  "timestamp") from None
            if moment.tzinfo is not None:
                moment = moment.astimezone(UTC).replace(tzinfo=None)
            return moment
        return timestamp
    if kind in (AdqlType.VARCHAR, AdqlType.REGION):
        def text(value: Any, row: int) -> str | None:
            if isinstance(value, bytes):
                value = value.decode("utf-8", "replace")
            value = str(value)
            return value or None  # VOTable cannot tell an empty string from a null
        return text
    if kind is AdqlType.BOOLEAN:
        def boolean(value: Any, row: int) -> bool:
            return bool(value)
        return boolean
    if kind in (AdqlType.REAL, AdqlType.DOUBLE):
        def number(value: Any, row: int) -> float | None:
            result = float(value)
            return None if math.isnan(result) else result
        return number

    def integer(value: Any, row: int) -> int:
        return int(value)
    return integer


def parse_upload(data: bytes | IO[bytes], name: str, max_rows: int | None = None, *,
                 reserved_words: Collection[str] = ()
                 ) -> tuple[list[Column], list[tuple[Any, ...]]]:
    """Columns and rows of the first table of an uploaded VOTable.

    ``name`` is the upload's table name (``TAP_UPLOAD.name``); it and every
    column name must be ADQL regular identifiers. Column names found in
    ``reserved_words`` (compared upper-case) are marked ``delimited``: queries
    must quote them. Raises :class:`UploadError` with a message fit for the
    client on malformed input, unsupported types, bad names or too many rows.
    """
    from astropy.io.votable import parse
    from astropy.io.votable.exceptions import VOWarning

    if not is_identifier(name):
        raise UploadError(f"upload table name {name!r} is not an ADQL identifier (a letter, "
                          "then letters, digits or underscores)")
    source = io.BytesIO(data) if isinstance(data, bytes | bytearray | memoryview) else data
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", VOWarning)
            warnings.simplefilter("ignore", UserWarning)
            votable = parse(source, verify="ignore")
            table = votable.get_first_table()
    except Exception as exc:  # astropy raises many exception types for bad input
        detail = str(exc).strip() or type(exc).__name__
        raise UploadError(f"upload {name}: not a readable VOTable ({detail})") from None

    reserved = {w.upper() for w in reserved_words}
    columns: list[Column] = []
    seen: dict[str, str] = {}
    bad: list[str] = []
    for index, field in enumerate(table.fields, start=1):
        column_name = (field.name or field.ID or "").strip()
        if not column_name:
            raise UploadError(f"upload {name}: FIELD {index} has no name")
        if not is_identifier(column_name):
            bad.append(repr(column_name))
            continue
        if column_name.lower() in seen:
            raise UploadError(f"upload {name}: column {column_name} appears twice "
                              f"(names are case-insensitive; first as {seen[column_name.lower()]})")
        seen[column_name.lower()] = column_name
        where = f"upload {name}, column {column_name}"
        kind = _column_type(field, where)
        columns.append(Column(
            column_name, kind, field.description or "",
            unit=str(field.unit) if field.unit is not None else None, ucd=field.ucd,
            utype=field.utype, unicode=field.datatype == "unicodeChar",
            delimited=column_name.upper() in reserved))
    if bad:
        raise UploadError(f"upload {name}: column names must be ADQL identifiers (a letter, "
                          f"then letters, digits or underscores): {', '.join(bad)}")
    if not columns:
        raise UploadError(f"upload {name}: the table has no columns")

    array = table.array
    count = len(array)
    if max_rows is not None and count > max_rows:
        raise UploadError(f"upload {name} has {count} rows; the limit is {max_rows}")
    values: list[list[Any]] = []
    for index, column in enumerate(columns):
        field_name = array.dtype.names[index]
        cells = array.data[field_name]
        mask: Any = np.ma.getmaskarray(array[field_name])
        if mask.ndim > 1:  # fixed-size arrays: null when every element is
            mask = mask.all(axis=tuple(range(1, mask.ndim)))
        convert = _converter(column.datatype, f"upload {name}, column {column.name}")
        out: list[Any] = []
        for row in range(count):
            value = cells[row]
            if mask[row] or value is None or value is np.ma.masked:
                out.append(None)
                continue
            if isinstance(value, np.ma.MaskedArray) and value.mask is not np.ma.nomask \
                    and np.all(value.mask):
                out.append(None)
                continue
            try:
                out.append(convert(value, row + 1))
            except UploadError:
                raise
            except (TypeError, ValueError, OverflowError) as exc:
                raise UploadError(f"upload {name}, column {column.name}, row {row + 1}: "
                                  f"{exc}") from None
        values.append(out)
    return columns, list(zip(*values, strict=True))
