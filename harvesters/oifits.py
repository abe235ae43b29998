"""OIFITS files (v1 and v2, with or without an observatory header) → data products.

One product row (ObsCore calib_level 2 when calibrated, else 1) per target and
instrument (INSNAME) of a file, described from the OI tables themselves — OI_TARGET
positions, OI_WAVELENGTH coverage and channel count, MJD range and station indexes of
OI_VIS/OI_VIS2/OI_T3 resolved through OI_ARRAY — so files re-written without their
observatory header are described too. When the primary header carries ESO keywords, the
programme, OB and instrument mode are taken from it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from astropy.io import fits

from .eso_headers import ASPRO_INSTRUMENT, instrument_mode

DATA_TABLES = ("OI_VIS2", "OI_VIS", "OI_T3", "OI_FLUX")
FACILITIES = {"VLTI": "ESO-VLTI", "CHARA": "CHARA"}
#: MJD 15020 is 1900-01-01: earlier "dates" are placeholders some writers leave.
MJD_FLOOR = 15020.0


class OifitsError(ValueError):
    """The file is not an OIFITS file (no OI_TARGET or no data table)."""


@dataclass
class _Group:
    mjd_min: float = np.inf
    mjd_max: float = -np.inf
    stations: set[str] = field(default_factory=set)
    tables: set[str] = field(default_factory=set)
    wavelengths: list[float] = field(default_factory=list)
    channels: int = 0
    arrname: str | None = None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _calib_level(path: Path, header: fits.Header) -> int:
    catg = str(header.get("HIERARCH ESO PRO CATG", "")).upper()
    name = path.name.lower()
    calibrated = "CALIBRATED" in catg or "calib" in name or "viscal" in name
    return 2 if calibrated else 1


def read_products(path: Path, access_base: str | None = None) -> list[dict[str, Any]]:
    """ObsCore-form product rows of one OIFITS file (:class:`OifitsError` if not OIFITS)."""
    try:
        hdus = fits.open(path, memmap=False)
    except (OSError, ValueError) as exc:
        raise OifitsError(f"{path}: not a readable FITS file ({exc})") from exc
    with hdus:
        names = [h.name for h in hdus]
        if "OI_TARGET" not in names or not any(n in names for n in DATA_TABLES):
            raise OifitsError(f"{path}: no OI_TARGET and data tables: not an OIFITS file")
        primary = hdus[0].header
        targets = {int(row["TARGET_ID"]): row for row in hdus["OI_TARGET"].data}
        arrays: dict[str, dict[int, str]] = {}
        for hdu in hdus:
            if hdu.name == "OI_ARRAY":
                arrname = str(hdu.header.get("ARRNAME", "")).strip()
                arrays[arrname] = {int(r["STA_INDEX"]): str(r["STA_NAME"]).strip()
                                   for r in hdu.data}
        wavelengths: dict[str, np.ndarray] = {}
        for hdu in hdus:
            if hdu.name == "OI_WAVELENGTH":
                wavelengths[str(hdu.header.get("INSNAME", "")).strip()] = \
                    np.asarray(hdu.data["EFF_WAVE"], dtype=float)
        groups: dict[tuple[int, str], _Group] = defaultdict(_Group)
        for hdu in hdus:
            if hdu.name not in DATA_TABLES or hdu.data is None or len(hdu.data) == 0:
                continue
            insname = str(hdu.header.get("INSNAME", "")).strip()
            arrname = str(hdu.header.get("ARRNAME", "")).strip()
            stations = arrays.get(arrname, {})
            data = hdu.data
            for target_id in np.unique(data["TARGET_ID"]):
                rows = data[data["TARGET_ID"] == target_id]
                group = groups[(int(target_id), insname)]
                mjd = np.asarray(rows["MJD"], dtype=float)
                group.mjd_min = min(group.mjd_min, float(np.nanmin(mjd)))
                group.mjd_max = max(group.mjd_max, float(np.nanmax(mjd)))
                group.tables.add(hdu.name)
                group.arrname = arrname or group.arrname
                if "STA_INDEX" in rows.names:
                    for index in np.unique(np.asarray(rows["STA_INDEX"]).ravel()):
                        group.stations.add(stations.get(int(index), f"#{int(index)}"))
        rows_out = []
        for (target_id, insname), group in sorted(groups.items()):
            target = targets.get(target_id)
            if target is None:
                continue
            waves = wavelengths.get(insname, np.array([]))
            rows_out.append(_product_row(path, primary, target, insname, group, waves,
                                         access_base))
        return rows_out


def _product_row(path: Path, primary: fits.Header, target: Any, insname: str, group: _Group,
                 waves: np.ndarray, access_base: str | None) -> dict[str, Any]:
    instrument = _text(primary.get("INSTRUME"))
    if not instrument or instrument.upper() == "MULTIPLE":
        instrument = insname.split("_")[0].split("(")[0] or None
    instrument = instrument.upper() if instrument else None
    facility = FACILITIES.get((group.arrname or "").upper().split("_")[0])
    if facility is None:
        telescope = str(primary.get("TELESCOP", "")).upper()
        facility = "ESO-VLTI" if "VLTI" in telescope else (
            "CHARA" if "CHARA" in telescope else (group.arrname or telescope or "unknown"))
    name = str(target["TARGET"]).strip()
    resolving = None
    if len(waves) > 1:
        step = float(np.nanmedian(np.abs(np.diff(np.sort(waves)))))
        resolving = float(np.nanmedian(waves) / step) if step > 0 else None
    mode = None
    if instrument in ASPRO_INSTRUMENT:
        mode = instrument_mode(instrument, primary)[0]
    url = f"{access_base.rstrip('/')}/{path.name}" if access_base else path.resolve().as_uri()
    return {
        "obs_id": f"{path.name}#{name}#{insname}", "obs_collection": "OIFITS",
        "calib_level": _calib_level(path, primary), "dataproduct_type": "visibility",
        "target_name": name, "s_ra": float(target["RAEP0"]), "s_dec": float(target["DECEP0"]),
        # Some writers leave MJD at 0: no time is better than 1858.
        "t_min": group.mjd_min if group.mjd_min > MJD_FLOOR else None,
        "t_max": group.mjd_max if group.mjd_min > MJD_FLOOR else None,
        "em_min": float(np.nanmin(waves)) if len(waves) else None,
        "em_max": float(np.nanmax(waves)) if len(waves) else None,
        "em_res_power": resolving, "em_xel": len(waves) or None,
        "facility_name": facility, "instrument_name": instrument, "instrument_mode": mode,
        "interferometer_stations": " ".join(sorted(group.stations)) or None,
        "proposal_id": _text(primary.get("HIERARCH ESO OBS PROG ID"))
        or _text(primary.get("PROGRAM")),
        "o_ucd": "stat.fourier;pos.eq", "access_url": url,
        "access_format": "application/fits", "access_estsize": path.stat().st_size // 1024,
    }
