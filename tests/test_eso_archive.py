"""`harvest eso`: the real pyvo/httpx clients against a local server replaying the archive."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import sqlalchemy as sa
from astropy.io import fits
from astropy.table import Table
from test_eso_files import _frame

from obsportal.harvesters.eso_archive import raw_query
from obsportal.harvesters.runner import harvest_eso_archive

FRAMES = [("GRAVI.2016-06-23T03:10:17.458", "2017-01-01T10:00:00"),
          ("GRAVI.2016-06-23T03:30:00.000", "2017-02-01T10:00:00"),
          ("GRAVI.2016-06-23T04:00:00.000", "2017-03-01T10:00:00")]


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """A TAP /sync answering dbo.raw queries and a header service, with a request log."""
    headers = {}
    for index, (dp_id, _) in enumerate(FRAMES):
        path = _frame(tmp_path / f"{index}.fits", ARCFILE=f"{dp_id}.fits",
                      **{"MJD-OBS": 57562.13214651 + index * 0.01})
        headers[dp_id] = fits.getheader(path).tostring(sep="\n")
    headers.pop(FRAMES[2][0])  # the archive has lost this header: reported, not fatal
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _answer(self, body: bytes, ctype: str, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            params = {k.lower(): v[-1] for k, v in parse_qs(url.query).items()}
            requests.append(self.path)
            if url.path == "/hdr":
                text = headers.get(params.get("dpid", ""))
                if text is None:
                    self._answer(b"no such frame", "text/plain", 404)
                else:
                    self._answer(f"<html><body><pre>{text}</pre></body></html>".encode(),
                                 "text/html")
            else:
                self._answer(b"", "text/plain", 404)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            form = {k.lower(): v[-1] for k, v in
                    parse_qs(self.rfile.read(length).decode()).items()}
            requests.append(form.get("query", ""))
            query = form.get("query", "")
            since = query.split("last_mod_date > '")[1].split("'")[0] \
                if "last_mod_date >" in query else ""
            rows = [(d, m) for d, m in FRAMES if m > since]
            table = Table(rows=rows or None, names=["dp_id", "last_mod_date"],
                          dtype=[str, str])
            out = BytesIO()
            table.write(out, format="votable")
            self._answer(out.getvalue(), "application/x-votable+xml")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()


def test_query_is_built_from_controlled_literals() -> None:
    query = raw_query("2017-01-01T10:00:00")
    assert "instrument IN ('GRAVITY', 'MATISSE', 'PIONIER', 'AMBER')" in query
    assert "last_mod_date > '2017-01-01T10:00:00'" in query
    with pytest.raises(Exception, match="bad checkpoint"):
        raw_query("x' OR 1=1 --")


def test_incremental_harvest_with_header_cache(archive, any_engine: sa.Engine,  # type: ignore[no-untyped-def]
                                               tmp_path: Path) -> None:
    base, requests = archive
    cache = tmp_path / "headers"
    first = harvest_eso_archive(any_engine, tap_url=f"{base}/tap", header_url=f"{base}/hdr",
                                cache_dir=cache)
    assert first.new == 2 and len(first.failed_files) == 1
    assert "GRAVI.2016-06-23T04:00:00.000" in first.failed_files[0]
    assert len(list(cache.glob("*.hdr"))) == 2
    requests.clear()
    second = harvest_eso_archive(any_engine, tap_url=f"{base}/tap", header_url=f"{base}/hdr",
                                 cache_dir=cache)
    assert second.new == 0 and second.files == 0  # nothing after the checkpoint
    assert any("last_mod_date > '2017-03-01T10:00:00'" in r for r in requests)
    again = harvest_eso_archive(any_engine, tap_url=f"{base}/tap", header_url=f"{base}/hdr",
                                cache_dir=cache, since="2000-01-01")
    assert again.updated == 2 and not any(r.startswith("/hdr?DpId=GRAVI.2016-06-23T03")
                                          for r in requests)
    baselines = ("obsportal.exposure_baseline" if any_engine.dialect.name == "postgresql"
                 else "obsportal_exposure_baseline")
    with any_engine.connect() as conn:
        assert conn.execute(sa.text(f"SELECT count(*) FROM {baselines}")).scalar_one() == 12
