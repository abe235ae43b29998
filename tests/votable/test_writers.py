"""Streaming writers: every format parses back; overflow, errors, memory, votlint."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import tracemalloc
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from astropy.io.votable import parse, parse_single_table

from obsportal.schema.model import AdqlType as T
from obsportal.schema.model import Column
from obsportal.votable import (
    CSV,
    JSON,
    TSV,
    VOTABLE_BINARY,
    VOTABLE_BINARY2,
    VOTABLE_TABLEDATA,
    UnsupportedFormat,
    error_document,
    parse_upload,
    resolve_format,
    write_result,
)

COLUMNS = [Column("n", T.INTEGER, "an int", unit="s", ucd="meta.number"),
           Column("x", T.DOUBLE, "a double", unit="deg"),
           Column("name", T.VARCHAR, "ascii text"),
           Column("title", T.VARCHAR, "free text", unicode=True),
           Column("when", T.TIMESTAMP, "a time"),
           Column("p", T.POINT, "a point"),
           Column("big", T.BIGINT, "a long"),
           Column("flag", T.BOOLEAN, "a flag")]
ROWS: list[tuple[Any, ...]] = [
    (1, 1.5, "HD 1234", "Mérand & <Co>", datetime(2024, 1, 2, 3, 4, 5), "10.5 -20.25", 2**40,
     True),
    (None, None, None, None, None, None, None, None),
    (3, float("nan"), "x", "Ünïcode", "2024-03-01 12:00:00.000000", [1.0, 2.0], -5, False),
]
VOTABLES = [VOTABLE_BINARY2, VOTABLE_BINARY, VOTABLE_TABLEDATA]


def _doc(fmt: Any, rows: list[tuple[Any, ...]] = ROWS, **kw: Any) -> bytes:
    return b"".join(write_result(COLUMNS, rows, fmt, **kw))


@pytest.mark.parametrize("fmt", VOTABLES, ids=lambda f: f.serialization)
def test_votables_parse_back_with_values_and_metadata(fmt: Any) -> None:
    table = parse_single_table(io.BytesIO(_doc(fmt)), verify="exception").to_table()
    assert table.colnames == [c.name for c in COLUMNS]
    assert table["n"].unit == "s" and table["x"].unit == "deg"
    assert list(table["n"].filled(-1)) == [1, -1, 3]
    assert table["title"][0] == "Mérand & <Co>" and table["title"][2] == "Ünïcode"
    assert table["when"][0] == "2024-01-02T03:04:05"
    assert table["when"][2] == "2024-03-01T12:00:00"
    assert list(table["p"][0]) == [10.5, -20.25]
    assert table["big"][0] == 2**40
    assert bool(table["flag"][0]) is True
    assert table["n"].mask[1] and table["x"].mask[1]


@pytest.mark.parametrize("fmt", VOTABLES, ids=lambda f: f.serialization)
def test_overflow_is_a_trailing_info(fmt: Any) -> None:
    votable = parse(io.BytesIO(_doc(fmt, maxrec=2)), verify="exception")
    table = votable.get_first_table()
    assert len(table.array) == 2
    infos = [(i.name, i.value) for i in votable.resources[0].infos]
    assert infos[0] == ("QUERY_STATUS", "OK")
    assert ("QUERY_STATUS", "OVERFLOW") in infos[1:]
    text = _doc(fmt, maxrec=2).decode()
    assert text.index("</TABLE>") < text.index('value="OVERFLOW"')


def test_no_overflow_when_rows_fit() -> None:
    assert b"OVERFLOW" not in _doc(VOTABLE_BINARY2, maxrec=3)


def _failing_rows() -> Iterator[tuple[Any, ...]]:
    yield ROWS[0]
    raise RuntimeError("connection lost")


@pytest.mark.parametrize("fmt", VOTABLES, ids=lambda f: f.serialization)
def test_error_while_reading_rows_is_reported_after_the_table(fmt: Any) -> None:
    data = b"".join(write_result(COLUMNS, _failing_rows(), fmt))
    votable = parse(io.BytesIO(data), verify="exception")
    assert len(votable.get_first_table().array) == 1
    statuses = [i for i in votable.resources[0].infos if i.name == "QUERY_STATUS"]
    assert statuses[-1].value == "ERROR" and "connection lost" in statuses[-1].content


def test_csv_tsv_json() -> None:
    rows = list(csv.reader(io.StringIO(_doc(CSV).decode())))
    assert rows[0] == [c.name for c in COLUMNS]
    assert rows[1][3] == "Mérand & <Co>" and rows[2][1] == ""
    tsv = _doc(TSV).decode().splitlines()
    assert tsv[0].split("\t") == [c.name for c in COLUMNS]
    doc = json.loads(_doc(JSON, maxrec=2))
    assert [m["name"] for m in doc["metadata"]] == [c.name for c in COLUMNS]
    assert doc["data"][0][5] == [10.5, -20.25] and doc["data"][1][0] is None
    assert doc["status"] == "OVERFLOW"


@pytest.mark.parametrize(("value", "expected"), [
    (None, VOTABLE_BINARY2), ("votable", VOTABLE_BINARY2), ("VOTable/TD", VOTABLE_TABLEDATA),
    ("application/x-votable+xml; serialization=TABLEDATA", VOTABLE_TABLEDATA),
    ("votable/b", VOTABLE_BINARY), ("text/csv", CSV), ("tsv", TSV), ("application/json", JSON),
])
def test_format_names(value: str | None, expected: Any) -> None:
    assert resolve_format(value) == expected


def test_unknown_format_lists_the_accepted_ones() -> None:
    with pytest.raises(UnsupportedFormat, match="votable/td"):
        resolve_format("fits")


def _many(n: int) -> Iterator[tuple[Any, ...]]:
    for i in range(n):
        yield (i, i * 0.5, f"name {i}", "título", datetime(2024, 1, 1), f"{i % 360} 1.0",
               i, bool(i % 2))


def _peak(n: int, fmt: Any) -> int:
    tracemalloc.start()
    size = 0
    for chunk in write_result(COLUMNS, _many(n), fmt):
        size += len(chunk)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert size > n * 20
    return peak


@pytest.mark.parametrize("fmt", [VOTABLE_BINARY2, VOTABLE_TABLEDATA],
                         ids=lambda f: f.serialization)
def test_memory_stays_flat(fmt: Any) -> None:
    small, large = _peak(5_000, fmt), _peak(100_000, fmt)
    assert large < small * 2, (small, large)


def test_error_document_is_a_dali_error() -> None:
    votable = parse(io.BytesIO(error_document("bad <query> & more")), verify="exception")
    info = votable.resources[0].infos[0]
    assert (info.name, info.value) == ("QUERY_STATUS", "ERROR")
    assert info.content == "bad <query> & more"


def test_upload_parsing_types_and_nulls() -> None:
    data = _doc(VOTABLE_TABLEDATA)
    columns, rows = parse_upload(data, "t1")
    kinds = {c.name: c.datatype for c in columns}
    assert kinds["when"] is T.TIMESTAMP and kinds["p"] is T.POINT and kinds["n"] is T.INTEGER
    assert rows[0][4] == datetime(2024, 1, 2, 3, 4, 5)
    assert rows[0][5] == "10.5 -20.25"
    assert rows[1] == (None,) * len(COLUMNS)


@pytest.mark.skipif(shutil.which("stilts") is None, reason="stilts (Debian package) not installed")
@pytest.mark.parametrize("fmt", VOTABLES, ids=lambda f: f.serialization)
def test_votlint_accepts_the_documents(fmt: Any, tmp_path: Path) -> None:
    path = tmp_path / "result.xml"
    path.write_bytes(_doc(fmt, maxrec=2))
    result = subprocess.run(["stilts", "votlint", f"votable={path}"], capture_output=True,
                            text=True, check=False)
    assert result.stdout.strip() == "" and result.returncode == 0, result.stdout


@pytest.mark.skipif(shutil.which("stilts") is None, reason="stilts (Debian package) not installed")
def test_votlint_accepts_the_error_document(tmp_path: Path) -> None:
    path = tmp_path / "error.xml"
    path.write_bytes(error_document("no such table"))
    result = subprocess.run(["stilts", "votlint", f"votable={path}"], capture_output=True,
                            text=True, check=False)
    assert result.stdout.strip() == ""
