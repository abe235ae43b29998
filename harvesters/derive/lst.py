"""Local sidereal time at a site from a UTC MJD.

:func:`lst_hours` uses astropy (IERS UT1-UTC, IAU 2006/2000A; apparent or mean).
:func:`lst_hours_fast` is the vectorised numpy form for bulk work (the synthetic log
generator): GMST from the Earth rotation angle (IAU 2006, Capitaine et al. 2003,
IERS Conventions 2010 eq. 5.32), taking UT1 = UTC and TT = UTC + 69.184 s; it agrees
with astropy's mean sidereal time within about a second of time (|UT1-UTC| < 0.9 s).
"""

from __future__ import annotations

from typing import overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .stations import SiteLocation

MJD_J2000 = 51544.5
TT_MINUS_UTC_S = 69.184  # 32.184 s + 37 leap seconds (since 2017)


@overload
def lst_hours(mjd: float, longitude_deg: float, kind: str = ...) -> float: ...
@overload
def lst_hours(mjd: NDArray[np.float64], longitude_deg: float,
              kind: str = ...) -> NDArray[np.float64]: ...


def lst_hours(mjd: float | NDArray[np.float64], longitude_deg: float,
              kind: str = "apparent") -> float | NDArray[np.float64]:
    """Local sidereal time (hours, [0, 24)) at east longitude ``longitude_deg``, astropy."""
    from astropy import units as u
    from astropy.time import Time

    time = Time(mjd, format="mjd", scale="utc")
    value = time.sidereal_time(kind, longitude=longitude_deg * u.deg).to_value(u.hourangle)
    return float(value) if np.ndim(value) == 0 else np.asarray(value, dtype=float)


def gmst_hours_fast(mjd: ArrayLike) -> NDArray[np.float64]:
    """Greenwich mean sidereal time (hours) from UTC MJD, IAU 2006 ERA-based expression."""
    m = np.asarray(mjd, dtype=float)
    du = m - MJD_J2000
    frac = np.mod(m, 1.0)
    # ERA = 2π (0.7790572732640 + 0.00273781191135448 Du + frac(JD)); JD frac = MJD frac + 0.5
    era = 2.0 * np.pi * np.mod(0.7790572732640 + 0.00273781191135448 * du + frac + 0.5, 1.0)
    t = (du + TT_MINUS_UTC_S / 86400.0) / 36525.0
    arcsec = (0.014506 + 4612.156534 * t + 1.3915817 * t**2 - 0.00000044 * t**3
              - 0.000029956 * t**4 - 0.0000000368 * t**5)
    gmst = era + np.deg2rad(arcsec / 3600.0)
    return np.mod(np.rad2deg(gmst) / 15.0, 24.0)


def lst_hours_fast(mjd: ArrayLike, longitude_deg: float) -> NDArray[np.float64]:
    """Local mean sidereal time (hours, [0, 24)) at east longitude, vectorised numpy."""
    return np.mod(gmst_hours_fast(mjd) + longitude_deg / 15.0, 24.0)


def site_lst(mjd: float, site: SiteLocation) -> float:
    """Apparent local sidereal time (hours) at ``site`` (astropy)."""
    return lst_hours(float(mjd), site.longitude)


def hour_angle(lst_h: ArrayLike, ra_deg: ArrayLike) -> NDArray[np.float64]:
    """Hour angle (hours, [-12, 12)) of right ascension ``ra_deg`` at sidereal time ``lst_h``."""
    return np.mod(np.asarray(lst_h, dtype=float) - np.asarray(ra_deg, dtype=float) / 15.0
                  + 12.0, 24.0) - 12.0
