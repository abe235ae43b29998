"""CAL-SCI-CAL: which calibrator OB executions go with a science OB execution.

Rule (``adjacency``): among the OB executions of the same night, instrument and mode,
the nearest calibrator execution ending before the science one starts and the nearest
starting after it ends, each within :data:`MAX_GAP_S`; when the stations are recorded
they must be the same. The score falls from 1 (back to back) to 0 (at the limit).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

MAX_GAP_S = 2 * 3600.0


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


@dataclass(frozen=True)
class Link:
    sci: int
    cal: int
    side: str  # before, after
    gap_s: float
    score: float


def link_calibrators(executions: Iterable[Execution]) -> list[Link]:
    groups: dict[tuple[object, ...], list[Execution]] = defaultdict(list)
    for ex in executions:
        if ex.mjd_start is None or ex.mjd_end is None or ex.night is None:
            continue
        groups[(ex.night, ex.instrument, ex.mode, ex.stations)].append(ex)
    links: list[Link] = []
    for members in groups.values():
        calibrators = [m for m in members if m.role == "CAL"]
        for sci in (m for m in members if m.role == "SCI"):
            assert sci.mjd_start is not None and sci.mjd_end is not None
            before = [(sci.mjd_start - c.mjd_end, c) for c in calibrators  # type: ignore[operator]
                      if c.mjd_end <= sci.mjd_start]  # type: ignore[operator]
            after = [(c.mjd_start - sci.mjd_end, c) for c in calibrators  # type: ignore[operator]
                     if c.mjd_start >= sci.mjd_end]  # type: ignore[operator]
            for side, candidates in (("before", before), ("after", after)):
                if not candidates:
                    continue
                gap_days, cal = min(candidates, key=lambda item: item[0])
                gap = gap_days * 86400.0
                if gap <= MAX_GAP_S:
                    links.append(Link(sci.ob_exec_id, cal.ob_exec_id, side, round(gap, 1),
                                      round(1.0 - gap / MAX_GAP_S, 3)))
    return links
