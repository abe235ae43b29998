"""Syntactic rules of ADQL beyond the context-free grammar (no database knowledge).

* reserved words used as regular identifiers (tables, columns, aliases);
* functions: known (ADQL's own or declared UDFs) and called with a valid number
  of arguments; ``*`` and ``DISTINCT`` only in aggregates;
* conditions where ADQL wants conditions (WHERE, HAVING, ON, CASE WHEN, AND/OR/NOT)
  and values everywhere else;
* ``WITH`` only at the top of the statement; ``TOP``/``OFFSET`` sane.
"""

from __future__ import annotations

from . import ast as a
from .errors import AdqlError
from .functions import AGGREGATES, FUNCTIONS
from .reserved import RESERVED_WORDS

#: Functions whose value is a geometry (not a number or a string).
GEOMETRY_VALUES = frozenset({"point", "circle", "box", "polygon", "region", "centroid",
                             "ivo_healpix_center"})
#: Prefix under which unknown functions still parse as UDF calls (refused at translation).
UDF_PREFIX = "ivo_"


def _fail(message: str, pos: a.Pos) -> AdqlError:
    return AdqlError(message, pos.line or None, pos.column or None)


def _check_name(ident: a.Ident, what: str) -> None:
    if not ident.delimited and ident.name.upper() in RESERVED_WORDS:
        raise _fail(f"{ident.name!r} is a reserved word and cannot be used as a {what} "
                    f"name; write it in double quotes (\"{ident.name}\") if that is its "
                    "real name", ident.pos)


def _is_condition(expr: a.Expr) -> bool:
    return isinstance(expr, a.CONDITIONS)


class _Checker:
    def __init__(self, known_functions: frozenset[str]) -> None:
        self.known = known_functions

    # -- queries ----------------------------------------------------------------------
    def query(self, query: a.QueryExpr, top_level: bool) -> None:
        if query.with_ and not top_level:
            raise _fail("WITH is only allowed at the start of the whole query, not inside "
                        "a sub-query", query.with_[0].pos)
        for cte in query.with_:
            _check_name(cte.name, "table")
            for col in cte.columns:
                _check_name(col, "column")
            self.query(cte.query, False)
        self.body(query.body)
        for sort in query.order_by:
            self.value(sort.expr)

    def body(self, body: a.QueryBody) -> None:
        if isinstance(body, a.QueryExpr):
            self.query(body, False)
        elif isinstance(body, a.SetOp):
            self.body(body.left)
            self.body(body.right)
        else:
            self.select(body)

    def select(self, select: a.Select) -> None:
        for item in select.items:
            if isinstance(item, a.DerivedColumn):
                self.value(item.expr)
                if item.alias is not None:
                    _check_name(item.alias, "column")
            elif isinstance(item, a.QualifiedAll):
                for part in item.qualifier:
                    _check_name(part, "table")
        for source in select.from_:
            self.from_item(source)
        if select.where is not None:
            self.condition(select.where, "WHERE")
        for expr in select.group_by:
            self.value(expr)
        if select.having is not None:
            self.condition(select.having, "HAVING")

    def from_item(self, item: a.FromItem) -> None:
        if isinstance(item, a.TableName):
            for part in item.parts:
                _check_name(part, "table")
            if item.alias is not None:
                _check_name(item.alias, "table")
        elif isinstance(item, a.DerivedTable):
            self.query(item.query, False)
            _check_name(item.alias, "table")
        else:
            self.from_item(item.left)
            self.from_item(item.right)
            if item.on is not None:
                self.condition(item.on, "ON")
            for col in item.using:
                _check_name(col, "column")

    # -- expressions -----------------------------------------------------------------------
    def condition(self, expr: a.Expr, where: str) -> None:
        if not _is_condition(expr):
            raise _fail(f"{where} needs a condition (such as x = y, or 1 = CONTAINS(...)), "
                        "not a value", expr.pos)
        self.expr(expr)

    def value(self, expr: a.Expr) -> None:
        if _is_condition(expr):
            raise _fail("a condition cannot be used as a value here", expr.pos)
        self.expr(expr)

    def expr(self, expr: a.Expr) -> None:
        if isinstance(expr, a.Literal):
            return
        if isinstance(expr, a.ColumnRef):
            for part in expr.parts:
                _check_name(part, "column")
        elif isinstance(expr, a.FuncCall):
            self.function(expr)
        elif isinstance(expr, a.Comparison):
            self.value(expr.left)
            self.value(expr.right)
        elif isinstance(expr, a.BinaryOp):
            for side in (expr.left, expr.right):
                if _is_geometry(side):
                    raise _fail(f"a geometry cannot be an operand of '{expr.op}'; use "
                                "CONTAINS, INTERSECTS, DISTANCE, COORD1/COORD2 on it",
                                side.pos)
                self.value(side)
        elif isinstance(expr, a.UnaryOp):
            self.value(expr.operand)
        elif isinstance(expr, a.BoolOp):
            self.condition(expr.left, expr.op)
            self.condition(expr.right, expr.op)
        elif isinstance(expr, a.Not):
            self.condition(expr.operand, "NOT")
        elif isinstance(expr, a.Between):
            for bound in (expr.expr, expr.low, expr.high):
                self.value(bound)
        elif isinstance(expr, a.Like):
            self.value(expr.expr)
            self.value(expr.pattern)
        elif isinstance(expr, a.InList):
            self.value(expr.expr)
            for item in expr.items:
                self.value(item)
        elif isinstance(expr, a.InSubquery):
            self.value(expr.expr)
            self.query(expr.query, False)
        elif isinstance(expr, a.IsNull):
            self.value(expr.expr)
        elif isinstance(expr, a.Exists | a.ScalarSubquery):
            self.query(expr.query, False)
        elif isinstance(expr, a.Case):
            if expr.operand is not None:
                self.value(expr.operand)
            for when, then in expr.whens:
                if expr.operand is None:
                    self.condition(when, "CASE WHEN")
                else:
                    self.value(when)
                self.value(then)
            if expr.else_ is not None:
                self.value(expr.else_)
        elif isinstance(expr, a.Cast):
            self.value(expr.expr)

    def function(self, call: a.FuncCall) -> None:
        name = call.name.name.lower()
        if call.name.delimited or (name not in self.known and not name.startswith(UDF_PREFIX)):
            hint = ""
            if name not in FUNCTIONS:
                hint = " (functions are ADQL's own and the UDFs listed in /tap/capabilities)"
            raise _fail(f"unknown function {call.name.name}{hint}", call.pos)
        spec = FUNCTIONS.get(name)
        if call.star and name != "count":
            raise _fail(f"{call.name.name}(*) is not valid; only COUNT(*) takes '*'", call.pos)
        if call.distinct and name not in AGGREGATES:
            raise _fail(f"DISTINCT is only allowed in aggregate functions, not in "
                        f"{call.name.name}", call.pos)
        if spec is not None and not call.star:
            count = len(call.args)
            if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
                raise _fail(_arity_message(call.name.name, spec.min_args, spec.max_args,
                                           count), call.pos)
        if name == "count" and not call.star and len(call.args) != 1:
            raise _fail("COUNT needs one argument or '*'", call.pos)
        for arg in call.args:
            self.value(arg)
        if name in ("point", "circle", "box", "polygon"):
            _check_geometry_args(call, name)


