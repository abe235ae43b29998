"""CAL-SCI-CAL: which calibrator OB executions go with a science OB execution.

Rule (``adjacency``): among the OB executions of the same night, instrument and mode,
the nearest calibrator execution ending before the science one starts and the nearest
starting after it ends, each within :data:`MAX_GAP_S`; when the stations are recorded
they must be the same. The score falls from 1 (back to back) to 0 (at the limit).

When both target positions are known, the adjacent calibrator must also lie within
:data:`MAX_SEPARATION_DEG` of the science target, else that side gets no link: a
calibrator is picked near its science target on the sky, so the calibrator that ends the
previous sequence of another target is not this science OB's, however close in time (a
SCI-CAL sequence has none of its own before it). The nearest calibrator in time is
judged, not the nearest acceptable one: reaching past it to an older calibrator would
claim a sequence the observer did not make.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .angles import separation_arcsec

MAX_GAP_S = 2 * 3600.0
#: Calibrators are chosen a few degrees from their science target, so that the airmass
#: and the atmosphere sampled are alike (the synthetic log puts them 1-8 degrees away).
#: 10 degrees is a rule of thumb, not a facility figure: a real calibrator further away
#: would lose its link, so revisit it against real logs.
MAX_SEPARATION_DEG = 10.0


@dataclass(frozen=True)
class Execution:
    ob_exec_id: int
    night: str | None
    instrument: str | None
    mode: str | None
    stations: str | None
    role: str | None
    mjd_start: float | None
    mjd_end: float | None
    # Target position (degrees, ICRS); optional so a caller without it keeps the time rule.
    ra: float | None = None
    dec: float | None = None


@dataclass(frozen=True)
class Link:
    sci: int
    cal: int
    side: str  # before, after
    gap_s: float
    score: float


def _near_on_sky(sci: Execution, cal: Execution) -> bool:
    """True unless both positions are known and further apart than the limit."""
    if sci.ra is None or sci.dec is None or cal.ra is None or cal.dec is None:
        return True
    return separation_arcsec(sci.ra, sci.dec, cal.ra, cal.dec) <= MAX_SEPARATION_DEG * 3600


def link_calibrators(executions: Iterable[Execution]) -> list[Link]:
    """The ``adjacency`` links of the executions (see the module docstring)."""
    groups: dict[tuple[object, ...], list[Execution]] = defaultdict(list)
    for ex in executions:
        if ex.mjd_start is None or ex.mjd_end is None or ex.night is None:
            continue
        groups[(ex.night, ex.instrument, ex.mode, ex.stations)].append(ex)
    links: list[Link] = []
    for members in groups.values():
        # (start, end, execution): the times are known for every grouped execution.
        calibrators = [(float(m.mjd_start or 0.0), float(m.mjd_end or 0.0), m)
                       for m in members if m.role == "CAL"]
        for sci in (m for m in members if m.role == "SCI"):
            start, end = float(sci.mjd_start or 0.0), float(sci.mjd_end or 0.0)
            before = [(start - c_end, cal) for _c_start, c_end, cal in calibrators
                      if c_end <= start]
            after = [(c_start - end, cal) for c_start, _c_end, cal in calibrators
                     if c_start >= end]
            for side, candidates in (("before", before), ("after", after)):
                if not candidates:
                    continue
                gap_days, cal = min(candidates, key=lambda item: item[0])
                gap = gap_days * 86400.0
                if gap <= MAX_GAP_S and _near_on_sky(sci, cal):
                    links.append(Link(sci.ob_exec_id, cal.ob_exec_id, side, round(gap, 1),
                                      round(1.0 - gap / MAX_GAP_S, 3)))
    return links
