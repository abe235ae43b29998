"""Reading a TAP request: parameters from the query string and the form, uploads.

Parameter names are case-insensitive (DALI). Inline uploads come as multipart
parts named in ``UPLOAD=name,param:part``; http(s) uploads are fetched with a
size limit. Every problem is a :class:`ParameterError` with a message for
the user.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from fastapi import Request
from starlette.datastructures import UploadFile

from ... import votable
from ..settings import Settings
from .execute import UploadedTable
from .params import ParameterError, UploadSpec, lower_keys


@dataclass
class RawRequest:
    """Parameters (lower-cased names) and the uploaded parts of one HTTP request."""

    params: dict[str, list[str]]
    parts: dict[str, bytes] = field(default_factory=dict)


async def read_request(request: Request, settings: Settings) -> RawRequest:
    items: list[tuple[str, str]] = list(request.query_params.multi_items())
    parts: dict[str, bytes] = {}
    if request.method == "POST":
        form = await request.form(max_part_size=settings.upload_limit + 1)
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read(settings.upload_limit + 1)
                if len(data) > settings.upload_limit:
                    raise ParameterError(f"upload part {key} is larger than the limit of "
                                         f"{settings.upload_limit} bytes")
                parts[key] = data
            else:
                items.append((key, str(value)))
    return RawRequest(lower_keys(items), parts)


def fetch_uploads(specs: list[UploadSpec], parts: dict[str, bytes],
                  settings: Settings) -> list[UploadedTable]:
    """Read and parse every UPLOAD item (inline parts or http(s) URLs)."""
    tables: list[UploadedTable] = []
    for spec in specs:
        part = spec.inline_part
        if part is not None:
            if part not in parts:
                raise ParameterError(f"UPLOAD {spec.table}: no multipart part named {part!r} "
                                     "in the request")
            data = parts[part]
        else:
            data = _download(spec, settings)
        try:
            columns, rows = votable.parse_upload(data, spec.table, settings.upload_max_rows)
        except votable.UploadError as exc:
            raise ParameterError(str(exc)) from exc
        tables.append(UploadedTable(spec.table, columns, rows))
    return tables


def _download(spec: UploadSpec, settings: Settings) -> bytes:
    try:
        with httpx.stream("GET", spec.source, timeout=30, follow_redirects=True) as response:
            response.raise_for_status()
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > settings.upload_limit:
                    raise ParameterError(f"UPLOAD {spec.table}: {spec.source} is larger than "
                                         f"the limit of {settings.upload_limit} bytes")
            return bytes(data)
    except httpx.HTTPError as exc:
        raise ParameterError(f"UPLOAD {spec.table}: cannot fetch {spec.source}: {exc}") \
            from exc
