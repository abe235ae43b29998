"""Sky regions as archives publish them: STC-S strings or DALI arrays.

ObsCore ``s_region`` is stored as normalised STC-S text (``CIRCLE ICRS ra dec r``
or ``POLYGON ICRS ra1 dec1 ...``, degrees) on both backends. Archives write
STC-S with optional flavour words (``Circle ICRS TOPOCENTER 10 -20 0.01``,
``POLYGON J2000 ...``) and DALI writes bare numbers (3 for a circle, an even
number ≥ 6 for a polygon); both are accepted here.
"""

from __future__ import annotations

import math

#: Frames accepted as ICRS-compatible at the precision of a field of view.
ICRS_FRAMES = {"ICRS", "FK5", "J2000", "UNKNOWNFRAME"}
#: STC-S reference positions and flavours that may follow the frame.
_FILLERS = {"TOPOCENTER", "GEOCENTER", "BARYCENTER", "HELIOCENTER", "UNKNOWNREFPOS",
            "SPHERICAL2", "CARTESIAN2", "UNITSPHERE"}


class RegionError(ValueError):
    """The text is not a region this service can store."""


def _numbers(words: list[str], text: str) -> list[float]:
    try:
        values = [float(w) for w in words]
    except ValueError as exc:
        raise RegionError(f"non-numeric coordinate in region {text!r}") from exc
    if not all(math.isfinite(v) for v in values):
        raise RegionError(f"non-finite coordinate in region {text!r}")
    return values


def _check_position(ra: float, dec: float, text: str) -> None:
    if not -90.0 <= dec <= 90.0:
        raise RegionError(f"declination {dec} out of range in region {text!r}")
    if not -360.0 <= ra <= 720.0:
        raise RegionError(f"right ascension {ra} out of range in region {text!r}")


def _fmt(value: float) -> str:
    return repr(float(value))


def _circle(values: list[float], text: str) -> str:
    if len(values) != 3:
        raise RegionError(f"a circle needs 3 numbers (ra dec radius), got {len(values)}: "
                          f"{text!r}")
    ra, dec, radius = values
    _check_position(ra, dec, text)
    if not 0.0 < radius <= 180.0:
        raise RegionError(f"circle radius {radius} out of range in region {text!r}")
    return f"CIRCLE ICRS {_fmt(ra % 360.0)} {_fmt(dec)} {_fmt(radius)}"


def _polygon(values: list[float], text: str) -> str:
    if len(values) < 6 or len(values) % 2:
        raise RegionError(f"a polygon needs at least 3 (ra, dec) pairs: {text!r}")
    pairs = list(zip(values[::2], values[1::2], strict=True))
    for ra, dec in pairs:
        _check_position(ra, dec, text)
    body = " ".join(f"{_fmt(ra % 360.0)} {_fmt(dec)}" for ra, dec in pairs)
    return f"POLYGON ICRS {body}"


def normalise_region(text: str) -> str:
    """Normalised STC-S of ``text`` (STC-S or DALI); raises :class:`RegionError`."""
    words = text.replace(",", " ").split()
    if not words:
        raise RegionError("empty region")
    shape = words[0].upper()
    if shape not in {"CIRCLE", "POLYGON"}:
        values = _numbers(words, text)
        return _circle(values, text) if len(values) == 3 else _polygon(values, text)
    rest = words[1:]
    if rest and not _is_number(rest[0]):
        frame = rest.pop(0).upper()
        if frame not in ICRS_FRAMES:
            raise RegionError(f"frame {frame} is not supported (use ICRS): {text!r}")
    while rest and rest[0].upper() in _FILLERS:
        rest.pop(0)
    values = _numbers(rest, text)
    return _circle(values, text) if shape == "CIRCLE" else _polygon(values, text)


def _is_number(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True
