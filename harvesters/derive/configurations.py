"""Equivalent offered configuration of an observed station set.

The facts are the per-period tables ``harvesters/data/vlti_configurations.csv`` (ESO
periods P84-P117, ASPRO2's VLTI.xml, with the re-configuration intermediates) and
``chara_configurations.csv`` (CHARA semesters, ASPRO2's CHARA.xml), all instruments.
:func:`equivalent_configuration` is the one matcher every harvester uses (ESO frames,
OIFITS, the synthetic log). Match quality, best first:

``exact`` — the set is offered in the period (for the instrument when it has offers);
``intermediate`` — an ASPRO2 VLTI re-configuration intermediate;
``subset`` — part of a configuration offered in the period (a telescope missing, as with
3-telescope MATISSE or AMBER observations): the smallest such configuration;
``other-period`` — the same station set offered in the closest other period (ASPRO2 does
not tabulate CHARA 2019A-2021A, VLTI before P84 nor P95, and GRAVITY's 2016 commissioning
used A0-G1-J2-K0 before it was offered);
``nearest`` — the offered configuration of the period whose sorted baseline lengths are
closest (RMS, metres) to the observed ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from .stations import baseline_lengths, normalise_station, read_facts, split_stations

ESO_PERIOD_ZERO_YEAR = 1968  # P1 started 1968-04-01; P110 2022-10-01

#: The values of ``ob_exec.configuration_match`` (None when nothing matches).
QUALITIES = ("exact", "intermediate", "subset", "other-period", "nearest")


def eso_period(year: int, month: int) -> int:
    """ESO period of a date: odd periods start on 1 April, even ones on 1 October."""
    return 2 * (year - ESO_PERIOD_ZERO_YEAR) + (2 if month >= 10 else (1 if month >= 4 else 0))


def chara_semester(year: int, month: int) -> str:
    return f"{year}{'A' if month <= 6 else 'B'}"


def eso_period_start(period: int) -> date:
    """First day of an ESO period (the inverse of :func:`eso_period`): odd periods start on
    1 April, even ones on 1 October."""
    year = ESO_PERIOD_ZERO_YEAR + (period - 1) // 2
    return date(year, 4 if period % 2 else 10, 1)


def period_span(facility: str | None, period: str | None) -> tuple[date, date] | None:
    """[first day, first day after) of an ESO period ("113", "P113") or a CHARA semester
    ("2024A" January-June, "2024B" July-December); None when not recognised."""
    if not period:
        return None
    text = period.strip().upper().removeprefix("PERIOD").removeprefix("P").strip()
    if (facility or "").upper() == "CHARA" or text[-1:] in ("A", "B"):
        if len(text) != 5 or not text[:4].isdigit() or text[4] not in "AB":
            return None
        year, first_half = int(text[:4]), text[4] == "A"
        return (date(year, 1 if first_half else 7, 1),
                date(year, 7, 1) if first_half else date(year + 1, 1, 1))
    if not text.isdigit():
        return None
    return eso_period_start(int(text)), eso_period_start(int(text) + 1)


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
    quality: str  # one of QUALITIES
    period: str  # the period (semester) of the observation
    rms: float = 0.0  # metres (nearest only)

    @property
    def name(self) -> str:
        return self.configuration.name


def _semester_key(semester: str) -> tuple[int, int]:
    return int(semester[:4]), 0 if semester[4:].upper() == "A" else 1


def _period_number(interferometer: str, period: str) -> int:
    """ESO period, or CHARA semester counted in half-years (2019B → 4039)."""
    if interferometer == "VLTI":
        return int(period)
    year, half = _semester_key(period)
    return year * 2 + half


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


def _in_period(names: list[str], wanted: frozenset[str], period: str, interferometer: str,
               instrument: str | None) -> EquivalentConfiguration | None:
    """exact, intermediate, subset or nearest within ``period`` (None: nothing offered)."""
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
    if not offered:
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


def _other_period(wanted: frozenset[str], period: str, interferometer: str,
                  instrument: str | None) -> EquivalentConfiguration | None:
    """The same station set offered in the closest period (for the instrument if it can)."""
    same = [c for c in period_configurations()
            if c.interferometer == interferometer and c.kind == "offered"
            and frozenset(c.stations) == wanted]
    preferred = [c for c in same if instrument in c.instruments] or same
    if not preferred:
        return None
    here = _period_number(interferometer, period)
    best = min(preferred, key=lambda c: min(
        abs(_period_number(interferometer, c.period_from) - here),
        abs(_period_number(interferometer, c.period_to) - here)))
    return EquivalentConfiguration(best, "other-period", period)


def equivalent_configuration(stations: str | list[str], when: date | int | str,
                             interferometer: str = "VLTI",
                             instrument: str | None = None) -> EquivalentConfiguration | None:
    """Map observed stations (any order, ``U1`` or ``UT1``) and a date/period to a configuration.

    ``when`` is a night date, an ESO period number or a CHARA semester; ``instrument`` an
    ASPRO2 instrument name (its offers are preferred). Quality, best first: ``exact``,
    ``intermediate``, ``subset``, ``other-period``, ``nearest`` (see the module
    docstring). ``None`` for fewer than two stations, or when the set is offered in no
    period and nothing is offered in this one (or a station is unknown).
    """
    names = split_stations(stations) if isinstance(stations, str) else \
        [normalise_station(s) for s in stations]
    wanted = frozenset(names)
    if len(wanted) < 2:
        return None
    if isinstance(when, date):
        period = str(eso_period_of(when)) if interferometer == "VLTI" else chara_semester_of(when)
    else:
        period = str(when)
    match = _in_period(names, wanted, period, interferometer, instrument)
    if match is not None and match.quality != "nearest":
        return match
    return _other_period(wanted, period, interferometer, instrument) or match
