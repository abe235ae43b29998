"""HTTP binding of ``/search.votable`` (GET and POST, answered directly with 200)."""

from __future__ import annotations

import gzip
import math
from datetime import UTC, datetime

import sqlalchemy as sa
from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from ...schema.domain import EXPOSURE
from ...schema.sql import catalog_metadata, sa_table
from ...votable.encoders import xml_text
from .search import VOTABLE_NS, SearchRequest, render, search

router = APIRouter()
MIME = "application/x-votable+xml"


class BadParameterError(ValueError):
    pass


def _number(params: dict[str, str], name: str, default: float | None = None) -> float:
    raw = params.get(name)
    if raw is None or raw.strip() == "":
        if default is None:
            raise BadParameterError(f"parameter {name} is required")
        return default
    try:
        value = float(raw)
    except ValueError:
        raise BadParameterError(f"parameter {name}={raw!r} is not a number") from None
    if not math.isfinite(value):
        raise BadParameterError(f"parameter {name}={raw!r} is not a finite number")
    return value


def _date(params: dict[str, str], name: str) -> datetime | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        raise BadParameterError(f"parameter {name}={raw!r} is not an ISO 8601 date or time") \
            from None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def parse_search(params: dict[str, str]) -> SearchRequest:
    updated_from, updated_to = (_date(params, "date_updated_from"),
                                _date(params, "date_updated_to"))
    by_date_only = not params.get("ra") and not params.get("dec") and \
        (updated_from is not None or updated_to is not None)
    ra = dec = None
    radius = 30.0
    if not by_date_only:
        ra, dec = _number(params, "ra") % 360.0, _number(params, "dec")
        radius = _number(params, "radius", 30.0)
        if not -90 <= dec <= 90:
            raise BadParameterError("dec must be between -90 and 90 degrees")
        if not 0 < radius <= 3600 * 10:
            raise BadParameterError("radius must be between 0 and 36000 arcsec")
    return SearchRequest(ra, dec, radius, params.get("instrument") or None,
                         params.get("instrument_mode") or None,
                         params.get("interferometer") or None, updated_from, updated_to)


def _error(message: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<VOTABLE version="1.4" '
            f'xmlns="{VOTABLE_NS}">\n<RESOURCE type="results">\n'
            f'<INFO name="QUERY_STATUS" value="ERROR">{xml_text(message)}</INFO>\n<TABLE>\n'
            '<PARAM name="status" datatype="unicodeChar" arraysize="*" value="ERROR"/>\n'
            '<FIELD name="exp_id" datatype="unicodeChar" arraysize="*"/>\n'
            "<DATA><TABLEDATA/></DATA>\n</TABLE>\n</RESOURCE>\n</VOTABLE>\n").encode()


def _last_modified(engine: sa.Engine) -> datetime | None:
    dialect = engine.dialect.name
    exposure = sa_table(catalog_metadata(dialect), EXPOSURE, dialect)
    with engine.connect() as conn:
        value = conn.execute(sa.select(sa.func.max(exposure.c.last_update))).scalar()
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if isinstance(value, datetime) else None


@router.api_route("/search.votable", methods=["GET", "POST"])
async def search_votable(request: Request) -> Response:
    params = {k.lower(): v for k, v in request.query_params.items()}
    if request.method == "POST":
        form = await request.form()
        params.update({k.lower(): str(v) for k, v in form.items()})
    engine: sa.Engine = request.app.state.engine
    try:
        search_request = parse_search(params)
    except BadParameterError as exc:
        return Response(_error(str(exc)), status_code=400, media_type=MIME)
    rows = await run_in_threadpool(search, engine, search_request)
    last = await run_in_threadpool(_last_modified, engine)
    body = b"".join(render(rows, last))
    headers = {}
    if "gzip" in request.headers.get("accept-encoding", ""):
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=MIME, headers=headers)


@router.post("/api/observations/match")
async def match_observations(request: Request) -> Response:
    """Observations of a list of targets (CSV or VOTable upload), grouped into OB blocks."""
    from fastapi.responses import JSONResponse
    from starlette.datastructures import UploadFile

    from .match import TargetListError, as_json, as_votable, match_targets, parse_targets

    content_type = request.headers.get("content-type", "")
    fmt = request.query_params.get("format", "")
    data = b""
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("targets") or form.get("file")
        fmt = fmt or str(form.get("format") or "")
        if isinstance(upload, UploadFile):
            data = await upload.read(20_000_001)
    else:
        data = await request.body()
    problem = None
    if not data:
        problem = "send the target list as the body or as a multipart part named 'targets'"
    try:
        targets = parse_targets(data) if not problem else []
    except TargetListError as exc:
        problem = str(exc)
    wants_json = fmt.lower() == "json" or (
        not fmt and "application/json" in request.headers.get("accept", ""))
    if problem:
        if wants_json:
            return JSONResponse({"error": problem}, status_code=400)
        return Response(_error(problem), status_code=400, media_type=MIME)
    engine: sa.Engine = request.app.state.engine
    matches = await run_in_threadpool(match_targets, engine, targets)
    if wants_json:
        return JSONResponse(as_json(matches))
    return Response(b"".join(as_votable(matches)), media_type=MIME)


@router.api_route("/api/observations/raw.xml", methods=["GET", "POST"])
async def raw_observations(request: Request) -> Response:
    """The search.votable rows as ASPRO2 raw observations (``o:observations`` XML)."""
    from .rawobs import observations_document

    params = {k.lower(): v for k, v in request.query_params.items()}
    if request.method == "POST":
        form = await request.form()
        params.update({k.lower(): str(v) for k, v in form.items()})
    try:
        search_request = parse_search(params)
    except BadParameterError as exc:
        return Response(_error(str(exc)), status_code=400, media_type=MIME)
    engine: sa.Engine = request.app.state.engine
    rows = await run_in_threadpool(search, engine, search_request)
    return Response(observations_document(rows), media_type="application/xml")
