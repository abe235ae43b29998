"""Station positions, telescope diameters and sites: the project's one station/site API.

The tables are ``harvesters/data/vlti_stations.csv``, ``chara_stations.csv`` and
``sites.csv`` (sources cited in their header lines), read as package resources of
``obsportal.harvesters.data`` with :func:`read_facts`. Positions are local East/North/Up in
metres relative to the array reference; a baseline vector ``b - a`` is what the u,v
projection takes. :func:`load_stations` / :func:`station_position` give the stations,
:func:`load_sites` / :func:`site_of` the sites (latitude, longitude, height, time zone).

ESO headers name the unit telescopes ``U1``..``U4`` (ISS.CONF.STATIONi) while ASPRO2 and
the facts say ``UT1``..``UT4``: :func:`normalise_station` maps the former to the latter
(every harvester and service module uses it), :func:`eso_station_name` the other way.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

DATA_PACKAGE = "obsportal.harvesters.data"
STATION_FILES = {"VLTI": "vlti_stations.csv", "CHARA": "chara_stations.csv"}


@dataclass(frozen=True)
class StationPosition:
    """One station: local East/North/Up position (m) and telescope diameter (m)."""

    interferometer: str
    name: str
    telescope: str
    diameter: float
    east: float
    north: float
    up: float

    @property
    def enu(self) -> np.ndarray:
        return np.array([self.east, self.north, self.up])


@dataclass(frozen=True)
class SiteLocation:
    """An interferometer site: geodetic latitude/longitude (deg, east +), height (m), zone."""

    interferometer: str
    name: str
    latitude: float
    longitude: float
    height: float
    timezone: str


def read_facts(filename: str) -> list[dict[str, str]]:
    """Rows of a CSV of ``harvesters/data`` (lines starting with ``#`` are comments)."""
    text = resources.files(DATA_PACKAGE).joinpath(filename).read_text(encoding="utf-8")
    return list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))


def _interferometer(name: str) -> str:
    key = name.strip().upper()
    if key in ("ESO-VLTI", "VLTI", "PARANAL"):
        return "VLTI"
    if key in ("CHARA", "MOUNT WILSON"):
        return "CHARA"
    raise KeyError(f"unknown interferometer {name!r}")


@lru_cache(maxsize=4)
def load_stations(interferometer: str) -> dict[str, StationPosition]:
    """All stations of ``interferometer`` (``VLTI`` or ``CHARA``) by name."""
    key = _interferometer(interferometer)
    return {r["station"]: StationPosition(key, r["station"], r["telescope"],
                                          float(r["diameter_m"]), float(r["east_m"]),
                                          float(r["north_m"]), float(r["up_m"]))
            for r in read_facts(STATION_FILES[key])}


@lru_cache(maxsize=1)
def load_sites() -> dict[str, SiteLocation]:
    """The sites by interferometer name (``VLTI``: Paranal, ``CHARA``: Mount Wilson)."""
    return {r["interferometer"]: SiteLocation(r["interferometer"], r["site"],
                                              float(r["latitude"]), float(r["longitude"]),
                                              float(r["altitude"]), r["timezone"])
            for r in read_facts("sites.csv")}


def site_of(interferometer: str) -> SiteLocation:
    """The site of ``interferometer`` (also accepts ``ESO-VLTI``)."""
    return load_sites()[_interferometer(interferometer)]


def normalise_station(name: str) -> str:
    """Canonical station name: upper case, ESO's ``U1``..``U4`` → ``UT1``..``UT4``."""
    clean = name.strip().upper()
    return re.sub(r"^U([1-4])$", r"UT\1", clean)


def eso_station_name(name: str) -> str:
    """The name ESO headers use: ``UT1``..``UT4`` → ``U1``..``U4``, others unchanged."""
    return re.sub(r"^UT([1-4])$", r"U\1", normalise_station(name))


def split_stations(text: str) -> list[str]:
    """Station names of ``"A0-G1-J2-K0"``, ``"A0 G1 J2 K0"`` or ``"U1,U2"``, normalised."""
    return [normalise_station(part) for part in re.split(r"[\s,;/\-]+", text) if part.strip()]


def station_position(interferometer: str, name: str) -> StationPosition:
    """One station; ``KeyError`` naming it when it is unknown."""
    try:
        return load_stations(interferometer)[normalise_station(name)]
    except KeyError:
        raise KeyError(f"unknown station {name!r} at {interferometer}") from None


def baseline_vector(interferometer: str, first: str, second: str) -> np.ndarray:
    """East/North/Up vector (m) from station ``first`` to station ``second``."""
    return station_position(interferometer, second).enu - \
        station_position(interferometer, first).enu


def baselines(interferometer: str, names: Sequence[str]) -> list[tuple[str, str, np.ndarray]]:
    """Every station pair in the given (beam) order with its baseline vector (m)."""
    clean = [normalise_station(n) for n in names]
    return [(a, b, baseline_vector(interferometer, a, b))
            for a, b in itertools.combinations(clean, 2)]


def baseline_lengths(interferometer: str, names: Iterable[str]) -> list[float]:
    """Sorted ground baseline lengths (m) of a station set."""
    return sorted(float(np.linalg.norm(v)) for _, _, v in baselines(interferometer, list(names)))
