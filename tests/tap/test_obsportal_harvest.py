"""`harvest obsportal`: an ObsPortal harvested over HTTP (this service plays the remote)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import sqlalchemy as sa

from obsportal.harvesters.obsportal_source import parse_baselines
from obsportal.harvesters.runner import harvest_obsportal


def test_parse_baselines_dict_text() -> None:
    text = ("{'U1-U2': {'length': {'start': '55.9040', 'end': '55.8970'}, "
            "'angle': {'start': '3.3000', 'end': '4.0000'}}}")
    assert parse_baselines(text) == {("UT1", "UT2"): {
        "pbl_start": 55.904, "pbl_end": 55.897, "pbla_start": 3.3, "pbla_end": 4.0}}
    assert parse_baselines("not a dict") == {}


def test_incremental_harvest_from_a_live_obsportal(live_sqlite, sqlite_engine: sa.Engine  # type: ignore[no-untyped-def]
                                                   ) -> None:
    base = live_sqlite.url.removesuffix("/tap")
    total = httpx.post(f"{base}/search.votable",
                       data={"date_updated_from": "2000-01-01T00:00:00+00:00"})
    assert total.status_code == 200
    since = datetime(2020, 1, 1, tzinfo=UTC)
    first = harvest_obsportal(sqlite_engine, base_url=base, since=since)
    assert first.ok and first.new == 5000
    again = harvest_obsportal(sqlite_engine, base_url=base)  # from the checkpoint
    assert again.new == 0 and again.ok
    with sqlite_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM ivoa_obscore")).scalar_one() == 5000
        checkpoint = conn.execute(sa.text(
            "SELECT checkpoint FROM obsportal_harvest_state")).scalar_one()
    assert checkpoint.startswith(str(datetime.now(UTC).year))


def test_saved_jmmc_documents(shared_dir: Path, sqlite_engine: sa.Engine) -> None:
    samples = shared_dir / "external/data/aspro-config/obsportal-samples"
    report = harvest_obsportal(sqlite_engine, files=sorted(samples.glob("*.votable.xml")))
    assert report.failed_files == [] and report.new >= 30
    with sqlite_engine.connect() as conn:
        baselines = conn.execute(sa.text(
            "SELECT count(*) FROM obsportal_exposure_baseline WHERE u_start IS NOT NULL")
        ).scalar_one()
        instruments = set(conn.execute(sa.text(
            "SELECT DISTINCT instrument_name FROM ivoa_obscore")).scalars())
    assert baselines > 100 and {"GRAVITY", "SPICA"} <= instruments
