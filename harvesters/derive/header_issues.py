"""Header issues: exposures whose recorded OBJECT or pointing disagrees with their target.

Header coordinates and names are not standardised; the exposure keeps them as recorded
and is linked to a resolved target. When the recorded pointing is farther than
:data:`POSITION_LIMIT_ARCSEC` from the target, or the recorded OBJECT does not name the
target (compared without case, blanks, underscores or dashes), the exposure is listed:
this is the report to send to the observatory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .angles import separation_arcsec

POSITION_LIMIT_ARCSEC = 10.0


@dataclass(frozen=True)
class Issue:
    kind: str  # position, name, both
    separation_arcsec: float | None
    detail: str


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name).upper()


def check_exposure(header_object: str | None, header_ra: float | None,
                   header_dec: float | None, target_name: str | None,
                   target_ra: float | None, target_dec: float | None,
                   target_aliases: str | None = None) -> Issue | None:
    """The issue of one exposure, or None when its header agrees with its target."""
    problems: list[str] = []
    separation = None
    if None not in (header_ra, header_dec, target_ra, target_dec):
        separation = separation_arcsec(header_ra, header_dec, target_ra,  # type: ignore[arg-type]
                                       target_dec)  # type: ignore[arg-type]
        if separation > POSITION_LIMIT_ARCSEC:
            problems.append(f"pointing {separation:.1f} arcsec from {target_name}")
    name_bad = False
    if header_object and target_name:
        names = {_key(target_name)} | {_key(a) for a in (target_aliases or "").split("|") if a}
        if _key(header_object) not in names:
            name_bad = True
            problems.append(f"OBJECT '{header_object}' does not name {target_name}")
    position_bad = separation is not None and separation > POSITION_LIMIT_ARCSEC
    if not problems:
        return None
    kind = "both" if (position_bad and name_bad) else ("position" if position_bad else "name")
    return Issue(kind, separation, "; ".join(problems))
