"""ASPRO2 session files (``.asprox``): targets and the raw observations they carry.

A session lists targets (name, sexagesimal RA/DEC, proper motion, identifiers) and,
when the user fetched them, the raw observations of each target
(``targetObservations``, the ASPRO2 raw-observation model). Targets become resolved
targets with their aliases; raw observations become exposures (collection ``ASPRO2``)
with their projected baselines. The planned OBs of sessions and OB exports belong to a
team: :mod:`harvesters.aspro_plans` reads them and ``service.plans`` stores them privately.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree

from .derive.angles import sexagesimal_degrees
from .derive.night import local_night
from .derive.stations import load_sites, normalise_station
from .eso_headers import Baseline
from .obsportal_source import FACILITIES, INSTRUMENTS, parse_baselines


class SessionError(ValueError):
    """The file is not an ASPRO2 session."""


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


def read_session(path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(targets, exposure rows) of a session file."""
    try:
        root = etree.parse(str(path)).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        raise SessionError(f"{path}: not readable XML ({exc})") from exc
    if etree.QName(root).localname != "observationSetting":
        raise SessionError(f"{path}: not an ASPRO2 session (root {root.tag})")
    targets = []
    for target in root.findall("target"):
        ra, dec = target.findtext("RA"), target.findtext("DEC")
        if not ra or not dec:
            continue
        ids = target.findtext("IDS") or ""
        targets.append({"id": target.get("id"), "name": target.findtext("name") or target.get("id"),
                        "ra": sexagesimal_degrees(ra, True) % 360,
                        "dec": sexagesimal_degrees(dec, False),
                        "pmra": _float(target.findtext("PMRA")),
                        "pmdec": _float(target.findtext("PMDEC")),
                        "aliases": "|".join(a.strip() for a in ids.split(",") if a.strip())
                        or None})
    rows = []
    for block in root.findall("targetObservations"):
        for observation in block.findall("observation"):
            row = _exposure(observation)
            if row is not None:
                rows.append(row)
    return targets, rows


def _exposure(obs: etree._Element) -> dict[str, Any] | None:
    def text(tag: str) -> str | None:
        value = obs.findtext(tag)
        return value.strip() if value and value.strip() else None

    obs_id = text("obsId")
    mjd = _float(text("mjdStart"))
    if obs_id is None or mjd is None:
        return None
    facility = FACILITIES.get((text("interferometerName") or "").upper(),
                              text("interferometerName"))
    interferometer = "VLTI" if facility == "ESO-VLTI" else facility
    instrument = text("instrumentName")
    baselines = [Baseline(a, b, **values) for (a, b), values in
                 parse_baselines(text("projectedBaselines")).items()]
    parent = text("parentId")
    return {
        "obs_id": obs_id, "obs_collection": "ASPRO2", "calib_level": 0,
        "dataproduct_type": "visibility", "target_name": text("targetName"),
        "s_ra": _float(text("targetRa")), "s_dec": _float(text("targetDec")),
        "t_min": mjd, "t_max": _float(text("mjdEnd")),
        "facility_name": facility, "instrument_name": INSTRUMENTS.get(instrument or "",
                                                                      instrument),
        "instrument_mode": text("instrumentMode"),
        "instrument_submode": text("instrumentSubMode"),
        "interferometer_stations": " ".join(normalise_station(s) for s in
                                            (text("stations") or "").split()) or None,
        "proposal_id": text("programId"), "obs_type": text("type"),
        "ob_id": int(parent) if parent and parent.isdigit() else None,
        "night": local_night(mjd, load_sites()[interferometer].timezone).isoformat()
        if interferometer in load_sites() else None,
        "exp_tau0": _float(text("expTau0")), "exp_seeing": _float(text("expSeeing")),
        "_temperature": _float(text("expTemp")), "_baselines": baselines,
    }
