"""Benchmark: what the visibility rule of private plans costs per query.

    .venv/bin/python bench/bench_access.py --plans 200000 --sqlite

Private rows (``ivoa.obsplan`` and the tables hanging off it) are filtered by one
rule (``schema/access_rules.py``): the caller's teams, the instrument PI once a
plan is submitted, site admins. On PostgreSQL it is a row-level security policy
that reads transaction-local settings, which means the planner sees
``current_setting()`` calls and an ``OR`` with the PI arm instead of a plain
``team_id = 7``. On SQLite the translator wraps each private table in a
sub-query that SQLite may not flatten. Either can turn an index look-up into a
full scan, so this measures the rule against what an application-side filter
would cost, in the same run on the same data:

* (a) a member of one team, (b) the instrument PI of GRAVITY (in no team),
  (c) a site admin, each through the real path of ``service/tap/execute.py``
  (read-only transaction, ``bind_caller``, the translated SQL, every row fetched);
* baselines as the table owner (no row-level security, no wrapper): (d) the
  translated SQL plus a hand-written ``team_id = <team>`` filter, (e) unfiltered,
  and (f) a hand-written PI filter (``submitted_at IS NOT NULL AND
  instrument_name = 'GRAVITY'``), which returns the same rows as (b).

Reported: medians and the ratios a/d, b/d, c/e (and b/f), plus the PostgreSQL plan
(``EXPLAIN (COSTS OFF)``) of the member's count so a reader sees which index is used.
Row counts of each arm are checked against their baseline (a = d, b = f, c = e).
"""

from __future__ import annotations

import argparse
import io
import math
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from pg_server import find_pg_bin, pg_server  # noqa: E402

from obsportal.adql import translate  # noqa: E402
from obsportal.harvesters.runner import harvest_files  # noqa: E402
from obsportal.schema.access import PLAN_EXECUTION  # noqa: E402
from obsportal.schema.access_rules import (  # noqa: E402
    PRIVATE_TABLES,
    QUERY_ROLE,
    Viewer,
    visibility_predicate,
)
from obsportal.schema.model import Table  # noqa: E402
from obsportal.schema.obsplan import OBSPLAN  # noqa: E402
from obsportal.service.access import directory  # noqa: E402
from obsportal.service.access.identity import load_identity  # noqa: E402
from obsportal.service.access.session import bind_caller  # noqa: E402
from obsportal.service.storage.engine import make_engine  # noqa: E402
from obsportal.service.storage.schema_setup import upgrade  # noqa: E402

TEAMS = 50
INSTRUMENTS = ("GRAVITY", "MATISSE", "PIONIER", "MIRC-X")
FACILITY = {"GRAVITY": "VLTI", "MATISSE": "VLTI", "PIONIER": "VLTI", "MIRC-X": "CHARA"}
PI_INSTRUMENT = "GRAVITY"
FETCH_BATCH = 2000  # as service/tap/execute.py

QUERIES = {
    "count": "SELECT COUNT(*) AS n FROM ivoa.obsplan",
    "cone 1°": "SELECT obs_id, target_name, s_ra, s_dec FROM ivoa.obsplan WHERE "
               "1 = CONTAINS(POINT('ICRS', s_ra, s_dec), CIRCLE('ICRS', 120.0, -30.0, 1.0))",
    "target LIKE 'HD 12%'": "SELECT obs_id, target_name, t_min FROM ivoa.obsplan "
                            "WHERE target_name LIKE 'HD 12%'",
    "join plan_execution": "SELECT p.obs_id, x.ob_exec_id, x.score FROM ivoa.obsplan AS p "
                           "JOIN obsportal.plan_execution AS x ON x.plan_id = p.plan_id",
}

PLAN_COLUMNS = ("plan_id", "team_id", "submitted_at", "created_by", "t_planning",
                "target_name", "obs_id", "s_ra", "s_dec", "t_min", "t_max", "facility_name",
                "instrument_name", "category", "priority", "execution_status",
                "tracking_type", "workflow_status")


# ---------------------------------------------------------------------------------------
# data


