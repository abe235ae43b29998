"""TAP endpoints (VOSI part): ``/tap/availability``, ``/tap/tables``."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, Request, Response

from ...schema.catalog import CATALOG
from .vosi import availability_document, table_document, tableset_document

router = APIRouter(prefix="/tap")

XML = "text/xml; charset=utf-8"


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
