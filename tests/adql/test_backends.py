"""Same ADQL → same rows on PostgreSQL+pgsphere and SQLite; cone queries use the index."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from astropy import units as u
from astropy_healpix import HEALPix

from obsportal.adql import translate
from obsportal.schema.model import HEALPIX_ORDER
from obsportal.service.storage.engine import make_engine
from obsportal.service.storage.schema_setup import upgrade

CORPUS = Path(__file__).resolve().parents[1] / "data" / "adql_corpus.adql"
_NUMBERS = re.compile(r"^-?[0-9.e+-]+( -?[0-9.e+-]+)+$")


def _queries() -> list[str]:
    text = "\n".join(line for line in CORPUS.read_text().splitlines()
                     if not line.startswith("--"))
    return [q.strip() for q in text.split("\n;\n") if q.strip() and q.strip() != ";"]


def _normalise(value: Any) -> Any:
    """Backend-neutral form: floats to 9 significant digits, timestamps and DALI text."""
    if isinstance(value, float):
        return float(f"{value:.9g}")
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, str):
        if re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", value):
            return datetime.fromisoformat(value).isoformat(timespec="seconds")
        if _NUMBERS.match(value):
            return tuple(float(f"{float(x):.9g}") for x in value.split())
    return value


def _rows(engine: sa.Engine, query: str) -> list[tuple[Any, ...]]:
    translation = translate(query, dialect=engine.dialect.name, maxrec=1000)
    with engine.connect() as conn:
        return [tuple(_normalise(v) for v in row)
                for row in conn.execute(sa.text(translation.sql))]


@pytest.mark.postgres
@pytest.mark.parametrize("query", _queries(), ids=lambda q: q[:60])
def test_same_rows_on_both_backends(query: str, demo_sqlite: sa.Engine,
                                    demo_pg: sa.Engine) -> None:
    lite, pg = _rows(demo_sqlite, query), _rows(demo_pg, query)
    if "ORDER BY" not in query.upper():
        lite, pg = sorted(lite, key=repr), sorted(pg, key=repr)
    assert lite == pg


def test_corpus_is_not_trivial(demo_sqlite: sa.Engine) -> None:
    nonempty = sum(1 for q in _queries() if _rows(demo_sqlite, q))
    assert len(_queries()) >= 20 and nonempty == len(_queries())


def _fill_sqlite(conn: sa.Connection, n: int) -> None:
    rng = np.random.default_rng(7)
    ra = rng.uniform(0, 360, n)
    dec = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))
    pixels = HEALPix(nside=2**HEALPIX_ORDER, order="nested").lonlat_to_healpix(
        ra * u.deg, dec * u.deg)
    conn.exec_driver_sql(
        "INSERT INTO obsportal_exposure (dp_id, obs_collection, publisher_did, ra, dec, "
        "healpix) VALUES (?, 'BENCH', ?, ?, ?, ?)",
        [(f"bench-{i}", f"bench-{i}", float(r), float(d), int(h))
         for i, (r, d, h) in enumerate(zip(ra, dec, pixels, strict=True))])


@pytest.fixture(scope="module")
def pg_100k(make_pg_database: Callable[[bool], sa.Engine]) -> sa.Engine:
    engine = make_pg_database(True)
    with engine.begin() as conn:
        conn.exec_driver_sql("SELECT setseed(0.7)")
        conn.exec_driver_sql(
            "INSERT INTO obsportal.exposure (dp_id, obs_collection, publisher_did, ra, dec) "
            "SELECT 'bench-' || i, 'BENCH', 'bench-' || i, random() * 360, "
            "degrees(asin(2 * random() - 1)) FROM generate_series(1, 100000) AS i")
        conn.exec_driver_sql("ANALYZE obsportal.exposure")
    return engine


@pytest.fixture(scope="module")
def sqlite_100k(tmp_path_factory: pytest.TempPathFactory) -> sa.Engine:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('cone') / 'cone.sqlite'}")
    upgrade(engine)
    with engine.begin() as conn:
        _fill_sqlite(conn, 100_000)
        conn.exec_driver_sql("ANALYZE")
    return engine


CONE = ("SELECT obs_id FROM ivoa.obscore WHERE "
        "1 = CONTAINS(POINT('ICRS', s_ra, s_dec), CIRCLE('ICRS', 120.5, -35.2, 2.0))")
DIST = ("SELECT obs_id FROM ivoa.obscore WHERE "
        "DISTANCE(POINT('ICRS', s_ra, s_dec), POINT('ICRS', 120.5, -35.2)) < 2.0")
BRUTE = ("SELECT count(*) FROM obsportal.exposure WHERE degrees(spoint(radians(ra), "
         "radians(dec)) <-> spoint(radians(120.5), radians(-35.2))) < 2.0")


@pytest.mark.postgres
@pytest.mark.parametrize("query", [CONE, DIST], ids=["contains", "distance"])
def test_postgres_cone_uses_the_gist_index(pg_100k: sa.Engine, query: str) -> None:
    sql = translate(query, dialect="postgresql").sql
    with pg_100k.connect() as conn:
        plan = "\n".join(conn.execute(sa.text(f"EXPLAIN {sql}")).scalars())
        rows = conn.execute(sa.text(sql)).all()
        conn.exec_driver_sql("SET enable_indexscan = off")
        conn.exec_driver_sql("SET enable_bitmapscan = off")
        brute = conn.execute(sa.text(BRUTE)).scalar_one()
    assert "ix_exposure_position" in plan, plan
    assert "Seq Scan on exposure" not in plan, plan
    assert len(rows) == brute
    expected = 100_000 * (1 - math.cos(math.radians(2.0))) / 2
    assert expected / 2 < len(rows) < expected * 2


@pytest.mark.parametrize("query", [CONE, DIST], ids=["contains", "distance"])
def test_sqlite_cone_uses_the_healpix_index(sqlite_100k: sa.Engine, query: str) -> None:
    sql = translate(query, dialect="sqlite").sql
    with sqlite_100k.connect() as conn:
        plan = "\n".join(str(r[-1]) for r in conn.execute(sa.text(f"EXPLAIN QUERY PLAN {sql}")))
        rows = conn.execute(sa.text(sql)).all()
        brute = conn.execute(sa.text(
            "SELECT count(*) FROM obsportal_exposure WHERE adql_distance("
            "adql_point(ra, dec), adql_point(120.5, -35.2)) < 2.0")).scalar_one()
    assert "ix_obsportal_exposure_healpix" in plan, plan
    assert "SCAN obsportal_exposure" not in plan.replace("USING INDEX", ""), plan
    assert len(rows) == brute > 0
