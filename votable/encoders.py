"""Per-column value encoders, compiled once per result from the column metadata.

Database drivers hand over Python values (numbers, strings, datetimes, None);
geometry columns arrive as DALI text ("ra dec") on both backends. Each column
gets one function per serialisation, chosen up front, so the row loop does no
type dispatch.
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from ..schema.model import Column

#: Characters XML 1.0 cannot carry at all.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BMP_ONLY = re.compile("[\U00010000-\U0010ffff]")
INT_NULLS = {"short": -(2**15), "int": -(2**31), "long": -(2**63)}
_FORMATS = {"short": ">h", "int": ">i", "long": ">q", "float": ">f", "double": ">d"}


def xml_text(text: str) -> str:
    """Escape for XML element content, dropping characters XML cannot hold."""
    text = _XML_INVALID.sub("\ufffd", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_attr(text: str) -> str:
    return xml_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;")


def as_text(value: Any, timestamp: bool = False) -> str:
    """Canonical text of a value (timestamps in ISO 8601 without zone, floats repr)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, str):
        if timestamp and len(value) >= 19 and value[10] == " ":
            return _sqlite_timestamp(value)
        return value
    return str(value)


def _sqlite_timestamp(text: str) -> str:
    """SQLite stores timestamps as 'YYYY-MM-DD HH:MM:SS.ffffff'."""
    head, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    return head.replace(" ", "T") + (f".{frac}" if frac else "")


def as_numbers(value: Any) -> list[float]:
    """An array value as floats: sequences, or DALI text ("1.0 2.0")."""
    if isinstance(value, str):
        return [float(x) for x in value.replace(",", " ").split()]
    return [float(x) for x in value]


class ColumnEncoder:
    """How one column is written in each serialisation."""

    def __init__(self, column: Column) -> None:
        vot = column.votable
        self.column = column
        self.datatype = vot.datatype
        self.arraysize = vot.arraysize
        self.xtype = vot.xtype
        self.is_array = self.datatype not in ("char", "unicodeChar") and \
            self.arraysize is not None
        self.fixed_length = (int(self.arraysize) if self.arraysize and
                             self.arraysize.isdigit() else None)

    # -- TABLEDATA / CSV --------------------------------------------------------------------
    def text(self, value: Any) -> str:
        if value is None:
            if self.is_array and self.fixed_length is not None:
                return " ".join(["NaN"] * self.fixed_length)
            return ""
        if self.datatype == "boolean":
            return "T" if value else "F"
        if self.is_array:
            return " ".join(_number_text(x) for x in as_numbers(value))
        if self.datatype in ("float", "double"):
            number = float(value)
            return "" if math.isnan(number) else _number_text(number)
        if self.datatype in ("short", "int", "long"):
            return str(int(value))
        text = as_text(value, self.xtype == "timestamp")
        if self.fixed_length is not None:
            text = text[: self.fixed_length]
        return text

    def json(self, value: Any) -> Any:
        if value is None:
            return None
        if self.is_array:
            return as_numbers(value)
        if self.datatype in ("float", "double"):
            number = float(value)
            return None if math.isnan(number) or math.isinf(number) else number
        if self.datatype in ("short", "int", "long"):
            return int(value)
        if self.datatype == "boolean":
            return bool(value)
        return as_text(value, self.xtype == "timestamp")

    # -- BINARY / BINARY2 ---------------------------------------------------------------
    def binary_packer(self, binary2: bool) -> Callable[[Any], bytes]:
        datatype, fixed = self.datatype, self.fixed_length
        if self.is_array:
            fmt = _FORMATS[datatype]

            def pack_array(value: Any) -> bytes:
                numbers = [] if value is None else as_numbers(value)
                if fixed is not None:
                    numbers = (numbers + [math.nan] * fixed)[:fixed]
                    return struct.pack(">" + fmt[1] * fixed, *numbers)
                return struct.pack(f">i{len(numbers)}{fmt[1]}", len(numbers), *numbers)
            return pack_array
        if datatype in ("float", "double"):
            packer = struct.Struct(_FORMATS[datatype]).pack

            def pack_float(value: Any) -> bytes:
                return packer(math.nan if value is None else float(value))
            return pack_float
        if datatype in ("short", "int", "long"):
            packer = struct.Struct(_FORMATS[datatype]).pack
            null = 0 if binary2 else INT_NULLS[datatype]

            def pack_int(value: Any) -> bytes:
                return packer(null if value is None else int(value))
            return pack_int
        if datatype == "boolean":
            def pack_bool(value: Any) -> bytes:
                return b"?" if value is None else (b"T" if value else b"F")
            return pack_bool

        timestamp = self.xtype == "timestamp"
        if datatype == "unicodeChar":
            def pack_unicode(value: Any) -> bytes:
                text = "" if value is None else _BMP_ONLY.sub("\ufffd", as_text(value))
                data = text.encode("utf-16-be")
                if fixed is not None:
                    return data[: 2 * fixed].ljust(2 * fixed, b"\x00")
                return struct.pack(">i", len(text)) + data
            return pack_unicode

        def pack_char(value: Any) -> bytes:
            # VOTable 1.4 char is ASCII: other characters cannot travel in binary.
            text = "" if value is None else as_text(value, timestamp)
            data = text.encode("ascii", "replace")
            if fixed is not None:
                return data[:fixed].ljust(fixed, b"\x00")
            return struct.pack(">i", len(data)) + data
        return pack_char


def _number_text(number: float) -> str:
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "+Inf" if number > 0 else "-Inf"
    if number == int(number) and abs(number) < 1e16:
        return repr(float(number))
    return repr(number)


def encoders(columns: Sequence[Column]) -> list[ColumnEncoder]:
    return [ColumnEncoder(c) for c in columns]
