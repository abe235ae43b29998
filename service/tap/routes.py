"""TAP 1.1 HTTP handlers: sync queries, VOSI, DALI examples (async jobs: ``service/uws``).

Handlers only translate HTTP to the services in this package and back: they
read parameters, call :mod:`execute`, and stream the document. Errors become
DALI error documents with HTTP 400 (the client's fault) or 500 (ours).
"""

from __future__ import annotations

import itertools
import logging

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from ... import votable
from ...schema.catalog import CATALOG
from ..access.http import caller
from ..settings import Settings
from .capabilities import capabilities_document
from .examples import examples_document
from .execute import QueryError, prepare, stream
from .params import ParameterError, parse_tap_request
from .requests import fetch_uploads, read_request
from .vosi import availability_document, table_document, tableset_document

router = APIRouter(prefix="/tap")
log = logging.getLogger("obsportal.tap")

XML = "text/xml; charset=utf-8"
VOTABLE = "application/x-votable+xml"


def base_url(request: Request) -> str:
    """The TAP base URL clients should use (configured public URL, else from the request)."""
    settings: Settings = request.app.state.settings
    if settings.public_url:
        return settings.public_url.rstrip("/") + "/tap"
    return str(request.base_url).rstrip("/") + "/tap"


def error_response(message: str, status: int = 400) -> Response:
    return Response(votable.error_document(message), status_code=status, media_type=VOTABLE)


@router.api_route("/sync", methods=["GET", "POST"])
async def sync(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    engine: sa.Engine = request.app.state.engine
    try:
        raw = await read_request(request, settings)
        tap = parse_tap_request(raw.params)
        uploads = await run_in_threadpool(fetch_uploads, tap.uploads, raw.parts, settings)
        prepared = prepare(engine, tap, settings, uploads, caller(request).viewer)
        chunks = stream(engine, prepared, settings.sync_timeout)
        first = await run_in_threadpool(next, chunks, b"")
    except (ParameterError, QueryError) as exc:
        return error_response(str(exc))
    except Exception:
        log.exception("sync query failed")
        return error_response("internal error while running the query; it has been "
                              "logged", 500)
    headers = {"Content-Disposition": f'inline; filename="result.{prepared.fmt.extension}"'}
    return StreamingResponse(itertools.chain([first], chunks), media_type=prepared.fmt.mime,
                             headers=headers)


@router.get("/capabilities")
def capabilities(request: Request) -> Response:
    return Response(capabilities_document(base_url(request), request.app.state.settings),
                    media_type=XML)


@router.get("/examples", response_class=HTMLResponse)
def examples(request: Request) -> Response:
    return Response(examples_document(base_url(request)),
                    media_type="application/xhtml+xml; charset=utf-8")


@router.get("/availability")
def availability(request: Request) -> Response:
    engine: sa.Engine = request.app.state.engine
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        body = availability_document(True, "service is accepting queries")
    except sa.exc.SQLAlchemyError:
        body = availability_document(False, "database unreachable")
    return Response(body, media_type=XML)


@router.get("/tables")
def tables(request: Request) -> Response:
    detail = request.query_params.get("detail", "").lower()
    return Response(tableset_document(CATALOG, detail != "min"), media_type=XML)


@router.get("/tables/{name}")
def table(name: str) -> Response:
    found = CATALOG.find(name)
    if found is None:
        raise HTTPException(404, f"no table {name!r}: see /tap/tables for the published ones")
    return Response(table_document(found, CATALOG), media_type=XML)
