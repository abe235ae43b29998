"""OIFITS files (v1 and v2, with or without an observatory header) → products and exposures.

Products: one row (ObsCore calib_level 2 when calibrated, else 1) per target and instrument
(INSNAME) of a file, described from the OI tables themselves — OI_TARGET positions,
OI_WAVELENGTH coverage and channel count, MJD range and station indexes of
OI_VIS/OI_VIS2/OI_T3 resolved through OI_ARRAY — so files re-written without their
observatory header are described too. When the primary header carries ESO keywords, the
programme, OB and instrument mode are taken from it.

Exposures (calib_level 0, the observation a product came from), in the row form of the
other harvesters so that one frame seen by several sources is one exposure (``dp_id``):

* ESO header: the raw frame the product names (:func:`eso_raw_id`: PRO.REC1.RAW1.NAME,
  ARCFILE, DATE-OBS, the archive name the file was saved under) described by
  :func:`~.eso_headers.frame_record` — stations, ASPRO2 mode, programme, OB, LST, ISS.PBL
  baselines — with the start, exposure time and role a product header needs fixed
  (:func:`eso_role`).
* CHARA header (:mod:`.chara_headers`): stations in beam order, PROGRAM/PI_NAME, LST-OBS,
  OBJTYPE, the MIRC-X/MYSTIC ASPRO2 mode, header u,v; id in the CHARA-log form.
* No observatory header: one exposure per target, instrument and night from the OI
  tables — stations of the STA_INDEX used, MJD range, u,v of the first and last record of
  each baseline; ``dp_id`` = ``<file>#<target>#<insname>#<night>`` (stable on re-harvest).

u,v are always stored as station2 minus station1 (``derive/uv.py``); writers disagree on
the sign of UCOORD/VCOORD (ESO pipelines: STA_INDEX[1] − STA_INDEX[0]; mircx_pipeline the
opposite), so the sign of a file is checked against the station positions (:func:`_uv_sign`).
The configuration is the equivalent offered one (``derive/configurations.py``).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from astropy.io import fits

from .chara_headers import ASPRO_INSTRUMENT as CHARA_ASPRO
from .chara_headers import instrument_name as chara_instrument
from .chara_headers import is_chara_header, read_chara_header
from .derive.apparent import apparent_radec
from .derive.lst import hour_angle, lst_hours
from .derive.night import datetime_to_mjd, local_night, mjd_to_datetime
from .derive.stations import load_sites, normalise_station, station_position
from .derive.uv import project
from .eso_headers import (
    ABBREVIATION,
    ASPRO_INSTRUMENT,
    Baseline,
    HeaderError,
    aspro_instrument,
    configuration_columns,
    frame_record,
    instrument_mode,
)

DATA_TABLES = ("OI_VIS2", "OI_VIS", "OI_T3", "OI_FLUX")
UV_TABLES = ("OI_VIS2", "OI_VIS")
FACILITIES = {"VLTI": "ESO-VLTI", "CHARA": "CHARA"}
INTERFEROMETERS = {"ESO-VLTI": "VLTI", "CHARA": "CHARA"}
#: MJD 15020 is 1900-01-01: earlier "dates" are placeholders some writers leave.
MJD_FLOOR = 15020.0
#: Longer INT_TIME values are writer garbage (seen: 80076 s, 195840 s in real files).
MAX_INT_TIME_S = 3600.0
#: How far the archive name a file was saved under may be from MJD-OBS to be trusted.
FILE_NAME_AGREEMENT_S = 2.0


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


@dataclass
class _Table:
    """The per-record columns of one OI data table that exposures need."""

    name: str
    insname: str
    arrname: str
    target: np.ndarray
    mjd: np.ndarray
    int_time: np.ndarray | None
    sta: np.ndarray | None  # (n, k) station indexes
    u: np.ndarray | None
    v: np.ndarray | None


@dataclass
class _Contents:
    primary: fits.Header
    targets: dict[int, Any]
    arrays: dict[str, dict[int, str]]
    wavelengths: dict[str, np.ndarray]
    tables: list[_Table]


@dataclass
class OifitsFile:
    """What one OIFITS file gives: product rows and the exposure rows they came from."""

    products: list[dict[str, Any]]
    exposures: list[dict[str, Any]]


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
    return read_oifits(path, access_base).products


def read_oifits(path: Path, access_base: str | None = None) -> OifitsFile:
    """Products and exposures of one OIFITS file (:class:`OifitsError` if not OIFITS)."""
    try:
        hdus = fits.open(path, memmap=False)
    except (OSError, ValueError) as exc:
        raise OifitsError(f"{path}: not a readable FITS file ({exc})") from exc
    with hdus:
        names = [h.name for h in hdus]
        if "OI_TARGET" not in names or not any(n in names for n in DATA_TABLES):
            raise OifitsError(f"{path}: no OI_TARGET and data tables: not an OIFITS file")
        try:
            contents = _read_contents(hdus)
        except (KeyError, ValueError, TypeError, IndexError) as exc:
            raise OifitsError(f"{path}: unreadable OI tables ({exc})") from exc
    products = _products(path, contents, access_base)
    exposures = _exposures(path, contents)
    # An ESO product of a known OB joins that OB execution (same night, same key).
    for exposure in exposures:
        if exposure.get("ob_id") is None:
            continue
        for product in products:
            if product["instrument_name"] == exposure["instrument_name"]:
                product["ob_id"], product["night"] = exposure["ob_id"], exposure["night"]
    return OifitsFile(products, exposures)


def _read_contents(hdus: fits.HDUList) -> _Contents:
    targets = {int(row["TARGET_ID"]): row for row in hdus["OI_TARGET"].data}
    arrays: dict[str, dict[int, str]] = {}
    wavelengths: dict[str, np.ndarray] = {}
    tables: list[_Table] = []
    for hdu in hdus:
        if hdu.name == "OI_ARRAY":
            arrname = str(hdu.header.get("ARRNAME", "")).strip()
            arrays[arrname] = {int(r["STA_INDEX"]): str(r["STA_NAME"]).strip()
                               for r in hdu.data}
        elif hdu.name == "OI_WAVELENGTH":
            wavelengths[str(hdu.header.get("INSNAME", "")).strip()] = \
                np.asarray(hdu.data["EFF_WAVE"], dtype=float)
        elif hdu.name in DATA_TABLES and hdu.data is not None and len(hdu.data) > 0:
            data = hdu.data
            columns = data.names
            sta = np.asarray(data["STA_INDEX"]).reshape(len(data), -1) \
                if "STA_INDEX" in columns else None
            has_uv = "UCOORD" in columns and "VCOORD" in columns
            tables.append(_Table(
                hdu.name, str(hdu.header.get("INSNAME", "")).strip(),
                str(hdu.header.get("ARRNAME", "")).strip(),
                np.asarray(data["TARGET_ID"]).astype(int),
                np.asarray(data["MJD"], dtype=float),
                np.asarray(data["INT_TIME"], dtype=float) if "INT_TIME" in columns else None,
                sta.astype(int) if sta is not None else None,
                np.asarray(data["UCOORD"], dtype=float) if has_uv else None,
                np.asarray(data["VCOORD"], dtype=float) if has_uv else None))
    return _Contents(hdus[0].header.copy(), targets, arrays, wavelengths, tables)


# -- products ------------------------------------------------------------------------------
def _products(path: Path, c: _Contents, access_base: str | None) -> list[dict[str, Any]]:
    groups: dict[tuple[int, str], _Group] = defaultdict(_Group)
    for table in c.tables:
        stations = c.arrays.get(table.arrname, {})
        for target_id in np.unique(table.target):
            rows = table.target == target_id
            group = groups[(int(target_id), table.insname)]
            mjd = table.mjd[rows]
            valid = mjd[np.isfinite(mjd) & (mjd > MJD_FLOOR)]
            # Some writers leave MJD at 0 on a few records: they do not date the product.
            if len(valid):
                group.mjd_min = min(group.mjd_min, float(valid.min()))
                group.mjd_max = max(group.mjd_max, float(valid.max()))
            group.tables.add(table.name)
            group.arrname = table.arrname or group.arrname
            if table.sta is not None:
                for index in np.unique(table.sta[rows].ravel()):
                    group.stations.add(stations.get(int(index), f"#{int(index)}"))
    rows_out = []
    for (target_id, insname), group in sorted(groups.items()):
        target = c.targets.get(target_id)
        if target is None:
            continue
        waves = c.wavelengths.get(insname, np.array([]))
        rows_out.append(_product_row(path, c.primary, target, insname, group, waves,
                                     access_base))
    return rows_out


def _instrument(primary: fits.Header, insname: str) -> str | None:
    """INSTRUME, else the INSNAME prefix; CHARA combiners spelled as the log spells them."""
    instrument = _text(primary.get("INSTRUME"))
    if not instrument or instrument.upper() == "MULTIPLE":
        instrument = insname.split("_")[0].split("(")[0] or None
    return chara_instrument(instrument) if instrument else None


def _has_eso_setup(primary: fits.Header) -> bool:
    """An ESO header with instrument set-up keywords: without them (files re-written with
    a bare header) a mode would be a default, i.e. a guess."""
    return any(str(key).startswith("ESO INS ") for key in primary)


def _facility(arrname: str | None, primary: fits.Header) -> str:
    facility = FACILITIES.get((arrname or "").upper().split("_")[0])
    if facility is None:
        telescope = str(primary.get("TELESCOP", "")).upper()
        facility = "ESO-VLTI" if "VLTI" in telescope else (
            "CHARA" if "CHARA" in telescope else (arrname or telescope or "unknown"))
    return facility


def _product_row(path: Path, primary: fits.Header, target: Any, insname: str, group: _Group,
                 waves: np.ndarray, access_base: str | None) -> dict[str, Any]:
    instrument = _instrument(primary, insname)
    facility = _facility(group.arrname, primary)
    name = str(target["TARGET"]).strip()
    resolving = None
    if len(waves) > 1:
        step = float(np.nanmedian(np.abs(np.diff(np.sort(waves)))))
        resolving = float(np.nanmedian(waves) / step) if step > 0 else None
    mode = None
    if instrument in ASPRO_INSTRUMENT and _has_eso_setup(primary):
        mode = instrument_mode(instrument, primary)[0]
    elif instrument in CHARA_ASPRO and is_chara_header(primary):
        mode = read_chara_header(primary).mode
    url = f"{access_base.rstrip('/')}/{path.name}" if access_base else path.resolve().as_uri()
    dated = math.isfinite(group.mjd_min)
    return {
        "obs_id": f"{path.name}#{name}#{insname}", "obs_collection": "OIFITS",
        "calib_level": _calib_level(path, primary), "dataproduct_type": "visibility",
        "target_name": name, "s_ra": float(target["RAEP0"]), "s_dec": float(target["DECEP0"]),
        # Some writers leave MJD at 0: no time is better than 1858.
        "t_min": group.mjd_min if dated else None,
        "t_max": group.mjd_max if dated else None,
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


# -- exposures: shared helpers -------------------------------------------------------------
def _exposures(path: Path, c: _Contents) -> list[dict[str, Any]]:
    header = c.primary
    instrument = str(header.get("INSTRUME", "")).strip().upper()
    telescope = str(header.get("TELESCOP", "")).strip().upper()
    note = None
    if instrument in ASPRO_INSTRUMENT and telescope.startswith("ESO-VLTI"):
        try:
            return [_eso_exposure(path, c, instrument)]
        except HeaderError as exc:
            note = f"ESO header unusable ({exc}): exposure from the OI tables"
    elif is_chara_header(header):
        exposure = _chara_exposure(path, c)
        return [exposure] if exposure else []
    return _table_exposures(path, c, note)


def _valid(mjd: np.ndarray) -> np.ndarray:
    return np.isfinite(mjd) & (mjd > MJD_FLOOR)


def _span(tables: list[tuple[_Table, np.ndarray]]) -> tuple[float, float] | None:
    """First start and last end of the records (MJD ± INT_TIME/2 when INT_TIME is sane)."""
    starts, ends = [], []
    for table, rows in tables:
        mjd = table.mjd[rows]
        half = np.zeros_like(mjd)
        if table.int_time is not None:
            t = table.int_time[rows]
            half = np.where(np.isfinite(t) & (t > 0) & (t <= MAX_INT_TIME_S), t / 2, 0.0)
        ok = _valid(mjd)
        if ok.any():
            starts.append(float((mjd[ok] - half[ok] / 86400).min()))
            ends.append(float((mjd[ok] + half[ok] / 86400).max()))
    return (min(starts), max(ends)) if starts else None


def _night(mjd: float, interferometer: str | None) -> str:
    site = load_sites().get(interferometer or "")
    if site is not None:
        return local_night(mjd, site.timezone).isoformat()
    # No site: the UT date 12 h before, as the writer does for rows without a night.
    return mjd_to_datetime(mjd - 0.5).date().isoformat()


def _configuration(stations: list[str], night: str, interferometer: str | None,
                   aspro: str | None) -> dict[str, Any]:
    """The equivalent offered configuration of the night (:func:`configuration_columns`)."""
    return configuration_columns(stations, date.fromisoformat(night), interferometer, aspro)


def _lst(mjd: float, interferometer: str | None) -> float | None:
    site = load_sites().get(interferometer or "")
    return lst_hours(mjd, site.longitude) if site is not None else None


def _target_role(c: _Contents, target_id: int) -> str | None:
    """OIFITS v2 OI_TARGET CATEGORY: SCI / CAL."""
    target = c.targets.get(target_id)
    if target is None or "CATEGORY" not in target.array.names:
        return None
    category = str(target["CATEGORY"]).strip().upper()
    return {"SCI": "science", "CAL": "calibrator"}.get(category)


@dataclass
class _Sample:
    first: str
    second: str
    mjd: float
    u: float
    v: float


def _uv_samples(c: _Contents, selected: list[tuple[_Table, np.ndarray]]) -> list[_Sample]:
    """Baseline records (stations by name, valid MJD, u,v written) of OI_VIS2/OI_VIS."""
    out = []
    for table, rows in selected:
        if table.name not in UV_TABLES or table.sta is None or table.u is None \
                or table.v is None or table.sta.shape[1] != 2:
            continue
        names = c.arrays.get(table.arrname, {})
        for i in np.flatnonzero(rows & _valid(table.mjd)):
            a, b = (names.get(int(x), "") for x in table.sta[i])
            # u = v = 0 is a blank (GRAVITY_SC writes it on flagged baselines), not a point.
            if a and b and math.isfinite(table.u[i]) and math.isfinite(table.v[i]) \
                    and (table.u[i] != 0.0 or table.v[i] != 0.0):
                out.append(_Sample(normalise_station(a), normalise_station(b),
                                   float(table.mjd[i]), float(table.u[i]), float(table.v[i])))
    return sorted(out, key=lambda s: s.mjd)


def _uv_sign(samples: list[_Sample], interferometer: str | None, ra: float | None,
             dec: float | None) -> float | None:
    """+1 when the file's u,v are station2 − station1 (the project's convention), −1 when
    they are the opposite, None when it cannot be checked (stations, site or pointing
    unknown). Decided by the sign of the dot product with u,v computed from the stations."""
    site = load_sites().get(interferometer or "")
    if site is None or ra is None or dec is None or interferometer is None:
        return None
    dot = 0.0
    for sample in samples[:60]:
        try:
            a = station_position(interferometer, sample.first)
            b = station_position(interferometer, sample.second)
        except KeyError:
            continue
        app_ra, app_dec = apparent_radec(ra, dec, sample.mjd)
        ha = hour_angle(lst_hours(sample.mjd, site.longitude), app_ra)
        p = project(a, b, site.latitude, ha, app_dec)
        dot += p.u * sample.u + p.v * sample.v
    return None if dot == 0.0 else math.copysign(1.0, dot)


def _angle(u: float, v: float) -> float:
    return math.degrees(math.atan2(u, v)) % 360.0


def _table_baselines(samples: list[_Sample], sign: float,
                     start_uv: dict[tuple[str, str], tuple[float, float]] | None = None
                     ) -> list[Baseline]:
    """One baseline per station pair: u,v of its first and last record (``start_uv``, the
    header's u,v at the start, replaces the first record when given)."""
    pairs: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for s in samples:
        if (s.second, s.first) in pairs:
            pairs[(s.second, s.first)].append((-s.u * sign, -s.v * sign))
        else:
            pairs.setdefault((s.first, s.second), []).append((s.u * sign, s.v * sign))
    for pair, uv in (start_uv or {}).items():
        if pair not in pairs and (pair[1], pair[0]) not in pairs:
            pairs[pair] = [uv]
    result = []
    for (a, b), points in pairs.items():
        u0, v0 = points[0]
        if start_uv and (a, b) in start_uv:
            u0, v0 = start_uv[(a, b)]
        elif start_uv and (b, a) in start_uv:
            u0, v0 = (-start_uv[(b, a)][0], -start_uv[(b, a)][1])
        u1, v1 = points[-1]
        result.append(Baseline(a, b, math.hypot(u0, v0), math.hypot(u1, v1), _angle(u0, v0),
                               _angle(u1, v1), u0, v0, u1, v1))
    return result


def _finish(row: dict[str, Any], issues: list[str], baselines: list[Baseline]) -> None:
    row.update({"_validation_level": 0 if issues else 1,
                "_validation_log": "; ".join(issues) or None, "_baselines": baselines})


def _wavelength_range(c: _Contents) -> tuple[float | None, float | None]:
    waves = [w for w in c.wavelengths.values() if len(w)]
    if not waves:
        return None, None
    return (float(min(np.nanmin(w) for w in waves)), float(max(np.nanmax(w) for w in waves)))


# -- ESO headers ---------------------------------------------------------------------------
def _archive_id(abbreviation: str, text: str) -> str | None:
    """``GRAVI.2016-06-23T03:10:17.458`` from an archive-form name (``:``, ``_``, ``p`` or
    ``-`` between the time fields, any suffix), milliseconds rounded as ESO does."""
    match = re.match(rf"^{abbreviation}\.(\d{{4}}-\d\d-\d\d)T(\d\d)[:_p-](\d\d)[:_p-]"
                     r"(\d\d(?:\.\d+)?)", text)
    if not match:
        return None
    day, hh, mm, ss = match.groups()
    return f"{abbreviation}.{_iso_ms(f'{day}T{hh}:{mm}:{ss}')}"


def _iso_ms(text: str) -> str:
    """ISO time rounded to milliseconds (``…T05:33:29.6353`` → ``…T05:33:29.635``)."""
    head, _, fraction = text.partition(".")
    moment = datetime.fromisoformat(head)
    micro = round(float(f"0.{fraction or '0'}") * 1000) * 1000
    moment += timedelta(microseconds=micro)
    return moment.isoformat(timespec="milliseconds")


def _id_mjd(dp_id: str) -> float | None:
    match = re.search(r"\.(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})$", dp_id)
    if not match:
        return None
    return datetime_to_mjd(datetime.fromisoformat(match.group(1)).replace(tzinfo=UTC))


def eso_raw_id(header: fits.Header, file_name: str, instrument: str) -> tuple[str, str | None]:
    """The archive id (``DP.ID``) of the raw frame a product or raw frame describes, and an
    issue when it had to be built.

    In order: PRO.REC1.RAW1.NAME (the pipelines list the object frame first), ARCFILE, in
    archive form; DATE-OBS when it has the raw frame's fractional seconds; the archive name
    the file was saved under (``GRAVI.2016-06-23T03_10_17.458_…``) when it agrees with
    MJD-OBS; last the DATE-OBS form :func:`frame_record` builds, so that ``harvest
    eso-files`` of the same header gives the same id. Pipeline original names
    (``GRAVITY.2016-06-23T03-15-42.fits``) are not archive ids and are never used.
    """
    abbreviation = ABBREVIATION[instrument]
    for key in ("HIERARCH ESO PRO REC1 RAW1 NAME", "ARCFILE"):
        found = _archive_id(abbreviation, str(header.get(key, "")).strip())
        if found:
            return found, None
    date_obs = str(header.get("DATE-OBS", "")).strip()
    if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3,}", date_obs):
        return f"{abbreviation}.{_iso_ms(date_obs)}", None
    from_name = _archive_id(abbreviation, file_name)
    mjd = header.get("MJD-OBS")
    if from_name and isinstance(mjd, int | float):
        named = _id_mjd(from_name)
        if named is not None and abs(named - float(mjd)) * 86400 <= FILE_NAME_AGREEMENT_S:
            return from_name, "raw frame id from the archive file name (agrees with MJD-OBS)"
    if date_obs:
        return f"{abbreviation}.{date_obs}", "ARCFILE missing (identifier built from DATE-OBS)"
    raise HeaderError(f"{file_name}: no raw frame name, ARCFILE or DATE-OBS")


