"""Throughput of the streaming writers (not a test): ``python tests/votable/bench_writers.py``.

Encodes N rows of ten mixed columns (typical of an exposure query: ints, doubles,
ASCII and unicode text, a timestamp, a point, a boolean, a bigint, a real) from a
generator and reports rows/s and MB/s of output per format.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from obsportal.schema.model import AdqlType as T
from obsportal.schema.model import Column
from obsportal.votable import (
    CSV,
    JSON,
    TSV,
    VOTABLE_BINARY,
    VOTABLE_BINARY2,
    VOTABLE_TABLEDATA,
    write_result,
)

COLUMNS = [Column("exposure_id", T.INTEGER, "id"), Column("dp_id", T.VARCHAR, "dp id"),
           Column("mjd_start", T.DOUBLE, "mjd", unit="d"),
           Column("ra", T.DOUBLE, "ra", unit="deg"), Column("dec", T.DOUBLE, "dec", unit="deg"),
           Column("object", T.VARCHAR, "object", unicode=True),
           Column("date_obs", T.TIMESTAMP, "start"), Column("pos", T.POINT, "position"),
           Column("tau0", T.REAL, "tau0", unit="s"), Column("is_sci", T.BOOLEAN, "science"),
           Column("ob_id", T.BIGINT, "ob")]
START = datetime(2024, 1, 1)


def rows(n: int) -> Iterator[tuple[Any, ...]]:
    for i in range(n):
        ra, dec = (i * 0.37) % 360.0, (i * 0.11) % 180.0 - 90.0
        yield (i, f"GRAVI.2024-01-01T00:{i % 60:02d}:00.000", 60310.0 + i * 1e-4, ra, dec,
               "HD 1234" if i % 3 else "η Car", START + timedelta(seconds=i),
               f"{ra} {dec}", None if i % 7 == 0 else 0.004, bool(i % 2), 2_000_000_000 + i)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=1_000_000)
    parser.add_argument("--memory", action="store_true", help="also trace peak memory (slow)")
    parser.add_argument("formats", nargs="*", default=["BINARY2", "TABLEDATA"])
    args = parser.parse_args()
    formats = {"BINARY2": VOTABLE_BINARY2, "BINARY": VOTABLE_BINARY,
               "TABLEDATA": VOTABLE_TABLEDATA, "CSV": CSV, "TSV": TSV, "JSON": JSON}
    base = time.perf_counter()
    for _ in rows(args.n):
        pass
    floor = time.perf_counter() - base
    print(f"generator alone: {args.n / floor:,.0f} rows/s ({floor:.2f} s)")
    for name in args.formats:
        if args.memory:
            tracemalloc.start()
        start = time.perf_counter()
        size = sum(len(chunk) for chunk in write_result(COLUMNS, rows(args.n), formats[name]))
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] if args.memory else 0
        if args.memory:
            tracemalloc.stop()
        print(f"{name:10s} {args.n:,} rows  {elapsed:6.2f} s  {args.n / elapsed:10,.0f} rows/s"
              f"  {size / elapsed / 1e6:6.1f} MB/s  {size / 1e6:7.1f} MB"
              + (f"  peak {peak / 1e6:.1f} MB" if args.memory else ""))


if __name__ == "__main__":
    main()