def _plans(count: int, team_ids: list[int], seed: int) -> list[tuple[Any, ...]]:
    """``count`` plans over the teams: uniform sky positions, half of them submitted."""
    rng = random.Random(seed)
    rows = []
    for plan_id in range(1, count + 1):
        instrument = INSTRUMENTS[rng.randrange(len(INSTRUMENTS))]
        submitted = rng.random() < 0.5
        t_min = 60000.0 + rng.random() * 1000.0
        rows.append((
            plan_id, team_ids[rng.randrange(len(team_ids))],
            "2026-10-01 12:00:00" if submitted else None, "bench", t_min - 30.0,
            f"HD {rng.randint(1, 240_000)}", f"PLAN-{plan_id:07d}",
            rng.random() * 360.0, math.degrees(math.asin(2.0 * rng.random() - 1.0)),
            t_min, t_min + 0.05, FACILITY[instrument], instrument, "Fixed",
            rng.randrange(3), "Planned", "Sidereal", "submitted" if submitted else "draft"))
    return rows


def _physical(table: Table, dialect: str) -> str:
    schema, name = table.sql_name(dialect)
    return f'"{schema}"."{name}"' if schema else f'"{name}"'


def _setup_people(engine: sa.Engine) -> tuple[list[int], dict[str, Viewer]]:
    """50 teams; a member of the first, the GRAVITY PI (no team), a site admin."""
    with engine.begin() as conn:
        team_ids = [directory.add_team(conn, f"team{i:02d}") for i in range(TEAMS)]
        directory.add_user(conn, "member")
        directory.add_member(conn, "team00", "member")
        directory.add_user(conn, "pi")
        directory.set_instrument_pi(conn, PI_INSTRUMENT, "pi")
        directory.add_user(conn, "admin", site_admin=True)
        viewers = {}
        for name in ("member", "pi", "admin"):
            identity = load_identity(conn, name=name)
            assert identity is not None
            viewers[name] = identity.viewer
    return team_ids, viewers


def _links(engine: sa.Engine, plans: int, seed: int) -> list[tuple[int, int, str, float]]:
    """One plan_execution link per harvested OB execution, to a random plan."""
    with engine.connect() as conn:
        ob_ids = conn.execute(sa.text(
            f"SELECT ob_exec_id FROM {_physical(_ob_exec(), conn.dialect.name)} "
            "ORDER BY ob_exec_id")).scalars().all()
    rng = random.Random(seed)
    return [(rng.randint(1, plans), int(ob), "bench", 1.0) for ob in ob_ids]


def _ob_exec() -> Table:
    from obsportal.schema.domain import OB_EXEC

    return OB_EXEC


def _load(engine: sa.Engine, plans: list[tuple[Any, ...]],
          links: Callable[[], list[tuple[int, int, str, float]]]) -> int:
    """Insert plans and links as the table owner (COPY on PostgreSQL); ANALYZE."""
    dialect = engine.dialect.name
    raw: Any = engine.raw_connection()
    try:
        cursor = raw.cursor()
        columns = ", ".join(PLAN_COLUMNS)
        if dialect == "postgresql":
            buffer = io.StringIO()
            for row in plans:
                buffer.write(",".join("" if v is None else str(v) for v in row) + "\n")
            buffer.seek(0)
            cursor.copy_expert(f"COPY {_physical(OBSPLAN, dialect)} ({columns}) FROM STDIN "
                               "WITH (FORMAT csv)", buffer)
            cursor.execute("SELECT setval(pg_get_serial_sequence('ivoa.obsplan', 'plan_id'), "
                           "%s)", (len(plans),))
        else:
            marks = ", ".join("?" * len(PLAN_COLUMNS))
            cursor.executemany(f"INSERT INTO {_physical(OBSPLAN, dialect)} ({columns}) "
                               f"VALUES ({marks})", plans)
        raw.commit()
        rows = links()
        mark = "%s" if dialect == "postgresql" else "?"
        cursor.executemany(f"INSERT INTO {_physical(PLAN_EXECUTION, dialect)} "
                           f"(plan_id, ob_exec_id, rule, score) VALUES "
                           f"({mark}, {mark}, {mark}, {mark})", rows)
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
        return len(rows)
    finally:
        raw.close()


# ---------------------------------------------------------------------------------------
# the five (six) ways to run one query


