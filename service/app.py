"""FastAPI application factory.

Handlers live in routers by concern (VOSI/TAP here, more as the TAP, ASPRO2 and
REST issues land); each request reads the engine and settings from
``app.state``, so tests build an app on any database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import sqlalchemy as sa
from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse

from .. import __version__
from .access.http import authentication_middleware
from .aspro.pages import router as pages_router
from .aspro.routes import router as aspro_router
from .plans.errors import install_problem_handlers
from .plans.routes import router as plans_router
from .settings import Settings, get_settings
from .tap.routes import router as tap_router
from .uws.routes import router as uws_router
from .uws.store import JobStore
from .uws.worker import JobRunner

#: Software and the IVOA standards it implements (IVOA software identification note).
SERVER_HEADER = f"ObsPortal/{__version__} IVOA-TAP/1.1 IVOA-UWS/1.1"


def create_app(engine: sa.Engine, settings: Settings | None = None) -> FastAPI:
    """The service on ``engine`` (schema already in place), with its job workers."""
    settings = settings or get_settings()
    store = JobStore(engine, settings.data_dir / "results")
    runner = JobRunner(store, engine, settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        runner.start(settings.workers)
        try:
            yield
        finally:
            runner.stop()

    app = FastAPI(title="ObsPortal", version=__version__,
                  description="IVOA TAP service of optical interferometry observation logs.",
                  docs_url="/api/docs", openapi_url="/api/openapi.json", lifespan=lifespan)
    app.state.engine = engine
    app.state.settings = settings
    app.state.jobs = store
    app.state.runner = runner
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"],
                       allow_headers=["*"])

    app.middleware("http")(authentication_middleware)

    @app.middleware("http")
    async def server_header(request: Request,
                            call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers["Server"] = SERVER_HEADER
        return response

    install_problem_handlers(app)
    app.include_router(plans_router)
    app.include_router(uws_router)
    app.include_router(aspro_router)
    app.include_router(pages_router)
    app.include_router(tap_router)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> str:
        tap = f"{str(request.base_url).rstrip('/')}/tap"
        return (f"<!DOCTYPE html><html><head><title>ObsPortal</title></head><body>"
                f"<h1>ObsPortal {__version__}</h1><p>Interferometry observation log, served "
                f"over IVOA TAP. TAP URL for TOPCAT or pyvo: <code>{tap}</code></p>"
                f"<ul><li><a href='{tap}/tables'>tables</a></li>"
                f"<li><a href='{tap}/availability'>availability</a></li>"
                f"<li><a href='{tap}/examples'>example queries</a></li>"
                f"<li><a href='/api/docs'>team workspace API</a> (plans, proposals; "
                f"sign in with an API token)</li></ul></body></html>")

    return app
