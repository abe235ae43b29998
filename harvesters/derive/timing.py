"""Local sidereal time and local night of an observation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from astropy import units as u
from astropy.time import Time

from .facts import Site

MJD_EPOCH = datetime(1858, 11, 17, tzinfo=UTC)


def lst_hours(mjd: float | np.ndarray, site: Site) -> float | np.ndarray:
    """Apparent local sidereal time (hours) at the site, from UTC MJD."""
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
