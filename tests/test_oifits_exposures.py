"""`harvest oifits`: the exposure (calib_level 0) each OIFITS file came from.

Expected values are read from the files with astropy in the tests themselves (header
keywords, OI tables) or are the documented facts of ``shared/external/data`` READMEs; the
project-owned fixtures below are generated here so the core suite runs without ../shared.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from astropy.io import fits

from obsportal.harvesters.chara_headers import aspro_mode, read_chara_header, stations
from obsportal.harvesters.derive.apparent import apparent_radec
from obsportal.harvesters.derive.lst import hour_angle, lst_hours
from obsportal.harvesters.derive.stations import site_of, station_position
from obsportal.harvesters.derive.uv import project
from obsportal.harvesters.eso_headers import Baseline, HeaderError, frame_record, read_header
from obsportal.harvesters.oifits import eso_raw_id, eso_role, read_oifits
from obsportal.harvesters.runner import harvest_eso_files, harvest_oifits_files

OIFITS = "external/data/oifits"
MJD0 = 60310.10  # 2024-01-01T02:24 UT: night 2023-12-31 at Paranal, ESO P112
TARGET = ("HD 1", 30.0, -40.0)
STATIONS = ("A0", "G1", "J2")


def _uv(first: str, second: str, mjd: float) -> tuple[float, float]:
    """u,v of second − first for TARGET at ``mjd`` (the project's convention)."""
    site = site_of("VLTI")
    ra, dec = apparent_radec(TARGET[1], TARGET[2], mjd)
    p = project(station_position("VLTI", first), station_position("VLTI", second),
                site.latitude, hour_angle(lst_hours(mjd, site.longitude), ra), dec)
    return p.u, p.v


def _bare_oifits(path: Path, sign: float = 1.0, category: str | None = "CAL") -> Path:
    """OIFITS v2 without observatory header: 3 AT stations, OI_VIS2 at 2 times (+ a record
    with MJD 0, as some writers leave), u,v multiplied by ``sign``."""
    target_cols = [fits.Column("TARGET_ID", "I", array=[1]),
                   fits.Column("TARGET", "16A", array=[TARGET[0]]),
                   fits.Column("RAEP0", "D", array=[TARGET[1]]),
                   fits.Column("DECEP0", "D", array=[TARGET[2]])]
    if category:
        target_cols.append(fits.Column("CATEGORY", "3A", array=[category]))
    array = fits.BinTableHDU.from_columns([
        fits.Column("STA_NAME", "8A", array=list(STATIONS)),
        fits.Column("STA_INDEX", "I", array=[1, 2, 3])], name="OI_ARRAY")
    array.header["ARRNAME"] = "VLTI"
    waves = fits.BinTableHDU.from_columns([
        fits.Column("EFF_WAVE", "E", array=np.array([1.6e-6, 1.7e-6]))], name="OI_WAVELENGTH")
    waves.header["INSNAME"] = "TEST_INS"
    pairs = [(1, 2), (2, 3), (1, 3)]
    mjd, sta, u, v = [], [], [], []
    for t in (MJD0, MJD0 + 0.02):
        for a, b in pairs:
            uu, vv = _uv(STATIONS[a - 1], STATIONS[b - 1], t)
            mjd.append(t)
            sta.append([a, b])
            u.append(sign * uu)
            v.append(sign * vv)
    mjd.append(0.0)
    sta.append([1, 2])
    u.append(0.0)
    v.append(0.0)
    vis2 = fits.BinTableHDU.from_columns([
        fits.Column("TARGET_ID", "I", array=[1] * len(mjd)),
        fits.Column("MJD", "D", array=mjd), fits.Column("INT_TIME", "D", array=[0.0] * len(mjd)),
        fits.Column("UCOORD", "D", array=u), fits.Column("VCOORD", "D", array=v),
        fits.Column("STA_INDEX", "2I", array=sta)], name="OI_VIS2")
    vis2.header["INSNAME"] = "TEST_INS"
    vis2.header["ARRNAME"] = "VLTI"
    fits.HDUList([fits.PrimaryHDU(), fits.BinTableHDU.from_columns(target_cols,
                                                                   name="OI_TARGET"),
                  array, waves, vis2]).writeto(path)
    return path


def _baseline(row: dict[str, Any], first: str, second: str) -> Baseline:
    for b in row["_baselines"]:
        if (b.station1, b.station2) == (first, second):
            return b
        if (b.station2, b.station1) == (first, second):
            return Baseline(first, second, b.pbl_start, b.pbl_end, None, None,
                            -b.u_start, -b.v_start, -b.u_end, -b.v_end)
    raise AssertionError(f"no baseline {first}-{second} in {row['obs_id']}")


def _exposure(path: Path) -> dict[str, Any]:
    exposures = read_oifits(path).exposures
    assert len(exposures) == 1, [e["obs_id"] for e in exposures]
    return exposures[0]


def _records(path: Path, first: str, second: str) -> list[tuple[float, float, float]]:
    """(MJD, u, v) of OI_VIS2 records of a station pair (either order; reversed ones
    negated), dated and with u,v written, time-ordered — straight from the file."""
    out = []
    with fits.open(path) as hdus:
        names = {}
        for hdu in hdus:
            if hdu.name == "OI_ARRAY":
                names[hdu.header["ARRNAME"]] = {int(r["STA_INDEX"]): r["STA_NAME"].strip()
                                                for r in hdu.data}
        for hdu in hdus:
            if hdu.name != "OI_VIS2":
                continue
            by_index = names[hdu.header["ARRNAME"]]
            for r in hdu.data:
                a, b = (by_index[int(i)] for i in r["STA_INDEX"])
                if r["MJD"] < 15020 or (r["UCOORD"] == 0 and r["VCOORD"] == 0):
                    continue  # no date, or u,v left blank (GRAVITY_SC on flagged baselines)
                if (a, b) == (first, second):
                    out.append((float(r["MJD"]), float(r["UCOORD"]), float(r["VCOORD"])))
                elif (b, a) == (first, second):
                    out.append((float(r["MJD"]), -float(r["UCOORD"]), -float(r["VCOORD"])))
    return sorted(out)


def _mjd(iso: str) -> float:
    moment = datetime.fromisoformat(iso).replace(tzinfo=UTC)
    return (moment - datetime(1858, 11, 17, tzinfo=UTC)).total_seconds() / 86400


# -- project-owned fixtures ----------------------------------------------------------------
def test_headerless_exposure_from_the_oi_tables(tmp_path: Path) -> None:
    row = _exposure(_bare_oifits(tmp_path / "bare.fits"))
    assert row["obs_id"] == "bare.fits#HD 1#TEST_INS#2023-12-31"
    assert row["calib_level"] == 0 and row["obs_collection"] == "OIFITS"
    assert row["facility_name"] == "ESO-VLTI" and row["instrument_name"] == "TEST"
    assert row["interferometer_stations"] == "A0 G1 J2"  # OI_ARRAY order
    assert row["night"] == "2023-12-31" and row["obs_type"] == "calibrator"  # CATEGORY=CAL
    # The MJD 0 record is ignored; the span is the first and last record (INT_TIME 0).
    assert row["t_min"] == pytest.approx(MJD0) and row["t_max"] == pytest.approx(MJD0 + 0.02)
    site = site_of("VLTI")
    assert row["exp_lst_start"] == pytest.approx(lst_hours(MJD0, site.longitude), abs=1e-6)
    assert row["exp_lst_end"] == pytest.approx(lst_hours(MJD0 + 0.02, site.longitude),
                                               abs=1e-6)
    assert row["configuration"] and row["_configuration_match"]
    assert len(row["_baselines"]) == 3
    g1j2 = _baseline(row, "G1", "J2")
    u0, v0 = _uv("G1", "J2", MJD0)
    u1, v1 = _uv("G1", "J2", MJD0 + 0.02)
    assert (g1j2.u_start, g1j2.v_start) == pytest.approx((u0, v0), abs=1e-6)
    assert (g1j2.u_end, g1j2.v_end) == pytest.approx((u1, v1), abs=1e-6)
    assert g1j2.pbl_start == pytest.approx(math.hypot(u0, v0))


def test_opposite_uv_sign_is_detected_and_stored_as_station2_minus_station1(
        tmp_path: Path) -> None:
    row = _exposure(_bare_oifits(tmp_path / "flipped.fits", sign=-1.0, category=None))
    a0g1 = _baseline(row, "A0", "G1")
    assert (a0g1.u_start, a0g1.v_start) == pytest.approx(_uv("A0", "G1", MJD0), abs=1e-6)
    assert row["obs_type"] is None  # no CATEGORY, no header: the role is left unknown


@pytest.mark.parametrize(("conf", "filter1", "instrument", "mode"), [
    ("H_PRISM50", "H_band", "MIRC-X", "Low_H"),
    ("H_GRISM190", "H_band", "MIRC-X", "Medium_H"),
    ("H_PRISM102", "H_band", "MIRC-X", None),  # R=102: no ASPRO2 mode, flagged
    ("H_PRISM22", "H_band", "MIRC-X", None),
    ("K_PRISM50", "K_band", "MIRC-X", None),  # MIRC-X has no K mode in ASPRO2
    ("K_PRISM49", "K_band", "MYSTIC", "Low_K"),
    ("H_PRISM50", "K_band", "MIRC-X", None),  # band keys disagree
])
def test_mircx_mystic_modes_are_aspro2_names_or_flagged(conf: str, filter1: str,
                                                         instrument: str,
                                                         mode: str | None) -> None:
    header = fits.Header({"CONF_NA": conf, "FILTER1": filter1})
    found, issue = aspro_mode(instrument, header)
    assert found == mode
    assert (issue is None) == (mode is not None)


def test_chara_stations_in_beam_order_from_beamord() -> None:
    header = fits.Header()
    for n, code in enumerate([2, 3, 1, 0, 5, 4]):
        header[f"BEAMORD{n}"] = (code, "S1=0,S2=1,E1=2,E2=3,W1=4,W2=5")
    assert stations(header) == ["E1", "E2", "S2", "S1", "W2", "W1"]


@pytest.mark.parametrize(("cards", "role"), [
    ({"HIERARCH ESO DPR CATG": "SCIENCE"}, "science"),
    ({"HIERARCH ESO DPR CATG": "CALIB"}, "calibrator"),
    ({"HIERARCH ESO PRO CATG": "CALIB_RAW_INT"}, "calibrator"),
    ({"HIERARCH ESO PRO CATG": "SINGLE_CAL_VIS_CALIBRATED"}, "calibrator"),
    ({"HIERARCH ESO PRO CATG": "TARGET_RAW_INT"}, "science"),
    ({"HIERARCH ESO PRO CATG": "OIDATA_CALIBRATED"}, "science"),  # CALIBRATED is no CAL
    ({"HIERARCH ESO OBS NAME": "CAL_x"}, "calibrator"),
    ({}, None),
])
def test_eso_role(cards: dict[str, str], role: str | None) -> None:
    assert eso_role(fits.Header(cards)) == role


def test_eso_raw_id_rules() -> None:
    raw1 = fits.Header({"HIERARCH ESO PRO REC1 RAW1 NAME": "PIONI.2016-05-31T00:55:19.075.fits.Z",
                        "ARCFILE": "PIONI.2016-05-31T00:55:19.075.fits"})
    assert eso_raw_id(raw1, "x.fits", "PIONIER") == ("PIONI.2016-05-31T00:55:19.075", None)
    # A pipeline original name is no archive id; DATE-OBS with its fraction is, rounded.
    original = fits.Header({"HIERARCH ESO PRO REC1 RAW1 NAME": "GRAVITY.2016-06-23T03-15-42.fits",
                            "DATE-OBS": "2010-12-07T05:33:29.6353"})
    assert eso_raw_id(original, "x.fits", "GRAVITY")[0] == "GRAVI.2010-12-07T05:33:29.635"
    # The archive name the file was saved under, only when it agrees with MJD-OBS.
    saved = fits.Header({"DATE-OBS": "2016-06-23T03:10:23", "MJD-OBS": 57562.13214651})
    name = "GRAVI.2016-06-23T03_10_17.458_singlesciviscalibrated.fits"
    assert eso_raw_id(saved, name, "GRAVITY")[0] == "GRAVI.2016-06-23T03:10:17.458"
    saved["MJD-OBS"] = 57562.2
    assert eso_raw_id(saved, name, "GRAVITY") == (
        "GRAVI.2016-06-23T03:10:23", "ARCFILE missing (identifier built from DATE-OBS)")


def test_reharvest_adds_nothing_and_broken_files_are_skipped(any_engine: sa.Engine,
                                                             tmp_path: Path) -> None:
    _bare_oifits(tmp_path / "one.fits")
    _bare_oifits(tmp_path / "two.oifits", category="SCI")
    (tmp_path / "broken.fits").write_bytes(b"SIMPLE  = junk")
    first = harvest_oifits_files(any_engine, [tmp_path])
    assert first.new == 4 and len(first.failed_files) == 1  # 2 products + 2 exposures
    pg = any_engine.dialect.name == "postgresql"
    tables = {t: (f"obsportal.{t}" if pg else f"obsportal_{t}")
              for t in ("exposure", "exposure_baseline", "ob_exec", "data_product")}

    def counts() -> dict[str, int]:
        with any_engine.connect() as conn:
            return {t: conn.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one()
                    for t, name in tables.items()}

    before = counts()
    # Same target, night and set-up in both files: one OB execution (pipeline exec_key).
    assert before == {"exposure": 2, "exposure_baseline": 6, "ob_exec": 1, "data_product": 2}
    again = harvest_oifits_files(any_engine, [tmp_path])
    assert again.new == 0 and again.updated == 4
    assert counts() == before


# -- real files (../shared) ------------------------------------------------------------------
def test_gravity_product_exposure(shared_dir: Path) -> None:
    path = shared_dir / OIFITS / "GRAVI.2016-06-23T03_10_17.458_singlesciviscalibrated.fits"
    header = fits.getheader(path)
    row = _exposure(path)
    # The product names the pipeline's own raw file (GRAVITY.2016-06-23T03-15-42.fits); the
    # archive id is the one the file was saved under, = MJD-OBS 57562.13214651 to the ms.
    assert header["HIERARCH ESO PRO REC1 RAW1 NAME"] == "GRAVITY.2016-06-23T03-15-42.fits"
    assert row["obs_id"] == "GRAVI.2016-06-23T03:10:17.458"
    assert row["t_min"] == pytest.approx(header["MJD-OBS"], abs=1e-8)
    assert (row["instrument_name"], row["instrument_mode"]) == ("GRAVITY", "MEDIUM-COMBINED")
    assert (header["HIERARCH ESO INS SPEC RES"], header["HIERARCH ESO INS POLA MODE"]) == (
        "MEDIUM", "COMBINED")
    assert row["interferometer_stations"] == "A0 B2 D0 C1"
    assert [header[f"HIERARCH ESO ISS CONF STATION{i}"] for i in range(1, 5)] == \
        ["A0", "B2", "D0", "C1"]
    # P97 (2016-06): A0-B2-C1-D0 is the small configuration ASPRO2 lists for P96-P97.
    assert (row["configuration"], row["_configuration_match"]) == ("A0-B2-C1-D0", "exact")
    assert row["proposal_id"] == header["HIERARCH ESO OBS PROG ID"] == "60.A-9174(A)"
    assert row["ob_id"] == header["HIERARCH ESO OBS ID"] == 1380620
    assert row["obs_type"] == "science"  # PRO.CATG SINGLE_SCI_VIS_CALIBRATED
    # LST: header LST (s) at the start; 300 s later (DET2 NDIT 30 x DIT 10 s) at the end.
    assert row["exp_lst_start"] == pytest.approx(header["LST"] / 3600, abs=1e-9)
    assert row["t_exptime"] == header["HIERARCH ESO DET2 NDIT"] * \
        header["HIERARCH ESO DET2 SEQ1 DIT"] == 300
    assert row["exp_lst_end"] - row["exp_lst_start"] == pytest.approx(
        300 * 1.0027379 / 3600, abs=1e-4)  # header LST is to 0.1 s
    assert row["night"] == "2016-06-22"
    assert len(row["_baselines"]) == 6
    a0b2 = _baseline(row, "A0", "B2")
    assert a0b2.u_start is not None and a0b2.v_start is not None
    assert a0b2.u_end is not None and a0b2.v_end is not None
    assert a0b2.pbl_start == header["HIERARCH ESO ISS PBL12 START"] == 24.166
    assert math.hypot(a0b2.u_start, a0b2.v_start) == pytest.approx(24.166, abs=0.05)
    assert math.degrees(math.atan2(a0b2.u_start, a0b2.v_start)) % 360 == pytest.approx(
        header["HIERARCH ESO ISS PBLA12 START"], abs=0.5)
    # The OI table's A0-B2 record (mid-exposure) lies on the start→end track.
    records = _records(path, "A0", "B2")
    assert records  # GRAVITY_FT's B2-A0 record (GRAVITY_SC left this baseline blank)
    for mjd, u, v in records:
        f = (mjd - row["t_min"]) / (row["t_max"] - row["t_min"])
        assert 0 < f < 1
        assert a0b2.u_start + f * (a0b2.u_end - a0b2.u_start) == pytest.approx(u, abs=0.3)
        assert a0b2.v_start + f * (a0b2.v_end - a0b2.v_start) == pytest.approx(v, abs=0.3)


def test_pionier_before_and_after_the_2015_grism(shared_dir: Path) -> None:
    old_path = shared_dir / OIFITS / "PIONIER.2010-12-07T05p33p29.635_oidataCalibrated.fits"
    old_header = fits.getheader(old_path)
    old = _exposure(old_path)
    assert old_header["HIERARCH ESO INS OPTI3 NAME"] == "LARGE"
    assert old["instrument_mode"] == "LARGE-H"  # ASPRO2 PIONIER (prism era)
    assert old["obs_id"] == "PIONI.2010-12-07T05:33:29.635"  # DATE-OBS, ms as ESO rounds
    assert old_header["DATE-OBS"] == "2010-12-07T05:33:29.6353"
    assert old["interferometer_stations"] == "D0 G1 H0 I1"
    assert old["configuration"] == "D0-H0-G1-I1" and old["_configuration_match"] == "exact"
    assert old["proposal_id"] == "086.C-0999(B)" and old["obs_type"] == "science"
    assert old["exp_lst_start"] == pytest.approx(old_header["LST"] / 3600, abs=1e-9)

    new_path = shared_dir / OIFITS / "PIONI.2016-05-31T00_55_19.075_oidataCalibrated.fits"
    new_header = fits.getheader(new_path)
    new = _exposure(new_path)
    assert new_header["HIERARCH ESO INS OPTI2 NAME"] == "GRISM"
    assert new["instrument_mode"] == "GRISM-H"  # ASPRO2 PIONIER_2
    assert new["obs_id"] == new_header["ARCFILE"].removesuffix(".fits")
    # pndrs rewrote MJD-OBS (00:53:26); the raw frame started at 00:55:19.075.
    assert new["t_min"] == pytest.approx(_mjd("2016-05-31T00:55:19.075"), abs=1e-8)
    assert new["t_exptime"] == pytest.approx(new_header["EXPTIME"])
    assert new["exp_lst_start"] == pytest.approx(new_header["LST"] / 3600, abs=1e-9)
    assert new["interferometer_stations"] == "K0 G2 D0 J3"
    assert new["configuration"] == "D0-G2-J3-K0"
    assert new["proposal_id"] == "097.D-0350(B)" and new["ob_id"] == 200383929


def test_matisse_calibrator_and_science(shared_dir: Path, sqlite_engine: sa.Engine) -> None:
    folder = shared_dir / OIFITS
    roles = {}
    for name, role in [("MATIS_calibrator-LM_reduced.fits", "calibrator"),
                       ("MATIS_science-LM_reduced.fits", "science")]:
        header = fits.getheader(folder / name)
        with fits.open(folder / name) as hdus:
            category = hdus["OI_TARGET"].data["CATEGORY"][0].strip()
        row = _exposure(folder / name)
        assert row["obs_type"] == role
        assert {"calibrator": "CAL", "science": "SCI"}[role] == category
        assert row["obs_id"] == \
            header["HIERARCH ESO PRO REC1 RAW1 NAME"].removesuffix(".fits")
        assert row["instrument_mode"] == "SI_PHOT_LM_LOW"  # INS.DIL LOW
        assert row["interferometer_stations"] == "UT1 UT2 UT3 UT4"
        assert row["configuration"] == "UT1-UT2-UT3-UT4"
        assert row["proposal_id"] == "112.25NM.002"
        assert row["t_exptime"] == header["HIERARCH ESO DET SEQ1 EXPTIME"] == 62
        roles[name] = row
    assert roles["MATIS_calibrator-LM_reduced.fits"]["obs_id"] == \
        "MATIS.2025-10-05T09:08:16.041"
    # The roles drive the CAL-SCI link of the night.
    harvest_oifits_files(sqlite_engine, [folder / n for n in roles])
    with sqlite_engine.connect() as conn:
        link = conn.execute(sa.text(
            "SELECT s.ob_id, c.ob_id, l.side FROM obsportal_calib_link l "
            "JOIN obsportal_ob_exec s ON s.ob_exec_id = l.sci_ob_exec_id "
            "JOIN obsportal_ob_exec c ON c.ob_exec_id = l.cal_ob_exec_id")).all()
        products = conn.execute(sa.text(
            "SELECT count(*) FROM obsportal_data_product WHERE ob_exec_id IS NOT NULL")
        ).scalar_one()
    assert link == [(3806315, 3806323, "before")] and products == 2


def test_mircx_chara_header(shared_dir: Path) -> None:
    path = shared_dir / OIFITS / "mircx02330_oifits_viscal.fits"
    header = fits.getheader(path)
    row = _exposure(path)
    assert row["facility_name"] == "CHARA" and row["instrument_name"] == "MIRC-X"
    assert header["INSTRUME"] == "MIRCX" and header["CONF_NA"] == "H_PRISM50"
    assert row["instrument_mode"] == "Low_H"  # H band, prism R=50: ASPRO2 MIRCX-MYSTIC Low_H
    # BEAMORD0..5 = 2 3 1 0 5 4 over S1=0,S2=1,E1=2,E2=3,W1=4,W2=5: combiner beam order.
    assert [header[f"BEAMORD{i}"] for i in range(6)] == [2, 3, 1, 0, 5, 4]
    assert row["interferometer_stations"] == "E1 E2 S2 S1 W2 W1"
    assert row["proposal_id"] == header["PROGRAM"] == "2019A-M19"
    assert row["obs_creator_name"] == "Chiavassa"
    assert row["obs_type"] == "science"  # OBJTYPE = 'TARGET'
    assert header["LST-OBS"] == "22:57:25.239"
    assert row["exp_lst_start"] == pytest.approx(22 + 57 / 60 + 25.239 / 3600, abs=1e-9)
    assert row["exp_lst_end"] > row["exp_lst_start"]
    assert row["t_min"] == pytest.approx(header["MJD-OBS"])
    assert row["night"] == "2019-07-27"  # 03:26 PDT on the 28th
    # 2019B is not in ASPRO2's CHARA tables: the 6T set offered in other semesters.
    assert (row["configuration"], row["_configuration_match"]) == (
        "E1-W2-W1-S2-S1-E2", "other-period")
    assert row["obs_id"] == "CHARA.MIRCX.58692.435037.IRC+50448"
    assert len(row["_baselines"]) == 15
    # Header U_S1-S2 is S1 minus S2; stored as S2 minus S1 (derive/uv.py convention),
    # which is also what the station positions give at the header time.
    s1s2 = _baseline(row, "S1", "S2")
    assert (s1s2.u_start, s1s2.v_start) == pytest.approx(
        (-header["U_S1-S2"], -header["V_S1-S2"]), abs=1e-9)
    site = site_of("CHARA")
    ra, dec = apparent_radec(342.897, 52.339305555555555, header["MJD-OBS"])
    p = project(station_position("CHARA", "S1"), station_position("CHARA", "S2"),
                site.latitude, hour_angle(row["exp_lst_start"], ra), dec)
    assert (p.u, p.v) == pytest.approx((s1s2.u_start, s1s2.v_start), abs=0.1)
    # ... and the end is the OI table's S1-S2 record, whose writer uses S1 minus S2 too.
    last = _records(path, "S1", "S2")[-1]
    assert (s1s2.u_end, s1s2.v_end) == pytest.approx((-last[1], -last[2]), abs=1e-9)
    assert read_chara_header(header).issues == []


def test_headerless_chara_files(shared_dir: Path) -> None:
    path = shared_dir / OIFITS / "2008-Contest_Binary.oifits"
    row = _exposure(path)
    with fits.open(path) as hdus:
        array = [n.strip() for n in hdus["OI_ARRAY"].data["STA_NAME"]]
        used = set(np.unique(hdus["OI_VIS2"].data["STA_INDEX"]).tolist())
        indexes = hdus["OI_ARRAY"].data["STA_INDEX"].tolist()
    assert row["interferometer_stations"].split() == [n for n, i in zip(array, indexes,
                                                                        strict=True)
                                                      if i in used]
    assert row["interferometer_stations"] == "S1 S2 E1 W1 W2 E2"
    assert row["obs_id"] == "2008-Contest_Binary.oifits#Gam_Vic#MIRC_H#2007-05-10"
    assert (row["facility_name"], row["instrument_name"]) == ("CHARA", "MIRC")
    assert row["proposal_id"] is None and row["obs_type"] is None
    assert row["instrument_mode"] is None  # no header: not guessed
    records = _records(path, "S1", "S2")
    assert records[0][1:] == pytest.approx((4.937, 33.022), abs=1e-3)
    s1s2 = _baseline(row, "S1", "S2")
    assert (s1s2.u_start, s1s2.v_start) == pytest.approx(records[0][1:], abs=1e-9)
    assert (s1s2.u_end, s1s2.v_end) == pytest.approx(records[-1][1:], abs=1e-9)
    assert s1s2.pbl_end == pytest.approx(math.hypot(*records[-1][1:]))
    assert row["t_min"] == pytest.approx(records[0][0]) and \
        row["t_max"] == pytest.approx(records[-1][0])

    mwc = read_oifits(shared_dir / OIFITS / "MWC480.oifits").exposures
    # Two nights in one file (records with MJD 0 ignored): two exposures.
    assert [e["night"] for e in mwc] == ["2018-10-27", "2018-10-28"]
    assert mwc[0]["interferometer_stations"] == "E1 E2 S1 S2 W1 W2"
    assert mwc[0]["instrument_name"] == "MIRC-X"
    # MWC480's writer puts u,v as STA_INDEX[0] minus STA_INDEX[1]: stored negated.
    first = _records(shared_dir / OIFITS / "MWC480.oifits", "E1", "W2")[0]
    e1w2 = _baseline(mwc[0], "E1", "W2")
    assert (e1w2.u_start, e1w2.v_start) == pytest.approx((-first[1], -first[2]), abs=1e-9)


def test_oifits_and_eso_records_of_one_frame_are_one_exposure(shared_dir: Path,
                                                              tmp_path: Path,
                                                              sqlite_engine: sa.Engine) -> None:
    product = shared_dir / OIFITS / "GRAVI.2016-06-23T03_10_17.458_singlesciviscalibrated.fits"
    raw = fits.getheader(product)
    for key in [k for k in raw if str(k).startswith("ESO PRO")]:
        del raw[f"HIERARCH {key}"]
    raw["ARCFILE"] = "GRAVI.2016-06-23T03:10:17.458.fits"  # what the archive frame carries
    raw["EXPTIME"] = 300.0
    fits.PrimaryHDU(header=raw).writeto(tmp_path / "raw.fits")
    assert harvest_eso_files(sqlite_engine, [tmp_path / "raw.fits"]).new == 1
    report = harvest_oifits_files(sqlite_engine, [product])
    assert report.new == 2 and report.updated == 1  # 2 products; the exposure was known
    with sqlite_engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT dp_id, source FROM obsportal_exposure")).all()
    assert rows == [("GRAVI.2016-06-23T03:10:17.458", "eso-files")]


def test_eso_files_and_oifits_give_one_frame_the_same_configuration(shared_dir: Path) -> None:
    """``harvest eso-files`` (the frame header) and ``harvest oifits`` (the product) use the
    one matcher: same configuration, quality and category for the same ESO frame."""
    compared = {}
    for dump in sorted((shared_dir / "external/data/fits-headers").glob("*.primary-header.txt")):
        product = shared_dir / OIFITS / dump.name.replace(".primary-header.txt", ".fits")
        if not product.is_file():
            continue
        try:
            frame = frame_record(read_header(dump), dump.name).row
        except HeaderError:  # the CHARA header
            continue
        exposure = read_oifits(product).exposures[0]
        keys = ("configuration", "_configuration_match", "_configuration_category", "night")
        assert [frame[k] for k in keys] == [exposure[k] for k in keys], dump.name
        compared[dump.name.split("_")[0]] = (frame["configuration"],
                                             frame["_configuration_match"])
    assert len(compared) >= 6
    # The same station set offered in another period: GRAVITY's 2016 commissioning (P96).
    assert compared["GRAVITY.2016-01-09T05-37-06"] == ("A0-G1-J2-K0", "other-period")
    # Offered to the first PIONIER in P86 (eso-files said A0-B5-D0-G1, nearest, before).
    assert compared["PIONIER.2010-12-07T05p33p29.635"] == ("D0-H0-G1-I1", "exact")


def test_reharvest_of_the_real_files_adds_nothing(shared_dir: Path,
                                                  any_engine: sa.Engine) -> None:
    folder = shared_dir / OIFITS
    first = harvest_oifits_files(any_engine, [folder])
    assert first.failed_files == [] and first.new == 37  # 22 products + 15 exposures
    again = harvest_oifits_files(any_engine, [folder])
    assert again.new == 0 and again.updated == 37
