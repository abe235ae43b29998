"""Projected baselines: u, v (m), length and position angle, from station positions.

The baseline vector between two stations (local East, North, Up) is rotated into
the equatorial frame of the site and projected on the sky plane of the target
at hour angle H and declination δ (Thompson, Moran & Swenson, eq. 4.1):

    X = -sin(φ) N + cos(φ) U,  Y = E,  Z = cos(φ) N + sin(φ) U
    u = sin H · X + cos H · Y
    v = -sin δ cos H · X + sin δ sin H · Y + cos δ · Z

    w = cos δ cos H · X - cos δ sin H · Y + sin δ · Z

u points east and v north on the sky; the baseline runs from the first station to the
second (ESO's ISS.PBLij is the length between stations i and j). The position angle is
measured from north through east, as ESO's ISS.PBLA keywords. :func:`uvw` and
:func:`projected_baseline` are the vectorised numpy forms; :func:`project` is :func:`uvw`
for one baseline and one instant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .stations import StationPosition


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


def project(first: StationPosition, second: StationPosition, latitude_deg: float,
            hour_angle_h: float, dec_deg: float) -> Projection:
    """u, v of the baseline first → second for a target at (H, δ) (:func:`uvw`)."""
    u, v, _ = uvw(second.enu - first.enu, hour_angle_h, dec_deg, latitude_deg)
    return Projection(float(u), float(v))


def uvw(baseline_enu: ArrayLike, hour_angle_h: ArrayLike, dec_deg: ArrayLike,
        latitude_deg: float) -> tuple[NDArray[np.float64], NDArray[np.float64],
                                      NDArray[np.float64]]:
    """u, v, w (m) of an East/North/Up baseline vector for targets at (H, δ).

    ``baseline_enu`` has shape (3,) or (..., 3); hour angle (hours) and declination (deg)
    broadcast against it. w is along the direction of the target.
    """
    b = np.asarray(baseline_enu, dtype=float)
    east, north, up = b[..., 0], b[..., 1], b[..., 2]
    phi = math.radians(latitude_deg)
    x = -math.sin(phi) * north + math.cos(phi) * up
    y = east
    z = math.cos(phi) * north + math.sin(phi) * up
    h = np.deg2rad(np.asarray(hour_angle_h, dtype=float) * 15.0)
    d = np.deg2rad(np.asarray(dec_deg, dtype=float))
    sh, ch, sd, cd = np.sin(h), np.cos(h), np.sin(d), np.cos(d)
    u = sh * x + ch * y
    v = -sd * ch * x + sd * sh * y + cd * z
    w = cd * ch * x - cd * sh * y + sd * z
    return u, v, w


def projected_baseline(u: ArrayLike, v: ArrayLike) -> tuple[NDArray[np.float64],
                                                            NDArray[np.float64]]:
    """Projected length (m) and position angle (deg, [0, 360), north through east)."""
    ua = np.asarray(u, dtype=float)
    va = np.asarray(v, dtype=float)
    return np.hypot(ua, va), np.mod(np.rad2deg(np.arctan2(ua, va)), 360.0)


def altitude_deg(hour_angle_h: ArrayLike, dec_deg: ArrayLike,
                 latitude_deg: float) -> NDArray[np.float64]:
    """Elevation (deg) of a target at hour angle (h) and declination (deg)."""
    h = np.deg2rad(np.asarray(hour_angle_h, dtype=float) * 15.0)
    d = np.deg2rad(np.asarray(dec_deg, dtype=float))
    phi = math.radians(latitude_deg)
    return np.rad2deg(np.arcsin(math.sin(phi) * np.sin(d) + math.cos(phi) * np.cos(d) * np.cos(h)))
