"""`harvest eso-files`: VLTI frames from FITS files and header dumps, with baselines."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from astropy.io import fits

from obsportal.harvesters.eso_headers import frame_record, read_header
from obsportal.harvesters.runner import harvest_eso_files


def _frame(path: Path, **changes: object) -> Path:
    """A GRAVITY raw-frame primary header (values of a real 2016 frame, kept as numbers)."""
    cards = {
        "TELESCOP": "ESO-VLTI-A1234", "INSTRUME": "GRAVITY", "OBJECT": "IRAS17216-3801",
        "RA": 261.274746, "DEC": -38.06696, "MJD-OBS": 57562.13214651, "EXPTIME": 300.0,
        "LST": 59733.643, "ARCFILE": "GRAVI.2016-06-23T03:10:17.458.fits",
        "HIERARCH ESO OBS ID": 1380620, "HIERARCH ESO OBS NAME": "SCI_IRAS17216",
        "HIERARCH ESO OBS PROG ID": "60.A-9174(A)",
        "HIERARCH ESO OBS TARG NAME": "IRAS17216-3801", "HIERARCH ESO DPR CATG": "SCIENCE",
        "HIERARCH ESO INS SPEC RES": "MEDIUM", "HIERARCH ESO INS POLA MODE": "COMBINED",
        "HIERARCH ESO ISS CONF NTEL": 4, "HIERARCH ESO ISS AMBI TAU0 START": 0.00507,
        "HIERARCH ESO ISS AMBI FWHM START": 0.31, "HIERARCH ESO ISS AMBI TEMP": 14.89,
    }
    for i, name in enumerate(["A0", "B2", "D0", "C1"], start=1):
        cards[f"HIERARCH ESO ISS CONF STATION{i}"] = name
    for key, length, angle in [("12", 24.166, 135.8), ("13", 31.889, 63.7),
                               ("14", 21.842, 108.265), ("23", 33.597, 20.5),
                               ("24", 11.191, 20.416), ("34", 22.406, 200.478)]:
        cards[f"HIERARCH ESO ISS PBL{key} START"] = length
        cards[f"HIERARCH ESO ISS PBLA{key} START"] = angle
    cards.update(changes)  # type: ignore[arg-type]
    header = fits.Header()
    for key, value in cards.items():
        if value is not None:
            header[key] = value
    fits.PrimaryHDU(header=header).writeto(path)
    return path


def test_frame_record_derives_setup_time_and_baselines(tmp_path: Path) -> None:
    record = frame_record(read_header(_frame(tmp_path / "f.fits")), "f.fits")
    row = record.row
    assert row["obs_id"] == "GRAVI.2016-06-23T03:10:17.458"
    assert row["instrument_mode"] == "MEDIUM-COMBINED"
    assert row["interferometer_stations"] == "A0 B2 D0 C1"
    assert set(row["configuration"].split("-")) == {"A0", "B2", "C1", "D0"}
    assert row["night"] == "2016-06-22" and row["obs_type"] == "science"
    assert row["exp_lst_start"] == pytest.approx(16.59268, abs=1e-4)
    assert row["exp_lst_end"] - row["exp_lst_start"] == pytest.approx(300 / 3600 * 1.0027,
                                                                       abs=1e-4)
    assert len(record.baselines) == 6 and record.issues == []
    a0b2 = record.baselines[0]
    assert (a0b2.station1, a0b2.station2, a0b2.pbl_start) == ("A0", "B2", 24.166)
    assert (a0b2.u_start ** 2 + a0b2.v_start ** 2) ** 0.5 == pytest.approx(24.166, abs=0.05)


def test_inconsistent_headers_are_logged_not_fatal(tmp_path: Path) -> None:
    path = _frame(tmp_path / "bad.fits", **{"HIERARCH ESO ISS PBL12 START": 80.0,
                                            "EXPTIME": None, "LST": None})
    record = frame_record(read_header(path), str(path))
    log = "; ".join(record.issues)
    assert "ISS.PBL12 START 80.0 m differs" in log and "EXPTIME missing" in log
    assert record.row["_validation_level"] == 0


def test_harvest_loads_exposures_and_baselines(any_engine: sa.Engine, tmp_path: Path) -> None:
    _frame(tmp_path / "one.fits")
    _frame(tmp_path / "two.fits", ARCFILE="GRAVI.2016-06-23T03:20:00.000.fits",
           **{"MJD-OBS": 57562.139})
    (tmp_path / "junk.fits").write_bytes(b"not a fits file")
    report = harvest_eso_files(any_engine, [tmp_path])
    assert report.new == 2 and len(report.failed_files) == 1
    again = harvest_eso_files(any_engine, [tmp_path / "one.fits"])
    assert again.updated == 1 and again.new == 0
    pg = any_engine.dialect.name == "postgresql"
    baselines = "obsportal.exposure_baseline" if pg else "obsportal_exposure_baseline"
    obscore = "ivoa.obscore" if pg else "ivoa_obscore"
    ob = "obsportal.ob_exec" if pg else "obsportal_ob_exec"
    with any_engine.connect() as conn:
        assert conn.execute(sa.text(f"SELECT count(*) FROM {baselines}")).scalar_one() == 12
        assert conn.execute(sa.text(
            f"SELECT count(*) FROM {obscore} WHERE interferometer_stations = 'A0 B2 D0 C1' "
            "AND instrument_mode = 'MEDIUM-COMBINED'")).scalar_one() == 2
        category = conn.execute(sa.text(f"SELECT configuration_match, ob_name FROM {ob}")).one()
    assert category[1] == "SCI_IRAS17216"


def test_real_vlti_headers(shared_dir: Path, sqlite_engine: sa.Engine) -> None:
    folder = shared_dir / "external/data/fits-headers"
    report = harvest_eso_files(sqlite_engine, [folder])
    assert report.new >= 7
    assert any("CHARA" in f for f in report.failed_files)  # not a VLTI frame: reported
    with sqlite_engine.connect() as conn:
        modes = dict(conn.execute(sa.text(
            "SELECT instrument_name, instrument_mode FROM ivoa_obscore")).all())
    assert modes["MATISSE"] == "SI_PHOT_LM_LOW" and modes["PIONIER"] in ("GRISM-H", "LARGE-H")


def test_uv_agrees_with_iss_pbl_on_every_real_header(shared_dir: Path) -> None:
    """≤ 5 cm and ≤ 0.5° against ISS.PBLij/PBLAij at start, on every header that has them.

    Sign convention: u towards east, v towards north, position angle from north through
    east — the convention of ESO's ISS.PBLA keywords (checked by this very comparison).
    """
    checked = 0
    for path in sorted((shared_dir / "external/data/fits-headers").glob("*")):
        if path.suffix not in (".txt",):
            continue
        header = read_header(path)
        if "HIERARCH ESO ISS PBL12 START" not in header:
            continue
        record = frame_record(header, str(path))
        for baseline in record.baselines:
            if baseline.pbl_start is None or baseline.u_start is None:
                continue
            length = (baseline.u_start ** 2 + baseline.v_start ** 2) ** 0.5  # type: ignore[operator]
            assert abs(length - baseline.pbl_start) <= 0.05, (path.name, baseline)  # 5 cm
            if baseline.pbla_start is not None:
                import math
                angle = math.degrees(math.atan2(baseline.u_start, baseline.v_start)) % 360  # type: ignore[arg-type]
                delta = (angle - baseline.pbla_start + 180) % 360 - 180
                assert abs(delta) <= 0.5, (path.name, baseline.station1, baseline.station2,
                                           angle, baseline.pbla_start)
            checked += 1
    assert checked >= 18


def test_unknown_mode_combinations_are_flagged_not_guessed(tmp_path: Path) -> None:
    path = _frame(tmp_path / "odd.fits", **{"HIERARCH ESO INS SPEC RES": "ULTRA"})
    record = frame_record(read_header(path), str(path))
    assert record.row["instrument_mode"] is None
    assert any("unknown to ASPRO2" in issue for issue in record.issues)


def test_pionier_modes_before_and_after_the_2015_grism(tmp_path: Path) -> None:
    common = {"INSTRUME": "PIONIER", "HIERARCH ESO INS SPEC RES": None,
              "HIERARCH ESO INS POLA MODE": None, "HIERARCH ESO INS FILT1 NAME": "H"}
    old = _frame(tmp_path / "old.fits", **common, **{"MJD-OBS": 55537.23,
                                                      "HIERARCH ESO INS OPTI3 NAME": "LARGE"})
    new = _frame(tmp_path / "new.fits", **common, **{"MJD-OBS": 57539.03,
                                                      "HIERARCH ESO INS OPTI2 NAME": "GRISM"})
    assert frame_record(read_header(old), "old").row["instrument_mode"] == "LARGE-H"
    assert frame_record(read_header(new), "new").row["instrument_mode"] == "GRISM-H"
