"""Property tests: random valid queries round-trip; random bytes only raise AdqlError."""

from __future__ import annotations

import contextlib
from dataclasses import fields, is_dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obsportal.adql import AdqlError, parse, translate
from obsportal.adql.ast import Pos
from obsportal.adql.printer import to_adql

COLUMNS = ["s_ra", "s_dec", "t_min", "t_max", "em_min", "exp_seeing", "calib_level"]
TEXT_COLUMNS = ["obs_id", "target_name", "instrument_name", "night"]


def _structure(node: Any) -> Any:
    """The tree without source positions (positions legitimately differ after printing)."""
    if isinstance(node, Pos):
        return None
    if is_dataclass(node) and not isinstance(node, type):
        parts = [_structure(getattr(node, f.name)) for f in fields(node) if f.name != "pos"]
        return (type(node).__name__, *parts)
    if isinstance(node, tuple | list):
        return tuple(_structure(x) for x in node)
    return node


numbers = st.one_of(st.integers(0, 10**6).map(str),
                    st.floats(0, 1e6, allow_nan=False).map(lambda f: f"{f!r}"))
column = st.sampled_from(COLUMNS)
text_column = st.sampled_from(TEXT_COLUMNS)
strings = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                  max_size=12).map(lambda s: "'" + s.replace("'", "''") + "'")

numeric = st.recursive(
    st.one_of(column, numbers),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"),
        inner.map(lambda x: f"ABS({x})"),
        inner.map(lambda x: f"-({x})"),
        st.tuples(inner, inner).map(lambda t: f"POWER({t[0]}, {t[1]})"),
        st.tuples(inner, inner).map(lambda t: f"COALESCE({t[0]}, {t[1]})"),
        inner.map(lambda x: f"CAST({x} AS DOUBLE PRECISION)"),
        st.tuples(inner, inner, inner, inner).map(
            lambda t: f"DISTANCE(POINT('ICRS', {t[0]}, {t[1]}), POINT({t[2]}, {t[3]}))"),
    ), max_leaves=6)

condition = st.recursive(
    st.one_of(
        st.tuples(numeric, st.sampled_from(["=", "<", ">", "<=", ">=", "<>"]), numeric).map(
            lambda t: f"{t[0]} {t[1]} {t[2]}"),
        st.tuples(text_column, strings).map(lambda t: f"{t[0]} LIKE {t[1]}"),
        st.tuples(text_column, strings).map(lambda t: f"{t[0]} ILIKE {t[1]}"),
        st.tuples(numeric, numeric, numeric).map(lambda t: f"{t[0]} BETWEEN {t[1]} AND {t[2]}"),
        st.tuples(text_column, st.lists(strings, min_size=1, max_size=3)).map(
            lambda t: f"{t[0]} IN ({', '.join(t[1])})"),
        column.map(lambda c: f"{c} IS NOT NULL"),
        st.tuples(numbers, numbers, numbers).map(
            lambda t: f"1 = CONTAINS(POINT('ICRS', s_ra, s_dec), CIRCLE('ICRS', {t[0]}, "
                      f"{t[1]}, {t[2]}))"),
    ),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["AND", "OR"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"),
        inner.map(lambda c: f"NOT ({c})"),
    ), max_leaves=5)


@st.composite
def queries(draw: st.DrawFn) -> str:
    items = draw(st.lists(st.one_of(numeric, text_column), min_size=1, max_size=4))
    select = ", ".join(f"{item} AS c{i}" if draw(st.booleans()) else item
                       for i, item in enumerate(items))
    top = f"TOP {draw(st.integers(1, 1000))} " if draw(st.booleans()) else ""
    distinct = "DISTINCT " if draw(st.booleans()) else ""
    query = f"SELECT {distinct}{top}{select} FROM ivoa.obscore"
    if draw(st.booleans()):
        query += f" WHERE {draw(condition)}"
    if draw(st.booleans()):
        query += f" ORDER BY {draw(column)} {draw(st.sampled_from(['ASC', 'DESC']))}"
    if draw(st.booleans()):
        query += f" OFFSET {draw(st.integers(0, 100))}"
    return query


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queries())
def test_parse_print_parse_round_trips(query: str) -> None:
    first = parse(query)
    printed = to_adql(first.root)
    second = parse(printed)
    assert _structure(second.root) == _structure(first.root), printed
    for dialect in ("postgresql", "sqlite"):
        translation = translate(printed, dialect=dialect, maxrec=10)
        assert translation.sql.startswith("SELECT")


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_raise_only_adql_errors(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    with contextlib.suppress(AdqlError):
        translate(text, dialect="sqlite")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("SELECT FROM WHERE ivoa.obscore *(),'\"1=<>;-:$"
                                             "abcxyz")), max_size=80))
def test_random_adql_like_text_raises_only_adql_errors(text: str) -> None:
    with contextlib.suppress(AdqlError):
        translate(text, dialect="postgresql")
