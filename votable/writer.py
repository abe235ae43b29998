"""Streaming result writers: VOTable 1.4 (BINARY2, BINARY, TABLEDATA), CSV, TSV, JSON.

``write_result`` is a generator: the document head is rendered once from the
column metadata, then rows are pulled from the (server-side cursor) iterator
and encoded in chunks of :data:`CHUNK_ROWS`. Memory is bounded by one chunk,
whatever the number of rows. Overflow (more rows than MAXREC) and an error
while rows are being read are reported after ``</TABLE>`` with an
``INFO name="QUERY_STATUS"`` element, as DALI asks.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import logging
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from ..schema.model import Column
from .encoders import INT_NULLS, ColumnEncoder, encoders, xml_attr, xml_text
from .formats import OutputFormat

log = logging.getLogger("obsportal.votable")

VOTABLE_NS = "http://www.ivoa.net/xml/VOTable/v1.3"
CHUNK_ROWS = 1000
B64_BLOCK = 57 * 1024  # multiple of 3 (and of 57: 76-character base64 lines)


class _Rows:
    """Pulls at most ``maxrec`` rows and remembers whether more were available."""

    def __init__(self, rows: Iterable[Sequence[Any]], maxrec: int | None) -> None:
        self.iterator = iter(rows)
        self.maxrec = maxrec
        self.count = 0
        self.overflow = False
        self.error: str | None = None

    def chunks(self) -> Iterator[list[Sequence[Any]]]:
        chunk: list[Sequence[Any]] = []
        try:
            for row in self.iterator:
                if self.maxrec is not None and self.count >= self.maxrec:
                    self.overflow = True
                    break
                chunk.append(row)
                self.count += 1
                if len(chunk) >= CHUNK_ROWS:
                    yield chunk
                    chunk = []
        except Exception as exc:  # reported in the document, never a broken stream
            log.warning("error while reading rows", exc_info=True)
            self.error = str(exc) or type(exc).__name__
        if chunk:
            yield chunk


def _field(column: Column, encoder: ColumnEncoder, serialization: str | None) -> str:
    attrs = [f'name="{xml_attr(column.name)}"', f'datatype="{encoder.datatype}"']
    if encoder.arraysize:
        attrs.append(f'arraysize="{encoder.arraysize}"')
    if encoder.xtype:
        attrs.append(f'xtype="{xml_attr(encoder.xtype)}"')
    for name in ("unit", "ucd", "utype"):
        value = getattr(column, name)
        if value:
            attrs.append(f'{name}="{xml_attr(value)}"')
    inner = ""
    if column.description:
        inner += f"<DESCRIPTION>{xml_text(column.description)}</DESCRIPTION>"
    if serialization == "BINARY" and encoder.datatype in INT_NULLS and not encoder.is_array:
        inner += f'<VALUES null="{INT_NULLS[encoder.datatype]}"/>'
    return f"<FIELD {' '.join(attrs)}>{inner}</FIELD>\n"


def _head(columns: Sequence[Column], codes: list[ColumnEncoder], fmt: OutputFormat,
          infos: Mapping[str, str], query: str | None, table_name: str) -> str:
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n',
             f'<VOTABLE version="1.4" xmlns="{VOTABLE_NS}" '
             'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n',
             '<RESOURCE type="results">\n',
             '<INFO name="QUERY_STATUS" value="OK"/>\n']
    if query is not None:
        parts.append(f'<INFO name="QUERY" value="{xml_attr(query)}"/>\n')
    for name, value in infos.items():
        parts.append(f'<INFO name="{xml_attr(name)}" value="{xml_attr(value)}"/>\n')
    parts.append(f'<TABLE name="{xml_attr(table_name)}">\n')
    parts.extend(_field(c, e, fmt.serialization) for c, e in zip(columns, codes, strict=True))
    return "".join(parts)


def _tail(rows: _Rows) -> str:
    tail = "</TABLE>\n"
    if rows.error is not None:
        tail += f'<INFO name="QUERY_STATUS" value="ERROR">{xml_text(rows.error)}</INFO>\n'
    elif rows.overflow:
        tail += '<INFO name="QUERY_STATUS" value="OVERFLOW"/>\n'
    return tail + "</RESOURCE>\n</VOTABLE>\n"


def _tabledata(codes: list[ColumnEncoder], rows: _Rows) -> Iterator[bytes]:
    yield b"<DATA><TABLEDATA>\n"
    texts = [c.text for c in codes]
    for chunk in rows.chunks():
        out = io.StringIO()
        for row in chunk:
            out.write("<TR>")
            for encode, value in zip(texts, row, strict=True):
                text = encode(value)
                out.write(f"<TD>{xml_text(text)}</TD>" if text else "<TD/>")
            out.write("</TR>\n")
        yield out.getvalue().encode("utf-8")
    yield b"</TABLEDATA></DATA>\n"


def _binary(codes: list[ColumnEncoder], rows: _Rows, binary2: bool) -> Iterator[bytes]:
    tag = "BINARY2" if binary2 else "BINARY"
    yield f'<DATA><{tag}><STREAM encoding="base64">\n'.encode()
    packers = [c.binary_packer(binary2) for c in codes]
    nulls = [c.datatype in ("float", "double") and not c.is_array for c in codes]
    mask_bytes = (len(codes) + 7) // 8
    pending = bytearray()
    for chunk in rows.chunks():
        for row in chunk:
            if binary2:
                mask = bytearray(mask_bytes)
                for i, value in enumerate(row):
                    if value is None or (nulls[i] and isinstance(value, float)
                                         and math.isnan(value)):
                        mask[i >> 3] |= 0x80 >> (i & 7)
                pending += mask
            for pack, value in zip(packers, row, strict=True):
                pending += pack(value)
        if len(pending) >= B64_BLOCK:
            cut = len(pending) - len(pending) % B64_BLOCK
            yield base64.encodebytes(bytes(pending[:cut]))
            del pending[:cut]
    if pending:
        yield base64.encodebytes(bytes(pending))
    yield f"</STREAM></{tag}></DATA>\n".encode()


def _votable(columns: Sequence[Column], rows: _Rows, fmt: OutputFormat,
             infos: Mapping[str, str], query: str | None, table_name: str) -> Iterator[bytes]:
    codes = encoders(columns)
    yield _head(columns, codes, fmt, infos, query, table_name).encode("utf-8")
    if fmt.serialization == "TABLEDATA":
        yield from _tabledata(codes, rows)
    else:
        yield from _binary(codes, rows, fmt.serialization == "BINARY2")
    yield _tail(rows).encode("utf-8")


def _delimited(columns: Sequence[Column], rows: _Rows, delimiter: str) -> Iterator[bytes]:
    codes = encoders(columns)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([c.name for c in columns])
    yield out.getvalue().encode("utf-8")
    texts = [c.text for c in codes]
    for chunk in rows.chunks():
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
        for row in chunk:
            writer.writerow([encode(v) for encode, v in zip(texts, row, strict=True)])
        yield out.getvalue().encode("utf-8")
    if rows.error is not None:
        log.warning("CSV/TSV result truncated by an error: %s", rows.error)


def _json(columns: Sequence[Column], rows: _Rows) -> Iterator[bytes]:
    codes = encoders(columns)
    metadata = [{"name": c.name, "datatype": e.datatype, "arraysize": e.arraysize,
                 "xtype": e.xtype, "unit": c.unit, "ucd": c.ucd, "utype": c.utype,
                 "description": c.description or None} for c, e in zip(columns, codes,
                                                                          strict=True)]
    yield ('{"metadata": ' + json.dumps(metadata) + ', "data": [').encode()
    first = True
    makers = [c.json for c in codes]
    for chunk in rows.chunks():
        parts = []
        for row in chunk:
            parts.append(json.dumps([m(v) for m, v in zip(makers, row, strict=True)],
                                    allow_nan=False))
        text = ",\n".join(parts)
        yield (("\n" if first else ",\n") + text).encode("utf-8")
        first = False
    status = "ERROR" if rows.error else ("OVERFLOW" if rows.overflow else "OK")
    tail = {"status": status, "rows": rows.count}
    if rows.error:
        tail["message"] = rows.error
    yield ("], " + json.dumps(tail)[1:] + "\n").encode()


def write_result(columns: Sequence[Column], rows: Iterable[Sequence[Any]], fmt: OutputFormat,
                 *, maxrec: int | None = None, infos: Mapping[str, str] | None = None,
                 query: str | None = None, table_name: str = "result",
                 stats: dict[str, Any] | None = None) -> Iterator[bytes]:
    """Encode ``rows`` as ``fmt``, streaming; ``stats`` receives rows/overflow/error."""
    reader = _Rows(rows, maxrec)
    if fmt.name == "votable":
        yield from _votable(columns, reader, fmt, infos or {}, query, table_name)
    elif fmt.name == "csv":
        yield from _delimited(columns, reader, ",")
    elif fmt.name == "tsv":
        yield from _delimited(columns, reader, "\t")
    else:
        yield from _json(columns, reader)
    if stats is not None:
        stats.update(rows=reader.count, overflow=reader.overflow, error=reader.error)


def error_document(message: str, *, status: str = "ERROR") -> bytes:
    """A DALI error document: a VOTable whose QUERY_STATUS INFO carries the message."""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<VOTABLE version="1.4" xmlns="{VOTABLE_NS}">\n'
            f'<RESOURCE type="results">\n'
            f'<INFO name="QUERY_STATUS" value="{xml_attr(status)}">{xml_text(message)}</INFO>\n'
            f"</RESOURCE>\n</VOTABLE>\n").encode()
