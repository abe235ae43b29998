"""Which executed OB carried out a planned one — with the rule used and why.

A plan becomes ``done`` when the harvested observation log shows an execution of it.
Plans and logs share no identifier (the plan is written in ASPRO2 or by hand, the OB
is executed from the facility's own tools), so the link is inferred from what both
describe, and every inferred link must be explainable to the team that reads it:
:func:`score` returns a :class:`Match` naming the criteria checked (``rule``), a score
and one human sentence per criterion (``reasons``).

Hard criteria — any failure means "not this execution" (``None``):

* role: only science executions (role ``SCI``, or unknown) can carry out a science
  plan; a calibrator OB on the same target is not its execution;
* instrument: known on both sides and equal (case-insensitive);
* instrument mode: equal (case-insensitive) when known on both sides; unknown on
  either side is accepted, at a lower score;
* window: the execution starts inside ``[window_start_mjd, window_end_mjd]``, each
  bound being checked when known;
* target: within :data:`TARGET_TOLERANCE_ARCSEC` (great-circle separation) when both
  positions are known; otherwise equal normalised names (case, spaces and
  underscores ignored: ``"HD 1234" == "hd_1234" == "HD1234"``); neither → no match.
  A position, when both sides have one, decides alone: names differ between
  catalogues, coordinates do not;
* array: the same station set, or the same *configuration* — a station set read from
  the configuration name (split on ``-``, order-free: ``A0-B2-D0-C1`` is
  ``{A0, B2, C1, D0}``) on either side equal to the other side's stations or
  configuration; a plan naming neither stations nor configuration accepts any array,
  at a lower score. Station names are normalised (``U1`` is ``UT1``).

Score, in [0, 1], a weighted sum (weights sum to 1):

==================  ======  ===================================================
criterion           weight  credit
==================  ======  ===================================================
target              0.40    position: ``0.40 − 0.20 · sep / tolerance``
                            (0.40 at 0″, 0.20 at the tolerance);
                            name only: 0.15 (weaker than any position match)
instrument          0.20    always (hard criterion)
mode                0.15    equal: 0.15; unknown on either side: 0.05
array               0.15    same stations: 0.15; same configuration: 0.10;
                            plan names no array: 0.03
window              0.10    both bounds checked: 0.10; one bound: 0.05; none: 0
==================  ======  ===================================================

The score is rounded to 4 decimals so that equally good candidates tie exactly;
:func:`best_match` keeps the highest score, then the earliest ``mjd_start`` (the
first execution is the one that did the plan; later ones are repeats), then the
lowest ``ob_exec_id`` so that the answer never depends on the input order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ...harvesters.derive.angles import separation_arcsec
from ...harvesters.derive.stations import normalise_station

TARGET_TOLERANCE_ARCSEC = 10.0

W_POSITION_MAX = 0.40
W_POSITION_AT_TOLERANCE = 0.20
W_NAME = 0.15
W_INSTRUMENT = 0.20
W_MODE = 0.15
W_MODE_UNKNOWN = 0.05
W_STATIONS = 0.15
W_CONFIGURATION = 0.10
W_ARRAY_UNSPECIFIED = 0.03
W_WINDOW = 0.10
W_WINDOW_HALF = 0.05


@dataclass(frozen=True)
class PlanFacts:
    """What a planned OB says about the observation it asks for."""

    plan_id: int
    ra_deg: float | None
    dec_deg: float | None
    target_name: str | None
    instrument: str | None
    instrument_mode: str | None
    stations: frozenset[str]
    configuration: str | None
    window_start_mjd: float | None
    window_end_mjd: float | None


@dataclass(frozen=True)
class ExecutionFacts:
    """What the harvested log says about one OB execution."""

    ob_exec_id: int
    ra_deg: float | None
    dec_deg: float | None
    target_name: str | None
    instrument: str | None
    instrument_mode: str | None
    stations: frozenset[str]
    configuration: str | None
    mjd_start: float
    role: str | None


@dataclass(frozen=True)
class Match:
    """A plan–execution link: the criteria checked (``rule``), ``score`` in [0, 1],
    the target separation when both positions are known, and one reason per criterion."""

    plan_id: int
    ob_exec_id: int
    rule: str
    score: float
    separation_arcsec: float | None
    reasons: tuple[str, ...]


def normalise_name(name: str) -> str:
    """Target name for comparison: case, spaces and underscores ignored."""
    return re.sub(r"[\s_]+", "", name).casefold()


def station_set(stations: Iterable[str]) -> frozenset[str]:
    """Normalised station names (``U1`` → ``UT1``), blanks dropped."""
    return frozenset(normalise_station(s) for s in stations if s.strip())


def configuration_stations(configuration: str | None) -> frozenset[str]:
    """Station set of a configuration name (``"A0-B2-D0-C1"``); empty when unknown."""
    if not configuration:
        return frozenset()
    return station_set(configuration.split("-"))


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.strip().casefold() == b.strip().casefold()


def _known(text: str | None) -> bool:
    return text is not None and text.strip() != ""


def _fmt_set(stations: frozenset[str]) -> str:
    return "-".join(sorted(stations))


def _target(plan: PlanFacts, ex: ExecutionFacts) -> tuple[str, float, float | None, str] | None:
    """(rule part, credit, separation, reason), or ``None`` when the target differs."""
    if (plan.ra_deg is not None and plan.dec_deg is not None
            and ex.ra_deg is not None and ex.dec_deg is not None):
        sep = separation_arcsec(plan.ra_deg, plan.dec_deg, ex.ra_deg, ex.dec_deg)
        if sep > TARGET_TOLERANCE_ARCSEC:
            return None
        credit = W_POSITION_MAX - (W_POSITION_MAX - W_POSITION_AT_TOLERANCE) * (
            sep / TARGET_TOLERANCE_ARCSEC)
        return ("position", credit, sep,
                f"target {sep:.1f} arcsec from plan (tolerance {TARGET_TOLERANCE_ARCSEC:g})")
    if (plan.target_name and ex.target_name
            and normalise_name(plan.target_name)
            and normalise_name(plan.target_name) == normalise_name(ex.target_name)):
        return ("name", W_NAME, None,
                f"target name {ex.target_name!r} matches plan {plan.target_name!r} "
                "(no position on both sides)")
    return None


def _array(plan: PlanFacts, ex: ExecutionFacts) -> tuple[str | None, float, str] | None:
    """(rule part or ``None``, credit, reason), or ``None`` when the array differs."""
    plan_stations = station_set(plan.stations)
    plan_config = configuration_stations(plan.configuration)
    if not plan_stations and not plan_config:
        return (None, W_ARRAY_UNSPECIFIED,
                "plan names no stations or configuration: any array accepted")
    ex_stations = station_set(ex.stations)
    ex_config = configuration_stations(ex.configuration)
    if plan_stations and plan_stations == ex_stations:
        return ("stations", W_STATIONS,
                f"stations {_fmt_set(ex_stations)} are the plan's stations")
    for plan_side, plan_label in ((plan_stations, "stations"), (plan_config, "configuration")):
        for ex_side, ex_label in ((ex_stations, "stations"), (ex_config, "configuration")):
            if plan_side and plan_side == ex_side:
                return ("configuration", W_CONFIGURATION,
                        f"execution {ex_label} {_fmt_set(ex_side)} equal plan {plan_label} "
                        f"{_fmt_set(plan_side)} (configuration-equivalent, order-free)")
    return None


def score(plan: PlanFacts, execution: ExecutionFacts) -> Match | None:
    """The :class:`Match` of ``execution`` for ``plan``, or ``None`` when a hard
    criterion fails (see the module docstring for the criteria and weights)."""
    ex = execution
    reasons: list[str] = []
    parts: list[str] = []

    role = ex.role.strip().upper() if ex.role is not None and ex.role.strip() else None
    if role not in (None, "SCI"):
        return None
    role_reason = ("science execution (role SCI)" if role == "SCI"
                   else "execution role unknown: taken as science")

    if not _same(plan.instrument, ex.instrument):
        return None
    instrument_reason = f"instrument {ex.instrument} is the plan's"

    mode_known = _known(plan.instrument_mode) and _known(ex.instrument_mode)
    if mode_known and not _same(plan.instrument_mode, ex.instrument_mode):
        return None

    start, end = plan.window_start_mjd, plan.window_end_mjd
    if (start is not None and ex.mjd_start < start) or (end is not None and ex.mjd_start > end):
        return None

    target = _target(plan, ex)
    if target is None:
        return None
    array = _array(plan, ex)
    if array is None:
        return None

    target_part, target_credit, separation, target_reason = target
    parts += [target_part, "instrument"]
    reasons += [target_reason, instrument_reason]
    total = target_credit + W_INSTRUMENT

    if mode_known:
        parts.append("mode")
        reasons.append(f"mode {ex.instrument_mode} is the plan's")
        total += W_MODE
    else:
        side = "plan" if not _known(plan.instrument_mode) else "execution"
        reasons.append(f"mode unknown for the {side}: not checked (lower score)")
        total += W_MODE_UNKNOWN

    array_part, array_credit, array_reason = array
    if array_part is not None:
        parts.append(array_part)
    reasons.append(array_reason)
    total += array_credit

    if start is not None and end is not None:
        parts.append("window")
        reasons.append(f"started MJD {ex.mjd_start:.5f}, inside plan window "
                       f"{start:.5f} to {end:.5f}")
        total += W_WINDOW
    elif start is not None or end is not None:
        parts.append("window")
        bound = (f"after window start MJD {start:.5f}" if start is not None
                 else f"before window end MJD {end:.5f}")
        reasons.append(f"started MJD {ex.mjd_start:.5f}, {bound} (other bound unknown)")
        total += W_WINDOW_HALF
    else:
        reasons.append("plan has no window: execution time not checked")

    reasons.append(role_reason)
    return Match(plan_id=plan.plan_id, ob_exec_id=ex.ob_exec_id, rule="+".join(parts),
                 score=round(min(1.0, total), 4), separation_arcsec=separation,
                 reasons=tuple(reasons))


def best_match(plan: PlanFacts, executions: Iterable[ExecutionFacts]) -> Match | None:
    """The best-scoring execution of ``plan``; ties go to the earliest ``mjd_start``,
    then the lowest ``ob_exec_id``. ``None`` when no execution passes the hard criteria."""
    best: tuple[float, float, int] | None = None
    chosen: Match | None = None
    for ex in executions:
        match = score(plan, ex)
        if match is None:
            continue
        key = (-match.score, ex.mjd_start, ex.ob_exec_id)
        if best is None or key < best:
            best, chosen = key, match
    return chosen
