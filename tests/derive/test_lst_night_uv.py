"""LST, local night and u,v,w against astropy, a real GRAVITY header and geometry."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from astropy import units as u
from astropy.time import Time

from obsportal.harvesters.derive.lst import hour_angle, lst_hours, mean_lst_hours
from obsportal.harvesters.derive.night import (
    datetime_to_mjd,
    evening_mjd,
    local_night,
    local_night_iso,
    local_nights_fixed_offset,
    mjd_to_datetime,
)
from obsportal.harvesters.derive.stations import baseline_vector, site_of
from obsportal.harvesters.derive.uv import altitude_deg, projected_baseline, uvw

# ISS keywords of GRAVI.2016-06-23T03:10:17.458 (ESO archive; see test_derive.py).
MJD = 57562.13214651
LST_S = 59733.643
RA, DEC = 261.274746, -38.06696
PBL = [("A0", "B2", 24.166, 135.8), ("A0", "D0", 31.889, 63.7), ("A0", "C1", 21.842, 108.265),
       ("B2", "D0", 33.597, 20.5), ("B2", "C1", 11.191, 20.416), ("D0", "C1", 22.406, 200.478)]


def test_lst_matches_the_header_and_astropy() -> None:
    paranal = site_of("VLTI")
    lst = lst_hours(MJD, paranal.longitude)
    assert isinstance(lst, float)
    assert lst == pytest.approx(LST_S / 3600, abs=0.5 / 3600)
    expected = Time(MJD, format="mjd").sidereal_time(
        "apparent", longitude=paranal.longitude * u.deg).to_value(u.hourangle)
    # UT1-UTC is taken once per UTC day (it drifts by a few ms a day): within 3.6 ms.
    assert lst == pytest.approx(expected, abs=1e-6)


def test_lst_of_arrays_is_the_same_model() -> None:
    mjd = np.linspace(55000.0, 60500.0, 257)  # 2009-2024, IERS values known
    longitude = -118.05703131
    values = lst_hours(mjd, longitude)
    assert isinstance(values, np.ndarray) and values.shape == mjd.shape
    assert values == pytest.approx([lst_hours(float(m), longitude) for m in mjd], abs=1e-12)
    slow = Time(mjd, format="mjd").sidereal_time(
        "apparent", longitude=longitude * u.deg).to_value(u.hourangle)
    assert np.max(np.abs((values - slow + 12.0) % 24.0 - 12.0)) * 3600 < 0.005  # seconds


def test_generator_mean_lst_is_within_two_seconds() -> None:
    mjd = np.linspace(55000.0, 60500.0, 257)  # 2009-2024, IERS values known
    for longitude in (-70.40498688, -118.05703131, 0.0):
        mean = mean_lst_hours(mjd, longitude)
        slow = Time(mjd, format="mjd").sidereal_time(
            "mean", longitude=longitude * u.deg).to_value(u.hourangle)
        diff = (mean - slow + 12.0) % 24.0 - 12.0
        assert np.max(np.abs(diff)) * 3600 < 1.0  # seconds of time (UT1-UTC ignored)
        apparent = lst_hours(mjd, longitude)
        diff = (mean - apparent + 12.0) % 24.0 - 12.0
        assert np.max(np.abs(diff)) * 3600 < 2.0  # + the equation of the equinoxes
    assert float(mean_lst_hours(51544.5, 0.0)) == pytest.approx(18.697374558, abs=1e-4)  # J2000
    assert float(mean_lst_hours(MJD, -70.40498688)) == pytest.approx(LST_S / 3600, abs=2 / 3600)


def test_hour_angle_wraps() -> None:
    assert isinstance(hour_angle(1.0, 23 * 15.0), float)
    assert hour_angle(1.0, 23 * 15.0) == pytest.approx(2.0)
    assert hour_angle(23.0, 1 * 15.0) == pytest.approx(-2.0)
    assert np.all(np.abs(hour_angle(np.arange(0, 24, 0.5), 180.0)) <= 12.0)


@pytest.mark.parametrize(("utc", "tz", "night"), [
    ("2016-06-23T03:10:17", "America/Santiago", "2016-06-22"),  # 23:10 local, winter
    ("2023-06-25T23:30:00", "America/Santiago", "2023-06-25"),  # 19:30 local
    ("2024-01-10T08:00:00", "America/Santiago", "2024-01-09"),  # 05:00 local (summer time)
    ("2024-01-10T16:00:00", "America/Santiago", "2024-01-10"),  # 13:00 local (summer time)
    ("2024-01-10T12:00:00", "America/Los_Angeles", "2024-01-09"),  # 04:00 PST
    ("2024-07-10T04:00:00", "America/Los_Angeles", "2024-07-09"),  # 21:00 PDT
    ("2024-07-10T18:59:00", "America/Los_Angeles", "2024-07-09"),  # 11:59 PDT
    ("2024-07-10T19:01:00", "America/Los_Angeles", "2024-07-10"),  # 12:01 PDT
])
def test_local_night(utc: str, tz: str, night: str) -> None:
    mjd = Time(utc, scale="utc").mjd
    assert local_night_iso(mjd, tz) == night
    assert local_night(mjd, tz) == date.fromisoformat(night)


def test_mjd_datetime_round_trip_and_evening() -> None:
    assert datetime_to_mjd(mjd_to_datetime(MJD)) == pytest.approx(MJD, abs=1e-9)
    noon = evening_mjd(date(2024, 1, 9), "America/Los_Angeles")
    assert noon == pytest.approx(Time("2024-01-09T20:00:00").mjd, abs=1e-9)
    evening = evening_mjd(date(2016, 6, 22), "America/Santiago", 19.5)
    assert local_night(evening + 0.3, "America/Santiago") == date(2016, 6, 22)
    days = local_nights_fixed_offset([MJD, MJD + 0.7], -4.0)
    assert list(days) == [int(Time("2016-06-22").mjd), int(Time("2016-06-23").mjd)]


@pytest.mark.parametrize(("first", "second", "length", "angle"), PBL)
def test_uvw_matches_the_header_projected_baselines(first: str, second: str, length: float,
                                                    angle: float) -> None:
    """ESO ISS.PBLij/PBLAij: baseline from station i to j, angle north through east."""
    paranal = site_of("VLTI")
    ha = hour_angle(lst_hours(MJD, paranal.longitude), RA)
    u_m, v_m, _ = uvw(baseline_vector("VLTI", first, second), ha, DEC, paranal.latitude)
    pbl, pbla = projected_baseline(u_m, v_m)
    assert float(pbl) == pytest.approx(length, abs=0.05)
    assert float(pbla) == pytest.approx(angle, abs=0.5)


def test_transit_and_zenith_geometry() -> None:
    paranal = site_of("VLTI")
    b = baseline_vector("VLTI", "A0", "J3")
    # At the zenith (H = 0, dec = latitude) the projection is the horizontal baseline.
    u_m, v_m, w_m = uvw(b, 0.0, paranal.latitude, paranal.latitude)
    assert (float(u_m), float(v_m), float(w_m)) == pytest.approx(tuple(b), abs=1e-9)
    # At transit the east-west component is u, whatever the declination.
    decs = np.array([-80.0, -40.0, 0.0, 20.0])
    u_t, v_t, w_t = uvw(b, np.zeros(4), decs, paranal.latitude)
    assert u_t == pytest.approx(np.full(4, b[0]))
    # u, v, w is a rotation: the baseline length is kept.
    assert np.sqrt(u_t**2 + v_t**2 + w_t**2) == pytest.approx(np.full(4, np.linalg.norm(b)))
    # A pure north-south baseline at transit has its full length for a target at zenith
    length, pa = projected_baseline(0.0, 10.0)
    assert (float(length), float(pa)) == (10.0, 0.0)
    assert float(projected_baseline(-1.0, 0.0)[1]) == pytest.approx(270.0)


def test_uvw_broadcasts_over_baselines_and_hour_angles() -> None:
    paranal = site_of("VLTI")
    vectors = np.stack([baseline_vector("VLTI", a, b) for a, b, *_ in PBL])  # (6, 3)
    ha = np.linspace(-3, 3, 7)[:, None]  # (7, 1)
    u_m, v_m, w_m = uvw(vectors, ha, DEC, paranal.latitude)
    assert u_m.shape == v_m.shape == w_m.shape == (7, 6)


def test_altitude() -> None:
    lat = site_of("VLTI").latitude
    assert float(altitude_deg(0.0, lat, lat)) == pytest.approx(90.0)
    assert float(altitude_deg(0.0, lat + 30.0, lat)) == pytest.approx(60.0)
