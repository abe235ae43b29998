"""ADQL geometry → pgsphere (PostgreSQL) or the ``adql_*`` functions (SQLite).

Angles are degrees in ADQL and radians in pgsphere. Constant shapes are also
kept as :mod:`sky` values, so a cone with a constant centre and radius becomes
an index-using predicate: ``spoint(radians(ra), radians(dec)) @ scircle(...)``
matches the GiST expression index on PostgreSQL, and on SQLite a HEALPix range
prefilter on the indexed pixel column precedes the exact test.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..schema.model import AdqlType as T
from . import ast as a
from . import sky
from .errors import AdqlError

if TYPE_CHECKING:
    from .translate import Scope, Typed, _Compiler

SHAPES = (T.POINT, T.CIRCLE, T.POLYGON)
PG = '"obsportal"'


def _fail(message: str, pos: a.Pos) -> AdqlError:
    return AdqlError(message, pos.line or None, pos.column or None)


def _typed(sql: str, kind: T, shape: sky.Shape | None = None) -> Typed:
    from .translate import Typed
    return Typed(sql, kind, None, shape, shape is not None)


def _split_frame(compiler: _Compiler, call: a.FuncCall, scope: Scope) -> list[Typed]:
    from .translate import check_coordsys
    values = [compiler.value(arg, scope) for arg in call.args]
    first = call.args[0] if call.args else None
    if isinstance(first, a.Literal) and first.kind in ("string", "null"):
        check_coordsys(values[0], first.pos)
        return values[1:]
    return values


def _number(value: Typed, pos: a.Pos, what: str) -> None:
    from .translate import NUMERIC
    if value.type not in NUMERIC and not (value.is_constant and value.constant is None):
        raise _fail(f"{what} must be a number (degrees)", pos)


def _const(values: list[Typed]) -> list[float] | None:
    if all(v.is_constant and isinstance(v.constant, int | float) for v in values):
        return [float(v.constant) for v in values]  # type: ignore[arg-type]
    return None


def _rad(compiler: _Compiler, value: Typed) -> str:
    return f"radians({value.sql})"


def make_point(compiler: _Compiler, ra: Typed, dec: Typed) -> Typed:
    nums = _const([ra, dec])
    shape = sky.Point(nums[0] % 360.0, nums[1]) if nums else None
    if compiler.pg:
        return _typed(f"spoint({_rad(compiler, ra)}, {_rad(compiler, dec)})", T.POINT, shape)
    return _typed(f"adql_point({ra.sql}, {dec.sql})", T.POINT, shape)


def _circle(compiler: _Compiler, centre: Typed, radius: Typed) -> Typed:
    shape = None
    if isinstance(centre.constant, sky.Point) and radius.is_constant and \
            isinstance(radius.constant, int | float):
        shape = sky.Circle(centre.constant.ra, centre.constant.dec, float(radius.constant))
    if compiler.pg:
        return _typed(f"scircle({centre.sql}, radians({radius.sql}))", T.CIRCLE, shape)
    return _typed(f"adql_circle({centre.sql}, {radius.sql})", T.CIRCLE, shape)


def _polygon_from_vertices(compiler: _Compiler, vertices: list[tuple[Typed, Typed]],
                           pos: a.Pos) -> Typed:
    numbers = _const([v for pair in vertices for v in pair])
    if numbers is not None:
        shape = sky.Polygon(tuple((numbers[i] % 360.0, numbers[i + 1])
                                  for i in range(0, len(numbers), 2)))
        return _constant_polygon(compiler, shape)
    points = [make_point(compiler, ra, dec) for ra, dec in vertices]
    return _polygon_from_points(compiler, points)


def _polygon_from_points(compiler: _Compiler, points: list[Typed]) -> Typed:
    if compiler.pg:
        values = ", ".join(f"({i}, {p.sql})" for i, p in enumerate(points))
        return _typed(f"(SELECT spoly(v.p ORDER BY v.i) FROM (VALUES {values}) AS v(i, p))",
                      T.POLYGON)
    return _typed(f"adql_polygon({', '.join(p.sql for p in points)})", T.POLYGON)


def _constant_polygon(compiler: _Compiler, shape: sky.Polygon) -> Typed:
    if compiler.pg:
        body = ",".join(f"({sky.fmt(r)}d,{sky.fmt(d)}d)" for r, d in shape.vertices)
        return _typed(f"spoly '{{{body}}}'", T.POLYGON, shape)
    text = sky.shape_text(shape)
    return _typed("'" + text + "'", T.POLYGON, shape)


def geometry_function(compiler: _Compiler, call: a.FuncCall, scope: Scope) -> Typed:
    from .translate import Typed
    name = call.name.name.lower()
    if name == "region":
        raise _fail("REGION is not supported: describe the region with POINT, CIRCLE, BOX "
                    "or POLYGON", call.pos)
    if name == "point":
        ra, dec = _split_frame(compiler, call, scope)
        _number(ra, call.args[-2].pos, "POINT longitude")
        _number(dec, call.args[-1].pos, "POINT latitude")
        return make_point(compiler, ra, dec)
    if name == "circle":
        values = _split_frame(compiler, call, scope)
        if len(values) == 3:
            centre = make_point(compiler, values[0], values[1])
        else:
            centre = _as_point(values[0], call.pos)
        _number(values[-1], call.args[-1].pos, "CIRCLE radius")
        return _circle(compiler, centre, values[-1])
    if name == "box":
        values = _split_frame(compiler, call, scope)
        if len(values) == 3:
            centre = _as_point(values[0], call.pos)
            if not isinstance(centre.constant, sky.Point):
                raise _fail("BOX needs a constant centre", call.pos)
            numbers = [centre.constant.ra, centre.constant.dec] + (_const(values[1:]) or [])
        else:
            numbers = _const(values) or []
        if len(numbers) != 4:
            raise _fail("BOX needs constant numbers (centre, width, height)", call.pos)
        b_ra, b_dec, width, height = numbers
        if not (0 < width < 180 and 0 < height < 180):
            raise _fail("BOX width and height must be between 0 and 180 degrees", call.pos)
        return _constant_polygon(compiler, sky.Polygon(sky.box_vertices(b_ra, b_dec, width,
                                                                        height)))
    if name == "polygon":
        values = _split_frame(compiler, call, scope)
        if all(v.type is T.POINT for v in values):
            points = [_as_point(v, call.pos) for v in values]
            vertices = [p.constant for p in points if isinstance(p.constant, sky.Point)]
            if len(vertices) == len(points):
                return _constant_polygon(compiler, sky.Polygon(tuple(
                    (v.ra, v.dec) for v in vertices)))
            return _polygon_from_points(compiler, points)
        for i, v in enumerate(values):
            _number(v, call.pos, f"POLYGON coordinate {i + 1}")
        pairs = [(values[i], values[i + 1]) for i in range(0, len(values), 2)]
        return _polygon_from_vertices(compiler, pairs, call.pos)
    if name in ("contains", "intersects"):
        left, right = (compiler.value(arg, scope) for arg in call.args)
        condition = predicate(compiler, name, left, right, call.pos)
        if compiler.pg:
            return Typed(f"(CASE WHEN {condition} THEN 1 ELSE 0 END)", T.INTEGER)
        return Typed(condition.replace(" = 1", ""), T.INTEGER)
    if name == "distance":
        return distance(compiler, call, scope)
    if name == "ivo_healpix_center":
        order, index = (compiler.value(arg, scope) for arg in call.args)
        if compiler.pg:
            return _typed(f"{PG}.adql_healpix_center({order.sql}, {index.sql})", T.POINT)
        return _typed(f"adql_healpix_center({order.sql}, {index.sql})", T.POINT)
    (value,) = (compiler.value(arg, scope) for arg in call.args)
    if name == "coordsys":
        _shape(value, call.pos, name)
        return Typed("'ICRS'", T.VARCHAR, constant="ICRS", is_constant=True)
    if name in ("coord1", "coord2"):
        if value.type is not T.POINT:
            raise _fail(f"{name.upper()} needs a POINT", call.pos)
        if compiler.pg:
            fn = "long" if name == "coord1" else "lat"
            return Typed(f"degrees({fn}({value.sql}))", T.DOUBLE)
        return Typed(f"adql_{name}({value.sql})", T.DOUBLE)
    if name == "area":
        _shape(value, call.pos, name)
        if compiler.pg:
            if value.type is T.POINT:
                return Typed("CAST(0 AS double precision)", T.DOUBLE)
            if value.type is T.REGION:
                return Typed(f"{PG}.adql_region_area({value.sql})", T.DOUBLE)
            return Typed(f"degrees(degrees(area({value.sql})))", T.DOUBLE)
        return Typed(f"adql_area({value.sql})", T.DOUBLE)
    if name == "centroid":
        _shape(value, call.pos, name)
        if value.type not in (T.POINT, T.CIRCLE):
            raise _fail("CENTROID is supported for circles (and points) only", call.pos)
        if compiler.pg:
            sql = value.sql if value.type is T.POINT else f"center({value.sql})"
            return _typed(sql, T.POINT)
        return _typed(f"adql_centroid({value.sql})", T.POINT)
    raise _fail(f"unsupported geometry function {name.upper()}", call.pos)


def _shape(value: Typed, pos: a.Pos, name: str) -> None:
    if value.type not in (*SHAPES, T.REGION):
        raise _fail(f"{name.upper()} needs a geometry (POINT, CIRCLE, POLYGON or a region "
                    "column)", pos)


def _as_point(value: Typed, pos: a.Pos) -> Typed:
    if value.type is not T.POINT:
        raise _fail("a POINT is needed here", pos)
    return value


def distance(compiler: _Compiler, call: a.FuncCall, scope: Scope) -> Typed:
    from .translate import Typed
    values = [compiler.value(arg, scope) for arg in call.args]
    if len(values) == 4:
        for v, arg in zip(values, call.args, strict=True):
            _number(v, arg.pos, "DISTANCE coordinate")
        p = make_point(compiler, values[0], values[1])
        q = make_point(compiler, values[2], values[3])
    elif len(values) == 2:
        p, q = (_as_point(v, call.pos) for v in values)
    else:
        raise _fail("DISTANCE takes two POINTs or four numbers", call.pos)
    if compiler.pg:
        return Typed(f"degrees({p.sql} <-> {q.sql})", T.DOUBLE)
    return Typed(f"adql_distance({p.sql}, {q.sql})", T.DOUBLE)


def _region_variants(compiler: _Compiler, value: Typed) -> list[str]:
    if value.type is T.REGION:
        return [f"{PG}.adql_region_circle({value.sql})", f"{PG}.adql_region_poly({value.sql})"]
    return [value.sql]


def predicate(compiler: _Compiler, name: str, left: Typed, right: Typed, pos: a.Pos) -> str:
    """CONTAINS/INTERSECTS as a SQL condition (true/false)."""
    for value in (left, right):
        _shape(value, pos, name)
    if not compiler.pg:
        return f"(adql_{name}({left.sql}, {right.sql}) = 1)"
    if name == "contains":
        if right.type is T.POINT and left.type is not T.POINT:
            return "FALSE"
        op = "@"
    else:
        if left.type is T.POINT and right.type is T.POINT:
            return f"({left.sql} = {right.sql})"
        if right.type is T.POINT:
            left, right = right, left
        op = "@" if left.type is T.POINT else "&&"
    terms = [f"({lhs} {op} {rhs})" for lhs in _region_variants(compiler, left)
             for rhs in _region_variants(compiler, right)]
    if len(terms) == 1:
        return terms[0]
    return f"COALESCE({', '.join(terms)}, FALSE)"


def _is_call(expr: a.Expr, name: str) -> bool:
    return isinstance(expr, a.FuncCall) and expr.name.name.lower() == name


def _int_literal(expr: a.Expr) -> int | None:
    if isinstance(expr, a.Literal) and expr.kind == "int":
        return int(expr.value)  # type: ignore[call-overload]
    return None


def geometry_comparison(compiler: _Compiler, expr: a.Comparison, scope: Scope) -> str | None:
    """Index-friendly forms of ``1 = CONTAINS(..)``, ``INTERSECTS``, ``DISTANCE(..) < r``."""
    left, right, op = expr.left, expr.right, expr.op
    for call, other in ((left, right), (right, left)):
        if (_is_call(call, "contains") or _is_call(call, "intersects")) and op in ("=", "<>"):
            flag = _int_literal(other)
            if flag not in (0, 1):
                return None
            assert isinstance(call, a.FuncCall)
            name = call.name.name.lower()
            lhs, rhs = (compiler.value(arg, scope) for arg in call.args)
            condition = predicate(compiler, name, lhs, rhs, call.pos)
            prefilter = _prefilter(compiler, call, lhs, rhs, scope)
            if prefilter:
                condition = f"({prefilter} AND {condition})"
            positive = (flag == 1) == (op == "=")
            return condition if positive else f"(NOT {condition})"
    flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
    if _is_call(left, "distance") and op in ("<", "<="):
        return _cone(compiler, left, right, scope, op)  # type: ignore[arg-type]
    if _is_call(right, "distance") and flipped.get(op) in ("<", "<="):
        return _cone(compiler, right, left, scope, flipped[op])  # type: ignore[arg-type]
    return None


def _cone(compiler: _Compiler, call: a.FuncCall, limit: a.Expr, scope: Scope,
          op: str) -> str | None:
    radius = compiler.value(limit, scope)
    if not (radius.is_constant and isinstance(radius.constant, int | float)):
        return None
    args = list(call.args)
    points: list[a.Expr]
    if len(args) == 4:
        points = [a.FuncCall(a.Ident("POINT"), tuple(args[:2]), pos=call.pos),
                  a.FuncCall(a.Ident("POINT"), tuple(args[2:]), pos=call.pos)]
    elif len(args) == 2:
        points = args
    else:
        return None
    values = [compiler.value(p, scope) for p in points]
    if any(v.type is not T.POINT for v in values):
        return None
    constant = [isinstance(v.constant, sky.Point) for v in values]
    if constant[0] == constant[1]:
        return None
    moving, fixed = (0, 1) if constant[1] else (1, 0)
    centre: sky.Point = values[fixed].constant  # type: ignore[assignment]
    r = float(radius.constant)
    if compiler.pg:
        exact = f"(degrees({values[moving].sql} <-> {values[fixed].sql}) {op} {r!r})"
        return (f"(({values[moving].sql} @ scircle({values[fixed].sql}, radians({r!r}))) "
                f"AND {exact})")
    exact = f"(adql_distance({values[moving].sql}, {values[fixed].sql}) {op} {r!r})"
    prefilter = compiler.healpix_prefilter(points[moving], scope, centre.ra, centre.dec, r)
    return f"({prefilter} AND {exact})" if prefilter else exact


def _prefilter(compiler: _Compiler, call: a.FuncCall, lhs: Typed, rhs: Typed,
               scope: Scope) -> str | None:
    if compiler.pg:
        return None
    # point (from columns) inside/intersecting a constant circle or polygon
    for point_expr, point, region in ((call.args[0], lhs, rhs), (call.args[1], rhs, lhs)):
        if point.type is not T.POINT or point.is_constant:
            continue
        shape = region.constant
        if isinstance(shape, sky.Circle):
            return compiler.healpix_prefilter(point_expr, scope, shape.ra, shape.dec,
                                              shape.radius)
        if isinstance(shape, sky.Polygon):
            centre = sky.centroid(shape)
            reach = max(sky.distance(centre.ra, centre.dec, r, d) for r, d in shape.vertices)
            return compiler.healpix_prefilter(point_expr, scope, centre.ra, centre.dec, reach)
    return None