def _unwrapped(sql: str, dialect: str, viewer: Viewer) -> str:
    """SQLite: the translator's SQL with each visibility wrapper replaced by the bare table."""
    if dialect == "postgresql":
        return sql
    for table in PRIVATE_TABLES:
        physical = _physical(table, dialect)
        rule = visibility_predicate(table, "visible", dialect, viewer)
        sql = sql.replace(f"(SELECT * FROM {physical} AS visible WHERE {rule} LIMIT -1)",
                          physical)
    if "AS visible WHERE" in sql:
        raise RuntimeError(f"a visibility wrapper is left in {sql}")
    return sql


def _filtered(sql: str, dialect: str, condition: str) -> str:
    """Add a hand-written condition on the obsplan alias (``{a}``) to the outer WHERE."""
    found = re.search(re.escape(_physical(OBSPLAN, dialect)) + r' AS ("q\d+")', sql)
    if found is None:
        raise RuntimeError(f"no obsplan in {sql}")
    where = condition.format(a=found.group(1))
    if " WHERE " in sql:
        return sql.replace(" WHERE ", f" WHERE {where} AND ", 1)
    return f"{sql} WHERE {where}"


def _run(engine: sa.Engine, sql: str, viewer: Viewer | None) -> int:
    """One query as ``service/tap/execute.py::_execute`` runs it; all rows fetched.

    ``viewer`` None: as the table owner (PostgreSQL: no ``bind_caller``, so no
    row-level security; the same read-only transaction otherwise).
    """
    conn = engine.connect()
    try:
        if conn.dialect.name == "postgresql":
            conn.begin()
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            conn.exec_driver_sql("SET LOCAL statement_timeout = 600000")
            if viewer is not None:
                bind_caller(conn, viewer, QUERY_ROLE)
        else:
            conn.exec_driver_sql("PRAGMA query_only = 1")
        result = conn.execution_options(stream_results=True, max_row_buffer=FETCH_BATCH
                                        ).execute(sa.text(sql))
        count = 0
        while batch := result.fetchmany(FETCH_BATCH):
            count += len(batch)
        return count
    finally:
        if conn.in_transaction():
            conn.rollback()
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA query_only = 0")
        conn.close()


