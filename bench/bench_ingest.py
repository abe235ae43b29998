"""Benchmark: load a generated ObsCore log twice on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_ingest.py --rows 100000

Generates the file with ``bench/generate_log.py``, loads it into a fresh
embedded SQLite database and into a private PostgreSQL + pg_sphere server
(``tests/pg_server.py``), then loads it again, and prints rows/s of each pass
plus the row count after both (it must equal ``--rows``: loading is
idempotent). The baseline in the same run is a plain ``COPY`` (PostgreSQL) /
``executemany`` (SQLite) of the same rows into an unindexed table — the floor
the pipeline's upserts, key lookups and HEALPix computation are compared with.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from pg_server import find_pg_bin, pg_server  # noqa: E402

from obsportal.harvesters.runner import harvest_files  # noqa: E402
from obsportal.service.storage.engine import make_engine  # noqa: E402
from obsportal.service.storage.schema_setup import upgrade  # noqa: E402


def _baseline(engine: sa.Engine, path: Path) -> float:
    with gzip.open(path, "rt", newline="") if path.suffix == ".gz" else path.open() as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    columns = ", ".join(f'"{c}" TEXT' for c in header)
    start = time.perf_counter()
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE bench_raw ({columns})")
        if engine.dialect.name == "postgresql":
            buffer = io.StringIO()
            csv.writer(buffer).writerows(rows)
            buffer.seek(0)
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            cursor.copy_expert("COPY bench_raw FROM STDIN WITH (FORMAT csv)", buffer)
        else:
            marks = ", ".join("?" for _ in header)
            conn.exec_driver_sql(f"INSERT INTO bench_raw VALUES ({marks})",
                                 [tuple(r) for r in rows])
        conn.exec_driver_sql("DROP TABLE bench_raw")
    return time.perf_counter() - start


def _run(engine: sa.Engine, label: str, path: Path, rows: int) -> None:
    upgrade(engine)
    floor = _baseline(engine, path)
    timings = []
    for _ in range(2):
        start = time.perf_counter()
        report = harvest_files(engine, [path])
        timings.append(time.perf_counter() - start)
        assert report.ok, report.bad_rows[:3]
    table = "ivoa.obscore" if engine.dialect.name == "postgresql" else "ivoa_obscore"
    with engine.connect() as conn:
        count = conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
    print(f"| {label} | {rows} | {rows / timings[0]:,.0f} | {rows / timings[1]:,.0f} | "
          f"{rows / floor:,.0f} | {timings[0] / floor:.1f}× | {count} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "log.csv.gz"
        subprocess.run([sys.executable, str(HERE / "generate_log.py"), "--rows",
                        str(args.rows), "--seed", str(args.seed), "--out", str(path)],
                       check=True)
        print("| backend | rows | load rows/s | reload rows/s | baseline rows/s | "
              "load / baseline time | rows after both |")
        print("|---|---|---|---|---|---|---|")
        _run(make_engine(f"sqlite:///{tmp}/bench.sqlite"), "SQLite", path, args.rows)
        pg_bin = find_pg_bin()
        if pg_bin is None:
            print("PostgreSQL not installed: skipped")
            return
        with pg_server(pg_bin) as server:
            admin = sa.create_engine(server.url(), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.exec_driver_sql("CREATE DATABASE bench")
            _run(make_engine(server.url("bench")), "PostgreSQL 15 + pg_sphere", path,
                 args.rows)


if __name__ == "__main__":
    main()