def eso_role(header: fits.Header) -> str | None:
    """science / calibrator: DPR.CATG on raw frames and pndrs/AMBER products; else PRO.CATG
    (``CALIB_*`` or a ``CAL`` word → calibrator, any other product of a science template →
    science); else the OB name convention (``CAL_…`` / ``SCI_…``); else None."""
    dpr = str(header.get("HIERARCH ESO DPR CATG", "")).strip().upper()
    if dpr == "SCIENCE":
        return "science"
    if dpr.startswith("CALIB"):
        return "calibrator"
    pro = str(header.get("HIERARCH ESO PRO CATG", "")).strip().upper()
    if pro:
        words = re.split(r"[_\s]+", pro)
        return "calibrator" if words[0] == "CALIB" or "CAL" in words else "science"
    ob_name = str(header.get("HIERARCH ESO OBS NAME", "")).strip().upper()
    if ob_name.startswith("CAL"):
        return "calibrator"
    if ob_name.startswith("SCI"):
        return "science"
    return None


def _det(header: fits.Header, prefix: str, key: str) -> float | None:
    value = header.get(f"HIERARCH ESO {prefix}{key}")
    return float(value) if isinstance(value, int | float) else None


def _eso_exptime(header: fits.Header, instrument: str) -> tuple[float | None, str | None]:
    """Exposure time of the raw frame: EXPTIME, unless missing (GRAVITY, early PIONIER
    products) or equal to the DIT (MATISSE writes its DIT there): then DET.SEQ1.EXPTIME,
    else NDIT × DIT of the science detector (GRAVITY: DET2)."""
    exptime = header.get("EXPTIME")
    exptime = float(exptime) if isinstance(exptime, int | float) else None
    prefixes = ("DET2 ", "DET ") if instrument == "GRAVITY" else ("DET ",)
    dit = next((d for p in prefixes for d in (_det(header, p, "SEQ1 DIT"),
                                              _det(header, p, "DIT")) if d), None)
    if exptime is not None and not (dit and abs(exptime - dit) < 1e-3):
        return exptime, None
    total = _det(header, "DET ", "SEQ1 EXPTIME")
    if total:
        return total, "EXPTIME " + ("missing" if exptime is None else "is the DIT") + \
            ": DET.SEQ1.EXPTIME used"
    for prefix in prefixes:
        ndit = _det(header, prefix, "NDIT")
        pdit = _det(header, prefix, "SEQ1 DIT") or _det(header, prefix, "DIT")
        if ndit and pdit:
            return ndit * pdit, f"EXPTIME missing: {prefix.strip()}.NDIT x DIT used"
    return exptime, None


