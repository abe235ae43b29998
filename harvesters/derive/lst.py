"""Local sidereal time and hour angle at a site, from a UTC MJD.

:func:`lst_hours` is THE local sidereal time of the project (every harvester uses it):
apparent sidereal time, IAU 2006/2000A (ERFA ``gst06a``), with UT1-UTC (astropy's IERS
tables) and TT-UTC looked up once per UTC day and cached. It agrees with astropy's
``Time.sidereal_time("apparent")`` within a millisecond of time (UT1-UTC drifts by a few
ms a day) at a small fraction of its cost: an astropy ``Time`` costs ~10 ms a call in IERS
look-ups, which made ESO ingest too slow (see ``bench/bench_eso.py``). It takes scalars
(the fast path) and numpy arrays (the same ERFA model, one IERS look-up per distinct day).

:func:`mean_lst_hours` is the vectorised helper of the synthetic log generator
(``bench/generate_log.py``) only: the same ERFA/IAU 2006 model without its observatory
corrections — mean sidereal time (ERFA ``gmst06``, no equation of the equinoxes), UT1 taken
as UTC and TT-UTC fixed at 69.184 s — so no IERS table is needed and a seed always gives
the same log. It is within 2 s of time of :func:`lst_hours` (|UT1-UTC| < 0.9 s, equation of
the equinoxes < 1.2 s). Do not use it for real observations.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import overload

import erfa
import numpy as np
from numpy.typing import ArrayLike, NDArray

MJD_ZERO_JD = 2400000.5
TT_MINUS_UTC_S = 69.184  # 32.184 s + 37 leap seconds (since 2017): mean_lst_hours only


@lru_cache(maxsize=8192)
def _day_offsets(day: int) -> tuple[float, float]:
    """(UT1-UTC, TT-UTC) in seconds for a UTC day; astropy's IERS tables, looked up once."""
    from astropy.time import Time

    time = Time(day + 0.5, format="mjd", scale="utc")
    try:
        dut1 = float(time.delta_ut1_utc)
    except Exception:  # outside the IERS tables: UT1 = UTC is within 0.9 s
        dut1 = 0.0
    return dut1, float((time.tt.mjd - time.mjd) * 86400.0)


@overload
def lst_hours(mjd: float, longitude_deg: float) -> float: ...
@overload
def lst_hours(mjd: NDArray[np.float64], longitude_deg: float) -> NDArray[np.float64]: ...


def lst_hours(mjd: float | NDArray[np.float64],
              longitude_deg: float) -> float | NDArray[np.float64]:
    """Apparent local sidereal time (hours, [0, 24)) at east longitude ``longitude_deg``."""
    if np.ndim(mjd) == 0:
        dut1, tt_utc = _day_offsets(math.floor(float(mjd)))
        gst = erfa.gst06a(MJD_ZERO_JD, float(mjd) + dut1 / 86400.0,
                          MJD_ZERO_JD, float(mjd) + tt_utc / 86400.0)
        return float(((math.degrees(gst) + longitude_deg) / 15.0) % 24.0)
    m = np.asarray(mjd, dtype=float)
    days, index = np.unique(np.floor(m), return_inverse=True)
    offsets = np.array([_day_offsets(int(d)) for d in days], dtype=float).reshape(-1, 2)
    dut1, tt_utc = offsets[index.reshape(m.shape), 0], offsets[index.reshape(m.shape), 1]
    gst = erfa.gst06a(MJD_ZERO_JD, m + dut1 / 86400.0, MJD_ZERO_JD, m + tt_utc / 86400.0)
    return np.asarray(((np.degrees(gst) + longitude_deg) / 15.0) % 24.0, dtype=float)


def mean_lst_hours(mjd: ArrayLike, longitude_deg: float) -> NDArray[np.float64]:
    """Local mean sidereal time (hours, [0, 24)), vectorised; the log generator's model.

    ERFA ``gmst06`` with UT1 = UTC and TT = UTC + 69.184 s (see the module docstring).
    """
    m = np.asarray(mjd, dtype=float)
    gmst = erfa.gmst06(MJD_ZERO_JD, m, MJD_ZERO_JD, m + TT_MINUS_UTC_S / 86400.0)
    return np.mod(np.mod(np.rad2deg(gmst) / 15.0, 24.0) + longitude_deg / 15.0, 24.0)


@overload
def hour_angle(lst_h: float, ra_deg: float) -> float: ...
@overload
def hour_angle(lst_h: ArrayLike, ra_deg: ArrayLike) -> NDArray[np.float64]: ...


def hour_angle(lst_h: ArrayLike, ra_deg: ArrayLike) -> float | NDArray[np.float64]:
    """Hour angle (hours, [-12, 12)) of right ascension ``ra_deg`` at sidereal time ``lst_h``."""
    value = np.mod(np.asarray(lst_h, dtype=float) - np.asarray(ra_deg, dtype=float) / 15.0
                   + 12.0, 24.0) - 12.0
    return float(value) if np.ndim(value) == 0 else value
