"""Angles on the sky: separations and the sexagesimal forms files use."""

from __future__ import annotations

import math


def separation_arcsec(ra1: float, dec1: float, ra2: float, dec2: float) -> float:
    """Angular distance in arcseconds (haversine: exact at small separations)."""
    p1, p2 = math.radians(dec1), math.radians(dec2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * \
        math.sin(math.radians(ra2 - ra1) / 2) ** 2
    return math.degrees(2 * math.asin(min(1.0, math.sqrt(h)))) * 3600


def sexagesimal_degrees(text: str, hours: bool) -> float:
    """Degrees of ``HH:MM:SS.s`` (``hours``) or ``±DD:MM:SS.s``; plain numbers pass."""
    text = text.strip()
    if ":" not in text:
        return float(text)
    sign = -1.0 if text.startswith("-") else 1.0
    parts = [abs(float(p)) for p in text.lstrip("+-").split(":")]
    value = parts[0] + (parts[1] if len(parts) > 1 else 0) / 60 + \
        (parts[2] if len(parts) > 2 else 0) / 3600
    return sign * value * (15.0 if hours else 1.0)
