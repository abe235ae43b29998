"""Local sidereal time and local night of an observation."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import erfa
import numpy as np
from astropy import units as u
from astropy.time import Time

from .facts import Site

MJD_EPOCH = datetime(1858, 11, 17, tzinfo=UTC)


@lru_cache(maxsize=8192)
def _day_offsets(day: int) -> tuple[float, float]:
    """(UT1-UTC, TT-UTC) in seconds for a UTC day; astropy's IERS tables, looked up once."""
    time = Time(day + 0.5, format="mjd", scale="utc")
    try:
        dut1 = float(time.delta_ut1_utc)
    except Exception:  # outside the IERS tables: UT1 = UTC is within 0.9 s
        dut1 = 0.0
    return dut1, float((time.tt.mjd - time.mjd) * 86400.0)


def lst_hours(mjd: float | np.ndarray, site: Site) -> float | np.ndarray:
    """Apparent local sidereal time (hours) at the site, from UTC MJD (IAU 2006/2000A).

    Scalars take a fast path (ERFA's GST with UT1-UTC and TT-UTC cached per day): the
    astropy Time route costs ~10 ms a call in IERS look-ups, too slow for harvests.
    """
    if np.ndim(mjd) == 0:
        dut1, tt_utc = _day_offsets(math.floor(float(mjd)))
        gst = erfa.gst06a(2400000.5, float(mjd) + dut1 / 86400.0,
                          2400000.5, float(mjd) + tt_utc / 86400.0)
        return float(((math.degrees(gst) + site.longitude) / 15.0) % 24.0)
    time = Time(mjd, format="mjd", scale="utc")
    lst = time.sidereal_time("apparent", longitude=site.longitude * u.deg)
    value = lst.to_value(u.hourangle)
    return float(value) if np.ndim(value) == 0 else np.asarray(value)


def utc_datetime(mjd: float) -> datetime:
    return MJD_EPOCH + timedelta(days=mjd)


def local_night(mjd: float, site: Site) -> date:
    """The night an observation belongs to: the local date at the evening it started.

    Local time minus twelve hours keeps a whole night (evening to morning) on the
    date of its evening, in Chile and California alike.
    """
    local = utc_datetime(mjd).astimezone(ZoneInfo(site.timezone))
    return (local - timedelta(hours=12)).date()


def hour_angle_hours(lst: float, ra_deg: float) -> float:
    """Hour angle in hours, in [-12, 12)."""
    return ((lst - ra_deg / 15.0 + 12.0) % 24.0) - 12.0
