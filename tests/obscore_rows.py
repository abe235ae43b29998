"""Small, deterministic ObsCore-table files for ingest tests (the project's own fixtures)."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import Any

COLUMNS = ["obs_id", "obs_collection", "calib_level", "dataproduct_type", "target_name",
           "s_ra", "s_dec", "s_fov", "s_region", "t_min", "t_max", "t_exptime", "em_min",
           "em_max", "em_res_power", "facility_name", "instrument_name", "proposal_id",
           "obs_title", "obs_creator_name", "obs_release_date", "data_rights", "access_url",
           "obs_type", "instrument_mode", "interferometer_stations", "configuration", "ob_id",
           "night", "exp_tau0", "exp_seeing", "exp_lst_start", "exp_lst_end"]


def make_rows(n: int, *, prefix: str = "GRAVI", seeing: float = 0.8) -> Iterator[dict[str, Any]]:
    """``n`` exposures in OBs of 4, alternating calibrator and science targets."""
    for i in range(n):
        ob = i // 4
        science = ob % 3 == 1
        ra = (15.0 + ob * 0.37) % 360.0
        dec = -60.0 + (ob % 90)
        t_min = 60000.0 + ob * 0.03 + (i % 4) * 0.004
        yield {
            "obs_id": f"{prefix}.2023-02-{i:07d}", "obs_collection": "ESO", "calib_level": 0,
            "dataproduct_type": "visibility",
            "target_name": f"HD {100000 + ob}" if science else f"HD {200000 + ob}",
            "s_ra": f"{ra:.6f}", "s_dec": f"{dec:.6f}", "s_fov": "0.0000555",
            "s_region": f"CIRCLE ICRS {ra:.6f} {dec:.6f} 0.0000278",
            "t_min": f"{t_min:.6f}", "t_max": f"{t_min + 0.0035:.6f}", "t_exptime": "300",
            "em_min": "1.99e-06", "em_max": "2.45e-06", "em_res_power": "500",
            "facility_name": "ESO-VLTI", "instrument_name": "GRAVITY",
            "proposal_id": f"0110.C-{ob % 7:04d}(A)", "obs_title": "Young stellar discs",
            "obs_creator_name": "A. Observer", "obs_release_date": "2024-03-01T12:00:00",
            "data_rights": "public", "access_url": f"https://archive.example/{i}",
            "obs_type": "science" if science else "calibrator",
            "instrument_mode": "MEDIUM-COMBINED", "interferometer_stations": "A0-G1-J2-K0",
            "configuration": "A0-G1-J2-K0", "ob_id": 3000000 + ob, "night": "2023-02-24",
            "exp_tau0": "0.0041", "exp_seeing": f"{seeing}",
            "exp_lst_start": "10.5", "exp_lst_end": "10.58",
        }


def write_csv(path: Path, rows: list[dict[str, Any]], columns: list[str] | None = None) -> Path:
    columns = columns or COLUMNS
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", newline="") as handle:  # type: ignore[operator]
        writer = csv.DictWriter(handle, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path
