"""`harvest oifits`: OIFITS products described from their OI tables, on both backends."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from astropy.io import fits

from obsportal.harvesters.oifits import OifitsError, read_products
from obsportal.harvesters.runner import harvest_oifits_files


def _oifits(path: Path, mjd: float = 60000.25) -> Path:
    """A minimal OIFITS v2 file: 2 targets, 3 stations, OI_VIS2 with 4 channels."""
    primary = fits.PrimaryHDU()
    primary.header["INSTRUME"] = "PIONIER"
    primary.header["TELESCOP"] = "ESO-VLTI-A1234"
    target = fits.BinTableHDU.from_columns([
        fits.Column("TARGET_ID", "I", array=[1, 2]),
        fits.Column("TARGET", "16A", array=["HD 1", "HD 2"]),
        fits.Column("RAEP0", "D", array=[10.0, 20.0]),
        fits.Column("DECEP0", "D", array=[-30.0, -40.0])], name="OI_TARGET")
    array = fits.BinTableHDU.from_columns([
        fits.Column("STA_NAME", "8A", array=["A0", "G1", "J2"]),
        fits.Column("STA_INDEX", "I", array=[1, 2, 3])], name="OI_ARRAY")
    array.header["ARRNAME"] = "VLTI"
    waves = fits.BinTableHDU.from_columns([
        fits.Column("EFF_WAVE", "E", array=np.array([1.5e-6, 1.6e-6, 1.7e-6, 1.8e-6]))],
        name="OI_WAVELENGTH")
    waves.header["INSNAME"] = "PIONIER_Pnat"
    vis2 = fits.BinTableHDU.from_columns([
        fits.Column("TARGET_ID", "I", array=[1, 1, 2]),
        fits.Column("MJD", "D", array=[mjd, mjd + 0.01, mjd + 0.1]),
        fits.Column("STA_INDEX", "2I", array=[[1, 2], [2, 3], [1, 3]])], name="OI_VIS2")
    vis2.header["INSNAME"] = "PIONIER_Pnat"
    vis2.header["ARRNAME"] = "VLTI"
    fits.HDUList([primary, target, array, waves, vis2]).writeto(path)
    return path


def test_products_from_oi_tables(tmp_path: Path) -> None:
    rows = read_products(_oifits(tmp_path / "x_calibrated.fits"),
                         access_base="https://data.example/oifits")
    assert [r["target_name"] for r in rows] == ["HD 1", "HD 2"]
    first = rows[0]
    assert first["calib_level"] == 2 and first["facility_name"] == "ESO-VLTI"
    assert first["interferometer_stations"] == "A0 G1 J2"
    assert first["t_min"] == pytest.approx(60000.25) and first["t_max"] == pytest.approx(60000.26)
    assert first["em_min"] == pytest.approx(1.5e-6) and first["em_xel"] == 4
    assert first["em_res_power"] == pytest.approx(16.5, rel=0.05)
    assert first["access_url"] == "https://data.example/oifits/x_calibrated.fits"
    assert rows[1]["interferometer_stations"] == "A0 J2"


def test_not_oifits_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "image.fits"
    fits.PrimaryHDU(np.zeros((2, 2))).writeto(path)
    with pytest.raises(OifitsError, match="not an OIFITS file"):
        read_products(path)


def test_harvest_puts_products_in_obscore(any_engine: sa.Engine, tmp_path: Path) -> None:
    _oifits(tmp_path / "a_calibrated.fits")
    (tmp_path / "broken.fits").write_bytes(b"junk")
    report = harvest_oifits_files(any_engine, [tmp_path])
    # 2 products + the 2 exposures (one per target) they came from.
    assert report.new == 4 and len(report.failed_files) == 1
    assert harvest_oifits_files(any_engine, [tmp_path / "a_calibrated.fits"]).updated == 4
    obscore = "ivoa.obscore" if any_engine.dialect.name == "postgresql" else "ivoa_obscore"
    with any_engine.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT obs_id, calib_level, em_xel FROM {obscore} "
                                    "WHERE calib_level > 0 ORDER BY obs_id")).all()
    assert [(r[1], r[2]) for r in rows] == [(2, 4), (2, 4)]


def test_real_oifits_files(shared_dir: Path, sqlite_engine: sa.Engine) -> None:
    report = harvest_oifits_files(sqlite_engine, [shared_dir / "external/data/oifits"])
    assert report.files == 13 and report.failed_files == []
    with sqlite_engine.connect() as conn:
        instruments = set(conn.execute(sa.text(
            "SELECT DISTINCT instrument_name FROM ivoa_obscore")).scalars())
    # CHARA's MIRCX is spelled MIRC-X, as in the CHARA log and the facts.
    assert {"GRAVITY", "MATISSE", "PIONIER", "MIRC-X"} <= instruments
