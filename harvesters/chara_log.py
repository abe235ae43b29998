"""CHARA observation logs (CSV): one row per observation, as CHARA publishes them for OiDB.

Columns, in order (the format CHARA and OiDB use): ``UT-DATE, STAR, PI, PROGRAM,
COMBINER, TYPE, MJD, FILTER, SCOPES, B1, B2, B3, T0_OBS, T0_500nm``. A header line is
optional. Stars are linked to known targets by name; an unknown star keeps its name,
gets no position, and the gap is written to the validation log (positions come from
a later harvest or a name resolver). COMBINER + FILTER give the ASPRO2 mode where the
facts know it.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .derive.lst import lst_hours
from .derive.night import local_night
from .derive.stations import site_of
from .obscore_table import BadRow

COLUMNS = ("ut_date", "star", "pi", "program", "combiner", "type", "mjd", "filter", "scopes",
           "b1", "b2", "b3", "t0_obs", "t0_500nm")
#: (combiner, filter) → ASPRO2 instrument and mode (from harvesters/data/instrument_modes.csv
#: and ASPRO2's CHARA.xml names).
MODES = {("CLIMB", "K"): ("CLIMB", "K-Prime"), ("CLIMB", "H"): ("CLIMB", "H"),
         ("CLASSIC", "K"): ("CLASSIC", "K-Prime"), ("CLASSIC", "H"): ("CLASSIC", "H"),
         ("MIRCX", "H"): ("MIRC-X", "Medium_H"), ("MIRC-X", "H"): ("MIRC-X", "Medium_H"),
         ("MYSTIC", "K"): ("MYSTIC", "Low_K"), ("SPICA", "R"): ("SPICA", "MR720"),
         ("VEGA", "R"): ("VEGA", "R2656")}
DEFAULT_DURATION_S = 600.0


def _number(text: str) -> float | None:
    text = text.strip()
    if not text or text.upper() in ("NAN", "NA", "-"):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def read_log(path: Path, known_targets: dict[str, tuple[str, float, float]]
             ) -> Iterator[dict[str, Any] | BadRow]:
    """ObsCore-form rows of a CHARA log; ``known_targets`` maps name keys to targets."""
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    site = site_of("CHARA")
    for fields in reader:
        line = reader.line_num
        if not fields or all(not f.strip() for f in fields):
            continue
        if fields[0].strip().upper().replace("_", "-") == "UT-DATE":
            continue  # header line
        if len(fields) < len(COLUMNS):
            yield BadRow(str(path), line, f"expected {len(COLUMNS)} fields, found "
                         f"{len(fields)}")
            continue
        row = dict(zip(COLUMNS, (f.strip() for f in fields), strict=False))
        try:
            mjd = _number(row["mjd"])
            if mjd is None:
                raise ValueError("MJD is empty")
            t0 = _number(row["t0_obs"])
        except ValueError as exc:
            yield BadRow(str(path), line, f"{exc}")
            continue
        star = row["star"]
        key = re.sub(r"[\s_]+", "", star).upper()
        found = known_targets.get(key)
        issues = [] if found else [f"star {star} not resolved: no position"]
        combiner = row["combiner"].upper()
        instrument, mode = MODES.get((combiner, row["filter"].upper()),
                                     (row["combiner"], row["filter"] or None))
        stations = " ".join(s for s in re.split(r"[\s\-,]+", row["scopes"].upper()) if s)
        end = mjd + DEFAULT_DURATION_S / 86400
        role = {"SCI": "science", "CAL": "calibrator", "SCIENCE": "science",
                "CALIBRATOR": "calibrator"}.get(row["type"].upper())
        yield {
            "obs_id": f"CHARA.{combiner}.{mjd:.6f}.{key}", "obs_collection": "CHARA",
            "calib_level": 0, "dataproduct_type": "visibility",
            "target_name": found[0] if found else star,
            "s_ra": found[1] if found else None, "s_dec": found[2] if found else None,
            "t_min": mjd, "t_max": end, "facility_name": "CHARA",
            "instrument_name": instrument, "instrument_mode": mode, "obs_type": role,
            "proposal_id": row["program"] or None, "obs_creator_name": row["pi"] or None,
            "interferometer_stations": stations or None,
            "night": local_night(mjd, site.timezone).isoformat(),
            "exp_tau0": t0 / 1000.0 if t0 is not None else None,
            "exp_lst_start": lst_hours(mjd, site.longitude),
            "exp_lst_end": lst_hours(end, site.longitude),
            "_validation_level": 0 if issues else 1,
            "_validation_log": "; ".join(issues) or None,
        }
