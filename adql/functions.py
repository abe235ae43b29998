"""The function whitelist: every function a query may call, with its arity and type.

Nothing outside this table reaches SQL. ADQL's own functions (math, trig,
string, conditional, unit, geometry, aggregates) and the IVOA UDFs this
service implements are declared once; TAPRegExt capabilities are generated
from the same table.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..schema.model import AdqlType as T


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    min_args: int
    max_args: int | None
    kind: str  # math, string, conditional, unit, geometry, aggregate, udf
    returns: T | None  # None: same type as the first argument
    signature: str = ""
    description: str = ""


def _f(name: str, lo: int, hi: int | None, kind: str, returns: T | None,
       signature: str = "", description: str = "") -> FunctionSpec:
    return FunctionSpec(name, lo, hi, kind, returns, signature, description)


_MATH = [
    _f("abs", 1, 1, "math", None), _f("ceiling", 1, 1, "math", T.DOUBLE),
    _f("degrees", 1, 1, "math", T.DOUBLE), _f("exp", 1, 1, "math", T.DOUBLE),
    _f("floor", 1, 1, "math", T.DOUBLE), _f("log", 1, 1, "math", T.DOUBLE),
    _f("log10", 1, 1, "math", T.DOUBLE), _f("mod", 2, 2, "math", None),
    _f("pi", 0, 0, "math", T.DOUBLE), _f("power", 2, 2, "math", T.DOUBLE),
    _f("radians", 1, 1, "math", T.DOUBLE), _f("sqrt", 1, 1, "math", T.DOUBLE),
    _f("rand", 0, 1, "math", T.DOUBLE), _f("round", 1, 2, "math", T.DOUBLE),
    _f("truncate", 1, 2, "math", T.DOUBLE),
    _f("acos", 1, 1, "math", T.DOUBLE), _f("asin", 1, 1, "math", T.DOUBLE),
    _f("atan", 1, 1, "math", T.DOUBLE), _f("atan2", 2, 2, "math", T.DOUBLE),
    _f("cos", 1, 1, "math", T.DOUBLE), _f("cot", 1, 1, "math", T.DOUBLE),
    _f("sin", 1, 1, "math", T.DOUBLE), _f("tan", 1, 1, "math", T.DOUBLE),
]
_STRING = [_f("lower", 1, 1, "string", T.VARCHAR), _f("upper", 1, 1, "string", T.VARCHAR)]
_CONDITIONAL = [_f("coalesce", 1, None, "conditional", None),
                _f("nullif", 2, 2, "conditional", None)]
_UNIT = [_f("in_unit", 2, 2, "unit", T.DOUBLE)]
_GEOMETRY = [
    _f("point", 2, 3, "geometry", T.POINT), _f("circle", 2, 4, "geometry", T.CIRCLE),
    _f("box", 3, 5, "geometry", T.POLYGON), _f("polygon", 2, None, "geometry", T.POLYGON),
    _f("region", 1, 1, "geometry", T.REGION), _f("contains", 2, 2, "geometry", T.INTEGER),
    _f("intersects", 2, 2, "geometry", T.INTEGER), _f("distance", 2, 4, "geometry", T.DOUBLE),
    _f("area", 1, 1, "geometry", T.DOUBLE), _f("centroid", 1, 1, "geometry", T.POINT),
    _f("coord1", 1, 1, "geometry", T.DOUBLE), _f("coord2", 1, 1, "geometry", T.DOUBLE),
    _f("coordsys", 1, 1, "geometry", T.VARCHAR),
]
_AGGREGATES = [_f("count", 0, 1, "aggregate", T.BIGINT), _f("sum", 1, 1, "aggregate", None),
               _f("avg", 1, 1, "aggregate", T.DOUBLE), _f("min", 1, 1, "aggregate", None),
               _f("max", 1, 1, "aggregate", None)]
UDFS = [
    _f("ivo_interval_overlaps", 4, 4, "udf", T.INTEGER,
       "ivo_interval_overlaps(l1 DOUBLE, h1 DOUBLE, l2 DOUBLE, h2 DOUBLE) -> INTEGER",
       "1 if the intervals [l1, h1] and [l2, h2] overlap, 0 otherwise (NULL bounds are "
       "open)."),
    _f("ivo_healpix_index", 3, 3, "udf", T.BIGINT,
       "ivo_healpix_index(hpxOrder INTEGER, ra DOUBLE, dec DOUBLE) -> BIGINT",
       "Index of the NESTED HEALPix cell of order hpxOrder containing (ra, dec) in degrees."),
    _f("ivo_healpix_center", 2, 2, "udf", T.POINT,
       "ivo_healpix_center(hpxOrder INTEGER, hpxIndex BIGINT) -> POINT",
       "Centre of the NESTED HEALPix cell hpxIndex at order hpxOrder."),
    _f("ivo_to_mjd", 1, 1, "udf", T.DOUBLE, "ivo_to_mjd(d TIMESTAMP) -> DOUBLE",
       "Modified Julian Date of a timestamp."),
    _f("ivo_hasword", 2, 2, "udf", T.INTEGER,
       "ivo_hasword(haystack TEXT, needle TEXT) -> INTEGER",
       "1 if needle is a whole word of haystack, ignoring case, 0 otherwise."),
    _f("ivo_nocasematch", 2, 2, "udf", T.INTEGER,
       "ivo_nocasematch(value TEXT, pattern TEXT) -> INTEGER",
       "1 if value matches the LIKE pattern ignoring case, 0 otherwise."),
]

FUNCTIONS: dict[str, FunctionSpec] = {
    f.name: f for f in _MATH + _STRING + _CONDITIONAL + _UNIT + _GEOMETRY + _AGGREGATES + UDFS
}
AGGREGATES = frozenset(f.name for f in _AGGREGATES)
GEOMETRY = frozenset(f.name for f in _GEOMETRY)

#: (name, TAPRegExt signature, description) of every UDF, for the capabilities.
UDF_SIGNATURES: list[tuple[str, str, str]] = [(f.name, f.signature, f.description)
                                              for f in UDFS]

#: TAPRegExt language features implemented, by feature type.
ADQL_FEATURES: dict[str, tuple[str, ...]] = {
    "ivo://ivoa.net/std/TAPRegExt#features-adqlgeo": (
        "POINT", "CIRCLE", "BOX", "POLYGON", "CONTAINS", "INTERSECTS", "DISTANCE", "AREA",
        "CENTROID", "COORD1", "COORD2", "COORDSYS"),
    "ivo://ivoa.net/std/TAPRegExt#features-adql-string": ("LOWER", "UPPER", "ILIKE"),
    "ivo://ivoa.net/std/TAPRegExt#features-adql-offset": ("OFFSET",),
    "ivo://ivoa.net/std/TAPRegExt#features-adql-type": ("CAST",),
    "ivo://ivoa.net/std/TAPRegExt#features-adql-unit": ("IN_UNIT",),
    "ivo://ivoa.net/std/TAPRegExt#features-adql-sets": ("UNION", "EXCEPT", "INTERSECT"),
    "ivo://ivoa.net/std/TAPRegExt#features-adql-common-table": ("WITH",),
}
