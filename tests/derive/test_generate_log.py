"""The synthetic log generator (bench/generate_log.py) and the bundled demo it made."""

from __future__ import annotations

import csv
import gzip
import itertools
import math
from collections import defaultdict
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest
from astropy import units as u
from astropy.time import Time
from log_generator import load_generator

from obsportal.harvesters.derive.configurations import (
    equivalent_configuration,
    offered_in_period,
)
from obsportal.harvesters.derive.night import local_night_iso
from obsportal.harvesters.derive.stations import site_of, split_stations

REPO = Path(__file__).resolve().parents[2]
EXPECTED_COLUMNS = [
    "obs_id", "obs_collection", "calib_level", "dataproduct_type", "target_name", "s_ra",
    "s_dec", "s_fov", "s_region", "t_min", "t_max", "t_exptime", "t_resolution", "em_min",
    "em_max", "em_res_power", "facility_name", "instrument_name", "proposal_id", "obs_title",
    "obs_creator_name", "obs_release_date", "data_rights", "access_url", "access_format",
    "target_class", "obs_type", "instrument_mode", "instrument_submode",
    "interferometer_stations", "configuration", "ob_id", "night", "exp_tau0", "exp_seeing",
    "exp_lst_start", "exp_lst_end"]


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    return load_generator()


@pytest.fixture(scope="module")
def log(generator: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, str]]:
    path = tmp_path_factory.mktemp("log") / "log.csv"
    assert generator.write(path, 4000, 7) == 4000
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == EXPECTED_COLUMNS
        return list(reader)


def _sep_deg(ra1: float, dec1: float, ra2: float, dec2: float) -> float:
    r1, d1, r2, d2 = map(math.radians, (ra1, dec1, ra2, dec2))
    c = math.sin(d1) * math.sin(d2) + math.cos(d1) * math.cos(d2) * math.cos(r1 - r2)
    return math.degrees(math.acos(max(-1.0, min(1.0, c))))


def test_columns_and_constant_values(log: list[dict[str, str]]) -> None:
    assert len(log) == 4000 and len({r["obs_id"] for r in log}) == 4000
    for r in log:
        assert r["calib_level"] == "0" and r["dataproduct_type"] == "visibility"
        assert r["obs_type"] in ("science", "calibrator")
        assert r["data_rights"] in ("public", "proprietary")
        assert (r["facility_name"], r["obs_collection"]) in (("ESO-VLTI", "ESO"),
                                                             ("CHARA", "CHARA"))
        assert r["s_region"].startswith(f"CIRCLE ICRS {r['s_ra']} {r['s_dec']} ")
        assert float(r["t_min"]) < float(r["t_max"])
        assert 1e-7 < float(r["em_min"]) < float(r["em_max"]) < 2e-5  # metres
        assert 1e-4 < float(r["exp_tau0"]) < 0.1 and 0.2 < float(r["exp_seeing"]) < 5
        assert r["ob_id"].isdigit()
        date.fromisoformat(r["night"])
        assert r["obs_release_date"][10] == "T"
        dec = float(r["s_dec"])
        assert dec < 30.1 if r["facility_name"] == "ESO-VLTI" else dec > -30.1
    assert {r["instrument_name"] for r in log} >= {"GRAVITY", "PIONIER", "MIRC-X"}


def test_deterministic_for_a_seed(generator: ModuleType, tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.csv.gz", tmp_path / "b.csv.gz", tmp_path / "c.csv.gz"
    generator.write(a, 500, 3)
    generator.write(b, 500, 3)
    generator.write(c, 500, 4)
    assert a.read_bytes() == b.read_bytes()
    assert gzip.decompress(a.read_bytes()) != gzip.decompress(c.read_bytes())


def test_lst_and_night_follow_the_site(log: list[dict[str, str]]) -> None:
    for r in log[::40]:
        site = site_of(r["facility_name"])
        mjd = float(r["t_min"])
        lst = Time(mjd, format="mjd").sidereal_time(
            "apparent", longitude=site.longitude * u.deg).to_value(u.hourangle)
        diff = (float(r["exp_lst_start"]) - lst + 12) % 24 - 12
        assert abs(diff) * 3600 < 3.0
    for r in log:
        site = site_of(r["facility_name"])
        assert local_night_iso(float(r["t_min"]), site.timezone) == r["night"]


def test_configuration_is_the_equivalent_offered_one(log: list[dict[str, str]]) -> None:
    seen = {(r["facility_name"], r["interferometer_stations"], r["night"], r["configuration"])
            for r in log}
    for facility, stations, night, configuration in seen:
        interferometer = "VLTI" if facility == "ESO-VLTI" else "CHARA"
        match = equivalent_configuration(stations, date.fromisoformat(night), interferometer)
        # P95 and CHARA 2019A-2021A are absent from ASPRO2: no match, or the same stations
        # offered in another period (the generator used the nearest period it knows).
        if match is not None and match.quality != "other-period":
            offered = {frozenset(c.stations)
                       for c in offered_in_period(interferometer, match.period)}
            assert frozenset(split_stations(configuration)) in offered
        assert set(split_stations(stations)) <= set(split_stations(configuration))


def test_cal_sci_cal_sequences(log: list[dict[str, str]]) -> None:
    obs: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in log:
        obs[r["ob_id"]].append(r)
    nights: dict[tuple[str, str], list[list[dict[str, str]]]] = defaultdict(list)
    for rows in obs.values():
        rows.sort(key=lambda r: float(r["t_min"]))
        assert len({(r["target_name"], r["obs_type"], r["night"]) for r in rows}) == 1
        nights[(rows[0]["facility_name"], rows[0]["night"])].append(rows)
    linked = 0
    for executions in nights.values():
        executions.sort(key=lambda rows: float(rows[0]["t_min"]))
        assert len({rows[0]["instrument_name"] for rows in executions}) == 1
        for before, after in itertools.pairwise(executions):
            gap_min = (float(after[0]["t_min"]) - float(before[-1]["t_max"])) * 1440
            assert gap_min >= 5.0
        for i, rows in enumerate(executions):
            if rows[0]["obs_type"] != "science":
                continue
            neighbours = executions[max(0, i - 1):i] + executions[i + 1:i + 2]
            cals = [n for n in neighbours if n[0]["obs_type"] == "calibrator"]
            assert cals, "a science OB without an adjacent calibrator"
            # Its own calibrator is a few degrees away (the other neighbour may belong to
            # the previous sequence).
            seps = [_sep_deg(float(rows[0]["s_ra"]), float(rows[0]["s_dec"]),
                             float(cal[0]["s_ra"]), float(cal[0]["s_dec"])) for cal in cals]
            assert min(seps) < 9.0
            linked += 1
    assert linked > 100


def test_mode_names_exist_in_aspro2(log: list[dict[str, str]], shared_dir: Path) -> None:
    config = shared_dir / "external/data/aspro-config"
    text = (config / "VLTI.xml").read_text() + (config / "CHARA.xml").read_text()
    for mode in {r["instrument_mode"] for r in log}:
        assert f"<name>{mode}</name>" in text, mode


def test_bundled_demo_is_the_documented_command(generator: ModuleType, tmp_path: Path) -> None:
    """service/demo/obslog_demo.csv.gz == generate_log.py --rows 5000 --seed 2026."""
    demo = REPO / "service" / "demo" / "obslog_demo.csv.gz"
    assert demo.stat().st_size <= 2_000_000
    fresh = tmp_path / "demo.csv.gz"
    generator.write(fresh, 5000, 2026)
    assert gzip.decompress(demo.read_bytes()) == gzip.decompress(fresh.read_bytes())
