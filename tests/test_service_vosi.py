"""HTTP through the app: VOSI availability and tables, headers, on both backends."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from lxml import etree
from pyvo.io.vosi import parse_availability, parse_tables

from obsportal.schema import CATALOG
from obsportal.schema.obscore import OBSCORE
from obsportal.service.app import SERVER_HEADER, create_app
from obsportal.service.settings import Settings


@pytest.fixture
def client(any_engine: sa.Engine) -> TestClient:
    return TestClient(create_app(any_engine, Settings(database_url="sqlite://")))


def test_availability(client: TestClient) -> None:
    response = client.get("/tap/availability")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert response.headers["server"] == SERVER_HEADER
    assert parse_availability(io.BytesIO(response.content)).available is True


def test_availability_reports_a_dead_database(tmp_path: object) -> None:
    engine = sa.create_engine("postgresql+psycopg2://nobody@127.0.0.1:1/none")
    client = TestClient(create_app(engine, Settings()))
    doc = parse_availability(io.BytesIO(client.get("/tap/availability").content))
    assert doc.available is False


def test_tables_lists_every_published_table_and_obscore_column(client: TestClient) -> None:
    response = client.get("/tap/tables")
    assert response.status_code == 200
    tableset = parse_tables(io.BytesIO(response.content), pedantic=True).tableset
    names = {t.name for schema in tableset.schemas for t in schema.tables}
    assert names == {t.qualified_name for t in CATALOG.published_tables}
    obscore = next(t for s in tableset.schemas for t in s.tables if t.name == "ivoa.obscore")
    columns = {c.name: c for c in obscore.columns}
    assert list(columns) == [c.name for c in OBSCORE.published_columns]
    assert "healpix" not in columns
    assert columns["s_ra"].unit == "deg" and columns["s_ra"].ucd == "pos.eq.ra"
    assert columns["t_min"].utype.lower() == \
        "obscore:char.timeaxis.coverage.bounds.limits.starttime"
    assert columns["s_region"].datatype.content == "char"
    assert obscore.utype == OBSCORE.utype


def test_tables_declares_foreign_keys(client: TestClient) -> None:
    tableset = parse_tables(io.BytesIO(client.get("/tap/tables").content)).tableset
    baseline = next(t for s in tableset.schemas for t in s.tables
                    if t.name == "obsportal.exposure_baseline")
    targets = {fk.targettable for fk in baseline.foreignkeys}
    assert "obsportal.exposure" in targets


def test_tables_detail_min_and_single_table(client: TestClient) -> None:
    root = etree.fromstring(client.get("/tap/tables", params={"detail": "min"}).content)
    assert root.findall(".//column") == [] and len(root.findall(".//table")) > 5
    one = client.get("/tap/tables/IVOA.ObsCore")
    assert one.status_code == 200
    assert etree.fromstring(one.content).findtext("name") == "ivoa.obscore"
    assert client.get("/tap/tables/pg_catalog.pg_user").status_code == 404
    assert client.get("/tap/tables/uws.job").status_code == 404


def test_cors_and_home_page(client: TestClient) -> None:
    response = client.get("/tap/availability", headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    home = client.get("/")
    assert "/tap" in home.text
