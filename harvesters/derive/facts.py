"""The project's facts: sites, station positions, offered configurations (``harvesters/data``)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Site:
    name: str
    latitude: float  # deg
    longitude: float  # deg, east positive
    altitude: float  # m
    timezone: str


@dataclass(frozen=True)
class Station:
    interferometer: str
    name: str
    telescope: str
    east: float
    north: float
    up: float


@dataclass(frozen=True)
class OfferedConfiguration:
    interferometer: str
    period: str  # ESO period number or CHARA semester (2024A)
    instrument: str  # ASPRO2 focal instrument (GRAVITY, MATISSE_LM, PIONIER_2, ...)
    category: str  # Small, Medium, Large, Astrometric, Extended, UTs ('' for CHARA)
    stations: tuple[str, ...]

    @property
    def name(self) -> str:
        return "-".join(self.stations)


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("obsportal.harvesters.data").joinpath(name).read_text()
    return list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))


@lru_cache(maxsize=1)
def sites() -> dict[str, Site]:
    return {r["interferometer"]: Site(r["interferometer"], float(r["latitude"]),
                                      float(r["longitude"]), float(r["altitude"]),
                                      r["timezone"]) for r in _rows("sites.csv")}


def normalise_station(name: str) -> str:
    """ESO headers write U1..U4 for the unit telescopes; the facts say UT1..UT4."""
    name = name.strip().upper()
    return re.sub(r"^U([1-4])$", r"UT\1", name)


@lru_cache(maxsize=1)
def stations() -> dict[tuple[str, str], Station]:
    return {(r["interferometer"], r["station"]): Station(
        r["interferometer"], r["station"], r["telescope"], float(r["east"]), float(r["north"]),
        float(r["up"])) for r in _rows("stations.csv")}


def station(interferometer: str, name: str) -> Station:
    key = (interferometer, normalise_station(name))
    try:
        return stations()[key]
    except KeyError:
        raise KeyError(f"unknown station {name} at {interferometer}") from None


@lru_cache(maxsize=1)
def offered_configurations() -> tuple[OfferedConfiguration, ...]:
    return tuple(OfferedConfiguration(r["interferometer"], r["period"], r["instrument"],
                                      r["category"], tuple(r["stations"].split()))
                 for r in _rows("offered_configurations.csv"))