def _eso_exposure(path: Path, c: _Contents, instrument: str) -> dict[str, Any]:
    header = c.primary
    dp_id, id_issue = eso_raw_id(header, path.name, instrument)
    fixed = header.copy()
    fixed["ARCFILE"] = f"{dp_id}.fits"
    issues = [id_issue] if id_issue else []
    start = _id_mjd(dp_id)
    mjd_obs = header.get("MJD-OBS")
    if start is not None and isinstance(mjd_obs, int | float) \
            and abs(start - float(mjd_obs)) * 86400 > 1.0:
        # pndrs rewrites MJD-OBS: the raw frame started when its archive name says.
        issues.append(f"MJD-OBS {float(mjd_obs):.6f} is not the raw frame start "
                      f"({start:.6f}, from {dp_id})")
    if start is not None:
        fixed["MJD-OBS"] = start
    exptime, exp_issue = _eso_exptime(header, instrument)
    if exptime is not None:
        fixed["EXPTIME"] = exptime
    if exp_issue:
        issues.append(exp_issue)
    record = frame_record(fixed, str(path))
    row = record.row
    issues.extend(record.issues)
    role = eso_role(header)
    target_ids = sorted({int(t) for table in c.tables for t in np.unique(table.target)})
    category = _target_role(c, target_ids[0]) if len(target_ids) == 1 else None
    if category and role and category != role:
        issues.append(f"OI_TARGET CATEGORY says {category}, the header {role}")
    row["obs_type"] = role or category
    if not row.get("target_name") and len(target_ids) == 1 and target_ids[0] in c.targets:
        # Commissioning frames leave OBJECT and OBS.TARG.NAME empty; OI_TARGET names it.
        row["target_name"] = str(c.targets[target_ids[0]]["TARGET"]).strip() or None
    # frame_record matched the configuration (the same matcher as the other paths).
    row["em_min"], row["em_max"] = _wavelength_range(c)
    _finish(row, issues, record.baselines)
    return row


