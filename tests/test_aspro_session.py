"""`harvest aspro`: ASPRO2 sessions — round trip through `export asprox`, and real samples."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from test_aspro_rawobs import SESSION
from test_eso_files import _frame

from obsportal.harvesters.runner import harvest_aspro_sessions, harvest_eso_files
from obsportal.service.aspro.rawobs import export_asprox


def test_round_trip_through_an_exported_session(sqlite_engine: sa.Engine,
                                                new_pg_engine: sa.Engine,
                                                tmp_path: Path) -> None:
    _frame(tmp_path / "a.fits")
    harvest_eso_files(sqlite_engine, [tmp_path / "a.fits"])
    session = tmp_path / "s.asprox"
    session.write_text(SESSION)
    filled = tmp_path / "filled.asprox"
    filled.write_bytes(export_asprox(sqlite_engine, session))
    report = harvest_aspro_sessions(new_pg_engine, [filled, tmp_path / "a.fits"])
    assert report.new == 1 and len(report.failed_files) == 1
    with new_pg_engine.connect() as conn:
        target = conn.execute(sa.text(
            "SELECT name, ra, dec FROM obsportal.target WHERE name = 'IRAS 17216-3801'")).one()
        row = conn.execute(sa.text(
            "SELECT instrument_mode, interferometer_stations, s_dec FROM ivoa.obscore")).one()
        baselines = conn.execute(sa.text(
            "SELECT count(*) FROM obsportal.exposure_baseline")).scalar_one()
    assert abs(target.ra - 261.274746) < 1e-3 and abs(target.dec + 38.06696) < 1e-3
    assert row[0] == "MEDIUM-COMBINED" and row[1] == "A0 B2 D0 C1"
    assert baselines == 6


def test_real_aspro2_sessions(shared_dir: Path, sqlite_engine: sa.Engine) -> None:
    samples = shared_dir / "external/data/aspro-config/obsportal-samples"
    report = harvest_aspro_sessions(sqlite_engine, sorted(samples.glob("*.asprox")))
    assert report.failed_files == [] and report.new > 20
    with sqlite_engine.connect() as conn:
        aliases = conn.execute(sa.text(
            "SELECT count(*) FROM obsportal_target WHERE aliases IS NOT NULL")).scalar_one()
    assert aliases > 0
