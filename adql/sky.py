"""Spherical geometry in degrees, shared by the SQLite functions and the translator.

Geometries travel as text on SQLite — ``POINT ra dec``, ``CIRCLE ra dec r``,
``POLYGON ra1 dec1 ra2 dec2 ...`` (STC-S without frame; an ``ICRS`` frame word
and ObsCore ``s_region`` strings are accepted too) — and are parsed here.
Polygons are convex or concave spherical polygons with great-circle edges.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Vec = tuple[float, float, float]

_FRAME_WORDS = {"ICRS", "FK5", "J2000", "GEOCENTER", "TOPOCENTER", "BARYCENTER",
                "UNKNOWNFRAME", "UNKNOWNREFPOS", "SPHERICAL2"}


def to_vec(ra: float, dec: float) -> Vec:
    r, d = math.radians(ra), math.radians(dec)
    return (math.cos(d) * math.cos(r), math.cos(d) * math.sin(r), math.sin(d))


def to_radec(v: Vec) -> tuple[float, float]:
    x, y, z = v
    norm = math.sqrt(x * x + y * y + z * z)
    ra = math.degrees(math.atan2(y, x)) % 360.0
    dec = math.degrees(math.asin(max(-1.0, min(1.0, z / norm))))
    return ra, dec


def _dot(a: Vec, b: Vec) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _cross(a: Vec, b: Vec) -> Vec:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def distance(ra1: float, dec1: float, ra2: float, dec2: float) -> float:
    """Angular distance in degrees (haversine, stable at small separations)."""
    p1, p2 = math.radians(dec1), math.radians(dec2)
    dl = math.radians(ra2 - ra1)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return math.degrees(2 * math.asin(min(1.0, math.sqrt(h))))


@dataclass(frozen=True)
class Point:
    ra: float
    dec: float


@dataclass(frozen=True)
class Circle:
    ra: float
    dec: float
    radius: float


@dataclass(frozen=True)
class Polygon:
    vertices: tuple[tuple[float, float], ...]


Shape = Point | Circle | Polygon


def parse_shape(text: str | None) -> Shape | None:
    if text is None:
        return None
    words = text.replace(",", " ").split()
    if not words:
        return None
    kind = words[0].upper()
    rest = [w for w in words[1:] if w.upper() not in _FRAME_WORDS]
    numbers = [float(w) for w in rest]
    if kind == "POINT" and len(numbers) == 2:
        return Point(numbers[0], numbers[1])
    if kind == "CIRCLE" and len(numbers) == 3:
        return Circle(*numbers)
    if kind in ("POLYGON", "BOX") and len(numbers) >= 6 and len(numbers) % 2 == 0:
        return Polygon(tuple(zip(numbers[::2], numbers[1::2], strict=True)))
    raise ValueError(f"not a geometry: {text!r}")


def fmt(value: float) -> str:
    return repr(float(value))


def shape_text(shape: Shape) -> str:
    if isinstance(shape, Point):
        return f"POINT {fmt(shape.ra)} {fmt(shape.dec)}"
    if isinstance(shape, Circle):
        return f"CIRCLE {fmt(shape.ra)} {fmt(shape.dec)} {fmt(shape.radius)}"
    return "POLYGON " + " ".join(f"{fmt(r)} {fmt(d)}" for r, d in shape.vertices)


def dali_text(shape: Shape) -> str:
    """DALI serialisation (degrees, space separated) of a shape."""
    return shape_text(shape).split(" ", 1)[1]


def box_vertices(ra: float, dec: float, width: float, height: float
                 ) -> tuple[tuple[float, float], ...]:
    """Corners of an ADQL BOX: a tangent-plane rectangle mapped back to the sphere.

    The gnomonic projection maps straight lines to great circles, so the four
    sides are great-circle arcs and the box stays correct near the poles.
    """
    centre = to_vec(ra, dec)
    east = (-math.sin(math.radians(ra)), math.cos(math.radians(ra)), 0.0)
    north = _cross(centre, east)
    tx, ty = math.tan(math.radians(width / 2)), math.tan(math.radians(height / 2))
    corners = []
    for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        v = tuple(centre[i] + sx * tx * east[i] + sy * ty * north[i] for i in range(3))
        corners.append(to_radec(v))  # type: ignore[arg-type]
    return tuple(corners)


def _polygon_vecs(poly: Polygon) -> list[Vec]:
    vecs = [to_vec(r, d) for r, d in poly.vertices]
    # Orient counter-clockwise as seen from outside (the interior on the left).
    centre = _normalise(tuple(sum(v[i] for v in vecs) for i in range(3)))  # type: ignore[arg-type]
    area = sum(_dot(_cross(vecs[i], vecs[(i + 1) % len(vecs)]), centre)
               for i in range(len(vecs)))
    return vecs if area >= 0 else list(reversed(vecs))


def _normalise(v: Vec) -> Vec:
    n = math.sqrt(_dot(v, v)) or 1.0
    return (v[0] / n, v[1] / n, v[2] / n)


def point_in_polygon(ra: float, dec: float, poly: Polygon) -> bool:
    """Winding test on the sphere: sum of signed angles subtended by the edges."""
    p = to_vec(ra, dec)
    vecs = _polygon_vecs(poly)
    total = 0.0
    for i in range(len(vecs)):
        a, b = vecs[i], vecs[(i + 1) % len(vecs)]
        ta = _normalise(_sub(a, _scale(p, _dot(a, p))))
        tb = _normalise(_sub(b, _scale(p, _dot(b, p))))
        angle = math.atan2(_dot(_cross(ta, tb), p), _dot(ta, tb))
        total += angle
    return abs(total) > math.pi


def _sub(a: Vec, b: Vec) -> Vec:
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def _scale(a: Vec, k: float) -> Vec:
    return (a[0] * k, a[1] * k, a[2] * k)


def _point_segment_distance(p: Vec, a: Vec, b: Vec) -> float:
    """Angular distance (deg) from p to the great-circle arc a-b."""
    normal = _normalise(_cross(a, b))
    projected = _sub(p, _scale(normal, _dot(p, normal)))
    if _dot(projected, projected) > 0:
        q = _normalise(projected)
        # q lies on the arc when it is between a and b.
        if _dot(_cross(a, q), normal) >= 0 and _dot(_cross(q, b), normal) >= 0:
            return math.degrees(math.acos(max(-1.0, min(1.0, _dot(p, q)))))
    return min(math.degrees(math.acos(max(-1.0, min(1.0, _dot(p, a))))),
               math.degrees(math.acos(max(-1.0, min(1.0, _dot(p, b))))))


def contains(inner: Shape, outer: Shape) -> bool:
    """ADQL CONTAINS: is ``inner`` entirely inside ``outer``?"""
    if isinstance(outer, Point):
        return isinstance(inner, Point) and distance(inner.ra, inner.dec, outer.ra,
                                                     outer.dec) == 0.0
    if isinstance(inner, Point):
        if isinstance(outer, Circle):
            return distance(inner.ra, inner.dec, outer.ra, outer.dec) <= outer.radius
        return point_in_polygon(inner.ra, inner.dec, outer)
    if isinstance(inner, Circle):
        if isinstance(outer, Circle):
            return distance(inner.ra, inner.dec, outer.ra, outer.dec) + inner.radius \
                <= outer.radius
        if not point_in_polygon(inner.ra, inner.dec, outer):
            return False
        p = to_vec(inner.ra, inner.dec)
        vecs = _polygon_vecs(outer)
        return all(_point_segment_distance(p, vecs[i], vecs[(i + 1) % len(vecs)])
                   >= inner.radius for i in range(len(vecs)))
    # inner polygon: all vertices inside and (for a circle) nothing crossing out
    return all(contains(Point(r, d), outer) for r, d in inner.vertices)


def intersects(a: Shape, b: Shape) -> bool:
    """ADQL INTERSECTS: do the two shapes share at least one point?"""
    if isinstance(a, Point):
        return contains(a, b)
    if isinstance(b, Point):
        return contains(b, a)
    if isinstance(a, Circle) and isinstance(b, Circle):
        return distance(a.ra, a.dec, b.ra, b.dec) <= a.radius + b.radius
    if isinstance(a, Polygon) and isinstance(b, Circle):
        a, b = b, a
    if isinstance(a, Circle) and isinstance(b, Polygon):
        if point_in_polygon(a.ra, a.dec, b):
            return True
        p = to_vec(a.ra, a.dec)
        vecs = _polygon_vecs(b)
        return any(_point_segment_distance(p, vecs[i], vecs[(i + 1) % len(vecs)])
                   <= a.radius for i in range(len(vecs)))
    assert isinstance(a, Polygon) and isinstance(b, Polygon)
    if any(point_in_polygon(r, d, b) for r, d in a.vertices):
        return True
    if any(point_in_polygon(r, d, a) for r, d in b.vertices):
        return True
    va, vb = _polygon_vecs(a), _polygon_vecs(b)
    return any(_arcs_cross(va[i], va[(i + 1) % len(va)], vb[j], vb[(j + 1) % len(vb)])
               for i in range(len(va)) for j in range(len(vb)))


def _arcs_cross(a1: Vec, a2: Vec, b1: Vec, b2: Vec) -> bool:
    na, nb = _cross(a1, a2), _cross(b1, b2)
    line = _cross(na, nb)
    if _dot(line, line) == 0:
        return False
    line = _normalise(line)
    for candidate in (line, _scale(line, -1.0)):
        on_a = _dot(_cross(a1, candidate), na) >= 0 and _dot(_cross(candidate, a2), na) >= 0
        on_b = _dot(_cross(b1, candidate), nb) >= 0 and _dot(_cross(candidate, b2), nb) >= 0
        if on_a and on_b:
            return True
    return False


def area(shape: Shape) -> float:
    """Area in square degrees."""
    sq = (180.0 / math.pi) ** 2
    if isinstance(shape, Point):
        return 0.0
    if isinstance(shape, Circle):
        return 2 * math.pi * (1 - math.cos(math.radians(shape.radius))) * sq
    vecs = _polygon_vecs(shape)
    n = len(vecs)
    total = 0.0
    for i in range(n):
        a, b, c = vecs[i - 1], vecs[i], vecs[(i + 1) % n]
        n1, n2 = _normalise(_cross(a, b)), _normalise(_cross(b, c))
        total += math.pi - math.acos(max(-1.0, min(1.0, _dot(n1, n2))))
    return (total - (n - 2) * math.pi) * sq


def centroid(shape: Shape) -> Point:
    if isinstance(shape, Point):
        return shape
    if isinstance(shape, Circle):
        return Point(shape.ra, shape.dec)
    vecs = [to_vec(r, d) for r, d in shape.vertices]
    ra, dec = to_radec(_normalise(tuple(sum(v[i] for v in vecs) for i in range(3))))  # type: ignore[arg-type]
    return Point(ra, dec)


def as_numbers(values: Sequence[float]) -> list[float]:
    return [float(v) for v in values]
