"""Projected baselines: u, v (m), length and position angle, from station positions.

The baseline vector between two stations (local East, North, Up) is rotated into
the equatorial frame of the site and projected on the sky plane of the target
at hour angle H and declination δ (Thompson, Moran & Swenson, eq. 4.1):

    X = -sin(φ) N + cos(φ) U,  Y = E,  Z = cos(φ) N + sin(φ) U
    u = sin H · X + cos H · Y
    v = -sin δ cos H · X + sin δ sin H · Y + cos δ · Z

The position angle is measured from north through east, as ESO's ISS.PBLA keywords.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .facts import Station


@dataclass(frozen=True)
class Projection:
    u: float
    v: float

    @property
    def length(self) -> float:
        return math.hypot(self.u, self.v)

    @property
    def angle(self) -> float:
        """Position angle in degrees, [0, 360), north through east."""
        return math.degrees(math.atan2(self.u, self.v)) % 360.0


def project(first: Station, second: Station, latitude_deg: float, hour_angle_h: float,
            dec_deg: float) -> Projection:
    """u, v of the baseline first → second for a target at (H, δ)."""
    east = second.east - first.east
    north = second.north - first.north
    up = second.up - first.up
    phi = math.radians(latitude_deg)
    x = -math.sin(phi) * north + math.cos(phi) * up
    y = east
    z = math.cos(phi) * north + math.sin(phi) * up
    h = math.radians(hour_angle_h * 15.0)
    d = math.radians(dec_deg)
    u = math.sin(h) * x + math.cos(h) * y
    v = -math.sin(d) * math.cos(h) * x + math.sin(d) * math.sin(h) * y + math.cos(d) * z
    return Projection(u, v)
