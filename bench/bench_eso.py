"""Benchmark: VLTI frame headers into PostgreSQL through `harvest eso-files`.

    .venv/bin/python bench/bench_eso.py --frames 2000

Writes ``--frames`` header dumps like the ESO header service returns them (a GRAVITY
frame with stations, ISS.PBL keywords and ambient conditions, times and pointings
varied), loads them into a private PostgreSQL + pg_sphere server twice (first load,
then the idempotent re-load), and compares with the floor of COPYing the same number of
rows of the same width into an unindexed table, in the same run.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from astropy.io import fits

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from pg_server import find_pg_bin, pg_server  # noqa: E402

from obsportal.harvesters.runner import harvest_eso_files  # noqa: E402
from obsportal.service.storage.engine import make_engine  # noqa: E402
from obsportal.service.storage.schema_setup import upgrade  # noqa: E402


def _headers(folder: Path, count: int) -> None:
    for i in range(count):
        header = fits.Header()
        mjd = 57562.13 + i * 0.004
        cards = {"TELESCOP": "ESO-VLTI-A1234", "INSTRUME": "GRAVITY",
                 "OBJECT": f"HD {1000 + i // 20}", "RA": 261.27 + (i // 20) * 0.5,
                 "DEC": -38.07, "MJD-OBS": mjd, "EXPTIME": 300.0,
                 "ARCFILE": f"GRAVI.BENCH.{i:07d}.fits",
                 "HIERARCH ESO OBS ID": 1380620 + i // 5, "HIERARCH ESO OBS NAME": "SCI_X",
                 "HIERARCH ESO OBS PROG ID": "60.A-9174(A)", "HIERARCH ESO DPR CATG": "SCIENCE",
                 "HIERARCH ESO INS SPEC RES": "MEDIUM", "HIERARCH ESO INS POLA MODE": "COMBINED",
                 "HIERARCH ESO ISS CONF NTEL": 4, "HIERARCH ESO ISS AMBI TAU0 START": 0.005,
                 "HIERARCH ESO ISS AMBI FWHM START": 0.8}
        for n, name in enumerate(["A0", "B2", "D0", "C1"], start=1):
            cards[f"HIERARCH ESO ISS CONF STATION{n}"] = name
        for key in ("12", "13", "14", "23", "24", "34"):
            cards[f"HIERARCH ESO ISS PBL{key} START"] = 20.0
        for key, value in cards.items():
            header[key] = value
        (folder / f"{i:07d}.hdr").write_text(header.tostring(sep="\n"))


def _copy_floor(engine: sa.Engine, count: int) -> float:
    buffer = io.StringIO("".join(f"GRAVI.BENCH.{i:07d}\t{57562.13 + i * 0.004}\t261.27\t-38.07\t"
                                 f"HD {i}\tGRAVITY\tMEDIUM-COMBINED\tA0 B2 D0 C1\n"
                                 for i in range(count)))
    start = time.perf_counter()
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE floor (a text, b float8, c float8, d float8, "
                             "e text, f text, g text, h text)")
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.copy_expert("COPY floor FROM STDIN", buffer)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=2000)
    args = parser.parse_args()
    pg_bin = find_pg_bin()
    if pg_bin is None:
        raise SystemExit("PostgreSQL is not installed")
    with tempfile.TemporaryDirectory() as tmp, pg_server(pg_bin) as server:
        folder = Path(tmp) / "headers"
        folder.mkdir()
        _headers(folder, args.frames)
        engine = make_engine(server.url())
        upgrade(engine)
        floor = _copy_floor(engine, args.frames)
        print("| pass | frames | seconds | frames/s | COPY floor frames/s | ratio |")
        print("|---|---|---|---|---|---|")
        for label in ("first load", "re-load (idempotent)"):
            start = time.perf_counter()
            report = harvest_eso_files(engine, [folder])
            seconds = time.perf_counter() - start
            assert report.ok and report.loaded == args.frames, report
            print(f"| {label} | {args.frames} | {seconds:.1f} | {args.frames / seconds:,.0f} | "
                  f"{args.frames / floor:,.0f} | {seconds / floor:,.0f}× |")


if __name__ == "__main__":
    main()
