"""`harvest oidb`: pyvo against a local TAP server answering like OiDB (paged by id)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from urllib.parse import parse_qs

import pytest
import sqlalchemy as sa
from astropy.table import Table

from obsportal.harvesters.runner import harvest_oidb


def _records() -> list[dict[str, object]]:
    rows = []
    for i in range(1, 8):
        rows.append({"id": i, "obs_id": f"oidb-{i}", "obs_collection": "chara_import",
                     "calib_level": 0 if i < 6 else 2, "dataproduct_type": "visibility",
                     "target_name": "HD 1", "s_ra": 10.0 + i / 3600, "s_dec": 20.0,
                     "t_min": 59000.0 + i / 100, "t_max": 59000.0 + i / 100 + 0.001,
                     "facility_name": "CHARA", "instrument_name": "MIRCX",
                     "instrument_mode": "H-Grism", "interferometer_stations": "S1-S2-E1",
                     "progid": "2020A-M01", "datapi": "A. Observer",
                     "nb_channels": 8, "em_min": 1.5e-6, "em_max": 1.8e-6})
    rows[3]["s_dec"] = 95.0  # a broken record: reported, the others load
    return rows


@pytest.fixture
def oidb() -> Iterator[tuple[str, list[str]]]:
    records = _records()
    queries: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            form = {k.lower(): v[-1] for k, v in
                    parse_qs(self.rfile.read(length).decode()).items()}
            query = form.get("query", "")
            queries.append(query)
            after = int(query.split("id > ")[1].split()[0])
            top = int(query.split("TOP ")[1].split()[0])
            chosen = [r for r in records if int(r["id"]) > after][:top]  # type: ignore[call-overload]
            table = Table(rows=[list(r.values()) for r in chosen] or None,
                          names=list(records[0]), dtype=[type(v) for v in records[0].values()])
            out = BytesIO()
            table.write(out, format="votable")
            body = out.getvalue()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-votable+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/tap", queries
    server.shutdown()


def test_paged_incremental_harvest(oidb, any_engine: sa.Engine) -> None:  # type: ignore[no-untyped-def]
    url, queries = oidb
    report = harvest_oidb(any_engine, tap_url=url, page=3)
    assert report.new == 6 and len(report.bad_rows) == 1 and "s_dec" in \
        report.bad_rows[0].message
    assert [q.split("id > ")[1].split()[0] for q in queries] == ["0", "3", "6"]
    queries.clear()
    again = harvest_oidb(any_engine, tap_url=url, page=3)
    assert again.new == 0 and queries == [queries[0]] and "id > 7" in queries[0]
    obscore = "ivoa.obscore" if any_engine.dialect.name == "postgresql" else "ivoa_obscore"
    with any_engine.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT calib_level, proposal_id, obs_creator_name, "
                                    f"interferometer_stations FROM {obscore} "
                                    "ORDER BY obs_id")).all()
    assert len(rows) == 6 and {r[0] for r in rows} == {0, 2}
    assert rows[0][1] == "2020A-M01" and rows[0][3] == "S1 S2 E1"
