"""Python implementations of the SQL functions the SQLite emitter calls.

Registered on every SQLite connection (see ``service/storage/engine.py``).
Each follows the PostgreSQL emitter's semantics so the same ADQL gives the
same rows on both backends: NULL in → NULL out, rounding half away from zero,
MOD with the sign of the dividend, geometry in degrees.
"""

from __future__ import annotations

import math
import random
import re
import sqlite3
from collections.abc import Callable
from datetime import datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from . import sky

Number = int | float


def _nulls(fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any) -> Any:
        if any(x is None for x in args):
            return None
        try:
            return fn(*args)
        except (ValueError, ZeroDivisionError, OverflowError):
            return None
    return wrapper


def _round(value: Number, digits: int, mode: str) -> float:
    quantum = Decimal(1).scaleb(-int(digits))
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=mode))


def _mod(a: Number, b: Number) -> Number:
    if isinstance(a, int) and isinstance(b, int):
        return int(math.fmod(a, b))
    return math.fmod(a, b)


def _point(ra: Number, dec: Number) -> str:
    return sky.shape_text(sky.Point(float(ra) % 360.0, float(dec)))


def _circle(*args: Any) -> str:
    if len(args) == 2:
        centre = sky.parse_shape(args[0])
        assert isinstance(centre, sky.Point)
        return sky.shape_text(sky.Circle(centre.ra, centre.dec, float(args[1])))
    return sky.shape_text(sky.Circle(float(args[0]) % 360.0, float(args[1]), float(args[2])))


def _polygon(*args: Any) -> str | None:
    if any(x is None for x in args):
        return None
    if all(isinstance(x, str) for x in args):
        points = [sky.parse_shape(x) for x in args]
        vertices = tuple((p.ra, p.dec) for p in points if isinstance(p, sky.Point))
    else:
        numbers = [float(x) for x in args]
        vertices = tuple((numbers[i] % 360.0, numbers[i + 1])
                         for i in range(0, len(numbers), 2))
    return sky.shape_text(sky.Polygon(vertices))


def _shape(text: str) -> sky.Shape:
    shape = sky.parse_shape(text)
    if shape is None:
        raise ValueError("empty geometry")
    return shape


def _contains(a: str, b: str) -> int:
    return int(sky.contains(_shape(a), _shape(b)))


def _intersects(a: str, b: str) -> int:
    return int(sky.intersects(_shape(a), _shape(b)))


def _distance(a: str, b: str) -> float:
    p, q = _shape(a), _shape(b)
    if not (isinstance(p, sky.Point) and isinstance(q, sky.Point)):
        raise ValueError("DISTANCE needs points")
    return sky.distance(p.ra, p.dec, q.ra, q.dec)


def _coord(index: int) -> Callable[[str], float]:
    def coord(text: str) -> float:
        p = _shape(text)
        if not isinstance(p, sky.Point):
            raise ValueError("not a point")
        return p.ra if index == 1 else p.dec
    return coord


def _centroid(text: str) -> str:
    return sky.shape_text(sky.centroid(_shape(text)))


def _dali(text: str) -> str:
    return sky.dali_text(_shape(text))


_WORDS = re.compile(r"[^a-z0-9]+")


def _hasword(haystack: str, needle: str) -> int:
    words = f" {_WORDS.sub(' ', haystack.lower()).strip()} "
    wanted = _WORDS.sub(" ", needle.lower()).strip()
    return int(bool(wanted) and f" {wanted} " in words)


def _to_mjd(value: str) -> float:
    stamp = datetime.fromisoformat(str(value).replace("Z", "").replace(" ", "T"))
    return (stamp - datetime(1858, 11, 17)).total_seconds() / 86400.0


def _timestamp(value: Any) -> str:
    stamp = datetime.fromisoformat(str(value).replace("Z", "").replace(" ", "T"))
    return stamp.strftime("%Y-%m-%d %H:%M:%S.%f")


def _healpix_index(order: int, ra: Number, dec: Number) -> int:
    from astropy import units as u
    from astropy_healpix import HEALPix
    grid = HEALPix(nside=2 ** int(order), order="nested")
    return int(grid.lonlat_to_healpix(float(ra) * u.deg, float(dec) * u.deg))


def _healpix_center(order: int, index: int) -> str:
    from astropy import units as u
    from astropy_healpix import HEALPix
    grid = HEALPix(nside=2 ** int(order), order="nested")
    lon, lat = grid.healpix_to_lonlat(int(index))
    return _point(lon.to_value(u.deg), lat.to_value(u.deg))


FUNCTIONS: dict[str, tuple[int, Callable[..., Any]]] = {
    "adql_pi": (0, lambda: math.pi),
    "adql_rand": (0, random.random),
    "adql_ceiling": (1, _nulls(lambda x: float(math.ceil(x)))),
    "adql_floor": (1, _nulls(lambda x: float(math.floor(x)))),
    "adql_round": (2, _nulls(lambda x, n: _round(x, n, ROUND_HALF_UP))),
    "adql_truncate": (2, _nulls(lambda x, n: _round(x, n, ROUND_DOWN))),
    "adql_mod": (2, _nulls(_mod)),
    "adql_degrees": (1, _nulls(lambda x: math.degrees(x))),
    "adql_radians": (1, _nulls(lambda x: math.radians(x))),
    "adql_exp": (1, _nulls(lambda x: math.exp(x))),
    "adql_log": (1, _nulls(lambda x: math.log(x))),
    "adql_log10": (1, _nulls(lambda x: math.log10(x))),
    "adql_sqrt": (1, _nulls(lambda x: math.sqrt(x))),
    "adql_power": (2, _nulls(lambda x, y: float(x) ** float(y))),
    "adql_acos": (1, _nulls(math.acos)), "adql_asin": (1, _nulls(math.asin)),
    "adql_atan": (1, _nulls(math.atan)), "adql_atan2": (2, _nulls(math.atan2)),
    "adql_cos": (1, _nulls(math.cos)), "adql_sin": (1, _nulls(math.sin)),
    "adql_tan": (1, _nulls(math.tan)), "adql_cot": (1, _nulls(lambda x: 1.0 / math.tan(x))),
    "adql_point": (2, _nulls(_point)),
    "adql_circle": (-1, _nulls(_circle)),
    "adql_polygon": (-1, _polygon),
    "adql_contains": (2, _nulls(_contains)),
    "adql_intersects": (2, _nulls(_intersects)),
    "adql_distance": (2, _nulls(_distance)),
    "adql_area": (1, _nulls(lambda t: sky.area(_shape(t)))),
    "adql_centroid": (1, _nulls(_centroid)),
    "adql_coord1": (1, _nulls(_coord(1))),
    "adql_coord2": (1, _nulls(_coord(2))),
    "adql_dali": (1, _nulls(_dali)),
    "adql_hasword": (2, _nulls(_hasword)),
    "adql_to_mjd": (1, _nulls(_to_mjd)),
    "adql_timestamp": (1, _nulls(_timestamp)),
    "adql_healpix_index": (3, _nulls(_healpix_index)),
    "adql_healpix_center": (2, _nulls(_healpix_center)),
}


def register_sqlite_functions(connection: sqlite3.Connection) -> None:
    """Make the translator's functions available on ``connection``."""
    for name, (nargs, fn) in FUNCTIONS.items():
        connection.create_function(name, nargs, fn, deterministic=name != "adql_rand")