def _median(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm-up: caches, plan, connection
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _measure(engine: sa.Engine, label: str, team: int, viewers: dict[str, Viewer],
             runs: int) -> None:
    dialect = engine.dialect.name
    team_filter = '{a}."team_id" = ' + str(team)
    pi_filter = ('{a}."submitted_at" IS NOT NULL AND {a}."instrument_name" = '
                 f"'{PI_INSTRUMENT}'")
    for name, adql in QUERIES.items():
        arms: dict[str, tuple[str, Viewer | None]] = {}
        for key, who in (("a", "member"), ("b", "pi"), ("c", "admin")):
            arms[key] = (translate(adql, dialect=dialect, viewer=viewers[who]).sql,
                         viewers[who])
        bare = _unwrapped(arms["c"][0], dialect, viewers["admin"])
        arms["d"] = (_filtered(bare, dialect, team_filter), None)
        arms["e"] = (bare, None)
        arms["f"] = (_filtered(bare, dialect, pi_filter), None)
        times, rows = {}, {}
        for key, (sql, viewer) in arms.items():
            rows[key] = _rows(engine, sql, viewer)
            times[key] = _median(lambda s=sql, v=viewer: _run(engine, s, v), runs)
        for arm, base in (("a", "d"), ("b", "f"), ("c", "e")):
            if rows[arm] != rows[base]:
                raise RuntimeError(f"{label} {name}: ({arm}) sees {rows[arm]} rows, "
                                   f"({base}) {rows[base]}")
        t = times
        print(f"| {label} | {name} | {rows['a']} / {rows['b']} / {rows['c']} | "
              f"{_ms(t['a'])} | {_ms(t['b'])} | {_ms(t['c'])} | {_ms(t['d'])} | "
              f"{_ms(t['e'])} | {_ms(t['f'])} | {t['a'] / t['d']:.2f}× | "
              f"{t['b'] / t['d']:.2f}× | {t['c'] / t['e']:.2f}× | {t['b'] / t['f']:.2f}× |",
              flush=True)


def _rows(engine: sa.Engine, sql: str, viewer: Viewer | None) -> int:
    """Rows of the result; for a COUNT(*) query, the count it returns."""
    conn = engine.connect()
    try:
        with conn.begin():
            if viewer is not None:
                bind_caller(conn, viewer, QUERY_ROLE)
            result = conn.execute(sa.text(sql)).all()
            if sql.startswith("SELECT COUNT(*)"):
                return int(result[0][0])
            return len(result)
    finally:
        conn.close()


def _explain(engine: sa.Engine, sql: str, viewer: Viewer | None) -> list[str]:
    with engine.connect() as conn, conn.begin():
        if viewer is not None:
            bind_caller(conn, viewer, QUERY_ROLE)
        return [r[0] for r in conn.exec_driver_sql(f"EXPLAIN (COSTS OFF) {sql}")]


def _header() -> None:
    print("\n| backend | query | rows a / b / c | (a) member | (b) PI GRAVITY | (c) admin | "
          "(d) owner + team_id | (e) owner, all | (f) owner + PI filter | a/d | b/d | c/e | "
          "b/f |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")


def _prepare(engine: sa.Engine, log: Path, plans: int, seed: int
             ) -> tuple[int, dict[str, Viewer]]:
    upgrade(engine)
    started = time.perf_counter()
    harvest_files(engine, [log])
    team_ids, viewers = _setup_people(engine)
    links = _load(engine, _plans(plans, team_ids, seed), lambda: _links(engine, plans, seed))
    print(f"{engine.dialect.name}: {plans} plans, {links} plan_execution links, loaded in "
          f"{time.perf_counter() - started:.0f} s", flush=True)
    return team_ids[0], viewers


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--plans", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=15, help="timed runs per measurement")
    parser.add_argument("--log-rows", type=int, default=5000,
                        help="rows of the generated log whose OB executions get linked")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sqlite", action="store_true", help="also measure on SQLite")
    args = parser.parse_args(None if argv is None else list(argv))
    if args.runs < 15:
        raise SystemExit("--runs must be at least 15")
    pg_bin = find_pg_bin()
    if pg_bin is None:
        raise SystemExit("PostgreSQL is not installed")
    with tempfile.TemporaryDirectory() as tmp, pg_server(pg_bin) as server:
        log = Path(tmp) / "log.csv.gz"
        subprocess.run([sys.executable, str(HERE / "generate_log.py"), "--rows",
                        str(args.log_rows), "--seed", "3", "--out", str(log)], check=True,
                       stdout=subprocess.DEVNULL)
        admin = sa.create_engine(server.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql("CREATE DATABASE bench")
        admin.dispose()
        engine = make_engine(server.url("bench"))
        team, viewers = _prepare(engine, log, args.plans, args.seed)
        if args.sqlite:
            lite = make_engine(f"sqlite:///{tmp}/bench.sqlite")
            lite_team, lite_viewers = _prepare(lite, log, args.plans, args.seed)
            if lite_team != team:
                raise RuntimeError("the two databases numbered the teams differently")

        count = QUERIES["count"]
        sql = translate(count, dialect="postgresql").sql
        print(f"\nEXPLAIN (COSTS OFF) {sql}\n-- (a) as the member of team {team} "
              "(bind_caller, row-level security):")
        print("\n".join(_explain(engine, sql, viewers["member"])))
        print(f"-- (d) as the owner, with the hand-written team_id = {team}:")
        print("\n".join(_explain(engine, _filtered(sql, "postgresql",
                                                   '{a}."team_id" = ' + str(team)), None)))

        # The fixed part of the real path: two more statements (set_config, SET LOCAL ROLE).
        fixed = {who: _median(lambda v=viewer: _run(engine, "SELECT 1", v), args.runs)
                 for who, viewer in (("owner", None), ("member", viewers["member"]))}
        print(f"\nSELECT 1 through the same path: owner {_ms(fixed['owner'])}, member with "
              f"bind_caller {_ms(fixed['member'])} (+{_ms(fixed['member'] - fixed['owner'])})")

        _header()
        _measure(engine, "PostgreSQL", team, viewers, args.runs)
        if args.sqlite:
            _measure(lite, "SQLite", team, lite_viewers, args.runs)


if __name__ == "__main__":
    main()
