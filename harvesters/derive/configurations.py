"""Equivalent offered configuration of an observed station set.

The match, in order of quality:
``exact`` — the set is offered in that period for that instrument;
``other-period`` — the set is offered, for the instrument, in another period;
``subset`` — the stations are part of a configuration offered in the period (a telescope
missing, as with 3-telescope MATISSE or AMBER observations);
``nearest`` — the offered configuration of the period whose sorted baseline lengths are
closest (RMS) to the observed ones, e.g. a re-configuration intermediate or a
3-telescope subset.

:func:`equivalent_configuration` is the same idea over the per-period tables
``vlti_configurations.csv`` / ``chara_configurations.csv`` (all instruments): ``exact``
(the set is offered in the period), ``intermediate`` (an ASPRO2 re-configuration
intermediate), ``subset`` (part of an offered configuration of the period), ``nearest``
(closest sorted baseline lengths, RMS in metres).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from .facts import OfferedConfiguration, normalise_station, offered_configurations, station
from .stations import baseline_lengths, read_facts, split_stations

ESO_PERIOD_ZERO_YEAR = 1968  # P1 started 1968-04-01; P110 2022-10-01


@dataclass(frozen=True)
class ConfigurationMatch:
    configuration: OfferedConfiguration
    quality: str  # exact, other-period, nearest
    rms: float = 0.0  # metres, for nearest matches


def eso_period(year: int, month: int) -> int:
    """ESO period of a date: odd periods start on 1 April, even ones on 1 October."""
    return 2 * (year - ESO_PERIOD_ZERO_YEAR) + (2 if month >= 10 else (1 if month >= 4 else 0))


def chara_semester(year: int, month: int) -> str:
    return f"{year}{'A' if month <= 6 else 'B'}"


def _lengths(interferometer: str, names: tuple[str, ...]) -> list[float]:
    positions = [station(interferometer, n) for n in names]
    return sorted(math.dist((a.east, a.north, a.up), (b.east, b.north, b.up))
                  for a, b in itertools.combinations(positions, 2))


def match_configuration(interferometer: str, instrument: str, period: str,
                        stations: list[str]) -> ConfigurationMatch | None:
    """The offered configuration equivalent to ``stations`` (None if nothing is offered)."""
    observed = tuple(normalise_station(s) for s in stations)
    wanted = set(observed)
    candidates = [c for c in offered_configurations()
                  if c.interferometer == interferometer and c.instrument == instrument]
    if not candidates:
        return None
    for config in candidates:
        if config.period == period and set(config.stations) == wanted:
            return ConfigurationMatch(config, "exact")
    for config in candidates:
        if set(config.stations) == wanted:
            return ConfigurationMatch(config, "other-period")
    in_period = [c for c in candidates if c.period == period] or candidates
    for config in in_period:
        if wanted < set(config.stations):
            return ConfigurationMatch(config, "subset")
    try:
        seen = _lengths(interferometer, observed)
    except KeyError:
        return None
    best: ConfigurationMatch | None = None
    for config in in_period:
        try:
            offered = _lengths(interferometer, config.stations)
        except KeyError:
            continue
        # Compare the observed baselines with the closest offered ones (subsets allowed).
        rms = math.sqrt(sum(min((x - y) ** 2 for y in offered) for x in seen) / len(seen))
        if best is None or rms < best.rms:
            best = ConfigurationMatch(config, "nearest", rms)
    return best


@dataclass(frozen=True)
class PeriodConfiguration:
    """One offered configuration over a range of ESO periods (VLTI) or CHARA semesters."""

    interferometer: str
    period_from: str  # ESO period number or CHARA semester; '' for intermediates
    period_to: str
    name: str  # stations joined by '-' in ASPRO2/ESO beam order
    category: str  # small, medium, large, astrometric, extended, UTs, '' (CHARA, unknown)
    kind: str  # offered, intermediate
    stations: tuple[str, ...]
    instruments: tuple[str, ...]
    transition: str = ""

    def offered_in(self, period: str) -> bool:
        """True when offered in ``period`` (an intermediate is never 'offered')."""
        if self.kind != "offered":
            return False
        if self.interferometer == "VLTI":
            return int(self.period_from) <= int(period) <= int(self.period_to)
        return _semester_key(self.period_from) <= _semester_key(period) <= \
            _semester_key(self.period_to)


@dataclass(frozen=True)
class EquivalentConfiguration:
    """The offered configuration equivalent to observed stations, with match quality."""

    configuration: PeriodConfiguration
    quality: str  # exact, intermediate, subset, nearest
    period: str
    rms: float = 0.0  # metres (nearest only)

    @property
    def name(self) -> str:
        return self.configuration.name


def _semester_key(semester: str) -> tuple[int, int]:
    return int(semester[:4]), 0 if semester[4:].upper() == "A" else 1


def eso_period_of(day: date) -> int:
    """ESO period of a (night) date; P110 is 2022-10-01 .. 2023-03-31."""
    return eso_period(day.year, day.month)


def chara_semester_of(day: date) -> str:
    """CHARA semester (``2024A`` Jan-Jun, ``2024B`` Jul-Dec) of a date."""
    return chara_semester(day.year, day.month)


@lru_cache(maxsize=1)
def period_configurations() -> tuple[PeriodConfiguration, ...]:
    """Every row of ``vlti_configurations.csv`` and ``chara_configurations.csv``."""
    rows: list[PeriodConfiguration] = []
    for r in read_facts("vlti_configurations.csv"):
        rows.append(PeriodConfiguration("VLTI", r["period_from"], r["period_to"], r["name"],
                                        r["category"], r["kind"], tuple(r["stations"].split()),
                                        tuple(r["instruments"].split()), r["transition"]))
    for r in read_facts("chara_configurations.csv"):
        rows.append(PeriodConfiguration("CHARA", r["semester_from"], r["semester_to"],
                                        r["name"], "", "offered", tuple(r["stations"].split()),
                                        tuple(r["instruments"].split())))
    return tuple(rows)


def offered_in_period(interferometer: str, period: str,
                      instrument: str | None = None) -> list[PeriodConfiguration]:
    """Configurations offered in ``period`` (optionally for one ASPRO2 instrument)."""
    return [c for c in period_configurations()
            if c.interferometer == interferometer and c.offered_in(period)
            and (instrument is None or instrument in c.instruments)]


def equivalent_configuration(stations: str | list[str], when: date | int | str,
                             interferometer: str = "VLTI",
                             instrument: str | None = None) -> EquivalentConfiguration | None:
    """Map observed stations (any order, ``U1`` or ``UT1``) and a date/period to a configuration.

    ``when`` is a night date, an ESO period number or a CHARA semester. Quality, best
    first: ``exact``, ``intermediate`` (VLTI re-configuration intermediates), ``subset``
    (the smallest offered configuration containing the stations), ``nearest`` (RMS of the
    observed sorted baseline lengths to the closest offered ones). ``None`` when nothing
    is offered in the period or a station is unknown.
    """
    names = split_stations(stations) if isinstance(stations, str) else \
        [normalise_station(s) for s in stations]
    wanted = frozenset(names)
    if isinstance(when, date):
        period = str(eso_period_of(when)) if interferometer == "VLTI" else chara_semester_of(when)
    else:
        period = str(when)
    offered = offered_in_period(interferometer, period, instrument)
    if not offered and instrument is not None:
        offered = offered_in_period(interferometer, period)
    for config in offered:
        if frozenset(config.stations) == wanted:
            return EquivalentConfiguration(config, "exact", period)
    if interferometer == "VLTI":
        for config in period_configurations():
            if config.kind == "intermediate" and frozenset(config.stations) == wanted:
                return EquivalentConfiguration(config, "intermediate", period)
    supersets = [c for c in offered if wanted < frozenset(c.stations)]
    if supersets:
        best = min(supersets, key=lambda c: (len(c.stations), c.category == ""))
        return EquivalentConfiguration(best, "subset", period)
    if not offered or len(wanted) < 2:
        return None
    try:
        seen = baseline_lengths(interferometer, names)
    except KeyError:
        return None
    result: EquivalentConfiguration | None = None
    for config in offered:
        try:
            lengths = baseline_lengths(interferometer, config.stations)
        except KeyError:
            continue
        rms = math.sqrt(sum(min((x - y) ** 2 for y in lengths) for x in seen) / len(seen))
        if result is None or rms < result.rms:
            result = EquivalentConfiguration(config, "nearest", period, rms)
    return result