# -- CHARA headers -------------------------------------------------------------------------
def _chara_exposure(path: Path, c: _Contents) -> dict[str, Any] | None:
    chara = read_chara_header(c.primary)
    issues = list(chara.issues)
    target_ids = [int(t) for table in c.tables for t in table.target]
    if not target_ids:
        return None
    wanted = re.sub(r"[\s_]+", "", chara.target or "").upper()
    by_name = [t for t in c.targets
               if re.sub(r"[\s_]+", "", str(c.targets[t]["TARGET"])).upper() == wanted]
    target_id = by_name[0] if by_name else max(set(target_ids), key=target_ids.count)
    target = c.targets[target_id]
    selected = [(t, t.target == target_id) for t in c.tables]
    span = _span(selected)
    mjd = chara.mjd if chara.mjd and chara.mjd > MJD_FLOOR else (span[0] if span else None)
    if mjd is None:
        return None
    end = max(mjd, span[1]) if span else mjd
    samples = _uv_samples(c, selected)
    used = {s.first for s in samples} | {s.second for s in samples}
    stations = [s for s in chara.stations if s in used] if used else chara.stations
    if not stations:
        stations = sorted(used)
    ra, dec = float(target["RAEP0"]), float(target["DECEP0"])
    sign = _uv_sign(samples, "CHARA", ra, dec)
    if sign is None and samples:
        issues.append("u,v orientation of the OI tables unchecked")
    lst_start = chara.lst_hours if chara.lst_hours is not None else _lst(mjd, "CHARA")
    if chara.lst_hours is None:
        issues.append("LST-OBS missing (computed)")
    role = chara.role or _target_role(c, target_id)
    night = _night(mjd, "CHARA")
    instrument = chara.instrument or _instrument(c.primary, "")
    name = str(target["TARGET"]).strip()
    key = re.sub(r"[\s_]+", "", chara.target or name).upper()
    combiner = str(c.primary.get("INSTRUME", instrument or "")).strip().upper()
    start_uv = {pair: uv for pair, uv in chara.uv.items()
                if pair[0] in stations and pair[1] in stations}
    row: dict[str, Any] = {
        # The CHARA-log id form (chara_log.py), so a log row of the same start deduplicates.
        "obs_id": f"CHARA.{combiner}.{mjd:.6f}.{key}", "obs_collection": "CHARA",
        "calib_level": 0, "dataproduct_type": "visibility", "target_name": name,
        "s_ra": ra, "s_dec": dec, "t_min": mjd, "t_max": end, "t_exptime": None,
        "facility_name": "CHARA", "instrument_name": instrument,
        "instrument_mode": chara.mode, "obs_type": role,
        "proposal_id": chara.program, "obs_creator_name": chara.pi_name,
        "interferometer_stations": " ".join(stations) or None, "night": night,
        "exp_lst_start": lst_start, "exp_lst_end": _lst(end, "CHARA"),
        "_object": chara.target, "ob_id": None,
    }
    row.update(_configuration(stations, night, "CHARA",
                              CHARA_ASPRO.get(instrument or "", instrument)))
    row["em_min"], row["em_max"] = _wavelength_range(c)
    _finish(row, issues, _table_baselines(samples, sign or 1.0, start_uv))
    return row


