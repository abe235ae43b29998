"""RESPONSEFORMAT values → output formats."""

from __future__ import annotations

import pytest

from obsportal.votable import (
    CSV,
    JSON,
    TSV,
    VOTABLE_BINARY,
    VOTABLE_BINARY2,
    VOTABLE_TABLEDATA,
    OutputFormat,
    UnsupportedFormat,
    resolve_format,
)


@pytest.mark.parametrize(("value", "expected"), [
    (None, VOTABLE_BINARY2), ("", VOTABLE_BINARY2), ("votable", VOTABLE_BINARY2),
    ("VOTABLE", VOTABLE_BINARY2), ("application/x-votable+xml", VOTABLE_BINARY2),
    ("votable/b2", VOTABLE_BINARY2),
    ("application/x-votable+xml;serialization=binary2", VOTABLE_BINARY2),
    (" Application/X-VOTable+XML ; serialization = BINARY2 ", VOTABLE_BINARY2),
    ("text/xml", VOTABLE_BINARY2),
    ("votable/td", VOTABLE_TABLEDATA), ("VOTable/TD", VOTABLE_TABLEDATA),
    ("application/x-votable+xml;serialization=tabledata", VOTABLE_TABLEDATA),
    ("application/x-votable+xml; serialization=TABLEDATA", VOTABLE_TABLEDATA),
    ("votable/b", VOTABLE_BINARY),
    ("application/x-votable+xml;serialization=BINARY", VOTABLE_BINARY),
    ("csv", CSV), ("text/csv", CSV), ("TEXT/CSV", CSV), ("text/csv;header=present", CSV),
    ("tsv", TSV), ("text/tab-separated-values", TSV),
    ("json", JSON), ("application/json", JSON),
])
def test_format_names(value: str | None, expected: OutputFormat) -> None:
    assert resolve_format(value) == expected


@pytest.mark.parametrize("value", [
    "fits", "votable/xx", "application/x-votable+xml;serialization=fits", "text/html", "csv2"])
def test_unknown_format_lists_the_accepted_ones(value: str) -> None:
    with pytest.raises(UnsupportedFormat) as info:
        resolve_format(value)
    message = str(info.value)
    assert value in message
    for accepted in ("votable/td", "votable/b2", "csv", "tsv", "json", "text/csv",
                     "application/x-votable+xml"):
        assert accepted in message


def test_mime_types_and_extensions() -> None:
    assert VOTABLE_BINARY2.mime == "application/x-votable+xml"
    assert VOTABLE_TABLEDATA.mime == "application/x-votable+xml;serialization=TABLEDATA"
    assert VOTABLE_BINARY.mime == "application/x-votable+xml;serialization=BINARY"
    assert CSV.mime == "text/csv;header=present" and CSV.extension == "csv"
    assert TSV.mime == "text/tab-separated-values" and TSV.extension == "tsv"
    assert JSON.mime == "application/json" and JSON.extension == "json"
    assert {f.serialization for f in (VOTABLE_BINARY2, VOTABLE_BINARY, VOTABLE_TABLEDATA)} \
        == {"BINARY2", "BINARY", "TABLEDATA"}
    assert all(f.extension == "xml" for f in (VOTABLE_BINARY2, VOTABLE_BINARY,
                                              VOTABLE_TABLEDATA))
