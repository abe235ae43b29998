"""ASPRO2 planning files (``.obxml`` OB exports, ``.asprox`` sessions) → planned OBs.

Why: the observation log says what *was* observed; teams also want to know what is
*planned* — to avoid duplicating a programme, to pick calibrators others already use, and
to check a plan before it reaches ESO P2 (through a2p2) or the CHARA scheduler. The team's
plan lives in two ASPRO2 files:

* ``.obxml`` (``a:observingBlockDefinition``, namespace ``http://www.jmmc.fr/aspro-ob/0.1``)
  is ASPRO2's "Export OB" of one science target: interferometer + period + stations,
  focal instrument + mode, the science and calibrator targets, an HA/LST window per
  target and the schedule (``CAL SCI CAL``).
* ``.asprox`` (``a:observationSetting``, namespace ``http://www.jmmc.fr/aspro-oi/0.1``) is
  the whole ASPRO2 session the OBs would be exported from.

This module is a pure parser: files in, frozen :class:`PlannedOB` values out, no database,
no network. Planning files are hand-edited and uploaded by users, so content problems are
*reported*, never raised: each plan carries ``issues`` (human readable) and stays usable.
Only a file that is not readable XML, or whose root is not a plan, raises
:class:`PlanFileError`. The XML parser resolves no entities and fetches nothing.

Rules
-----
Coordinates (precision rule)
    RA must be sexagesimal ``HH:MM:SS.sss`` with at least **3** decimals of seconds of time
    (1 ms = 15 mas) and DEC ``±DD:MM:SS.ss`` with at least **2** decimals of arcseconds
    (10 mas); ASPRO2 writes SIMBAD positions with at least that many digits. Fewer digits
    keep the position (it is still good to ~0.1") but record an issue; a value that is not
    sexagesimal or out of range makes both ``ra_deg`` and ``dec_deg`` ``None`` (half a
    position is no position). a2p2's negative sample ``02:44:07.34`` / ``-13:51:31.3`` is
    flagged; its nominal calibrator ``02:41:34.128`` / ``-14:32:57.42`` is not.
    Coordinates are taken as ICRS when ``EQUINOX`` is 2000 (ASPRO2's J2000 from SIMBAD);
    another equinox is kept as given and reported.
Magnitudes
    every ``FLUX_<band>`` magnitude (not the ``*_JY`` fluxes) must lie in [-5, 30].
Instrument mode
    must be a mode ASPRO2 knows for the focal instrument
    (:func:`obsportal.harvesters.eso_headers.aspro2_modes`, ``harvesters/data/aspro2_modes.csv``).
    Legacy ASPRO2 names with a telescope count (``VEGA_3T``, ``MIRC_6T``, ``PAVO_2T``) and the
    MIRC-X spellings (``MIRCX``) are checked as their current family (``VEGA``, ``MIRC``,
    ``PAVO``, ``MIRCX-MYSTIC``); ``PIONIER`` also accepts the modes of ``PIONIER_2``, whose
    ASPRO2 alias it is (a2p2's ``models_template.asprox`` says PIONIER ``GRISM-H``).
    ``MIRCX-MYSTIC`` K-band modes are planned on MYSTIC, the others on MIRC-X.
Stations
    normalised with :func:`~obsportal.harvesters.derive.stations.normalise_station`
    (``U1`` → ``UT1``) and checked against the project's station facts.

``.obxml`` → plans
    one :class:`PlannedOB` per ``SCIENCE`` observation configuration (ASPRO2 writes exactly
    one); ``name`` is that configuration's XML id (ASPRO2's ``<name>`` is the session
    name, usually ``default``). Calibrators are the ``CALIBRATION`` configurations, in
    schedule order then document order; ``sequence`` is the schedule's roles
    (``CAL``/``SCI``; other science configurations of the same file left out), ``("SCI",)``
    when the schedule is empty. HA and LST come from the science target's constraints;
    ``ha_min``/``ha_max`` span all its HA intervals. LST intervals are kept as written and
    may wrap past midnight (start > end, e.g. 22:32 → 05:55).
``.asprox`` → plans (asprox plan rule)
    a *science target* is every ``target`` that is not a calibrator (flagged in
    ``targetUserInfos/calibrators`` or listed as some target's calibrator) and is not an
    auxiliary star, i.e. a member of an ``[OB]`` group (AO, fringe-tracker or
    guide star, globally or for another target) without calibrators of its own. Each
    science target gives one plan, whether or not it has calibrators
    (``selectedTargets`` is only the GUI selection and is ignored; calibrators assigned
    to no science target give nothing). Calibrators are the target's
    ``targetInfo/calibrators``; the sequence is what ASPRO2's own OB export writes:
    ``CAL SCI CAL`` when the target has a calibrator, ``SCI`` otherwise. HA limits come
    from the target's ``configuration/HAMin|HAMax`` (a session has no LST constraints),
    exposure time from ``acquisitionTime`` (per u,v point). A multi-configuration session
    (several ``variant`` station sets) gives one plan per science target and configuration,
    named ``<target id>@<stations joined by ->``; otherwise the plan is named after the
    target's XML id (unique within the file).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .derive.stations import load_sites, load_stations, normalise_station
from .eso_headers import aspro2_modes

OB_NAMESPACE = "http://www.jmmc.fr/aspro-ob/0.1"
OI_NAMESPACE = "http://www.jmmc.fr/aspro-oi/0.1"

#: Accepted magnitude range (FLUX_<band>).
MAGNITUDE_RANGE = (-5.0, 30.0)
#: Minimum decimals of the seconds field (RA: seconds of time, DEC: arcseconds).
RA_DECIMALS = 3
DEC_DECIMALS = 2
MAGNITUDE_BANDS = ("B", "G_BP", "V", "G", "R", "G_RP", "I", "J", "H", "K", "L", "M", "N")
INTERFEROMETERS = ("VLTI", "CHARA")

#: ASPRO2 focal instrument family → (interferometer, instrument name in the log).
_FAMILIES: dict[str, tuple[str, str]] = {
    "AMBER": ("VLTI", "AMBER"), "MIDI": ("VLTI", "MIDI"), "PIONIER": ("VLTI", "PIONIER"),
    "PIONIER_2": ("VLTI", "PIONIER"), "GRAVITY": ("VLTI", "GRAVITY"),
    "GRAVITY_FT": ("VLTI", "GRAVITY"), "MATISSE_LM": ("VLTI", "MATISSE"),
    "MATISSE_N": ("VLTI", "MATISSE"),
    "CLASSIC": ("CHARA", "CLASSIC"), "CLIMB": ("CHARA", "CLIMB"), "FRIEND": ("CHARA", "FRIEND"),
    "JOUFLU": ("CHARA", "JOUFLU"), "MIRC": ("CHARA", "MIRC"),
    "MIRCX-MYSTIC": ("CHARA", "MIRC-X"), "PAVO": ("CHARA", "PAVO"), "SPICA": ("CHARA", "SPICA"),
    "VEGA": ("CHARA", "VEGA"),
}
_ALIASES = {"MIRCX": "MIRCX-MYSTIC", "MIRC-X": "MIRCX-MYSTIC", "MIRCX_MYSTIC": "MIRCX-MYSTIC",
            "MYSTIC": "MIRCX-MYSTIC"}
#: ASPRO2 focal instruments that declare an ``<alias>`` (VLTI.xml: PIONIER_2 is also called
#: PIONIER, so a session saying PIONIER with a grism mode means PIONIER_2).
_ALIASED_BY = {"PIONIER": ("PIONIER_2",)}
_ROLES = {"SCIENCE": "SCI", "CALIBRATION": "CAL"}

_SEXAGESIMAL = re.compile(r"^([+-]?)(\d{1,3})[:\s](\d{1,2})[:\s](\d{1,2})(?:\.(\d*))?$")
_AUXILIARY_CATEGORY = "[OB]"


class PlanFileError(ValueError):
    """The file is not readable, or not an ASPRO2 planning file (message names both)."""


@dataclass(frozen=True)
class PlannedCalibrator:
    name: str
    ra_deg: float | None
    dec_deg: float | None


@dataclass(frozen=True)
class PlannedOB:
    """One observation a team intends to run, as written in its ASPRO2 file."""

    name: str
    target_name: str
    ra_deg: float | None
    dec_deg: float | None
    calibrators: tuple[PlannedCalibrator, ...]
    sequence: tuple[str, ...]
    interferometer: str
    period: str | None
    instrument: str
    aspro_instrument: str
    instrument_mode: str | None
    stations: tuple[str, ...]
    ha_min: float | None
    ha_max: float | None
    lst_intervals: tuple[tuple[float, float], ...]
    exposure_time_s: float | None
    issues: tuple[str, ...]


# --- entry points ---------------------------------------------------------------------------

def read_plan_file(path: Path) -> list[PlannedOB]:
    """Planned OBs of an ``.obxml`` or ``.asprox`` file, whatever its extension."""
    root = _root(path)
    kind = etree.QName(root).localname
    if kind == "observingBlockDefinition":
        return _obxml_plans(root)
    if kind == "observationSetting":
        return _asprox_plans(root)
    raise PlanFileError(f"{path}: not an ASPRO2 plan file (root element {root.tag}, expected "
                        "observingBlockDefinition or observationSetting)")


def read_obxml(path: Path) -> list[PlannedOB]:
    """Planned OBs of an ASPRO2 OB export (``a:observingBlockDefinition``)."""
    return _obxml_plans(_root(path, "observingBlockDefinition"))


def plans_from_asprox(path: Path) -> list[PlannedOB]:
    """Planned OBs of an ASPRO2 session (``a:observationSetting``): see the module rules."""
    return _asprox_plans(_root(path, "observationSetting"))


def _root(path: Path, expected: str | None = None) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    try:
        root = etree.parse(str(path), parser).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        raise PlanFileError(f"{path}: not readable XML ({exc})") from exc
    if root is None:
        raise PlanFileError(f"{path}: empty XML document")
    if expected is not None and etree.QName(root).localname != expected:
        raise PlanFileError(f"{path}: root element {root.tag} is not {expected}")
    namespace = etree.QName(root).namespace
    known = {"observingBlockDefinition": OB_NAMESPACE, "observationSetting": OI_NAMESPACE}
    wanted = known.get(etree.QName(root).localname)
    if wanted is not None and namespace not in (None, wanted):
        raise PlanFileError(f"{path}: root element {root.tag} is not in namespace {wanted}")
    return root


# --- .obxml -------------------------------------------------------------------------------

def _obxml_plans(root: etree._Element) -> list[PlannedOB]:
    issues: list[str] = []
    interferometer = _text(root.find("interferometerConfiguration"), "name") or ""
    version = _text(root.find("interferometerConfiguration"), "version")
    station_text = _text(root.find("interferometerConfiguration"), "stations") or ""
    aspro_name = _text(root.find("instrumentConfiguration"), "name") or ""
    mode = _text(root.find("instrumentConfiguration"), "instrumentMode")
    exposure = _number(_text(root.find("instrumentConfiguration"), "acquisitionTime"),
                       "acquisitionTime", issues)
    setup = _setup(interferometer, version, aspro_name, mode, station_text.split(), issues)
    issues += setup.issues

    configs: dict[str, etree._Element] = {}
    for config in root.findall("observationConfiguration"):
        configs.setdefault(config.get("id") or "", config)
    schedule: list[str] = []
    for item in root.iterfind("observationSchedule/OB"):
        ref = item.get("ref") or ""
        if ref in configs:
            schedule.append(ref)
        else:
            issues.append(f"schedule refers to unknown observation '{ref}'")

    def role(config_id: str) -> str:
        kind = (_text(configs[config_id], "type") or "").upper()
        return _ROLES.get(kind, kind or "?")

    for config_id in configs:
        if role(config_id) not in _ROLES.values():
            issues.append(f"observation '{config_id}' has unknown type "
                          f"'{_text(configs[config_id], 'type') or ''}'")
    calibrator_ids = _unique([i for i in schedule if role(i) == "CAL"]
                             + [i for i in configs if role(i) == "CAL"])
    calibrators = []
    for cal_id in calibrator_ids:
        target = configs[cal_id].find("SCTarget")
        name = _text(target, "name") or cal_id
        ra, dec = _target_position(target, name, issues)
        _check_magnitudes(target, name, issues)
        calibrators.append(PlannedCalibrator(name, ra, dec))

    plans = []
    for sci_id in (i for i in configs if role(i) == "SCI"):
        own = list(issues)
        target = configs[sci_id].find("SCTarget")
        name = _text(target, "name") or sci_id
        ra, dec = _target_position(target, name, own)
        _check_magnitudes(target, name, own)
        constraints = configs[sci_id].find("observationConstraints")
        ha = _intervals(constraints, "HAinterval", own)
        lst = _intervals(constraints, "LSTinterval", own)
        sequence = tuple(role(i) for i in schedule if i == sci_id or role(i) == "CAL")
        if schedule and sci_id not in schedule:
            own.append(f"schedule does not observe science target '{sci_id}'")
        plans.append(PlannedOB(
            name=sci_id, target_name=name, ra_deg=ra, dec_deg=dec,
            calibrators=tuple(calibrators), sequence=sequence or ("SCI",),
            interferometer=setup.interferometer, period=setup.period,
            instrument=setup.instrument, aspro_instrument=aspro_name, instrument_mode=mode,
            stations=setup.stations,
            ha_min=min((a for a, _ in ha), default=None),
            ha_max=max((b for _, b in ha), default=None),
            lst_intervals=tuple(lst), exposure_time_s=exposure, issues=tuple(own)))
    return plans


# --- .asprox ------------------------------------------------------------------------------

def _asprox_plans(root: etree._Element) -> list[PlannedOB]:
    issues: list[str] = []
    configuration = _text(root.find("interferometerConfiguration"), "name") or ""
    interferometer, _, version = configuration.partition(" ")
    instrument_conf = root.find("instrumentConfiguration")
    aspro_name = _text(instrument_conf, "name") or ""
    mode = _text(instrument_conf, "instrumentMode")
    exposure = _number(_text(instrument_conf, "acquisitionTime"), "acquisitionTime", issues)
    variants = _unique(" ".join(v.split()) for v in
                       (_text(variant, "stations") for variant in root.findall("variant")) if v)
    if not variants:
        variants = [" ".join((_text(instrument_conf, "stations") or "").split())]
    setups = [_setup(interferometer, version or None, aspro_name, mode, v.split(), issues)
              for v in variants]

    targets: dict[str, etree._Element] = {}
    for target in root.findall("target"):
        targets.setdefault(target.get("id") or "", target)
    infos = root.find("targetUserInfos")
    global_calibrators = set((_text(infos, "calibrators") or "").split())
    auxiliary_groups = {g.get("id") for g in (infos.findall("group") if infos is not None else [])
                        if (_text(g, "category") or "") == _AUXILIARY_CATEGORY}
    own_calibrators: dict[str, list[str]] = {}
    auxiliary: set[str] = set()
    if infos is not None:
        auxiliary |= _group_members(infos, auxiliary_groups)
        for info in infos.findall("targetInfo"):
            ref = _text(info, "targetRef") or ""
            if ref not in targets:
                issues.append(f"target information refers to unknown target '{ref}'")
            own_calibrators[ref] = (_text(info, "calibrators") or "").split()
            auxiliary |= _group_members(info, auxiliary_groups)
    for ref in sorted(global_calibrators - set(targets)):
        issues.append(f"calibrator '{ref}' is not a target of the session")

    used_as_calibrator = global_calibrators.union(*own_calibrators.values())
    plans = []
    for target_id, target in targets.items():
        cal_ids = own_calibrators.get(target_id, [])
        if target_id in used_as_calibrator or (target_id in auxiliary and not cal_ids):
            continue
        own = list(issues)
        name = _text(target, "name") or target_id
        ra, dec = _target_position(target, name, own)
        _check_magnitudes(target, name, own)
        calibrators = []
        for cal_id in cal_ids:
            cal = targets.get(cal_id)
            if cal is None:
                own.append(f"calibrator '{cal_id}' of {name} is not a target of the session")
                continue
            if cal_id not in global_calibrators:
                own.append(f"calibrator '{cal_id}' of {name} is not flagged as a calibrator")
            cal_name = _text(cal, "name") or cal_id
            cal_ra, cal_dec = _target_position(cal, cal_name, own)
            _check_magnitudes(cal, cal_name, own)
            calibrators.append(PlannedCalibrator(cal_name, cal_ra, cal_dec))
        ha_min = _number(_text(target.find("configuration"), "HAMin"), f"{name} HAMin", own)
        ha_max = _number(_text(target.find("configuration"), "HAMax"), f"{name} HAMax", own)
        for hour_angle in (ha_min, ha_max):
            if hour_angle is not None and not -12 <= hour_angle <= 12:
                own.append(f"{name}: hour angle {hour_angle} outside [-12, 12] h")
        for setup in setups:
            plan_name = target_id if len(setups) == 1 else \
                f"{target_id}@{'-'.join(setup.stations)}"
            plans.append(PlannedOB(
                name=plan_name, target_name=name, ra_deg=ra, dec_deg=dec,
                calibrators=tuple(calibrators),
                sequence=("CAL", "SCI", "CAL") if calibrators else ("SCI",),
                interferometer=setup.interferometer, period=setup.period,
                instrument=setup.instrument, aspro_instrument=aspro_name,
                instrument_mode=mode, stations=setup.stations, ha_min=ha_min, ha_max=ha_max,
                lst_intervals=(), exposure_time_s=exposure,
                issues=tuple(_unique([*own, *setup.issues]))))
    return plans


def _group_members(element: etree._Element, groups: set[str | None]) -> set[str]:
    members: set[str] = set()
    for block in element.findall("groupMembers"):
        if _text(block, "groupRef") in groups:
            members.update((_text(block, "targets") or "").split())
    return members


# --- shared checks --------------------------------------------------------------------------

@dataclass(frozen=True)
class _Setup:
    interferometer: str
    period: str | None
    instrument: str
    stations: tuple[str, ...]
    issues: tuple[str, ...]


def _setup(interferometer: str, version: str | None, aspro_name: str, mode: str | None,
           station_names: list[str], shared_issues: list[str]) -> _Setup:
    """Interferometer, period, instrument and stations; issues that depend on the stations
    go to the setup, the others to ``shared_issues`` (once per file)."""
    interferometer = interferometer.strip().upper()
    if interferometer not in INTERFEROMETERS:
        _once(shared_issues, f"interferometer '{interferometer}' is not VLTI or CHARA")
    period = None
    if version:
        version = version.strip()
        match = re.fullmatch(r"Period\s+(\d+)", version, re.IGNORECASE)
        period = match.group(1) if match else version
    family = _family(aspro_name)
    facts = _FAMILIES.get(family)
    instrument = aspro_name
    if facts is None:
        _once(shared_issues, f"instrument '{aspro_name}' is not an ASPRO2 focal instrument")
    else:
        instrument = facts[1]
        if family == "MIRCX-MYSTIC" and mode and mode.upper().endswith("_K"):
            instrument = "MYSTIC"  # MYSTIC is the K-band combiner, MIRC-X does J and H
        if interferometer in INTERFEROMETERS and facts[0] != interferometer:
            _once(shared_issues, f"instrument {aspro_name} is not an instrument of "
                                 f"{interferometer}")
        if mode is None:
            _once(shared_issues, f"no instrument mode given for {aspro_name}")
        elif not any((name, mode) in aspro2_modes()
                     for name in (family, *_ALIASED_BY.get(family, ()))):
            _once(shared_issues, f"instrument mode {mode} is not an ASPRO2 mode of {aspro_name}")
    names = tuple(normalise_station(s) for s in station_names)
    issues: list[str] = []
    if not names:
        _once(shared_issues, "no stations given")
    known = set(load_stations(interferometer)) if interferometer in load_sites() else set()
    if known:
        issues += [f"station {s} is not a {interferometer} station" for s in names
                   if s not in known]
    if len(set(names)) != len(names):
        issues.append(f"stations {' '.join(names)} repeat a station")
    return _Setup(interferometer, period, instrument, names, tuple(issues))


def _family(aspro_name: str) -> str:
    name = aspro_name.strip().upper()
    name = _ALIASES.get(name, name)
    if name not in _FAMILIES:
        name = re.sub(r"_\dT$", "", name)  # legacy VEGA_3T, MIRC_6T, PAVO_2T
    return _ALIASES.get(name, name)


def _target_position(target: etree._Element | None, name: str,
                     issues: list[str]) -> tuple[float | None, float | None]:
    if target is None:
        issues.append(f"{name}: no target description")
        return None, None
    ra = _coordinate(_text(target, "RA"), True, name, issues)
    dec = _coordinate(_text(target, "DEC"), False, name, issues)
    equinox = _text(target, "EQUINOX")
    if equinox is not None and _float(equinox) != 2000.0:
        issues.append(f"{name}: EQUINOX {equinox} is not J2000; coordinates kept as given")
    if ra is None or dec is None:
        return None, None
    return ra, dec


def _coordinate(text: str | None, hours: bool, name: str, issues: list[str]) -> float | None:
    """Degrees of a sexagesimal RA (``hours``) or DEC; precision and range are checked."""
    label, unit, decimals = ("RA", "HH:MM:SS.sss", RA_DECIMALS) if hours else \
        ("DEC", "±DD:MM:SS.ss", DEC_DECIMALS)
    if text is None:
        issues.append(f"{name}: no {label}")
        return None
    match = _SEXAGESIMAL.match(text.strip())
    if match is None:
        issues.append(f"{name}: {label} '{text}' is not sexagesimal {unit}")
        return None
    sign, whole, minutes, seconds, fraction = match.groups()
    if (hours and sign == "-") or int(minutes) >= 60 or int(seconds) >= 60:
        issues.append(f"{name}: {label} '{text}' is out of range")
        return None
    value = int(whole) + int(minutes) / 60 + float(f"{seconds}.{fraction or 0}") / 3600
    if not (value < 24 if hours else value <= 90):
        issues.append(f"{name}: {label} '{text}' is out of range")
        return None
    given = len(fraction or "")
    if given < decimals:
        issues.append(f"{name}: {label} '{text}' has too few digits ({given} decimals of "
                      f"seconds, {unit} needs {decimals})")
    return value * 15.0 if hours else (-value if sign == "-" else value)


def _check_magnitudes(target: etree._Element | None, name: str, issues: list[str]) -> None:
    if target is None:
        return
    low, high = MAGNITUDE_RANGE
    for band in MAGNITUDE_BANDS:
        text = _text(target, f"FLUX_{band}")
        if text is None:
            continue
        value = _float(text)
        if value is None:
            issues.append(f"{name}: FLUX_{band} '{text}' is not a number")
        elif not low <= value <= high:
            issues.append(f"{name}: FLUX_{band} {text} out of range [{low:g}, {high:g}]")


def _intervals(constraints: etree._Element | None, tag: str,
               issues: list[str]) -> list[tuple[float, float]]:
    """``start/end`` hour intervals: decimal (``-4.20/3.18``) or sexagesimal (``22:32/05:55``)."""
    found: list[tuple[float, float]] = []
    if constraints is None:
        return found
    for element in constraints.findall(tag):
        text = (element.text or "").strip()
        parts = text.split("/")
        start, end = (_hours(parts[0]), _hours(parts[1])) if len(parts) == 2 else (None, None)
        if start is None or end is None:
            issues.append(f"{tag} '{text}' is not start/end in hours")
            continue
        low, high = (-12.0, 12.0) if tag == "HAinterval" else (0.0, 24.0)
        if not (low <= start <= high and low <= end <= high):
            issues.append(f"{tag} '{text}' outside [{low:g}, {high:g}] h")
        found.append((start, end))
    return found


def _hours(text: str) -> float | None:
    text = text.strip()
    match = re.fullmatch(r"([+-]?)(\d{1,2}):(\d{1,2})(?::(\d{1,2}(?:\.\d*)?))?", text)
    if match:
        sign, h, m, s = match.groups()
        value = int(h) + int(m) / 60 + float(s or 0) / 3600
        return -value if sign == "-" else value
    return _float(text)


def _number(text: str | None, label: str, issues: list[str]) -> float | None:
    if text is None:
        return None
    value = _float(text)
    if value is None:
        issues.append(f"{label} '{text}' is not a number")
    return value


def _float(text: str | None) -> float | None:
    try:
        value = float(text) if text is not None else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def _text(element: etree._Element | None, tag: str) -> str | None:
    if element is None:
        return None
    value = element.findtext(tag)
    return value.strip() or None if value is not None else None


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _once(issues: list[str], issue: str) -> None:
    if issue not in issues:
        issues.append(issue)


def modes_of(instrument: str) -> frozenset[str]:
    """ASPRO2 mode names of a log instrument (GRAVITY, MATISSE, MIRC-X, ...), any version.

    Used to validate plans typed by hand (REST) with the same vocabulary as files.
    """
    wanted = instrument.strip().upper()
    names = set()
    for aspro_name, mode in aspro2_modes():
        facts = _FAMILIES.get(_family(aspro_name))
        log_name = facts[1] if facts else aspro_name.upper()
        if wanted in (log_name, aspro_name.upper()) or (
                wanted in ("MIRC-X", "MYSTIC") and _family(aspro_name) == "MIRCX-MYSTIC"):
            names.add(mode)
    return frozenset(names)
