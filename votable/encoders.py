"""Per-column value encoders, compiled once per result from the column metadata.

Database drivers hand over Python values (numbers, strings, datetimes,
Decimals, None); geometry columns arrive as DALI text in degrees ("ra dec",
"ra dec r", "x1 y1 x2 y2 ...") or as sequences of numbers. Each column gets
one function per serialisation, chosen up front, so the row loop does no type
dispatch.

Conventions shared by every format:

* ``None`` and floating-point NaN are null (NaN elements inside arrays stay NaN);
* timestamps are ISO 8601 in UTC without a zone suffix (``2024-01-02T03:04:05``);
* a value that cannot be written as the declared type (an integer out of range,
  a point with three numbers, text in a numeric column) raises
  :class:`EncodeError`; the writer then ends the table and reports the error
  instead of silently altering the value;
* VOTable 1.4 ``char`` is 7-bit ASCII: other characters in a ``char`` column are
  transliterated (accents dropped) or replaced by ``?`` in VOTable output, while
  ``unicodeChar`` columns, CSV, TSV and JSON keep the text as it is.
"""

from __future__ import annotations

import math
import re
import struct
import unicodedata
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from ..schema.model import Column

#: Characters XML 1.0 cannot carry at all.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NON_BMP = re.compile("[\U00010000-\U0010ffff]")
#: Null sentinels declared with ``<VALUES null=...>`` in BINARY serialisation.
INT_NULLS = {"short": -(2**15), "int": -(2**31), "long": -(2**63)}
_INT_RANGES = {"short": (-(2**15), 2**15 - 1), "int": (-(2**31), 2**31 - 1),
               "long": (-(2**63), 2**63 - 1)}
_STRUCT = {"short": "h", "int": "i", "long": "q", "float": "f", "double": "d"}
_TRUE = frozenset({"t", "true", "1", "y", "yes"})
_FALSE = frozenset({"f", "false", "0", "n", "no"})
_LENGTH = struct.Struct(">i").pack

Packer = Callable[[Any], bytes | None]


class EncodeError(ValueError):
    """A value does not fit the column's declared type."""


