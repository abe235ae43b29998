"""Equivalent offered configuration of an observed station set.

The match, in order of quality:
``exact`` — the set is offered in that period for that instrument;
``other-period`` — the set is offered, for the instrument, in another period;
``subset`` — the stations are part of a configuration offered in the period (a telescope
missing, as with 3-telescope MATISSE or AMBER observations);
``nearest`` — the offered configuration of the period whose sorted baseline lengths are
closest (RMS) to the observed ones, e.g. a re-configuration intermediate or a
3-telescope subset.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from .facts import OfferedConfiguration, normalise_station, offered_configurations, station

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