# -- no observatory header -----------------------------------------------------------------
def _table_exposures(path: Path, c: _Contents, note: str | None) -> list[dict[str, Any]]:
    """One exposure per (target, INSNAME, local night) of the records with a real MJD."""
    groups: dict[tuple[int, str, str], list[tuple[_Table, np.ndarray]]] = defaultdict(list)
    for table in c.tables:
        facility = _facility(table.arrname, c.primary)
        interferometer = INTERFEROMETERS.get(facility)
        ok = _valid(table.mjd)
        # Records of one exposure share their MJD: one night computation per distinct MJD.
        unique, inverse = np.unique(np.where(ok, table.mjd, 0.0), return_inverse=True)
        labels = np.array([_night(float(m), interferometer) if m > MJD_FLOOR else ""
                           for m in unique])
        nights = labels[inverse.ravel()] if len(labels) else np.array([], dtype=str)
        for target_id in np.unique(table.target):
            for night in np.unique(nights[ok & (table.target == target_id)]):
                rows = ok & (table.target == target_id) & (nights == night)
                groups[(int(target_id), table.insname, str(night))].append((table, rows))
    out = []
    for (target_id, insname, night), selected in sorted(groups.items(), key=lambda g: g[0]):
        target = c.targets.get(target_id)
        span = _span(selected)
        if target is None or span is None:
            continue
        out.append(_table_exposure(path, c, note, target_id, insname, night, selected, span))
    return out