def _is_geometry(expr: a.Expr) -> bool:
    return isinstance(expr, a.FuncCall) and expr.name.name.lower() in GEOMETRY_VALUES


def _is_number_literal(expr: a.Expr) -> bool:
    return isinstance(expr, a.Literal) and expr.kind in ("int", "float")


def _check_geometry_args(call: a.FuncCall, name: str) -> None:
    """Shapes of POINT/CIRCLE/BOX/POLYGON arguments after the optional coordinate system."""
    args = list(call.args)
    if args and isinstance(args[0], a.Literal) and args[0].kind in ("string", "null"):
        args = args[1:]
    n = len(args)
    upper = name.upper()
    if name == "point" and n != 2:
        raise _fail(f"POINT takes a longitude and a latitude, got {n} values", call.pos)
    if name == "circle" and not (n == 3 or (n == 2 and not _is_number_literal(args[0]))):
        raise _fail("CIRCLE takes a centre (ra, dec or a POINT) and a radius", call.pos)
    if name == "box" and not (n == 4 or (n == 3 and not _is_number_literal(args[0]))):
        raise _fail("BOX takes a centre (ra, dec or a POINT), a width and a height", call.pos)
    if name == "polygon":
        points = [x for x in args if not _is_number_literal(x)]
        all_points = n >= 3 and len(points) == n and all(_is_geometry(x) for x in args)
        if not all_points and (n < 6 or n % 2):
            raise _fail(f"{upper} takes at least 3 vertices: pairs of ra, dec or POINTs",
                        call.pos)


def _arity_message(name: str, low: int, high: int | None, got: int) -> str:
    if high == low:
        wanted = f"{low} argument{'s' if low != 1 else ''}"
    elif high is None:
        wanted = f"at least {low} arguments"
    else:
        wanted = f"{low} to {high} arguments"
    return f"{name.upper()} takes {wanted}, not {got}"


def check_syntax(root: a.QueryExpr, known_functions: frozenset[str]) -> None:
    """Raise :class:`AdqlError` at the first rule the query breaks."""
    _Checker(known_functions).query(root, True)