def xml_text(text: str, replacement: str = "\ufffd") -> str:
    """Escape for XML element content, replacing characters XML cannot hold."""
    if _XML_INVALID.search(text):
        text = _XML_INVALID.sub(replacement, text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_attr(text: str) -> str:
    return xml_text(text).replace('"', "&quot;").replace("\n", "&#10;") \
        .replace("\r", "&#13;").replace("\t", "&#9;")


def ascii_text(text: str) -> str:
    """``text`` as printable ASCII: accents dropped, other characters become ``?``."""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
        text = text.encode("ascii", "replace").decode("ascii")
    return text


# -- value normalisation --------------------------------------------------------------------

def timestamp_text(value: Any) -> str | None:
    """DALI timestamp text (UTC, no zone suffix) of a datetime, date or ISO string."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise EncodeError(f"{value!r} is not an ISO 8601 timestamp") from None
    if type(value) is datetime and value.tzinfo is None:  # fast path
        return value.isoformat()
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise EncodeError(f"{value!r} is not a timestamp")


def plain_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, datetime | date):
        return timestamp_text(value)
    if isinstance(value, float):
        return number_text(value)
    return str(value)


def to_float(value: Any) -> float | None:
    """The float of ``value``; None for null and NaN."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise EncodeError(f"{value!r} is not a number") from None
    return None if number != number else number


def int_converter(datatype: str, binary: bool = False) -> Callable[[Any], int | None]:
    low, high = _INT_RANGES[datatype]
    if binary:  # the BINARY null sentinel cannot be a value
        low += 1

    def to_int(value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            if isinstance(value, float | Decimal) and value != value:
                return None
            try:
                number = int(value)
            except (TypeError, ValueError, OverflowError):
                raise EncodeError(f"{value!r} is not an integer") from None
            if number != value and not isinstance(value, str):
                raise EncodeError(f"{value!r} is not an integer")
        if not low <= number <= high:
            raise EncodeError(f"{number} is out of range for VOTable {datatype}")
        return number
    return to_int


def to_bool(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, str):
        key = value.strip().lower()
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
        if not key:
            return None
        raise EncodeError(f"{value!r} is not a boolean")
    if isinstance(value, float) and value != value:
        return None
    return bool(value)


def to_numbers(value: Any, size: int | None) -> list[float] | None:
    """An array value as floats: a sequence, or DALI text ("1.0 2.0", commas tolerated)."""
    if value is None:
        return None
    try:
        if isinstance(value, str):
            parts = value.strip(" ()[]{}").replace(",", " ").split()
            numbers = [float(x) for x in parts]
        else:
            numbers = [float(x) for x in value]
    except (TypeError, ValueError):
        raise EncodeError(f"{value!r} is not a list of numbers") from None
    if not numbers:
        return None
    if size is not None and len(numbers) != size:
        raise EncodeError(f"{value!r} has {len(numbers)} numbers, {size} expected")
    return numbers


_SPECIAL = {"nan": "NaN", "inf": "+Inf", "-inf": "-Inf"}


def number_text(number: float) -> str:
    """Text of a float that reads back to the same value (``repr`` is shortest exact)."""
    text = repr(number)
    return _SPECIAL[text] if text[-1] > "9" else text


def to_float32(value: Any) -> float | None:
    number = to_float(value)
    return None if number is None else _float32(number)


def _float32(number: float) -> float:
    """Values beyond the float range become infinities (as numpy would)."""
    if abs(number) > 3.4028234663852886e38 and not math.isinf(number):
        return math.copysign(math.inf, number)
    return number


# -- one column -----------------------------------------------------------------------------

class ColumnEncoder:
    """How one column is written in each serialisation.

    ``text`` gives TABLEDATA cell content (already XML-escaped, ``""`` for
    null), ``plain`` gives CSV/TSV text (``None`` for null), ``json`` a JSON
    value, and :meth:`packer` a BINARY/BINARY2 packer returning ``None`` for
    null.
    """

    def __init__(self, column: Column) -> None:
        vot = column.votable
        self.column = column
        self.name = column.name
        self.datatype = vot.datatype
        self.arraysize = vot.arraysize
        self.xtype = vot.xtype
        self.is_text = self.datatype in ("char", "unicodeChar")
        self.is_array = not self.is_text and self.arraysize is not None
        self.fixed_length = (int(self.arraysize) if self.arraysize and
                             self.arraysize.isdigit() else None)
        self.is_timestamp = self.xtype == "timestamp"
        self.text = self._text()
        self.plain = self._plain()
        self.json = self._json()

    # -- value in the column's own terms ----------------------------------------------------
    def _value(self) -> Callable[[Any], Any]:
        """value → normalised Python value (None for null), checked for the datatype."""
        if self.is_array:
            size = self.fixed_length

            def array(value: Any) -> list[float] | None:
                return to_numbers(value, size)
            return array
        if self.datatype == "float":
            return to_float32
        if self.datatype == "double":
            return to_float
        if self.datatype in _INT_RANGES:
            return int_converter(self.datatype)
        if self.datatype == "boolean":
            return to_bool
        if self.is_timestamp:
            return timestamp_text
        return plain_text

    # -- TABLEDATA ------------------------------------------------------------------------
    def _text(self) -> Callable[[Any], str]:
        value_of = self._value()
        if self.is_array:
            # votlint rejects an empty cell for a fixed-size array: nulls are all NaN
            null = " ".join(["NaN"] * self.fixed_length) if self.fixed_length else ""

            def array_text(value: Any) -> str:
                numbers = value_of(value)
                return null if numbers is None else " ".join(map(number_text, numbers))
            return array_text
        if self.datatype in ("float", "double"):
            def float_text(value: Any) -> str:
                if type(value) is float and value == value:  # fast path
                    text = repr(value)
                    return _SPECIAL[text] if text[-1] > "9" else text
                number = value_of(value)
                return "" if number is None else number_text(number)
            return float_text
        if self.datatype in _INT_RANGES:
            low, high = _INT_RANGES[self.datatype]

            def int_text(value: Any) -> str:
                if type(value) is int and low <= value <= high:  # fast path
                    return str(value)
                number = value_of(value)
                return "" if number is None else str(number)
            return int_text
        if self.datatype == "boolean":
            def bool_text(value: Any) -> str:
                flag = to_bool(value)
                return "" if flag is None else ("T" if flag else "F")
            return bool_text
        fixed = self.fixed_length
        ascii_only = self.datatype == "char"
        raw = fixed is None and not self.is_timestamp  # strings are written as they come

        replacement = "?" if ascii_only else "\ufffd"

        def char_text(value: Any) -> str:
            if type(value) is str and raw and (value.isascii() or not ascii_only):
                return xml_text(value, replacement)  # fast path
            text = value_of(value)
            if text is None:
                return ""
            if ascii_only:
                text = ascii_text(text)
            if fixed is not None:
                text = text[:fixed]
            return xml_text(text, replacement)
        return char_text

    # -- CSV / TSV --------------------------------------------------------------------------
    def _plain(self) -> Callable[[Any], str | None]:
        value_of = self._value()
        if self.is_array:
            def array_plain(value: Any) -> str | None:
                numbers = value_of(value)
                return None if numbers is None else " ".join(map(number_text, numbers))
            return array_plain
        if self.datatype in ("float", "double"):
            def float_plain(value: Any) -> str | None:
                number = value_of(value)
                return None if number is None else number_text(number)
            return float_plain
        if self.datatype == "boolean":
            def bool_plain(value: Any) -> str | None:
                flag = to_bool(value)
                return None if flag is None else ("true" if flag else "false")
            return bool_plain
        if self.datatype in _INT_RANGES:
            def int_plain(value: Any) -> str | None:
                number = value_of(value)
                return None if number is None else str(number)
            return int_plain
        return value_of

    # -- JSON -------------------------------------------------------------------------------
    def _json(self) -> Callable[[Any], Any]:
        value_of = self._value()
        if self.is_array:
            def array_json(value: Any) -> list[float | None] | None:
                numbers = value_of(value)
                if numbers is None:
                    return None
                return [None if math.isnan(x) or math.isinf(x) else x for x in numbers]
            return array_json
        if self.datatype in ("float", "double"):
            def float_json(value: Any) -> float | None:
                number = value_of(value)
                return None if number is None or math.isinf(number) else number
            return float_json
        return value_of

    # -- BINARY / BINARY2 ---------------------------------------------------------------
    def null_bytes(self, binary2: bool) -> bytes:
        """What is written in place of a null (BINARY2 also sets the mask bit)."""
        datatype, fixed = self.datatype, self.fixed_length
        if self.is_array:
            if fixed is None:
                return _LENGTH(0)
            return struct.pack(f">{fixed}{_STRUCT[datatype]}", *([math.nan] * fixed))
        if datatype in ("float", "double"):
            return struct.pack(">" + _STRUCT[datatype], math.nan)
        if datatype in _INT_RANGES:
            return struct.pack(">" + _STRUCT[datatype], 0 if binary2 else INT_NULLS[datatype])
        if datatype == "boolean":
            return b"?"
        if fixed is None:
            return _LENGTH(0)
        return b"\x00" * (fixed * (2 if datatype == "unicodeChar" else 1))

    def packer(self, binary2: bool) -> Packer:
        datatype, fixed = self.datatype, self.fixed_length
        if self.is_array:
            code = _STRUCT[datatype]
            single = datatype == "float"
            fixed_struct = struct.Struct(f">{fixed}{code}").pack if fixed else None

            def pack_array(value: Any) -> bytes | None:
                numbers = to_numbers(value, fixed)
                if numbers is None:
                    return None
                if single:
                    numbers = [_float32(x) for x in numbers]
                if fixed_struct is not None:
                    return fixed_struct(*numbers)
                return struct.pack(f">i{len(numbers)}{code}", len(numbers), *numbers)
            return pack_array
        if datatype in ("float", "double"):
            pack_number = struct.Struct(">" + _STRUCT[datatype]).pack
            single = datatype == "float"

            def pack_float(value: Any) -> bytes | None:
                if type(value) is float and value == value and not single:  # fast path
                    return pack_number(value)
                number = to_float(value)
                if number is None:
                    return None
                return pack_number(_float32(number) if single else number)
            return pack_float
        if datatype in _INT_RANGES:
            pack_integer = struct.Struct(">" + _STRUCT[datatype]).pack
            to_int = int_converter(datatype, binary=not binary2)

            low, high = _INT_RANGES[datatype]
            if not binary2:
                low += 1

            def pack_int(value: Any) -> bytes | None:
                if type(value) is int and low <= value <= high:  # fast path
                    return pack_integer(value)
                number = to_int(value)
                return None if number is None else pack_integer(number)
            return pack_int
        if datatype == "boolean":
            def pack_bool(value: Any) -> bytes | None:
                flag = to_bool(value)
                return None if flag is None else (b"T" if flag else b"F")
            return pack_bool

        value_of = self._value()
        raw = fixed is None and not self.is_timestamp
        if datatype == "unicodeChar":
            def pack_unicode(value: Any) -> bytes | None:
                text = value_of(value)
                if text is None:
                    return None
                if _NON_BMP.search(text):  # UCS-2 has no room for them
                    text = _NON_BMP.sub("\ufffd", text)
                data = text.encode("utf-16-be")
                if fixed is not None:
                    return data[: 2 * fixed].ljust(2 * fixed, b"\x00")
                return _LENGTH(len(text)) + data
            return pack_unicode

        def pack_char(value: Any) -> bytes | None:
            if type(value) is str and raw and value.isascii():  # fast path
                return _LENGTH(len(value)) + value.encode("ascii")
            text = value_of(value)
            if text is None:
                return None
            data = ascii_text(text).encode("ascii")
            if fixed is not None:
                return data[:fixed].ljust(fixed, b"\x00")
            return _LENGTH(len(data)) + data
        return pack_char


def encoders(columns: Sequence[Column]) -> list[ColumnEncoder]:
    return [ColumnEncoder(c) for c in columns]
