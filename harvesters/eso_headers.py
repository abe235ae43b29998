"""ESO VLTI frames from disk: FITS primary headers or their text dumps → exposures.

One raw (or product) frame gives one exposure: identifiers (ARCFILE → DP.ID, OBS.ID,
OBS.PROG.ID), target (OBS.TARG.NAME / OBJECT, RA/DEC), time (MJD-OBS, exposure time),
setup (stations ISS.CONF.STATIONi, ASPRO2 instrument mode from the instrument's
keywords), ambient conditions (ISS.AMBI), and the projected baselines of ISS.PBLij /
PBLAij with u,v computed from the stations. Missing or inconsistent keywords are
listed in the validation log rather than failing the frame.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from astropy.io import fits

from .derive.apparent import apparent_radec
from .derive.configurations import equivalent_configuration
from .derive.lst import hour_angle, lst_hours
from .derive.night import local_night
from .derive.stations import normalise_station, read_facts, site_of, station_position
from .derive.uv import project

ASPRO_INSTRUMENT = {"GRAVITY": "GRAVITY", "MATISSE": "MATISSE_LM", "PIONIER": "PIONIER_2",
                    "AMBER": "AMBER"}
ABBREVIATION = {"GRAVITY": "GRAVI", "MATISSE": "MATIS", "PIONIER": "PIONI", "AMBER": "AMBER"}
MATISSE_MODES = {"LOW": "SI_PHOT_LM_LOW", "MED": "SI_PHOT_LM_MEDIUM",
                 "MEDIUM": "SI_PHOT_LM_MEDIUM", "HIGH": "SI_PHOT_L_HIGH",
                 "VHIGH": "SI_PHOT_L_VERY_HIGH"}


class HeaderError(ValueError):
    """The file is not an ESO VLTI frame header this harvester understands."""


@dataclass
class Baseline:
    station1: str
    station2: str
    pbl_start: float | None
    pbl_end: float | None
    pbla_start: float | None
    pbla_end: float | None
    u_start: float | None = None
    v_start: float | None = None
    u_end: float | None = None
    v_end: float | None = None


@dataclass
class FrameRecord:
    """An exposure in ObsCore-table form plus what ObsCore cannot carry."""

    row: dict[str, Any]
    baselines: list[Baseline] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def read_header(path: Path) -> fits.Header:
    """Primary header of a FITS file (``.fits``, ``.fits.gz``) or of a text dump."""
    name = path.name.lower()
    try:
        if ".fits" in name or name.endswith((".fit", ".fts")):
            return fits.getheader(path, 0)
        opener: Any = gzip.open if name.endswith(".gz") else open
        with opener(path, "rt", encoding="ascii", errors="replace") as handle:
            text = handle.read()
        return fits.Header.fromstring(text, sep="\n")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise HeaderError(f"{path}: not a readable FITS header ({exc})") from exc


def _get(header: fits.Header, key: str) -> Any:
    for candidate in (f"HIERARCH ESO {key}", f"ESO {key}", key):
        if candidate in header:
            value = header[candidate]
            if isinstance(value, str):
                value = value.strip()
                return value or None
            return value
    return None


def _float(header: fits.Header, key: str) -> float | None:
    value = _get(header, key)
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


#: PIONIER's prisms were replaced by a grism in 2015 (MJD 57023 = 2015-01-01); ASPRO2 calls
#: the instrument before the change PIONIER and after it PIONIER_2.
PIONIER_GRISM_MJD = 57023.0


@lru_cache(maxsize=1)
def aspro2_modes() -> frozenset[tuple[str, str]]:
    """(ASPRO2 instrument, mode) pairs ASPRO2 knows (harvesters/data/aspro2_modes.csv)."""
    return frozenset((r["aspro_instrument"], r["mode"]) for r in read_facts("aspro2_modes.csv"))


def aspro_instrument(instrument: str, mjd: float | None) -> str:
    if instrument == "PIONIER" and mjd is not None and mjd < PIONIER_GRISM_MJD:
        return "PIONIER"
    return ASPRO_INSTRUMENT.get(instrument, instrument)


def instrument_mode(instrument: str, header: fits.Header) -> tuple[str | None, str | None]:
    """ASPRO2 mode and sub-mode of a frame, from the instrument's own keywords.

    A combination ASPRO2 does not know is not guessed: the mode is None (the caller logs it).
    """
    mode, submode = _raw_mode(instrument, header)
    mjd = _float(header, "MJD-OBS")
    if mode is not None and (aspro_instrument(instrument, mjd), mode) not in aspro2_modes():
        return None, submode
    return mode, submode


def _raw_mode(instrument: str, header: fits.Header) -> tuple[str | None, str | None]:
    if instrument == "GRAVITY":
        res, pola = _get(header, "INS SPEC RES"), _get(header, "INS POLA MODE")
        mode = f"{res}-{pola}" if res and pola else None
        return mode, _get(header, "FT MODE") or _get(header, "INS FT MODE")
    if instrument == "MATISSE":
        dil = (_get(header, "INS DIL NAME") or "").upper()
        din = _get(header, "INS DIN NAME")
        return MATISSE_MODES.get(dil), f"N {din}" if din else None
    if instrument == "PIONIER":
        optics = {str(_get(header, f"INS OPTI{i} NAME") or "").upper() for i in range(1, 5)}
        band = "K" if "K" in str(_get(header, "INS FILT1 NAME") or "") else "H"
        mjd = _float(header, "MJD-OBS")
        if mjd is not None and mjd < PIONIER_GRISM_MJD:
            prism = "LARGE" if "LARGE" in optics else ("SMALL" if "SMALL" in optics else "BROAD")
            return f"{prism}-{band}", None
        return ("GRISM" if "GRISM" in optics else "FREE") + f"-{band}", None
    return _get(header, "INS MODE"), None


def frame_record(header: fits.Header, source: str) -> FrameRecord:
    """The exposure a header describes; :class:`HeaderError` when it is not a VLTI frame."""
    issues: list[str] = []
    instrument = str(_get(header, "INSTRUME") or "").upper()
    telescope = str(_get(header, "TELESCOP") or "")
    if instrument not in ASPRO_INSTRUMENT or not telescope.startswith("ESO-VLTI"):
        raise HeaderError(f"{source}: INSTRUME={instrument or '?'} TELESCOP={telescope or '?'}"
                          " is not a VLTI instrument this harvester knows")
    arcfile = _get(header, "ARCFILE")
    dp_id = str(arcfile).removesuffix(".fits") if arcfile else None
    date_obs = _get(header, "DATE-OBS")
    if dp_id is None and date_obs:
        # Products lose ARCFILE: name them the way the archive names the raw frame.
        dp_id = f"{ABBREVIATION[instrument]}.{date_obs}"
        issues.append("ARCFILE missing (identifier built from DATE-OBS)")
    mjd = _float(header, "MJD-OBS")
    if dp_id is None or mjd is None:
        raise HeaderError(f"{source}: ARCFILE (or DATE-OBS) and MJD-OBS are needed to "
                          "identify the frame")
    exptime = _float(header, "EXPTIME")
    if exptime is None:
        ndit, dit = _float(header, "DET NDIT"), _float(header, "DET SEQ1 DIT")
        exptime = ndit * dit if ndit and dit else None
        issues.append("EXPTIME missing" + ("" if exptime else "; exposure time unknown"))
    site = site_of("VLTI")
    ra, dec = _float(header, "RA"), _float(header, "DEC")
    if ra is None or dec is None:
        issues.append("RA/DEC missing")
    ntel = int(_float(header, "ISS CONF NTEL") or 4)
    stations = [normalise_station(str(_get(header, f"ISS CONF STATION{i}") or ""))
                for i in range(1, ntel + 1)]
    stations = [s for s in stations if s]
    if len(stations) < 2:
        issues.append("ISS.CONF.STATIONi missing")
    t_max = mjd + (exptime or 0.0) / 86400.0
    lst_header = _float(header, "LST")
    lst_start = lst_header / 3600.0 if lst_header is not None else \
        lst_hours(mjd, site.longitude)
    if lst_header is None:
        issues.append("LST missing (computed)")
    lst_end = lst_hours(t_max, site.longitude)
    mode, submode = instrument_mode(instrument, header)
    if mode is None:
        issues.append("instrument mode unknown to ASPRO2 or its keywords missing")
    night = local_night(mjd, site.timezone)
    configuration = configuration_columns(stations, night, "VLTI",
                                          aspro_instrument(instrument, mjd))
    catg = str(_get(header, "DPR CATG") or "").upper()
    ob_name = _get(header, "OBS NAME")
    role = {"SCIENCE": "science", "CALIB": "calibrator"}.get(catg)
    if role is None and ob_name:
        role = "calibrator" if str(ob_name).upper().startswith("CAL") else (
            "science" if str(ob_name).upper().startswith("SCI") else None)
    target = _get(header, "OBS TARG NAME") or _get(header, "OBJECT")
    row = {
        "obs_id": dp_id, "obs_collection": "ESO", "calib_level": 0,
        "dataproduct_type": "visibility", "target_name": target, "s_ra": ra, "s_dec": dec,
        "t_min": mjd, "t_max": t_max, "t_exptime": exptime,
        "facility_name": "ESO-VLTI", "instrument_name": instrument,
        "proposal_id": _get(header, "OBS PROG ID"), "obs_creator_name": _get(header, "PI-COI"),
        "obs_type": role, "instrument_mode": mode, "instrument_submode": submode,
        "interferometer_stations": " ".join(stations) or None,
        "configuration": configuration["configuration"],
        "ob_id": _positive_int(_float(header, "OBS ID")),
        "night": night.isoformat(),
        "exp_tau0": _float(header, "ISS AMBI TAU0 START"),
        "exp_seeing": _float(header, "ISS AMBI FWHM START"),
        "exp_lst_start": lst_start, "exp_lst_end": lst_end,
    }
    record = FrameRecord(row, issues=issues)
    apparent = apparent_radec(ra, dec, mjd) if ra is not None and dec is not None else None
    record.baselines = _baselines(header, stations, apparent, lst_start, lst_end, issues)
    container = _float(header, "OBS CONTAINER ID")
    row.update({
        "_object": _get(header, "OBJECT"), "_temperature": _float(header, "ISS AMBI TEMP"),
        "_ob_name": ob_name, "_container_id": int(container) if container else None,
        "_configuration_category": configuration["_configuration_category"],
        "_configuration_match": configuration["_configuration_match"],
        "_validation_level": 0 if issues else 1,
        "_validation_log": "; ".join(issues) or None,
        "_baselines": record.baselines,
    })
    return record


def configuration_columns(stations: list[str], night: date, interferometer: str | None,
                          aspro: str | None) -> dict[str, Any]:
    """``configuration`` and its ``_configuration_category`` / ``_configuration_match``:
    the equivalent offered configuration of the night's period
    (:func:`~.derive.configurations.equivalent_configuration`, quality exact, intermediate,
    subset, other-period or nearest); all None when there is nothing to match."""
    match = equivalent_configuration(stations, night, interferometer, aspro) \
        if interferometer is not None else None
    if match is None:
        return {"configuration": None, "_configuration_category": None,
                "_configuration_match": None}
    return {"configuration": match.name,
            "_configuration_category": match.configuration.category or None,
            "_configuration_match": match.quality}


def _positive_int(value: float | None) -> int | None:
    """OBS.ID is -1 on frames taken outside an OB: that is no identifier."""
    return int(value) if value is not None and value > 0 else None


def _baselines(header: fits.Header, stations: list[str],
               apparent: tuple[float, float] | None, lst_start: float, lst_end: float,
               issues: list[str]) -> list[Baseline]:
    """Header baselines, with u,v from the stations at the apparent place of the target."""
    site = site_of("VLTI")
    result = []
    for i in range(len(stations)):
        for j in range(i + 1, len(stations)):
            key = f"{i + 1}{j + 1}"
            baseline = Baseline(stations[i], stations[j],
                                _float(header, f"ISS PBL{key} START"),
                                _float(header, f"ISS PBL{key} END"),
                                _float(header, f"ISS PBLA{key} START"),
                                _float(header, f"ISS PBLA{key} END"))
            if apparent is not None:
                ra, dec = apparent
                try:
                    a = station_position("VLTI", stations[i])
                    b = station_position("VLTI", stations[j])
                except KeyError as exc:
                    issues.append(str(exc))
                    result.append(baseline)
                    continue
                for when, lst in (("start", lst_start), ("end", lst_end)):
                    p = project(a, b, site.latitude, hour_angle(lst, ra), dec)
                    setattr(baseline, f"u_{when}", p.u)
                    setattr(baseline, f"v_{when}", p.v)
                    recorded = getattr(baseline, f"pbl_{when}")
                    if recorded is not None and abs(recorded - p.length) > 1.0:
                        issues.append(f"ISS.PBL{key} {when.upper()} {recorded} m differs from "
                                      f"{p.length:.2f} m computed from the stations")
            result.append(baseline)
    return result
