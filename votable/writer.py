"""Streaming result writers: VOTable 1.4 (BINARY2, BINARY, TABLEDATA), CSV, TSV, JSON.

``write_result`` is a generator: the document head is rendered once from the
column metadata, then rows are pulled from the (server-side cursor) iterator
and encoded in chunks of :data:`CHUNK_ROWS` with encoders compiled once per
column. Memory is bounded by one chunk, whatever the number of rows.

Overflow (more rows than MAXREC) and an error while rows are read or encoded
are reported after ``</TABLE>`` with an ``INFO name="QUERY_STATUS"`` element
(DALI 1.1 §4.4.1); the table before it stays well formed and holds every row
written so far. JSON carries the same information in its ``status`` member.
CSV and TSV have no place for it: the caller learns it through ``stats``.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from ..schema.model import Column
from .encoders import INT_NULLS, ColumnEncoder, encoders, xml_attr, xml_text
from .formats import OutputFormat

log = logging.getLogger("obsportal.votable")

VOTABLE_NS = "http://www.ivoa.net/xml/VOTable/v1.3"
VOTABLE_VERSION = "1.4"
#: Rows encoded per yielded piece.
CHUNK_ROWS = 1000
#: Raw bytes per base64 piece: a multiple of 3 (no padding inside the stream) and
#: of 57 (whole 76-character lines).
B64_BLOCK = 57 * 1024
_NCNAME_BAD = re.compile(r"[^A-Za-z0-9_.\-]")


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
                    if self.error is not None:
                        return
                    chunk = []
        except Exception as exc:  # reported in the document, never a broken stream
            log.warning("error while reading rows", exc_info=True)
            self.error = str(exc) or type(exc).__name__
        if chunk:
            yield chunk

    def fail(self, message: str, unwritten: int) -> None:
        """An encoding error: ``unwritten`` rows of the current chunk were not written."""
        log.warning("result truncated: %s", message)
        self.error = message
        self.count -= unwritten
        self.overflow = False

    @property
    def status(self) -> str:
        return "ERROR" if self.error is not None else ("OVERFLOW" if self.overflow else "OK")


def _encode_error(codes: Sequence[ColumnEncoder], encode: Callable[[ColumnEncoder, Any], Any],
                  row: Sequence[Any], number: int, exc: Exception) -> str:
    """A message naming the row and column a value could not be written for."""
    try:
        values = list(row)
    except TypeError:
        values = []
    if len(values) != len(codes):
        return f"row {number}: {len(values)} values for {len(codes)} columns"
    for code, value in zip(codes, values, strict=True):
        try:
            encode(code, value)
        except Exception as cell_exc:
            return f"row {number}, column {code.name}: {cell_exc}"
    return f"row {number}: {exc}"


# -- VOTable ------------------------------------------------------------------------------

def _ids(columns: Sequence[Column]) -> list[str]:
    """Unique XML IDs (NCNames) for the FIELDs, derived from the column names."""
    seen: set[str] = set()
    out = []
    for column in columns:
        base = _NCNAME_BAD.sub("_", column.name) or "col"
        if not (base[0].isalpha() or base[0] == "_"):
            base = "_" + base
        ident, n = base, 1
        while ident.lower() in seen:
            n += 1
            ident = f"{base}_{n}"
        seen.add(ident.lower())
        out.append(ident)
    return out


def _field(column: Column, ident: str, code: ColumnEncoder, serialization: str | None) -> str:
    attrs = [f'name="{xml_attr(column.name)}"', f'ID="{ident}"',
             f'datatype="{code.datatype}"']
    if code.arraysize:
        attrs.append(f'arraysize="{code.arraysize}"')
    if code.xtype:
        attrs.append(f'xtype="{xml_attr(code.xtype)}"')
    for name in ("unit", "ucd", "utype"):
        value = getattr(column, name)
        if value:
            attrs.append(f'{name}="{xml_attr(value)}"')
    inner = ""
    if column.description:
        inner += f"<DESCRIPTION>{xml_text(column.description)}</DESCRIPTION>"
    if serialization == "BINARY" and code.datatype in INT_NULLS and not code.is_array:
        inner += f'<VALUES null="{INT_NULLS[code.datatype]}"/>'
    return f"<FIELD {' '.join(attrs)}>{inner}</FIELD>\n"


def _head(columns: Sequence[Column], codes: list[ColumnEncoder], fmt: OutputFormat,
          infos: Mapping[str, str], query: str | None, table_name: str) -> str:
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n',
             f'<VOTABLE version="{VOTABLE_VERSION}" xmlns="{VOTABLE_NS}" '
             'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n',
             '<RESOURCE type="results">\n',
             '<INFO name="QUERY_STATUS" value="OK"/>\n']
    if query is not None:
        parts.append(f'<INFO name="QUERY" value="{xml_attr(query)}"/>\n')
    for name, value in infos.items():
        parts.append(f'<INFO name="{xml_attr(name)}" value="{xml_attr(str(value))}"/>\n')
    parts.append(f'<TABLE name="{xml_attr(table_name)}">\n')
    parts.extend(_field(c, i, e, fmt.serialization)
                 for c, i, e in zip(columns, _ids(columns), codes, strict=True))
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
    width = len(codes)
    for chunk in rows.chunks():
        out: list[str] = []
        for position, row in enumerate(chunk):
            try:
                if len(row) != width:
                    raise ValueError("wrong number of values")
                cells = [text(value) for text, value in zip(texts, row, strict=True)]
            except Exception as exc:
                rows.fail(_encode_error(codes, lambda c, v: c.text(v), row,
                                        rows.count - len(chunk) + position + 1, exc),
                          len(chunk) - position)
                break
            out.append("<TR><TD>" + "</TD><TD>".join(cells) + "</TD></TR>\n" if width
                       else "<TR></TR>\n")
        yield "".join(out).encode("utf-8")
        if rows.error is not None:
            break
    yield b"</TABLEDATA></DATA>\n"


def _row_packer(codes: list[ColumnEncoder], binary2: bool) -> Callable[[Sequence[Any]], bytes]:
    """One function packing a whole row (BINARY2: null mask first)."""
    packers = [c.packer(binary2) for c in codes]
    nulls = [c.null_bytes(binary2) for c in codes]
    width = len(codes)
    mask_bytes = (width + 7) // 8
    top = mask_bytes * 8 - 1
    no_nulls = bytes(mask_bytes)

    def pack_binary(row: Sequence[Any]) -> bytes:
        if len(row) != width:
            raise ValueError("wrong number of values")
        return b"".join([pack(value) or null
                         for pack, value, null in zip(packers, row, nulls, strict=True)])

    def pack_binary2(row: Sequence[Any]) -> bytes:
        if len(row) != width:
            raise ValueError("wrong number of values")
        parts = [pack(value) for pack, value in zip(packers, row, strict=True)]
        if None not in parts:
            return no_nulls + b"".join(parts)  # type: ignore[arg-type]
        mask = 0
        for i, part in enumerate(parts):
            if part is None:
                mask |= 1 << (top - i)
                parts[i] = nulls[i]
        return mask.to_bytes(mask_bytes, "big") + b"".join(parts)  # type: ignore[arg-type]

    return pack_binary2 if binary2 else pack_binary


def _binary(codes: list[ColumnEncoder], rows: _Rows, binary2: bool) -> Iterator[bytes]:
    tag = "BINARY2" if binary2 else "BINARY"
    yield f'<DATA><{tag}><STREAM encoding="base64">\n'.encode()
    pack_row = _row_packer(codes, binary2)
    pending = bytearray()
    for chunk in rows.chunks():
        for position, row in enumerate(chunk):
            try:
                pending += pack_row(row)
            except Exception as exc:
                rows.fail(_encode_error(codes, lambda c, v: c.packer(binary2)(v), row,
                                        rows.count - len(chunk) + position + 1, exc),
                          len(chunk) - position)
                break
        if len(pending) >= B64_BLOCK:
            cut = len(pending) - len(pending) % B64_BLOCK
            yield base64.encodebytes(pending[:cut])
            del pending[:cut]
        if rows.error is not None:
            break
    if pending:
        yield base64.encodebytes(pending)
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


# -- CSV, TSV, JSON -------------------------------------------------------------------------

def _csv(columns: Sequence[Column], rows: _Rows) -> Iterator[bytes]:
    """RFC 4180 CSV with a header line (``text/csv;header=present``)."""
    codes = encoders(columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in columns])
    yield out.getvalue().encode("utf-8")
    plains = [c.plain for c in codes]
    for chunk in rows.chunks():
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        for position, row in enumerate(chunk):
            try:
                cells = [plain(v) for plain, v in zip(plains, row, strict=True)]
            except Exception as exc:
                rows.fail(_encode_error(codes, lambda c, v: c.plain(v), row,
                                        rows.count - len(chunk) + position + 1, exc),
                          len(chunk) - position)
                break
            writer.writerow(cells)
        yield out.getvalue().encode("utf-8")
        if rows.error is not None:
            break


_TSV_BLANKS = str.maketrans({"\t": " ", "\n": " ", "\r": " "})


def _blanked(plain: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
    def blanked(value: Any) -> str | None:
        text = plain(value)
        return None if text is None else text.translate(_TSV_BLANKS)
    return blanked


def _tsv(columns: Sequence[Column], rows: _Rows) -> Iterator[bytes]:
    """IANA text/tab-separated-values: tabs and line breaks inside values become blanks."""
    codes = encoders(columns)
    yield ("\t".join(c.name.translate(_TSV_BLANKS) for c in columns) + "\n").encode("utf-8")
    plains = [c.plain if not c.is_text else _blanked(c.plain) for c in codes]
    for chunk in rows.chunks():
        out: list[str] = []
        for position, row in enumerate(chunk):
            try:
                cells = [plain(v) for plain, v in zip(plains, row, strict=True)]
            except Exception as exc:
                rows.fail(_encode_error(codes, lambda c, v: c.plain(v), row,
                                        rows.count - len(chunk) + position + 1, exc),
                          len(chunk) - position)
                break
            out.append("\t".join(["" if c is None else c for c in cells]) + "\n")
        yield "".join(out).encode("utf-8")
        if rows.error is not None:
            break


def _json(columns: Sequence[Column], rows: _Rows) -> Iterator[bytes]:
    """``{"metadata": [...], "data": [[...], ...], "status": ..., "rows": n}``."""
    codes = encoders(columns)
    metadata = [{"name": c.name, "datatype": e.datatype, "arraysize": e.arraysize,
                 "xtype": e.xtype, "unit": c.unit, "ucd": c.ucd, "utype": c.utype,
                 "description": c.description or None}
                for c, e in zip(columns, codes, strict=True)]
    yield ('{"metadata": ' + json.dumps(metadata, ensure_ascii=False) +
           ', "data": [').encode("utf-8")
    first = True
    makers = [c.json for c in codes]
    dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    for chunk in rows.chunks():
        parts = []
        for position, row in enumerate(chunk):
            try:
                parts.append(dumps([m(v) for m, v in zip(makers, row, strict=True)]))
            except Exception as exc:
                rows.fail(_encode_error(codes, lambda c, v: dumps(c.json(v)), row,
                                        rows.count - len(chunk) + position + 1, exc),
                          len(chunk) - position)
                break
        if parts:
            yield (("\n" if first else ",\n") + ",\n".join(parts)).encode("utf-8")
            first = False
        if rows.error is not None:
            break
    tail: dict[str, Any] = {"status": rows.status, "rows": rows.count}
    if rows.error is not None:
        tail["message"] = rows.error
    yield ("], " + json.dumps(tail, ensure_ascii=False)[1:] + "\n").encode("utf-8")


# -- entry points -------------------------------------------------------------------------

def write_result(columns: Sequence[Column], rows: Iterable[Sequence[Any]], fmt: OutputFormat,
                 *, maxrec: int | None = None, infos: Mapping[str, str] | None = None,
                 query: str | None = None, table_name: str = "result",
                 stats: dict[str, Any] | None = None) -> Iterator[bytes]:
    """Encode ``rows`` as ``fmt``, streaming, at most ``maxrec`` of them.

    ``infos`` become ``INFO`` elements of the VOTable RESOURCE (before the
    table), ``query`` an ``INFO name="QUERY"``. When the generator is
    exhausted, ``stats`` (if given) receives ``rows`` (rows written),
    ``overflow`` (more than ``maxrec`` were available), ``error`` (message or
    None) and ``status`` (OK, OVERFLOW or ERROR).
    """
    reader = _Rows(rows, maxrec)
    if fmt.name == "votable":
        yield from _votable(columns, reader, fmt, infos or {}, query, table_name)
    elif fmt.name == "csv":
        yield from _csv(columns, reader)
    elif fmt.name == "tsv":
        yield from _tsv(columns, reader)
    elif fmt.name == "json":
        yield from _json(columns, reader)
    else:
        raise ValueError(f"no writer for format {fmt.name!r}")
    if stats is not None:
        stats.update(rows=reader.count, overflow=reader.overflow, error=reader.error,
                     status=reader.status)


def error_document(message: str, *, status: str = "ERROR") -> bytes:
    """A DALI error document: a VOTable whose QUERY_STATUS INFO carries the message."""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<VOTABLE version="{VOTABLE_VERSION}" xmlns="{VOTABLE_NS}">\n'
            f'<RESOURCE type="results">\n'
            f'<INFO name="QUERY_STATUS" value="{xml_attr(status)}">{xml_text(message)}</INFO>\n'
            f"</RESOURCE>\n</VOTABLE>\n").encode()
