"""Target lists: /api/observations/match agrees with /search.votable and TAP UPLOAD."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from astropy.io.votable import parse, parse_single_table
from fastapi.testclient import TestClient

from obsportal.service.app import create_app
from obsportal.service.settings import Settings
from obsportal.service.tap.examples import EXAMPLES

TARGETS = b"name,ra,dec,radius\nHD 3203,260.0490821,21.939826,30\nempty sky,10,10,\n"


@pytest.fixture(params=["demo_sqlite", "demo_pg"])
def client(request: pytest.FixtureRequest, tmp_path) -> TestClient:  # type: ignore[no-untyped-def]
    engine: sa.Engine = request.getfixturevalue(request.param)
    return TestClient(create_app(engine, Settings(workers=0, data_dir=tmp_path)))


def test_blocks_group_exposures_and_list_calibrators(client: TestClient) -> None:
    response = client.post("/api/observations/match?format=json", content=TARGETS,
                           headers={"content-type": "text/csv"})
    assert response.status_code == 200
    targets = response.json()["targets"]
    assert [t["name"] for t in targets] == ["HD 3203", "empty sky"]
    blocks = targets[0]["blocks"]
    assert blocks and targets[1]["blocks"] == []
    for block in blocks:
        assert block["mjd_start"] <= block["mjd_end"]
        assert block["exposures"] and block["instrument_mode"] and block["configuration"]
        assert block["lst_start"] is not None
    assert any(block["calibrators"] for block in blocks if block["role"] == "science")


def test_same_exposures_through_match_search_and_tap_upload(client: TestClient) -> None:
    matched = client.post("/api/observations/match?format=json", content=TARGETS,
                          headers={"content-type": "text/csv"}).json()["targets"][0]["blocks"]
    via_match = sorted(e for block in matched for e in block["exposures"])
    search = client.get("/search.votable", params={"ra": 260.0490821, "dec": 21.939826})
    table = parse(io.BytesIO(search.content), verify="ignore").get_first_table().to_table()
    via_search = sorted(table["exp_header_id"])
    upload = (b'<?xml version="1.0"?><VOTABLE version="1.4" '
              b'xmlns="http://www.ivoa.net/xml/VOTable/v1.3"><RESOURCE><TABLE>'
              b'<FIELD name="ra" datatype="double"/><FIELD name="dec" datatype="double"/>'
              b"<DATA><TABLEDATA><TR><TD>260.0490821</TD><TD>21.939826</TD></TR>"
              b"</TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>")
    query = next(e.query for e in EXAMPLES if e.id == "upload-target-list").replace(
        "TAP_UPLOAD.targets", "TAP_UPLOAD.t").replace("t.name AS target", "'x' AS target")
    tap = client.post("/tap/sync", data={"LANG": "ADQL", "QUERY": query,
                                         "UPLOAD": "t,param:t"},
                      files={"t": ("t.vot", upload)})
    assert tap.status_code == 200, tap.text
    via_tap = sorted(parse_single_table(io.BytesIO(tap.content)).to_table()["obs_id"])
    assert via_match == via_search == via_tap and len(via_tap) > 10


def test_votable_answer_and_bad_lists(client: TestClient) -> None:
    response = client.post("/api/observations/match", files={"targets": ("t.csv", TARGETS)})
    assert response.status_code == 200
    table = parse(io.BytesIO(response.content), verify="exception").get_first_table()
    assert len(table.array) > 0 and table.fields[0].name == "target"
    bad = client.post("/api/observations/match?format=json",
                      content=b"name,ra\nx,notanumber\n", headers={"content-type": "text/csv"})
    assert bad.status_code == 400 and "ra and dec" in bad.json()["error"]
    empty = client.post("/api/observations/match", content=b"")
    assert empty.status_code == 400
