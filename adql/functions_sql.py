"""Scalar ADQL functions and UDFs → SQL, with the same results on both backends.

PostgreSQL math functions on ``numeric`` would return Python ``Decimal``\\ s and
round half-to-even on doubles; everything is therefore computed in ``numeric``
where ADQL wants exact rounding and cast back to double precision. SQLite gets
the ``adql_*`` Python functions of :mod:`sqlite_functions`, which follow the
same rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..schema.model import AdqlType as T
from ..schema.model import Column
from . import ast as a
from .errors import AdqlError

if TYPE_CHECKING:
    from .translate import Typed, _Compiler

PG = '"obsportal"'
_DOUBLE_FUNCS_PG = {"degrees": "degrees", "radians": "radians", "exp": "exp", "log": "ln",
                    "log10": "log", "sqrt": "sqrt", "acos": "acos", "asin": "asin",
                    "atan": "atan", "cos": "cos", "cot": "cot", "sin": "sin", "tan": "tan",
                    "atan2": "atan2", "power": "power"}


def _fail(message: str, pos: a.Pos) -> AdqlError:
    return AdqlError(message, pos.line or None, pos.column or None)


def _dbl(sql: str) -> str:
    return f"CAST({sql} AS double precision)"


def _num(sql: str) -> str:
    return f"CAST({sql} AS numeric)"


def scalar_function(compiler: _Compiler, name: str, args: list[Typed],
                    call: a.FuncCall) -> Typed:
    from .translate import NUMERIC, Typed
    pg = compiler.pg
    sqls = [x.sql for x in args]
    if name in ("lower", "upper"):
        return Typed(f"{name}({sqls[0]})", T.VARCHAR, args[0].meta)
    if name == "coalesce":
        first = next((x for x in args if not (x.is_constant and x.constant is None)), args[0])
        return Typed(f"COALESCE({', '.join(sqls)})", first.type, first.meta)
    if name == "nullif":
        return Typed(f"NULLIF({sqls[0]}, {sqls[1]})", args[0].type, args[0].meta)
    if name == "in_unit":
        return _in_unit(args, call)
    if name.startswith("ivo_"):
        return _udf(compiler, name, args, call)
    for value, arg in zip(args, call.args, strict=True):
        if value.type not in NUMERIC and not (value.is_constant and value.constant is None):
            raise _fail(f"{name.upper()} needs numbers", arg.pos)
    if name == "abs":
        return Typed(f"abs({sqls[0]})", args[0].type, args[0].meta)
    if name == "pi":
        return Typed("pi()" if pg else "adql_pi()", T.DOUBLE)
    if name == "rand":
        return Typed("random()" if pg else "adql_rand()", T.DOUBLE)
    if name in ("ceiling", "floor"):
        return Typed(_dbl(f"{name}({_num(sqls[0])})") if pg else f"adql_{name}({sqls[0]})",
                     T.DOUBLE)
    if name in ("round", "truncate"):
        digits = sqls[1] if len(sqls) > 1 else "0"
        if pg:
            fn = "round" if name == "round" else "trunc"
            return Typed(_dbl(f"{fn}({_num(sqls[0])}, {digits})"), T.DOUBLE)
        return Typed(f"adql_{name}({sqls[0]}, {digits})", T.DOUBLE)
    if name == "mod":
        integral = all(x.type in (T.SMALLINT, T.INTEGER, T.BIGINT) for x in args)
        if pg:
            if integral:
                return Typed(f"mod({sqls[0]}, {sqls[1]})", T.BIGINT)
            return Typed(_dbl(f"mod({_num(sqls[0])}, {_num(sqls[1])})"), T.DOUBLE)
        return Typed(f"adql_mod({sqls[0]}, {sqls[1]})", T.BIGINT if integral else T.DOUBLE)
    if name in _DOUBLE_FUNCS_PG:
        if pg:
            inner = ", ".join(_dbl(s) for s in sqls)
            return Typed(f"{_DOUBLE_FUNCS_PG[name]}({inner})", T.DOUBLE)
        return Typed(f"adql_{name}({', '.join(sqls)})", T.DOUBLE)
    raise _fail(f"function {name.upper()} is not available", call.pos)


def _in_unit(args: list[Typed], call: a.FuncCall) -> Typed:
    from astropy import units as u

    from .translate import Typed
    value, target = args
    if not (target.is_constant and isinstance(target.constant, str)):
        raise _fail("IN_UNIT needs the target unit as a string literal, e.g. 'arcsec'",
                    call.args[1].pos)
    source_unit = value.meta.unit if value.meta else None
    if not source_unit:
        raise _fail("IN_UNIT: the value has no unit to convert from", call.args[0].pos)
    try:
        factor = u.Unit(source_unit, format="vounit").to(u.Unit(target.constant,
                                                                 format="vounit"))
    except (ValueError, u.UnitsError) as exc:
        raise _fail(f"IN_UNIT cannot convert {source_unit} to {target.constant}: {exc}",
                    call.args[1].pos) from None
    meta = Column(value.meta.name if value.meta else "in_unit", T.DOUBLE,
                  value.meta.description if value.meta else "", unit=target.constant,
                  ucd=value.meta.ucd if value.meta else None)
    return Typed(f"({value.sql} * {float(factor)!r})", T.DOUBLE, meta)


def _udf(compiler: _Compiler, name: str, args: list[Typed], call: a.FuncCall) -> Typed:
    from .translate import Typed
    pg = compiler.pg
    s = [x.sql for x in args]
    if name == "ivo_interval_overlaps":
        l1, h1, l2, h2 = s
        return Typed(f"(CASE WHEN ({l1} <= {h2} OR {l1} IS NULL OR {h2} IS NULL) AND "
                     f"({l2} <= {h1} OR {l2} IS NULL OR {h1} IS NULL) THEN 1 ELSE 0 END)",
                     T.INTEGER)
    if name == "ivo_nocasematch":
        match = f"{s[0]} ILIKE {s[1]}" if pg else f"lower({s[0]}) LIKE lower({s[1]})"
        return Typed(f"(CASE WHEN {match} THEN 1 ELSE 0 END)", T.INTEGER)
    if name == "ivo_hasword":
        return Typed(f"{PG}.adql_hasword({s[0]}, {s[1]})" if pg else
                     f"adql_hasword({s[0]}, {s[1]})", T.INTEGER)
    if name == "ivo_to_mjd":
        if args[0].type is not T.TIMESTAMP and not args[0].is_constant:
            raise _fail("ivo_to_mjd needs a timestamp", call.pos)
        if pg:
            stamp = s[0] if args[0].type is T.TIMESTAMP else f"CAST({s[0]} AS timestamp)"
            return Typed(f"(extract(epoch from {stamp}) / 86400.0 + 40587.0)::double precision",
                         T.DOUBLE)
        return Typed(f"adql_to_mjd({s[0]})", T.DOUBLE)
    if name == "ivo_healpix_index":
        return Typed(f"{PG}.adql_healpix_index({', '.join(s)})" if pg else
                     f"adql_healpix_index({', '.join(s)})", T.BIGINT)
    raise _fail(f"unknown function {call.name.name}; the user-defined functions are listed "
                "in /tap/capabilities", call.pos)
