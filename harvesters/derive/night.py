"""Local night date: the calendar date, at the site, of the evening a night started.

An exposure at 03:00 local time on 2024-05-12 belongs to the night of 2024-05-11. The
rule is "local civil time minus 12 hours, take the date", with the site's IANA time zone
(daylight saving included: Chile's America/Santiago, California's America/Los_Angeles).
Any time between local noon and the next noon is one night.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import ArrayLike, NDArray

MJD_EPOCH = datetime(1858, 11, 17, tzinfo=UTC)
NIGHT_SHIFT = timedelta(hours=12)


def mjd_to_datetime(mjd: float) -> datetime:
    """UTC datetime of a UTC MJD (microsecond precision)."""
    return MJD_EPOCH + timedelta(days=float(mjd))


def datetime_to_mjd(moment: datetime) -> float:
    """UTC MJD of an aware datetime (naive ones are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - MJD_EPOCH).total_seconds() / 86400.0


def local_night(mjd: float, timezone: str) -> date:
    """The local night date (date of the evening) at a site in ``timezone``."""
    local = mjd_to_datetime(mjd).astimezone(ZoneInfo(timezone))
    return (local.replace(tzinfo=None) - NIGHT_SHIFT).date()


def local_night_iso(mjd: float, timezone: str) -> str:
    """:func:`local_night` as ``YYYY-MM-DD``."""
    return local_night(mjd, timezone).isoformat()


def evening_mjd(night: date, timezone: str, local_hour: float = 12.0) -> float:
    """UTC MJD of ``local_hour`` (default noon, the start of the night) on date ``night``."""
    hours = int(local_hour)
    minutes = round((local_hour - hours) * 60)
    local = datetime(night.year, night.month, night.day, hours, minutes,
                     tzinfo=ZoneInfo(timezone))
    return datetime_to_mjd(local.astimezone(UTC))


def local_nights_fixed_offset(mjd: ArrayLike, utc_offset_h: ArrayLike) -> NDArray[np.int64]:
    """Vectorised night dates as integer MJD days of the evening, given UTC offsets (h).

    For bulk work when the offset of each row is known; ``local_night`` handles time
    zones and daylight saving exactly.
    """
    m = np.asarray(mjd, dtype=float) + (np.asarray(utc_offset_h, dtype=float) - 12.0) / 24.0
    return np.floor(m).astype(np.int64)
