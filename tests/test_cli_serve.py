"""The README's run path: `obsportal serve` on an empty data directory, over real HTTP."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from obsportal.service.bootstrap import demo_path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, str]]:
    data_dir = tmp_path_factory.mktemp("serve")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OBSPORTAL_")}
    env.update(OBSPORTAL_DATA_DIR=str(data_dir), OBSPORTAL_LOG_LEVEL="warning")
    process = subprocess.Popen(
        [sys.executable, "-m", "obsportal", "serve", "--port", str(port)], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"obsportal serve exited: {process.stdout.read()}")  # type: ignore[union-attr]
            try:
                httpx.get(f"{base}/tap/availability", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.3)
        else:
            pytest.fail("obsportal serve did not answer within 120 s")
        assert process.stdout is not None
        banner = process.stdout.readline() + process.stdout.readline()
        yield base, data_dir, banner
    finally:
        process.terminate()
        output = process.communicate(timeout=20)[0]
        print(output)


def test_first_start_creates_the_embedded_database_with_the_demo(
        served: tuple[str, Path, str]) -> None:
    base, data_dir, _ = served
    database = data_dir / "obsportal.sqlite"
    assert database.exists()
    with sqlite3.connect(database) as conn:
        (exposures,) = conn.execute("SELECT count(*) FROM ivoa_obscore").fetchone()
        instruments = {r[0] for r in conn.execute(
            "SELECT DISTINCT instrument_name FROM ivoa_obscore")}
    assert exposures > 1000
    assert len(instruments) >= 3
    response = httpx.get(f"{base}/tap/availability")
    assert b"<vosi:available>true</vosi:available>" in response.content
    assert response.headers["server"].startswith("ObsPortal/")


def test_prints_the_tap_url(served: tuple[str, Path, str]) -> None:
    _, _, banner = served
    assert "TAP URL" in banner and "/tap" in banner
    assert "embedded SQLite" in banner


def test_tables_serves_every_obscore_column(served: tuple[str, Path, str]) -> None:
    base, _, _ = served
    text = httpx.get(f"{base}/tap/tables").text
    for column in ("obs_publisher_did", "s_region", "em_res_power", "instrument_mode",
                   "interferometer_stations", "exp_tau0"):
        assert f"<name>{column}</name>" in text


def test_demo_file_is_small_and_bundled() -> None:
    assert demo_path().exists()
    assert demo_path().stat().st_size <= 2 * 1024 * 1024
