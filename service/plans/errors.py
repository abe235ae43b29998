"""problem+json (RFC 9457) for the team-workspace API: refusals and invalid input.

Only the workspace paths answer this way; the TAP endpoints keep their DALI error
documents and the ASPRO2 endpoints their own formats.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from .store import PlanError

PROBLEM = "application/problem+json"
WORKSPACE_PATHS = ("/api/me", "/api/teams", "/api/plans", "/api/proposals")


def problem_response(status: int, title: str, detail: str,
                     errors: list[dict[str, Any]] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status,
                            "detail": detail}
    if errors:
        body["errors"] = errors
    headers = {"WWW-Authenticate": 'Bearer realm="ObsPortal"'} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _field(error: dict[str, Any]) -> str:
    location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query")]
    return ".".join(location) or "request"


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(PlanError)
    async def plan_error(_request: Request, exc: PlanError) -> Response:
        return problem_response(exc.status, exc.title, exc.detail)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if not request.url.path.startswith(WORKSPACE_PATHS):
            return await http_exception_handler(request, exc)
        title = {404: "Not Found", 405: "Method Not Allowed"}.get(exc.status_code, "Error")
        detail = str(exc.detail) if exc.detail else title
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no such resource: {request.url.path}"
        return problem_response(exc.status_code, title, detail)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if not request.url.path.startswith(WORKSPACE_PATHS):
            return await request_validation_exception_handler(request, exc)
        errors = [{"field": _field(e), "message": str(e.get("msg", "invalid"))}
                  for e in exc.errors()]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem_response(422, "Unprocessable Content", f"invalid request: {detail}",
                                errors)
