"""Derivations against real headers and the facts files."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from astropy import units as u
from astropy.time import Time

from obsportal.harvesters.derive.configurations import chara_semester, eso_period
from obsportal.harvesters.derive.lst import hour_angle, lst_hours
from obsportal.harvesters.derive.night import local_night
from obsportal.harvesters.derive.stations import (
    load_stations,
    normalise_station,
    site_of,
    station_position,
)
from obsportal.harvesters.derive.uv import project

# Header values of GRAVI.2016-06-23T03:10:17.458 (ESO archive product, primary header), which
# the project keeps as numbers here so the core suite does not need ../shared.
GRAVITY_2016 = {"mjd": 57562.13214651, "lst_s": 59733.643, "ra": 261.274746, "dec": -38.06696,
                "pbl": [("A0", "B2", 24.166, 135.8), ("A0", "D0", 31.889, 63.7),
                        ("A0", "C1", 21.842, 108.265), ("B2", "D0", 33.597, 20.5),
                        ("B2", "C1", 11.191, 20.416), ("D0", "C1", 22.406, 200.478)]}


def test_sites_and_stations_load() -> None:
    vlti = site_of("VLTI")
    assert vlti.latitude == pytest.approx(-24.62743941)
    assert len(load_stations("VLTI")) == 35
    assert station_position("VLTI", "U1") == station_position("VLTI", "UT1")
    assert normalise_station(" u3 ") == "UT3"
    with pytest.raises(KeyError, match="unknown station"):
        station_position("VLTI", "Z9")


def test_lst_matches_the_header_and_astropy() -> None:
    vlti = site_of("VLTI")
    lst = lst_hours(GRAVITY_2016["mjd"], vlti.longitude)
    assert lst == pytest.approx(GRAVITY_2016["lst_s"] / 3600, abs=0.5 / 3600)
    mean = Time(GRAVITY_2016["mjd"], format="mjd").sidereal_time(
        "mean", longitude=vlti.longitude * u.deg).to_value(u.hourangle)
    assert lst == pytest.approx(mean, abs=2 / 3600)


@pytest.mark.parametrize(("first", "second", "length", "angle"), GRAVITY_2016["pbl"])
def test_projected_baselines_match_iss_pbl(first: str, second: str, length: float,
                                           angle: float) -> None:
    vlti = site_of("VLTI")
    ha = hour_angle(lst_hours(GRAVITY_2016["mjd"], vlti.longitude), GRAVITY_2016["ra"])
    p = project(station_position("VLTI", first), station_position("VLTI", second),
                vlti.latitude, ha, GRAVITY_2016["dec"])
    assert p.length == pytest.approx(length, abs=0.05)
    assert p.angle == pytest.approx(angle, abs=0.3)


def test_baseline_towards_the_zenith_is_the_ground_baseline() -> None:
    """A target at the zenith sees the horizontal baseline: u = east, v = north."""
    vlti = site_of("VLTI")
    a, b = station_position("VLTI", "A0"), station_position("VLTI", "J3")
    p = project(a, b, vlti.latitude, 0.0, vlti.latitude)
    assert p.u == pytest.approx(b.east - a.east, abs=1e-9)
    assert p.v == pytest.approx(b.north - a.north, abs=1e-9)
    assert p.length == pytest.approx(math.dist((a.east, a.north), (b.east, b.north)))


def test_local_night_is_the_date_of_the_evening() -> None:
    vlti, chara = site_of("VLTI").timezone, site_of("CHARA").timezone
    assert str(local_night(GRAVITY_2016["mjd"], vlti)) == "2016-06-22"  # 03:10 UT
    evening = Time("2023-06-25T23:30:00", scale="utc").mjd  # 19:30 in Chile
    assert str(local_night(evening, vlti)) == "2023-06-25"
    morning = Time("2024-01-10T12:00:00", scale="utc").mjd  # 04:00 in California
    assert str(local_night(morning, chara)) == "2024-01-09"


@pytest.mark.parametrize(("year", "month", "period"), [(2022, 10, 110), (2023, 3, 110),
                                                       (2023, 4, 111), (2016, 6, 97)])
def test_eso_periods(year: int, month: int, period: int) -> None:
    assert eso_period(year, month) == period


def test_chara_semesters() -> None:
    assert chara_semester(2024, 6) == "2024A" and chara_semester(2024, 7) == "2024B"


def test_real_header_file_agrees(shared_dir: Path) -> None:
    header = (shared_dir / "external/data/fits-headers/"
              "GRAVI.2016-06-23T03_10_17.458_singlesciviscalibrated.primary-header.txt").read_text()
    assert "ISS PBL12 START = 24.166" in header
    assert "LST     =            59733.643" in header
