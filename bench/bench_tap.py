"""Benchmark: the TAP service on PostgreSQL+pgsphere against the raw database floor.

    .venv/bin/python bench/bench_tap.py --rows 200000

Generates a log (``generate_log.py``), loads it into a private PostgreSQL server
(``tests/pg_server.py``), starts ``obsportal serve`` in its own process, and
measures in the same run:

* median latency (20 runs, keep-alive HTTP client) of a cone, a date range, a
  programme and a combined query through ``/tap/sync``, against running the
  translated SQL directly with psycopg2 and fetching all rows (the floor);
* throughput (rows/s, MB/s) of large results in BINARY2 and TABLEDATA against the
  same psycopg2 floor;
* the server's peak memory (VmHWM of a fresh server process) for a small and a
  large BINARY2 download: streaming must keep them close.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from pg_server import find_pg_bin, pg_server  # noqa: E402

from obsportal.adql import translate  # noqa: E402
from obsportal.harvesters.runner import harvest_files  # noqa: E402
from obsportal.service.storage.engine import make_engine  # noqa: E402
from obsportal.service.storage.schema_setup import upgrade  # noqa: E402

QUERIES = {
    "cone 1°": "SELECT obs_id, target_name, t_min, instrument_mode FROM ivoa.obscore WHERE "
               "1 = CONTAINS(POINT('ICRS', s_ra, s_dec), CIRCLE('ICRS', 120.0, -30.0, 1.0))",
    "date range (1 night)": "SELECT obs_id, target_name, t_min FROM ivoa.obscore "
                            "WHERE t_min BETWEEN 59800.0 AND 59801.0",
    "programme": "SELECT obs_id, night, target_name FROM ivoa.obscore "
                 "WHERE proposal_id = '{program}'",
    "combined": "SELECT obs_id, t_min FROM ivoa.obscore WHERE instrument_name = 'GRAVITY' "
                "AND t_min > 59500 AND 1 = CONTAINS(POINT('ICRS', s_ra, s_dec), "
                "CIRCLE('ICRS', 120.0, -30.0, 5.0))",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(url: str, data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = dict(os.environ, OBSPORTAL_DATABASE_URL=url, OBSPORTAL_DATA_DIR=str(data_dir),
               OBSPORTAL_LOG_LEVEL="warning", OBSPORTAL_MAXREC_DEFAULT="20000000")
    process = subprocess.Popen([sys.executable, "-m", "obsportal", "serve", "--port",
                                str(port)], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/tap"
    for _ in range(300):
        try:
            httpx.get(f"{base}/availability", timeout=1)
            return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("service did not start")


def _peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return -1


def _median(fn: object, runs: int = 20) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _floor(engine: sa.Engine, adql: str) -> tuple[float, int]:
    sql = translate(adql, dialect="postgresql").sql
    raw = engine.raw_connection()
    try:
        start = time.perf_counter()
        cursor = raw.cursor()
        cursor.execute(sql)
        count = len(cursor.fetchall())
        return time.perf_counter() - start, count
    finally:
        raw.close()


#: One keep-alive client, as TOPCAT and pyvo use: building an httpx client (its SSL
#: context) per request would add ~25 ms to every measurement.
CLIENT = httpx.Client(timeout=600)


def _download(base: str, adql: str, fmt: str) -> tuple[float, int]:
    start = time.perf_counter()
    size = 0
    with CLIENT.stream("GET", f"{base}/sync", params={"LANG": "ADQL", "QUERY": adql,
                                                      "RESPONSEFORMAT": fmt}) as response:
        for chunk in response.iter_bytes():
            size += len(chunk)
    return time.perf_counter() - start, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    pg_bin = find_pg_bin()
    if pg_bin is None:
        raise SystemExit("PostgreSQL is not installed")
    with tempfile.TemporaryDirectory() as tmp, pg_server(pg_bin) as server:
        log = Path(tmp) / "log.csv.gz"
        subprocess.run([sys.executable, str(HERE / "generate_log.py"), "--rows",
                        str(args.rows), "--seed", "3", "--out", str(log)], check=True)
        admin = sa.create_engine(server.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql("CREATE DATABASE bench")
        url = server.url("bench")
        engine = make_engine(url)
        upgrade(engine)
        started = time.perf_counter()
        harvest_files(engine, [log])
        print(f"loaded {args.rows} rows in {time.perf_counter() - started:.0f} s")
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
            program = conn.execute(sa.text(
                "SELECT proposal_id FROM ivoa.obscore GROUP BY proposal_id "
                "ORDER BY count(*) DESC LIMIT 1")).scalar_one()

        process, base = _serve(url, Path(tmp) / "data")
        try:
            print("\n| query | rows | /tap/sync median | psycopg2 floor median | ratio |")
            print("|---|---|---|---|---|")
            for name, adql in QUERIES.items():
                adql = adql.format(program=program)
                floor = _median(lambda a=adql: _floor(engine, a))
                _, count = _floor(engine, adql)
                tap = _median(lambda a=adql: _download(base, a, "votable"))
                print(f"| {name} | {count} | {tap * 1000:.1f} ms | {floor * 1000:.1f} ms | "
                      f"{tap / floor:.1f}× |")
            big = f"SELECT TOP {args.rows} * FROM ivoa.obscore"
            floor_time, count = _floor(engine, big)
            print(f"\n| format | rows | seconds | rows/s | MB/s | floor rows/s "
                  f"(psycopg2 fetchall, {floor_time:.2f} s) |")
            print("|---|---|---|---|---|---|")
            for fmt in ("votable", "votable/td"):
                seconds, size = _download(base, big, fmt)
                print(f"| {fmt} | {count} | {seconds:.2f} | {count / seconds:,.0f} | "
                      f"{size / seconds / 1e6:.1f} | {count / floor_time:,.0f} |")
        finally:
            process.terminate()
            process.wait()

        print("\n| download (BINARY2, fresh server) | rows | server peak RSS |")
        print("|---|---|---|")
        for rows in (10_000, args.rows):
            process, base = _serve(url, Path(tmp) / f"data{rows}")
            try:
                _download(base, f"SELECT TOP {rows} * FROM ivoa.obscore", "votable")
                print(f"| TOP {rows} | {rows} | {_peak_kb(process.pid) / 1024:.0f} MB |")
            finally:
                process.terminate()
                process.wait()


if __name__ == "__main__":
    main()
