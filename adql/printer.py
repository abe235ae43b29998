"""AST → ADQL text (canonical form: upper-case keywords, full parentheses).

Used to show users the query as understood, and by the round-trip tests:
``parse(to_adql(parse(q)))`` must give the same tree as ``parse(q)``.
"""

from __future__ import annotations

from . import ast as a


def _ident(ident: a.Ident) -> str:
    if ident.delimited:
        return '"' + ident.name.replace('"', '""') + '"'
    return ident.name


def _name(parts: tuple[a.Ident, ...]) -> str:
    return ".".join(_ident(p) for p in parts)


def _literal(lit: a.Literal) -> str:
    if lit.kind == "null":
        return "NULL"
    if lit.kind == "bool":
        return "TRUE" if lit.value else "FALSE"
    if lit.kind == "string":
        return "'" + str(lit.value).replace("'", "''") + "'"
    if lit.kind == "float":
        text = repr(float(lit.value))  # type: ignore[arg-type]
        return text if ("." in text or "e" in text or "n" in text) else text + ".0"
    return str(lit.value)


def expr(node: a.Expr) -> str:
    if isinstance(node, a.Literal):
        text = _literal(node)
        return f"({text})" if text.startswith("-") else text
    if isinstance(node, a.ColumnRef):
        return _name(node.parts)
    if isinstance(node, a.FuncCall):
        if node.star:
            return f"{_ident(node.name)}(*)"
        inner = ", ".join(expr(x) for x in node.args)
        return f"{_ident(node.name)}({'DISTINCT ' if node.distinct else ''}{inner})"
    if isinstance(node, a.BinaryOp):
        return f"({expr(node.left)} {node.op} {expr(node.right)})"
    if isinstance(node, a.UnaryOp):
        return f"({node.op}{expr(node.operand)})"
    if isinstance(node, a.Comparison):
        return f"({expr(node.left)} {node.op} {expr(node.right)})"
    if isinstance(node, a.BoolOp):
        return f"({expr(node.left)} {node.op} {expr(node.right)})"
    if isinstance(node, a.Not):
        return f"(NOT {expr(node.operand)})"
    if isinstance(node, a.Between):
        neg = "NOT " if node.negated else ""
        return f"({expr(node.expr)} {neg}BETWEEN {expr(node.low)} AND {expr(node.high)})"
    if isinstance(node, a.Like):
        neg = "NOT " if node.negated else ""
        op = "ILIKE" if node.case_insensitive else "LIKE"
        return f"({expr(node.expr)} {neg}{op} {expr(node.pattern)})"
    if isinstance(node, a.InList):
        neg = "NOT " if node.negated else ""
        return f"({expr(node.expr)} {neg}IN ({', '.join(expr(i) for i in node.items)}))"
    if isinstance(node, a.InSubquery):
        neg = "NOT " if node.negated else ""
        return f"({expr(node.expr)} {neg}IN ({query(node.query)}))"
    if isinstance(node, a.IsNull):
        return f"({expr(node.expr)} IS {'NOT ' if node.negated else ''}NULL)"
    if isinstance(node, a.Exists):
        return f"(EXISTS ({query(node.query)}))"
    if isinstance(node, a.ScalarSubquery):
        return f"({query(node.query)})"
    if isinstance(node, a.Case):
        parts = ["CASE"]
        if node.operand is not None:
            parts.append(expr(node.operand))
        for when, then in node.whens:
            parts.append(f"WHEN {expr(when)} THEN {expr(then)}")
        if node.else_ is not None:
            parts.append(f"ELSE {expr(node.else_)}")
        parts.append("END")
        return " ".join(parts)
    if isinstance(node, a.Cast):
        length = f"({node.type.length})" if node.type.length is not None else ""
        return f"CAST({expr(node.expr)} AS {node.type.name}{length})"
    raise TypeError(f"cannot print {type(node).__name__}")


def _item(node: a.SelectItem) -> str:
    if isinstance(node, a.AllColumns):
        return "*"
    if isinstance(node, a.QualifiedAll):
        return f"{_name(node.qualifier)}.*"
    alias = f" AS {_ident(node.alias)}" if node.alias is not None else ""
    return expr(node.expr) + alias


def _from(node: a.FromItem) -> str:
    if isinstance(node, a.TableName):
        text = _name(node.parts)
        if node.alias is not None:
            text += f" AS {_ident(node.alias)}"
        return text
    if isinstance(node, a.DerivedTable):
        cols = f"({', '.join(_ident(c) for c in node.column_aliases)})" \
            if node.column_aliases else ""
        return f"({query(node.query)}) AS {_ident(node.alias)}{cols}"
    kinds = {"inner": "JOIN", "left": "LEFT OUTER JOIN", "right": "RIGHT OUTER JOIN",
             "full": "FULL OUTER JOIN", "cross": "CROSS JOIN"}
    right = _from(node.right)
    if isinstance(node.right, a.Join):
        right = f"({right})"
    text = f"{_from(node.left)} {'NATURAL ' if node.natural else ''}{kinds[node.kind]} {right}"
    if node.on is not None:
        text += f" ON {expr(node.on)}"
    if node.using:
        text += f" USING ({', '.join(_ident(c) for c in node.using)})"
    return text


def _body(node: a.QueryBody) -> str:
    if isinstance(node, a.QueryExpr):
        return f"({query(node)})"
    if isinstance(node, a.SetOp):
        right = _body(node.right)
        if isinstance(node.right, a.SetOp):
            right = f"({right})"
        return f"{_body(node.left)} {node.op}{' ALL' if node.all else ''} {right}"
    parts = ["SELECT"]
    if node.distinct:
        parts.append("DISTINCT")
    if node.top is not None:
        parts.append(f"TOP {node.top}")
    parts.append(", ".join(_item(i) for i in node.items))
    parts.append("FROM " + ", ".join(_from(f) for f in node.from_))
    if node.where is not None:
        parts.append(f"WHERE {expr(node.where)}")
    if node.group_by:
        parts.append("GROUP BY " + ", ".join(expr(g) for g in node.group_by))
    if node.having is not None:
        parts.append(f"HAVING {expr(node.having)}")
    return " ".join(parts)


def query(node: a.QueryExpr) -> str:
    parts = []
    if node.with_:
        ctes = []
        for cte in node.with_:
            cols = f"({', '.join(_ident(c) for c in cte.columns)})" if cte.columns else ""
            ctes.append(f"{_ident(cte.name)}{cols} AS ({query(cte.query)})")
        parts.append("WITH " + ", ".join(ctes))
    parts.append(_body(node.body))
    if node.order_by:
        parts.append("ORDER BY " + ", ".join(
            expr(s.expr) + (" DESC" if s.descending else " ASC") for s in node.order_by))
    if node.offset is not None:
        parts.append(f"OFFSET {node.offset}")
    return " ".join(parts)


def to_adql(node: a.QueryExpr) -> str:
    """Canonical ADQL text of a parsed query."""
    return query(node)
