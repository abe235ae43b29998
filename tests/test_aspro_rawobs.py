"""ASPRO2 raw observations and asprox export, validated against ASPRO2's schemas."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from lxml import etree
from test_eso_files import _frame

from obsportal.harvesters.runner import harvest_eso_files
from obsportal.service.app import create_app
from obsportal.service.aspro.rawobs import export_asprox
from obsportal.service.settings import Settings

RA, DEC = 261.274746, -38.06696
SESSION = """<?xml version="1.0" encoding="UTF-8"?>
<a:observationSetting xmlns:a="http://www.jmmc.fr/aspro-oi/0.1">
  <name>test</name>
  <target id="IRAS17216"><name>IRAS 17216-3801</name><RA>17:25:05.9390</RA>
    <DEC>-38:04:01.06</DEC><EQUINOX>2000.0</EQUINOX></target>
  <target id="nothing"><name>nothing</name><RA>01:00:00</RA><DEC>+10:00:00</DEC>
    <EQUINOX>2000.0</EQUINOX></target>
</a:observationSetting>
"""


@pytest.fixture
def engine(sqlite_engine: sa.Engine, tmp_path: Path) -> sa.Engine:
    _frame(tmp_path / "a.fits")
    harvest_eso_files(sqlite_engine, [tmp_path / "a.fits"])
    return sqlite_engine


def test_raw_observations_document(engine: sa.Engine, tmp_path: Path) -> None:
    client = TestClient(create_app(engine, Settings(workers=0, data_dir=tmp_path)))
    response = client.get("/api/observations/raw.xml", params={"ra": RA, "dec": DEC})
    root = etree.fromstring(response.content)
    assert root.tag == "{http://www.jmmc.fr/aspro-raw-obs/0.1}observations"
    (observation,) = root.findall("observation")
    assert observation.findtext("instrumentMode") == "MEDIUM-COMBINED"
    assert observation.findtext("stations") == "A0 B2 D0 C1"
    assert observation.findtext("projectedBaselines").startswith("{'A0-B2'")
    assert [c.tag for c in observation][:3] == ["obsId", "type", "parentId"]


def test_export_fills_target_observations(engine: sa.Engine, tmp_path: Path) -> None:
    session = tmp_path / "s.asprox"
    session.write_text(SESSION)
    root = etree.fromstring(export_asprox(engine, session))
    blocks = root.findall("targetObservations")
    assert len(blocks) == 1 and blocks[0].findtext("targetRef") == "IRAS17216"
    assert len(blocks[0].findall("observation")) == 1


def test_against_aspro2_schemas(engine: sa.Engine, tmp_path: Path, shared_dir: Path) -> None:
    config = shared_dir / "external/data/aspro-config"
    schema = etree.XMLSchema(etree.parse(str(config / "AsproRawObsModel.xsd")))
    client = TestClient(create_app(engine, Settings(workers=0, data_dir=tmp_path)))
    document = etree.fromstring(client.get("/api/observations/raw.xml",
                                           params={"ra": RA, "dec": DEC}).content)
    schema.assertValid(document)
    # A real ASPRO2 session, re-exported. AsproOIModel.xsd imports a JMMC schema that is
    # not in ../shared, so check what the export touches: each inserted observation against
    # the raw-observation type, and the place of targetObservations in the sequence.
    session = tmp_path / "session.asprox"
    session.write_text(SESSION)
    exported = etree.fromstring(export_asprox(engine, session))
    wrapper = etree.Element("{http://www.jmmc.fr/aspro-raw-obs/0.1}observations")
    for observation in exported.iter("observation"):
        wrapper.append(observation)
    assert len(wrapper) == 1
    schema.assertValid(wrapper)
    sample = config / "obsportal-samples/Aspro2_sample_rawobs.asprox"
    order = [c.tag for c in etree.fromstring(export_asprox(engine, sample))
             if isinstance(c.tag, str)]
    if "targetObservations" in order:
        first = order.index("targetObservations")
        assert all(tag in ("targetObservations", "variant") for tag in order[first:])
        assert "target" not in order[first:]
