"""/search.votable: the ObsPortal contract ASPRO2 reads, on both backends."""

from __future__ import annotations

import gzip
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from astropy.io.votable import parse
from fastapi.testclient import TestClient
from test_eso_files import _frame

from obsportal.harvesters.runner import harvest_eso_files
from obsportal.service.app import create_app
from obsportal.service.aspro.search import FIELDS
from obsportal.service.settings import Settings

RA, DEC = 261.274746, -38.06696


@pytest.fixture
def client(any_engine: sa.Engine, tmp_path: Path) -> TestClient:
    _frame(tmp_path / "a.fits")
    # Same target, pointing 60 arcsec north: found through its resolved target only.
    _frame(tmp_path / "b.fits", ARCFILE="GRAVI.2016-06-23T03:30:00.000.fits",
           DEC=DEC + 60 / 3600, **{"MJD-OBS": 57562.146})
    harvest_eso_files(any_engine, [tmp_path / "a.fits", tmp_path / "b.fits"])
    return TestClient(create_app(any_engine, Settings(workers=0, data_dir=tmp_path)))


def _table(content: bytes):  # type: ignore[no-untyped-def]
    # The contract keeps the JMMC UCDs (one, "meta.id;class", is not valid UCD1+).
    return parse(io.BytesIO(content), verify="ignore").get_first_table()


def test_post_answers_200_with_the_contract_fields(client: TestClient) -> None:
    response = client.post("/search.votable", data={"ra": str(RA), "dec": str(DEC)})
    assert response.status_code == 200 and response.history == []
    table = _table(response.content)
    assert [f.name for f in table.fields] == [f.name for f in FIELDS]
    assert b"<TABLEDATA>" in response.content
    rows = table.to_table()
    assert len(rows) == 2
    assert set(rows["exp_header_id"]) == {"GRAVI.2016-06-23T03:10:17.458",
                                          "GRAVI.2016-06-23T03:30:00.000"}
    first = rows[0]
    assert first["instrument_name"] == "GRAVITY" and first["instrument_mode"] == "MEDIUM-COMBINED"
    assert first["interferometer_name"] == "VLTI" and first["interferometer_version"] == "Period 97"
    assert first["interferometer_stations"] == "A0 B2 D0 C1"
    assert first["obs_type"] == "science" and first["obs_id"] == 1380620
    baselines = first["exp_projected_baselines"]
    assert re.match(r"^\{'A0-B2': \{'length': \{'start': '24.1660'", baselines)
    assert max(rows["distance"]) < 1.0  # the off-pointed frame matched through its target


def test_pointing_match_alone_and_filters(client: TestClient) -> None:
    north = client.get("/search.votable", params={"ra": RA, "dec": DEC + 60 / 3600,
                                                  "radius": "5"})
    assert len(_table(north.content).array) == 1
    none = client.get("/search.votable", params={"ra": RA, "dec": DEC,
                                                 "instrument": "MATISSE"})
    assert len(_table(none.content).array) == 0
    dated = client.get("/search.votable", params={
        "ra": RA, "dec": DEC, "date_updated_from": "2000-01-01T00:00:00+02:00",
        "date_updated_to": "2999-01-01"})
    assert len(_table(dated.content).array) == 2


@pytest.mark.parametrize("params", [{"ra": "x", "dec": "1"}, {"dec": "1"},
                                    {"ra": "1", "dec": "95"},
                                    {"ra": "1", "dec": "1", "date_updated_from": "yesterday"}])
def test_bad_parameters_are_400_votables_never_500(client: TestClient,
                                                   params: dict[str, str]) -> None:
    response = client.get("/search.votable", params=params)
    assert response.status_code == 400
    assert parse(io.BytesIO(response.content)).resources[0].infos[0].value == "ERROR"


def test_gzip_on_request(client: TestClient) -> None:
    response = client.get("/search.votable", params={"ra": RA, "dec": DEC},
                          headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("content-encoding") == "gzip"
    raw = response.content if response.content.startswith(b"<?xml") else \
        gzip.decompress(response.content)
    assert len(_table(raw).array) == 2


@pytest.mark.skipif(shutil.which("stilts") is None, reason="stilts not installed")
def test_votlint(client: TestClient, tmp_path: Path) -> None:
    path = tmp_path / "search.xml"
    path.write_bytes(client.get("/search.votable", params={"ra": RA, "dec": DEC}).content)
    result = subprocess.run(["stilts", "votlint", f"votable={path}"], capture_output=True,
                            text=True, check=False)
    assert result.stdout.strip() == ""


def test_fields_match_the_jmmc_samples(shared_dir: Path) -> None:
    sample = (shared_dir / "external/data/aspro-config/obsportal-samples/"
              "obsportal-dev-spica.votable.xml").read_text()
    theirs = {m.group(1): m.group(0) for m in re.finditer(r'<FIELD[^>]*name="([^"]+)"[^>]*>',
                                                          sample)}
    ours = {f.name: f for f in FIELDS}
    for name, element in theirs.items():
        assert name in ours, name
        datatype = re.search(r'datatype="([^"]+)"', element).group(1)  # type: ignore[union-attr]
        assert ours[name].datatype == datatype, name
        ucd = re.search(r'ucd="([^"]+)"', element)
        assert ours[name].ucd == (ucd.group(1) if ucd else None), name


def test_exposure_and_ob_pages(client: TestClient) -> None:
    rows = _table(client.get("/search.votable", params={"ra": RA, "dec": DEC}).content)
    exp_id = rows.to_table()["exp_id"][0]
    page = client.get(f"/detail/exposure/{exp_id}")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "GRAVI.2016-06-23T03:10:17.458" in page.text and "A0-B2" in page.text
    assert "MEDIUM-COMBINED" in page.text and "/detail/ob/" in page.text
    ob_link = re.search(r"/detail/ob/(\d+)", page.text).group(0)  # type: ignore[union-attr]
    ob = client.get(ob_link)
    assert ob.status_code == 200 and "SCI_IRAS17216" in ob.text and "60.A-9174(A)" in ob.text
    assert client.get("/detail/exposure/999999").status_code == 404
