"""Uploaded VOTables (TAP UPLOAD) → columns typed for the catalog and plain Python rows."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import numpy as np
import pytest
from astropy.io.votable import from_table
from astropy.table import MaskedColumn, Table

from obsportal.schema.model import AdqlType as T
from obsportal.schema.model import Column
from obsportal.votable import (
    VOTABLE_BINARY,
    VOTABLE_BINARY2,
    VOTABLE_TABLEDATA,
    OutputFormat,
    UploadError,
    parse_upload,
    write_result,
)

COLUMNS = [Column("n", T.INTEGER, "an int", unit="s", ucd="meta.number"),
           Column("s", T.SMALLINT, ""), Column("l", T.BIGINT, ""),
           Column("r", T.REAL, ""), Column("x", T.DOUBLE, "a double", unit="deg"),
           Column("name", T.VARCHAR, "ascii text"),
           Column("title", T.VARCHAR, "free text", unicode=True),
           Column("when", T.TIMESTAMP, "a time"), Column("p", T.POINT, "a point"),
           Column("c", T.CIRCLE, ""), Column("g", T.POLYGON, ""), Column("reg", T.REGION, ""),
           Column("flag", T.BOOLEAN, "a flag")]
ROWS: list[tuple[Any, ...]] = [
    (1, 2, 2**40, 1.5, 0.1, "HD 1234", "Mérand β", datetime(2024, 1, 2, 3, 4, 5),
     "10.5 -20.25", "1 2 0.5", "0 0 1 0 1 1", "Circle ICRS 1 2 0.5", True),
    (None,) * 13,
    (-3, -4, -5, -0.25, 1e300, "x", "y", datetime(2024, 3, 1, 12, 0, 0, 500000),
     [1.0, 2.0], [3.0, 4.0, 5.0], [0, 0, 2, 0, 2, 2, 0, 2], "Polygon ICRS 0 0 1 0 1 1", False),
]


def _doc(fmt: OutputFormat, columns: list[Column] = COLUMNS,
         rows: list[tuple[Any, ...]] = ROWS) -> bytes:
    return b"".join(write_result(columns, rows, fmt))


@pytest.mark.parametrize("fmt", [VOTABLE_TABLEDATA, VOTABLE_BINARY, VOTABLE_BINARY2],
                         ids=lambda f: f.serialization)
def test_our_own_documents_round_trip(fmt: OutputFormat) -> None:
    columns, rows = parse_upload(_doc(fmt), "t1")
    assert [(c.name, c.datatype) for c in columns] == [(c.name, c.datatype) for c in COLUMNS]
    assert columns[0].unit == "s" and columns[0].ucd == "meta.number"
    assert columns[0].description == "an int"
    assert columns[6].unicode and not columns[5].unicode
    assert rows[0] == (1, 2, 2**40, 1.5, 0.1, "HD 1234", "Mérand β",
                       datetime(2024, 1, 2, 3, 4, 5), "10.5 -20.25", "1.0 2.0 0.5",
                       "0.0 0.0 1.0 0.0 1.0 1.0", "Circle ICRS 1 2 0.5", True)
    assert rows[1] == (None,) * 13
    assert rows[2][7] == datetime(2024, 3, 1, 12, 0, 0, 500000)
    assert rows[2][8:11] == ("1.0 2.0", "3.0 4.0 5.0", "0.0 0.0 2.0 0.0 2.0 2.0 0.0 2.0")
    assert rows[2][12] is False
    assert all(type(v) in (int, float, str, bool, datetime) for v in rows[0])


@pytest.mark.filterwarnings("ignore::astropy.io.votable.exceptions.VOWarning")
def test_astropy_written_tables_with_masks() -> None:
    table = Table()
    table["id"] = MaskedColumn([1, 2, 3], mask=[False, True, False], dtype=np.int32)
    table["mag"] = MaskedColumn([1.5, np.nan, 3.0], mask=[False, False, True])
    table["label"] = ["a", "bé", ""]
    table["ok"] = MaskedColumn([True, False, True], mask=[False, False, True])
    votable = from_table(table)
    votable.get_first_table().fields[0].values.null = -999  # BINARY needs one for ints
    for serialization in ("tabledata", "binary", "binary2"):
        buffer = io.BytesIO()
        votable.get_first_table().format = serialization
        votable.to_xml(buffer)
        columns, rows = parse_upload(buffer.getvalue(), "mine")
        assert [c.datatype for c in columns] == [T.INTEGER, T.DOUBLE, T.VARCHAR, T.BOOLEAN]
        # astropy writes booleans as datatype="bit", which has no null in BINARY
        last = True if serialization == "binary" else None
        assert rows == [(1, 1.5, "a", True), (None, None, "bé", False), (3, None, None, last)]


def test_file_like_input_and_row_limit() -> None:
    columns, rows = parse_upload(io.BytesIO(_doc(VOTABLE_BINARY2)), "t")
    assert len(rows) == 3 and len(columns) == 13
    with pytest.raises(UploadError, match="3 rows; the limit is 2"):
        parse_upload(_doc(VOTABLE_BINARY2), "t", max_rows=2)


def test_empty_table() -> None:
    columns, rows = parse_upload(_doc(VOTABLE_TABLEDATA, rows=[]), "t")
    assert len(columns) == 13 and rows == []


def _fields(*fields: str, cells: str = "") -> bytes:
    return (f'<?xml version="1.0"?><VOTABLE version="1.4" '
            f'xmlns="http://www.ivoa.net/xml/VOTable/v1.3"><RESOURCE><TABLE>'
            f'{"".join(fields)}<DATA><TABLEDATA>{cells}</TABLEDATA></DATA></TABLE>'
            f"</RESOURCE></VOTABLE>").encode()


def test_bad_column_names_are_all_reported() -> None:
    data = _fields('<FIELD name="ok_1" datatype="int"/>', '<FIELD name="RA (deg)" datatype="int"/>',
                   '<FIELD name="2mass" datatype="int"/>', '<FIELD name="é" datatype="int"/>')
    with pytest.raises(UploadError) as info:
        parse_upload(data, "t")
    message = str(info.value)
    assert "'RA (deg)'" in message and "'2mass'" in message and "'é'" in message
    assert "ok_1" not in message and "ADQL identifier" in message


def test_reserved_words_are_marked_delimited() -> None:
    data = _fields('<FIELD name="size" datatype="int"/>', '<FIELD name="ra" datatype="int"/>',
                   cells="<TR><TD>1</TD><TD>2</TD></TR>")
    columns, rows = parse_upload(data, "t", reserved_words={"SIZE", "SELECT"})
    assert [(c.name, c.delimited) for c in columns] == [("size", True), ("ra", False)]
    assert rows == [(1, 2)]


@pytest.mark.parametrize(("data", "message"), [
    (b"", "not a readable VOTable"),
    (b"<html><body>nope</body></html>", "not a readable VOTable"),
    (b"<?xml version='1.0'?><VOTABLE><RESOURCE><TABLE><FIELD name='a' datatype='int'/>",
     "not a readable VOTable"),
    (b"\x89PNG\r\n\x1a\n", "not a readable VOTable"),
    (_fields('<FIELD name="a" datatype="int"/>', '<FIELD name="A" datatype="int"/>'),
     "column A appears twice"),
    (_fields('<FIELD name="a" datatype="int" arraysize="3"/>'), "arrays of int"),
    (_fields('<FIELD name="a" datatype="floatComplex"/>'), "datatype floatComplex"),
    (_fields('<FIELD name="t" datatype="char" arraysize="*" xtype="timestamp"/>',
             cells="<TR><TD>yesterday</TD></TR>"), "row 1: 'yesterday' is not an ISO 8601"),
    (_fields('<FIELD name="p" datatype="double" arraysize="*" xtype="polygon"/>',
             cells="<TR><TD>1 2 3 4</TD></TR>"), "4 numbers do not make a polygon"),
])
def test_malformed_uploads_raise_clear_errors(data: bytes, message: str) -> None:
    with pytest.raises(UploadError, match=message) as info:
        parse_upload(data, "bad")
    assert "upload bad" in str(info.value)


def test_table_name_must_be_an_identifier() -> None:
    with pytest.raises(UploadError, match="not an ADQL identifier"):
        parse_upload(_doc(VOTABLE_TABLEDATA), "my table")


def test_timestamps_with_zones_become_utc() -> None:
    data = _fields('<FIELD name="t" datatype="char" arraysize="*" xtype="timestamp"/>',
                   cells="<TR><TD>2024-01-01T12:00:00+02:00</TD></TR><TR><TD>2024-01-01Z"
                         "</TD></TR><TR><TD/></TR>")
    with pytest.raises(UploadError):  # a bare date with Z is not ISO 8601 for Python
        parse_upload(data, "t")
    data = data.replace(b"2024-01-01Z", b"2024-01-01")
    _, rows = parse_upload(data, "t")
    assert rows == [(datetime(2024, 1, 1, 10),), (datetime(2024, 1, 1),), (None,)]