def _table_exposure(path: Path, c: _Contents, note: str | None, target_id: int,
                    insname: str, night: str, selected: list[tuple[_Table, np.ndarray]],
                    span: tuple[float, float]) -> dict[str, Any]:
    target = c.targets[target_id]
    issues = [note or "no observatory header: exposure from the OI tables"]
    arrname = next((t.arrname for t, _ in selected if t.arrname), "")
    facility = _facility(arrname, c.primary)
    interferometer = INTERFEROMETERS.get(facility)
    instrument = _instrument(c.primary, insname)
    names = c.arrays.get(arrname, {})
    used: set[int] = set()
    for table, rows in selected:
        if table.sta is not None:
            used.update(int(i) for i in np.unique(table.sta[rows].ravel()))
    missing = sorted(i for i in used if not names.get(i))
    if missing:
        issues.append(f"station index {missing} not named in OI_ARRAY {arrname or '?'}")
    stations = [normalise_station(names[i]) for i in names if i in used and names[i]]
    ra, dec = float(target["RAEP0"]), float(target["DECEP0"])
    samples = _uv_samples(c, selected)
    sign = _uv_sign(samples, interferometer, ra, dec)
    if sign is None and samples:
        issues.append("u,v orientation of the OI tables unchecked (stations or site unknown)")
    mjd_start, mjd_end = span
    if interferometer is None:
        issues.append(f"site of {facility} unknown: no LST")
    name = str(target["TARGET"]).strip()
    if interferometer == "VLTI" and instrument in ASPRO_INSTRUMENT:
        aspro: str | None = aspro_instrument(instrument, mjd_start)
    else:
        aspro = CHARA_ASPRO.get(instrument or "", instrument)
    row: dict[str, Any] = {
        "obs_id": f"{path.name}#{name}#{insname}#{night}", "obs_collection": "OIFITS",
        "calib_level": 0, "dataproduct_type": "visibility", "target_name": name,
        "s_ra": ra, "s_dec": dec, "t_min": mjd_start, "t_max": mjd_end, "t_exptime": None,
        "facility_name": facility, "instrument_name": instrument, "instrument_mode": None,
        "obs_type": _target_role(c, target_id), "proposal_id": None,
        "interferometer_stations": " ".join(stations) or None, "night": night,
        "exp_lst_start": _lst(mjd_start, interferometer),
        "exp_lst_end": _lst(mjd_end, interferometer), "ob_id": None,
        "em_min": float(np.nanmin(c.wavelengths[insname]))
        if len(c.wavelengths.get(insname, [])) else None,
        "em_max": float(np.nanmax(c.wavelengths[insname]))
        if len(c.wavelengths.get(insname, [])) else None,
    }
    row.update(_configuration(stations, night, interferometer, aspro))
    _finish(row, issues, _table_baselines(samples, sign or 1.0))
    return row
