"""TAP 1.1 / DALI request parameters: case-insensitive names, validated values.

Parameter *names* are case-insensitive (DALI); values are kept as sent.
Unknown parameters are ignored. Every invalid value raises
:class:`ParameterError` with a message naming the parameter and what is
accepted, which the handlers turn into a DALI error document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

LANGUAGES = {"ADQL", "ADQL-2.0", "ADQL-2.1"}


class ParameterError(ValueError):
    """A request parameter is missing or has an unusable value."""


@dataclass(frozen=True)
class UploadSpec:
    """One ``UPLOAD`` item: table name and where its VOTable is (``param:x`` or URL)."""

    table: str
    source: str

    @property
    def inline_part(self) -> str | None:
        return self.source[len("param:"):] if self.source.startswith("param:") else None


@dataclass
class TapRequest:
    """The validated parameters of one TAP query."""

    query: str
    lang: str = "ADQL"
    response_format: str | None = None
    maxrec: int | None = None
    runid: str | None = None
    uploads: list[UploadSpec] = field(default_factory=list)


def lower_keys(items: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Group parameter values by lower-cased name (DALI: names are case-insensitive)."""
    grouped: dict[str, list[str]] = {}
    for key, value in items:
        grouped.setdefault(key.lower(), []).append(value)
    return grouped


def _single(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len({v for v in values}) > 1:
        raise ParameterError(f"{name.upper()} was given {len(values)} different values; "
                             "give it once")
    return values[0]


_TABLE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def parse_uploads(values: list[str]) -> list[UploadSpec]:
    """``UPLOAD=name,source[;name2,source2]`` (several UPLOAD parameters allowed)."""
    specs: list[UploadSpec] = []
    for value in values:
        for item in filter(None, (part.strip() for part in value.split(";"))):
            name, sep, source = item.partition(",")
            name, source = name.strip(), source.strip()
            if not sep or not name or not source:
                raise ParameterError(f"UPLOAD item {item!r} must be 'table_name,URI'")
            if not _TABLE_NAME.match(name):
                raise ParameterError(f"UPLOAD table name {name!r} is not a regular ADQL "
                                     "identifier (letters, digits, underscore)")
            if not (source.startswith(("param:", "http://", "https://"))):
                raise ParameterError(f"UPLOAD source {source!r}: use param:NAME for an "
                                     "inline part, or an http(s) URL")
            if any(s.table.lower() == name.lower() for s in specs):
                raise ParameterError(f"UPLOAD table name {name!r} is used twice")
            specs.append(UploadSpec(name, source))
    return specs


def parse_maxrec(value: str | None) -> int | None:
    if value is None or value.strip() == "":
        return None
    try:
        maxrec = int(value.strip())
    except ValueError as exc:
        raise ParameterError(f"MAXREC must be a non-negative integer, not {value!r}") from exc
    if maxrec < 0:
        raise ParameterError(f"MAXREC must be a non-negative integer, not {value!r}")
    return maxrec


def parse_tap_request(params: dict[str, list[str]], *, require_query: bool = True
                      ) -> TapRequest:
    """Validate the query parameters of a sync request or an async job."""
    request = _single(params, "request")
    if request is not None and request.lower() != "doquery":
        raise ParameterError(f"REQUEST={request} is not supported: only doQuery "
                             "(REQUEST may be omitted)")
    lang = _single(params, "lang")
    if lang is None:
        if require_query:
            raise ParameterError("LANG is missing: use LANG=ADQL")
        lang = "ADQL"
    if lang.upper() not in LANGUAGES:
        raise ParameterError(f"LANG={lang} is not supported: use ADQL, ADQL-2.0 or ADQL-2.1")
    query = _single(params, "query")
    if require_query and (query is None or not query.strip()):
        raise ParameterError("QUERY is missing or empty")
    fmt = _single(params, "responseformat") or _single(params, "format")
    return TapRequest(
        query=query or "", lang=lang.upper(), response_format=fmt,
        maxrec=parse_maxrec(_single(params, "maxrec")), runid=_single(params, "runid"),
        uploads=parse_uploads(params.get("upload", [])),
    )
