"""A live service on loopback (uvicorn in a thread) for client tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
import uvicorn

from obsportal.service.app import create_app
from obsportal.service.settings import Settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveService:
    url: str  # .../tap
    engine: sa.Engine
    data_dir: Path
    thread: threading.Thread | None = None


def stop_service(service: LiveService, server: uvicorn.Server) -> None:
    server.should_exit = True
    if service.thread is not None:
        service.thread.join(timeout=10)


def start_service(engine: sa.Engine, data_dir: Path) -> tuple[LiveService, uvicorn.Server]:
    settings = Settings(data_dir=data_dir, workers=2)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(engine, settings), host="127.0.0.1",
                                           port=port, log_level="warning",
                                           server_header=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(f"{base}/tap/availability", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.05)
    return LiveService(f"{base}/tap", engine, data_dir, thread), server


@pytest.fixture(scope="session")
def live_sqlite(demo_sqlite: sa.Engine, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[LiveService]:
    service, server = start_service(demo_sqlite, tmp_path_factory.mktemp("live-sqlite"))
    yield service
    stop_service(service, server)


@pytest.fixture(scope="session")
def live_pg(demo_pg: sa.Engine, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[LiveService]:
    service, server = start_service(demo_pg, tmp_path_factory.mktemp("live-pg"))
    yield service
    stop_service(service, server)


@pytest.fixture(params=["sqlite", "postgresql"])
def live(request: pytest.FixtureRequest) -> LiveService:
    name = "live_sqlite" if request.param == "sqlite" else "live_pg"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]
