"""Generate a realistic, synthetic interferometric observation log (ObsCore-table CSV).

    python bench/generate_log.py --rows 1000000 --seed 1 --out log.csv.gz [--truth links.csv]

One row per raw exposure (calib_level 0, dataproduct_type ``visibility``) in the form
``obsportal harvest obscore-table`` loads: the ObsCore columns plus the interferometry
extension columns, in the order of :data:`COLUMNS`.

What follows the real facilities (from the project's fact tables in ``harvesters/data``,
themselves from the ASPRO2 configuration files): station names, the configurations ESO
offered in each period (VLTI, P84-P117) and the CHARA telescope combinations per semester,
the instruments offered in each period, ASPRO2 instrument mode names with their
wavelength ranges and resolving powers, site longitudes, latitudes and time zones.
Nights run from evening to morning twilight (season dependent) and carry the local date
of their evening; each night has one instrument on one configuration; OB executions come
in CAL-SCI-CAL (sometimes CAL-SCI-CAL-SCI-CAL) sequences, calibrators a few degrees from
their science target, several exposures per OB, 5-30 minutes between OBs; science
targets are observed within a few hours of transit above 35 degrees of elevation; LST
comes from the MJD at the site (:func:`obsportal.harvesters.derive.lst.mean_lst_hours`: the
vectorised mean sidereal time of the project's LST model, UT1 taken as UTC, so a seed gives
the same log whatever the IERS tables; within 2 s of time of the harvesters'
:func:`~obsportal.harvesters.derive.lst.lst_hours`).
What is invented: programmes, titles and PI names (a fixed fake list), HD numbers and
positions of the non-famous targets and of all calibrators, exposure counts and times,
ambient conditions (log-normal per night with per-exposure scatter), header pointing
errors (about 3 % of exposures an arcminute off). Deterministic for a seed.

The plan remembers which sequence each OB execution belongs to; :func:`sequence_truth`
(or ``--truth FILE``) gives the calibrator links it intended, without changing the log.

The bulk work is vectorised with numpy: the night/OB plan is built in Python (one step per
OB execution), exposures are expanded and formatted per column.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import math
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # running from a clone without installing the package
    sys.path.insert(0, str(REPO))

from obsportal.harvesters.derive.configurations import (  # noqa: E402
    PeriodConfiguration,
    chara_semester_of,
    equivalent_configuration,
    eso_period_of,
    offered_in_period,
)
from obsportal.harvesters.derive.lst import hour_angle, mean_lst_hours  # noqa: E402
from obsportal.harvesters.derive.stations import (  # noqa: E402
    load_sites,
    load_stations,
    read_facts,
)
from obsportal.harvesters.derive.uv import altitude_deg  # noqa: E402

COLUMNS = ["obs_id", "obs_collection", "calib_level", "dataproduct_type", "target_name",
           "s_ra", "s_dec", "s_fov", "s_region", "t_min", "t_max", "t_exptime", "t_resolution",
           "em_min", "em_max", "em_res_power", "facility_name", "instrument_name",
           "proposal_id", "obs_title", "obs_creator_name", "obs_release_date", "data_rights",
           "access_url", "access_format", "target_class", "obs_type", "instrument_mode",
           "instrument_submode", "interferometer_stations", "configuration", "ob_id", "night",
           "exp_tau0", "exp_seeing", "exp_lst_start", "exp_lst_end"]

#: Rights are computed against this fixed date so a seed always gives the same file.
REFERENCE_DATE = date(2026, 11, 24)
MJD0 = date(1858, 11, 17)

#: Fake principal investigators (invented names).
PIS = ["A. Castellano", "B. Nyberg", "C. Okafor", "D. Villanueva", "E. Lindqvist",
       "F. Moreau-Diallo", "G. Takahashi", "H. Brandt", "I. Kowalczyk", "J. Ferreira",
       "K. Oyelaran", "L. Marchetti", "M. Haddad", "N. Sørensen", "O. Petrescu",
       "P. Quintero", "R. Abernathy", "S. Iyer", "T. van Wijk", "U. Demir", "C. Mérandeau"]
TITLES = ["Inner rims of Herbig Ae/Be discs", "Orbits of massive binaries",
          "Surface convection of red supergiants", "Dust formation in AGB winds",
          "Be star decretion discs", "Angular diameters of exoplanet host stars",
          "The broad-line region of bright AGN", "Cepheid pulsation and distances",
          "Accretion in young stellar objects", "Spots on magnetically active stars",
          "Rotational flattening of fast rotators", "Wolf-Rayet colliding winds",
          "Hot dust in debris disc systems", "Stellar flow at the Galactic Centre",
          "Interacting binaries and their discs", "Mass loss of luminous blue variables"]
CLASSES = ["YSO", "Be star", "AGB star", "red supergiant", "binary", "Cepheid",
           "main-sequence star", "giant", "Wolf-Rayet", "debris disc host"]

#: Well-known targets (J2000 positions to ~0.01 deg; good enough for a synthetic log).
FAMOUS: list[tuple[str, float, float, str]] = [
    ("alf Sco", 247.3519, -26.4320, "red supergiant"),
    ("alf Ori", 88.7929, 7.4071, "red supergiant"),
    ("alf Tau", 68.9802, 16.5093, "giant"),
    ("bet Ori", 78.6345, -8.2016, "supergiant"),
    ("alf CMa", 101.2872, -16.7161, "main-sequence star"),
    ("alf Car", 95.9880, -52.6957, "supergiant"),
    ("alf Eri", 24.4285, -57.2368, "Be star"),
    ("eta Car", 161.2648, -59.6845, "luminous blue variable"),
    ("alf Cen", 219.9021, -60.8340, "binary"),
    ("R Dor", 69.1898, -62.0776, "AGB star"),
    ("VY CMa", 110.7430, -25.7675, "red supergiant"),
    ("bet Pic", 86.8212, -51.0665, "debris disc host"),
    ("TW Hya", 165.4659, -34.7047, "YSO"),
    ("HD 100546", 173.3557, -70.1948, "YSO"),
    ("HD 163296", 269.0887, -21.9562, "YSO"),
    ("NGC 1068", 40.6696, -0.0133, "AGN"),
    ("3C 273", 187.2779, 2.0524, "AGN"),
    ("Sgr A*", 266.4168, -29.0078, "Galactic Centre"),
    ("l Car", 146.3117, -62.5079, "Cepheid"),
    ("gam02 Vel", 122.3831, -47.3366, "Wolf-Rayet"),
    ("alf Boo", 213.9153, 19.1824, "giant"),
    ("alf Aql", 297.6958, 8.8683, "main-sequence star"),
    ("alf Leo", 152.0930, 11.9672, "main-sequence star"),
    ("HR 8799", 346.8696, 21.1343, "main-sequence star"),
    ("alf Lyr", 279.2347, 38.7837, "main-sequence star"),
    ("alf Cyg", 310.3580, 45.2803, "supergiant"),
    ("del Cep", 337.2929, 58.4152, "Cepheid"),
    ("bet Lyr", 282.5200, 33.3627, "binary"),
    ("alf UMi", 37.9546, 89.2641, "Cepheid"),
    ("alf Cep", 319.6449, 62.5856, "main-sequence star"),
    ("gam Cas", 14.1772, 60.7167, "Be star"),
    ("eps Aur", 75.4922, 43.8233, "binary"),
    ("bet Per", 47.0422, 40.9556, "binary"),
    ("AB Aur", 73.9410, 30.5512, "YSO"),
]
#: Pinned targets for the documentation examples and test queries (README, client, ADQL
#: corpus): invented pointings, not the real HD 3203 or HD 201983. Each is added to one
#: GRAVITY programme of a period whose nights can reach it, and monitored (observed more).
PINNED: list[tuple[str, float, float, str]] = [
    ("HD 3203", 260.0490821, 21.939826, "YSO"),
    ("HD 201983", 96.5405, -4.6336, "Be star"),
]
#: Pinned nights (for the same examples): date, ASPRO2 instrument, and optionally the
#: configuration, the run id and the mode of the night's first programme.
PINNED_NIGHTS: list[tuple[date, str, str | None, str | None, str | None]] = [
    (date(2024, 6, 14), "GRAVITY", "UT1-UT2-UT3-UT4", "113.2281.001", "MEDIUM-COMBINED"),
    (date(2022, 1, 15), "GRAVITY", None, None, None),
    (date(2021, 11, 20), "GRAVITY", None, None, None),  # a night of poor seeing (below)
    (date(2023, 6, 25), "PIONIER_2", None, None, None),
]
PINNED_MONTHS = [(5, 6, 7, 8), (11, 12, 1, 2)]
#: Median seeing (arcsec) imposed on pinned nights (VLTI).
PINNED_SEEING = {date(2021, 11, 20): 1.25}

# ASPRO2 instrument -> (instrument_name, DP.ID prefix, exposure time s, exposures per OB,
# overhead between exposures s).
VLTI_INSTRUMENTS: dict[str, tuple[str, str, float, int, float]] = {
    "GRAVITY": ("GRAVITY", "GRAVI", 300.0, 6, 40.0),
    "MATISSE_LM": ("MATISSE", "MATISSE", 60.0, 12, 20.0),
    "MATISSE_N": ("MATISSE", "MATISSE", 60.0, 12, 20.0),
    "PIONIER_2": ("PIONIER", "PIONI", 60.0, 5, 25.0),
    "PIONIER": ("PIONIER", "PIONI", 60.0, 5, 25.0),
    "AMBER": ("AMBER", "AMBER", 120.0, 5, 30.0),
}
VLTI_WEIGHTS = {"GRAVITY": 5.0, "MATISSE_LM": 2.0, "MATISSE_N": 1.0, "PIONIER_2": 3.0,
                "PIONIER": 3.0, "AMBER": 2.0}
CHARA_INSTRUMENTS: dict[str, tuple[str, str, float, int, float]] = {
    "MIRC-X": ("MIRC-X", "CHARA.MIRCX", 150.0, 4, 30.0),
    "MYSTIC": ("MYSTIC", "CHARA.MYSTIC", 150.0, 4, 30.0),
    "SPICA": ("SPICA", "CHARA.SPICA", 200.0, 4, 30.0),
    "VEGA": ("VEGA", "CHARA.VEGA", 300.0, 3, 40.0),
}
CHARA_ASPRO = {"MIRC-X": "MIRCX-MYSTIC", "MYSTIC": "MIRCX-MYSTIC", "SPICA": "SPICA",
               "VEGA": "VEGA"}
CHARA_WEIGHTS = {"MIRC-X": 4.0, "MYSTIC": 2.0, "SPICA": 2.0, "VEGA": 1.0}
SUBMODES = {"GRAVITY": ["SINGLE_ON", "DUAL_ON", "SINGLE_OFF"], "MATISSE": ["HYBRID", "GRA4MAT"]}


@dataclass(frozen=True)
class SiteSpec:
    key: str  # VLTI, CHARA
    facility: str
    collection: str
    latitude: float
    longitude: float
    timezone: str
    first_night: date
    last_night: date


@dataclass
class Catalogue:
    names: list[str]
    ra: np.ndarray
    dec: np.ndarray
    classes: list[str]
    calibrators: list[list[int]] = field(default_factory=list)


@dataclass
class Program:
    code: str
    title: str
    pi: str
    mode: int  # index into the instrument's mode list
    targets: np.ndarray  # science target indices


@dataclass
class Plan:
    """One row per OB execution; exposures are expanded from it."""

    start: list[float] = field(default_factory=list)
    n_exp: list[int] = field(default_factory=list)
    exptime: list[float] = field(default_factory=list)
    step: list[float] = field(default_factory=list)  # seconds between exposure starts
    target: list[int] = field(default_factory=list)
    science: list[bool] = field(default_factory=list)
    setup: list[int] = field(default_factory=list)  # index into setups
    program: list[int] = field(default_factory=list)
    night: list[int] = field(default_factory=list)  # MJD day number of the local evening
    ob_id: list[int] = field(default_factory=list)
    submode: list[str] = field(default_factory=list)
    # Sequence (CAL-SCI-CAL...) each OB execution was planned in: ground truth for the
    # calibrator links, never written to the log (the CSV stays what it was).
    sequence: list[int] = field(default_factory=list)


def _mjd(day: date) -> int:
    return (day - MJD0).days


def _sites() -> dict[str, SiteSpec]:
    sites = load_sites()
    vlti, chara = sites["VLTI"], sites["CHARA"]
    return {"VLTI": SiteSpec("VLTI", "ESO-VLTI", "ESO", vlti.latitude, vlti.longitude,
                             vlti.timezone, date(2009, 10, 1), date(2026, 9, 30)),
            "CHARA": SiteSpec("CHARA", "CHARA", "CHARA", chara.latitude, chara.longitude,
                              chara.timezone, date(2018, 1, 1), date(2026, 6, 30))}


def _modes() -> dict[str, list[dict[str, str]]]:
    modes: dict[str, list[dict[str, str]]] = {}
    for row in read_facts("instrument_modes.csv"):
        key = row["instrument"] if row["facility"] == "CHARA" else row["aspro_instrument"]
        modes.setdefault(key, []).append(row)
    return modes


class LogGenerator:
    """Plans nights of CAL-SCI-CAL sequences, then expands and writes the exposures."""

    def __init__(self, seed: int, rows: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.rows = rows
        self.sites = _sites()
        self.modes = _modes()
        self.catalogue = self._catalogue(max(80, min(20000, rows // 150)))
        self.setups: list[tuple[str, str, str, str, str, str]] = []  # site, aspro, name,
        self.setup_index: dict[tuple[str, ...], int] = {}  # mode, stations, configuration
        self.programs: list[Program] = []
        self.program_pool: dict[tuple[str, str, str], list[int]] = {}
        self.ob_counter = 1_500_000 + int(self.rng.integers(0, 100_000))
        self.run_numbers: set[str] = set()
        self.plan = Plan()
        self._configs: dict[tuple[str, str, str], list[PeriodConfiguration]] = {}
        self._equivalent: dict[tuple[str, str, str], str] = {}
        self.pinned: set[int] = set()
        self.sequences = 0  # sequences planned so far (no random draw: the log is unchanged)

    # -- catalogue -----------------------------------------------------------------------
    def _catalogue(self, n_invented: int) -> Catalogue:
        rng = self.rng
        known = PINNED + FAMOUS
        names = [f[0] for f in known]
        ra = [f[1] for f in known]
        dec = [f[2] for f in known]
        classes = [f[3] for f in known]
        n_cal = 3 * (n_invented + len(names))
        reserved = {int(name[3:]) for name in names if name.startswith("HD ")}
        candidates = np.setdiff1d(np.arange(1000, 359000), np.array(sorted(reserved)))
        numbers = rng.choice(candidates, size=n_invented + n_cal, replace=False)
        sci_ra = rng.uniform(0.0, 360.0, n_invented)
        sci_dec = np.degrees(np.arcsin(rng.uniform(-0.97, 0.85, n_invented)))
        sci_class = rng.integers(0, len(CLASSES), n_invented)
        names += [f"HD {n}" for n in numbers[:n_invented]]
        ra += sci_ra.tolist()
        dec += sci_dec.tolist()
        classes += [CLASSES[i] for i in sci_class]
        n_sci = len(names)
        # Three calibrators per science target, 1-8 degrees away.
        sep = rng.uniform(1.0, 8.0, n_cal)
        angle = rng.uniform(0.0, 2 * math.pi, n_cal)
        parent = np.repeat(np.arange(n_sci), 3)
        p_dec = np.asarray(dec)[parent]
        c_dec = np.clip(p_dec + sep * np.cos(angle), -89.5, 89.5)
        c_ra = np.mod(np.asarray(ra)[parent] + sep * np.sin(angle)
                      / np.maximum(0.05, np.cos(np.radians(c_dec))), 360.0)
        names += [f"HD {n}" for n in numbers[n_invented:]]
        ra += c_ra.tolist()
        dec += c_dec.tolist()
        classes += ["star"] * n_cal
        cat = Catalogue(names, np.asarray(ra), np.asarray(dec), classes)
        cat.calibrators = [[n_sci + 3 * i, n_sci + 3 * i + 1, n_sci + 3 * i + 2]
                           for i in range(n_sci)]
        self.n_science = n_sci
        return cat

    # -- facts -----------------------------------------------------------------------------
    def _period(self, site: SiteSpec, day: date) -> str:
        return str(eso_period_of(day)) if site.key == "VLTI" else chara_semester_of(day)

    def _offered(self, site: SiteSpec, period: str, aspro: str) -> list[PeriodConfiguration]:
        key = (site.key, period, aspro)
        if key not in self._configs:
            self._configs[key] = offered_in_period(site.key, period, aspro)
        return self._configs[key]

    def _instrument_choices(self, site: SiteSpec, period: str) -> list[str]:
        if site.key == "VLTI":
            return [a for a in VLTI_INSTRUMENTS if self._offered(site, period, a)]
        return [i for i, a in CHARA_ASPRO.items() if self._offered(site, period, a)]

    def _usable_period(self, site: SiteSpec, day: date) -> tuple[str, list[str]]:
        """The night's period, or the nearest one ASPRO2 describes (P95, CHARA 2019-2021)."""
        for shift in range(0, 800, 30):
            for sign in (1, -1):
                probe = day + timedelta(days=sign * shift)
                period = self._period(site, probe)
                choices = self._instrument_choices(site, period)
                if choices:
                    return period, choices
        raise RuntimeError(f"no offered configuration near {day}")

    def _setup(self, site: SiteSpec, period: str, instrument: str) -> tuple[int, int]:
        """Pick the night's configuration and the (setup index, mode count) for a program."""
        rng = self.rng
        aspro = instrument if site.key == "VLTI" else CHARA_ASPRO[instrument]
        configs = self._offered(site, period, aspro)
        if site.key == "VLTI":
            weights = np.array([0.7 if c.category == "UTs" else 1.0 for c in configs])
        else:
            weights = np.array([float(len(c.stations)) ** 2 for c in configs])
        config = configs[int(rng.choice(len(configs), p=weights / weights.sum()))]
        stations = list(config.stations)
        if len(stations) >= 4 and rng.random() < 0.06:  # a telescope lost for the night
            stations.pop(int(rng.integers(0, len(stations))))
        return self._setup_key(site, period, aspro, instrument, stations)

    def _setup_key(self, site: SiteSpec, period: str, aspro: str, instrument: str,
                   stations: Sequence[str]) -> tuple[int, int]:
        joined = "-".join(stations)
        eq_key = (site.key, period, joined)
        if eq_key not in self._equivalent:
            match = equivalent_configuration(list(stations), period, site.key, aspro)
            self._equivalent[eq_key] = match.name if match is not None else ""
        key = (site.key, aspro, instrument, joined, self._equivalent[eq_key])
        if key not in self.setup_index:
            self.setup_index[key] = len(self.setups)
            self.setups.append((site.key, aspro, instrument, joined, self._equivalent[eq_key],
                                period))
        return self.setup_index[key], len(self.modes[aspro if site.key == "VLTI"
                                                      else instrument])

    def _run_id(self, site: SiteSpec, period: str) -> str:
        rng = self.rng
        while True:
            if site.key == "CHARA":
                code = f"{period}-{rng.choice(['M', 'S', 'G', 'N'])}{rng.integers(1, 40):03d}"
            elif int(period) < 110:  # 0108.C-0123(A)
                category = rng.choice(list("CCCDDEA"))
                code = f"{int(period):04d}.{category}-{rng.integers(1, 999):04d}" \
                       f"({rng.choice(list('AAABC'))})"
            else:  # new ESO run ids since P110: 110.23T6.001
                letter = "ABCDEFGHJKLMNPQRSTUVWXYZ"[int(rng.integers(0, 24))]
                code = f"{period}.{rng.integers(20, 30)}{letter}{rng.integers(0, 10)}" \
                       f".{rng.integers(1, 4):03d}"
            if code not in self.run_numbers:
                self.run_numbers.add(code)
                return code

    def _programs(self, site: SiteSpec, period: str, instrument: str, n_modes: int,
                  day: date) -> list[int]:
        # Programmes (and run ids) belong to the night's own period, even when the
        # configurations come from the nearest period ASPRO2 describes.
        period = self._period(site, day)
        key = (site.key, period, instrument)
        if key in self.program_pool:
            return self.program_pool[key]
        rng = self.rng
        cat = self.catalogue
        dec = cat.dec[: self.n_science]
        # Calibrators lie up to 8 degrees away: keep them within dec < +30 (Paranal) or
        # dec > -30 (Mount Wilson) too.
        visible = np.flatnonzero(dec < 22.0) if site.key == "VLTI" else \
            np.flatnonzero(dec > -22.0)
        pool: list[int] = []
        for _ in range(int(rng.integers(4, 10))):
            n = int(rng.integers(2, 10))
            targets = rng.choice(visible, size=min(n, len(visible)), replace=False)
            if rng.random() < 0.5:  # famous targets are popular
                famous = visible[(visible >= len(PINNED)) & (visible < len(PINNED) + len(FAMOUS))]
                targets = np.append(targets, rng.choice(famous))
            self.programs.append(Program(self._run_id(site, period),
                                         TITLES[int(rng.integers(0, len(TITLES)))],
                                         PIS[int(rng.integers(0, len(PIS)))],
                                         int(rng.integers(0, n_modes)), np.unique(targets)))
            pool.append(len(self.programs) - 1)
        for index, months in enumerate(PINNED_MONTHS):
            if site.key == "VLTI" and instrument == "GRAVITY" and index not in self.pinned \
                    and day.month in months:
                program = self.programs[pool[0]]
                program.targets = np.append(program.targets, index)
                self.pinned.add(index)
        self.program_pool[key] = pool
        return pool

    # -- nights -------------------------------------------------------------------------------
    def plan_site(self, site: SiteSpec, rows: int,
                  first: Sequence[tuple[date, str, str | None, str | None, str | None]] = ()
                  ) -> int:
        """Plan nights at ``site`` in random date order until ``rows`` exposures are planned."""
        rng = self.rng
        days = (site.last_night - site.first_night).days + 1
        order = rng.permutation(days)
        planned = 0
        used: dict[int, set[str]] = {}
        queue: list[tuple[date, Any]] = [(pin[0], pin) for pin in reversed(first)]
        passes = 0
        while planned < rows:
            if not queue:
                if passes > 3:
                    break
                queue = [(site.first_night + timedelta(days=int(d)), None) for d in order]
                queue.reverse()
                passes += 1
            day, forced = queue.pop()
            planned += self.plan_night(site, day, forced, used)
        return planned

    def plan_night(self, site: SiteSpec, day: date,
                   pin: tuple[date, str, str | None, str | None, str | None] | None,
                   used: dict[int, set[str]]) -> int:
        rng = self.rng
        cat = self.catalogue
        period, choices = self._usable_period(site, day)
        taken = used.setdefault(_mjd(day), set())
        table = VLTI_INSTRUMENTS if site.key == "VLTI" else CHARA_INSTRUMENTS
        # Very large logs revisit nights: never the same instrument twice in a night.
        choices = [c for c in choices if table[c][0] not in taken]
        if not choices:
            return 0
        forced = pin[1] if pin is not None else None
        if forced is not None and forced in choices:
            instrument = forced
        else:
            weights = np.array([(VLTI_WEIGHTS if site.key == "VLTI" else CHARA_WEIGHTS)[c]
                                for c in choices])
            instrument = choices[int(rng.choice(len(choices), p=weights / weights.sum()))]
        taken.add(table[instrument][0])
        name, _prefix, exptime, n_exp, overhead = (VLTI_INSTRUMENTS[instrument]
                                                  if site.key == "VLTI"
                                                  else CHARA_INSTRUMENTS[instrument])
        if pin is not None and pin[2] is not None:
            aspro = instrument if site.key == "VLTI" else CHARA_ASPRO[instrument]
            setup, n_modes = self._setup_key(site, period, aspro, instrument,
                                             pin[2].split("-"))
        else:
            setup, n_modes = self._setup(site, period, instrument)
        programs = self._programs(site, period, instrument, n_modes, day)
        if pin is not None and pin[3] is not None:
            first = self.programs[programs[0]]
            first.code = pin[3]
            self.run_numbers.add(pin[3])
            if pin[4] is not None:
                first.mode = [m["mode"] for m in self.modes[instrument]].index(pin[4])
        tonight = rng.choice(programs, size=min(len(programs), int(rng.integers(1, 4))),
                             replace=False)
        if forced is not None and programs[0] not in tonight:
            tonight = np.append(tonight, programs[0])
        pool = np.concatenate([self.programs[p].targets for p in tonight])
        owner = np.concatenate([[p] * len(self.programs[p].targets) for p in tonight])
        # Night from evening to morning twilight; longer in local winter.
        doy = day.timetuple().tm_yday
        winter = math.cos(2 * math.pi * (doy - (172 if site.latitude < 0 else 355)) / 365.25)
        offset = ZoneInfo(site.timezone).utcoffset(datetime(day.year, day.month, day.day, 23))
        utc_offset = offset.total_seconds() / 3600.0 if offset is not None else 0.0
        start_local = 20.1 - 0.8 * winter + rng.uniform(0.0, 0.4)
        end_local = 29.6 + 0.8 * winter - rng.uniform(0.0, 0.4)
        base = _mjd(day) - utc_offset / 24.0
        t = base + start_local / 24.0
        t_end = base + end_local / 24.0
        if rng.random() < 0.25:  # a half night
            t = t + (t_end - t) / 2 if rng.random() < 0.5 else t
            t_end = min(t_end, t + 5.0 / 24)
        submodes = SUBMODES.get(name, [""])
        planned = 0
        observed = np.zeros(len(pool))
        night = _mjd(day)
        while t < t_end - 0.5 / 24:
            lst = float(mean_lst_hours(t + 0.5 / 24, site.longitude))
            ha = hour_angle(lst, cat.ra[pool])
            alt = altitude_deg(ha, cat.dec[pool], site.latitude)
            ok = np.flatnonzero((np.abs(ha) < 3.5) & (alt > 35.0))
            if ok.size == 0:
                t += 20.0 / 1440
                continue
            score = observed[ok] + np.abs(ha[ok]) / 3.5 + rng.uniform(0.0, 0.8, ok.size) \
                - 2.0 * (pool[ok] < len(PINNED))  # the pinned targets are monitored
            pick = int(ok[int(np.argmin(score))])
            observed[pick] += 1
            science = int(pool[pick])
            program = int(owner[pick])
            cals = cat.calibrators[science]
            order = [cals[0], science, cals[1]]
            r = rng.random()
            if r < 0.25:
                order += [science, cals[2]]
            elif r < 0.35:
                order = [science, cals[1]]
            submode = submodes[int(rng.integers(0, len(submodes)))]
            sequence = self.sequences
            self.sequences += 1
            for target in order:
                n = max(1, n_exp + int(rng.integers(-2, 3)))
                step = exptime + overhead * rng.uniform(0.8, 1.3)
                self.ob_counter += int(rng.integers(1, 40))
                p = self.plan
                p.start.append(t)
                p.n_exp.append(n)
                p.exptime.append(exptime)
                p.step.append(step)
                p.target.append(target)
                p.science.append(target == science)
                p.setup.append(setup)
                p.program.append(program)
                p.night.append(night)
                p.ob_id.append(self.ob_counter)
                p.submode.append(submode)
                p.sequence.append(sequence)
                planned += n
                t += (n * step + rng.uniform(5.0, 30.0) * 60.0) / 86400.0
                if t >= t_end:
                    break
        return planned

    # -- exposures ----------------------------------------------------------------------------
    def build(self) -> dict[str, Any]:
        vlti_rows = round(self.rows * 0.75)
        self.plan_site(self.sites["VLTI"], vlti_rows, PINNED_NIGHTS)
        self.plan_site(self.sites["CHARA"], self.rows - vlti_rows)
        return self.expand()

    def expand(self) -> dict[str, Any]:
        rng = self.rng
        p = self.plan
        cat = self.catalogue
        start = np.asarray(p.start)
        n_exp = np.asarray(p.n_exp)
        surplus = int(n_exp.sum()) - self.rows
        if surplus > 0:  # one exposure fewer in some OBs (the last nights overshoot)
            long = np.flatnonzero(n_exp >= 3)
            cut = rng.choice(long, size=min(surplus, long.size), replace=False)
            n_exp[cut] -= 1
        order = np.argsort(start, kind="stable")
        ob = np.repeat(order, n_exp[order])
        first = np.cumsum(n_exp[order]) - n_exp[order]
        k = np.arange(ob.size) - np.repeat(first, n_exp[order])
        ob, k = ob[: self.rows], k[: self.rows]
        n = ob.size
        exptime = np.asarray(p.exptime)[ob]
        t_min = start[ob] + k * np.asarray(p.step)[ob] / 86400.0
        t_max = t_min + exptime / 86400.0
        setup = np.asarray(p.setup)[ob]
        site_is_vlti = np.array([self.setups[s][0] == "VLTI" for s in range(len(self.setups))])
        vlti = site_is_vlti[setup]
        lst_start = np.empty(n)
        lst_end = np.empty(n)
        for key, mask in (("VLTI", vlti), ("CHARA", ~vlti)):
            lon = self.sites[key].longitude
            lst_start[mask] = mean_lst_hours(t_min[mask], lon)
            lst_end[mask] = mean_lst_hours(t_max[mask], lon)
        target = np.asarray(p.target)[ob]
        # Header pointing: arcsecond scatter, about 3 % an arcminute off.
        big = rng.random(n) < 0.03
        sigma = np.where(big, 60.0, 1.5) / 3600.0
        dec = np.clip(cat.dec[target] + rng.normal(0.0, 1.0, n) * sigma, -90.0, 90.0)
        ra = np.mod(cat.ra[target] + rng.normal(0.0, 1.0, n) * sigma
                    / np.maximum(0.05, np.cos(np.radians(dec))), 360.0)
        # Ambient conditions: log-normal per night, scatter per exposure.
        night = np.asarray(p.night)[ob]
        nights, night_index = np.unique(night * 2 + vlti, return_inverse=True)
        tau_night = rng.lognormal(math.log(0.0045), 0.45, nights.size)
        seeing_night = rng.lognormal(math.log(0.8), 0.3, nights.size)
        for day, value in PINNED_SEEING.items():
            seeing_night[nights == _mjd(day) * 2 + 1] = value
        chara_night = (nights % 2) == 0
        tau_night[chara_night] *= 1.6
        seeing_night[chara_night] *= 1.3
        tau0 = np.maximum(0.0008, tau_night[night_index] * rng.lognormal(0.0, 0.15, n))
        seeing = np.maximum(0.3, seeing_night[night_index] * rng.lognormal(0.0, 0.18, n))
        return {"ob": ob, "t_min": t_min, "t_max": t_max, "exptime": exptime, "setup": setup,
                "lst_start": lst_start, "lst_end": lst_end, "target": target, "ra": ra,
                "dec": dec, "night": night, "tau0": tau0, "seeing": seeing, "vlti": vlti}

    def rows_text(self, data: dict[str, Any]) -> list[list[str]]:
        """Columns (lists of strings) in the order of :data:`COLUMNS`."""
        p = self.plan
        cat = self.catalogue
        ob = data["ob"]
        n = ob.size
        setup = data["setup"]
        stamps = np.datetime_as_string(
            np.datetime64("1858-11-17T00:00:00.000")
            + np.round(data["t_min"] * 86_400_000).astype("timedelta64[ms]"), unit="ms")
        release = np.datetime_as_string(
            np.datetime64("1858-11-17T00:00:00")
            + np.round((data["t_min"] + 365.0 + np.where(data["vlti"], 0.0, 182.0))
                       * 86400).astype("timedelta64[s]"), unit="s")
        reference = np.datetime64(REFERENCE_DATE.isoformat())
        public = release.astype("datetime64[s]") <= reference
        nights = np.datetime_as_string(np.datetime64("1858-11-17")
                                       + data["night"].astype("timedelta64[D]"), unit="D")
        # Per setup: strings and mode data.
        setup_cols = []
        mode_of_program = [pr.mode for pr in self.programs]
        program = np.asarray(p.program)[ob]
        mode_index = np.asarray(mode_of_program)[program]
        for site_key, aspro, instrument, joined, equivalent, _period in self.setups:
            if site_key == "VLTI":
                name, prefix = VLTI_INSTRUMENTS[instrument][:2]
                modes = self.modes[aspro]
            else:
                name, prefix = CHARA_INSTRUMENTS[instrument][:2]
                modes = self.modes[instrument]
            diameter = load_stations(site_key)[joined.split("-")[0]].diameter
            setup_cols.append((name, prefix, modes, joined, equivalent, diameter))
        lam = np.empty(n)
        em_min = np.empty(n)
        em_max = np.empty(n)
        res = np.empty(n)
        diam = np.empty(n)
        mode_name = np.empty(n, dtype=object)
        inst_name = np.empty(n, dtype=object)
        prefixes = np.empty(n, dtype=object)
        stations = np.empty(n, dtype=object)
        configs = np.empty(n, dtype=object)
        for s, (name, prefix, modes, joined, equivalent, diameter) in enumerate(setup_cols):
            mask = setup == s
            if not mask.any():
                continue
            m = np.mod(mode_index[mask], len(modes))
            wl_min = np.array([float(x["wl_min"]) for x in modes])[m] * 1e-6
            wl_max = np.array([float(x["wl_max"]) for x in modes])[m] * 1e-6
            em_min[mask], em_max[mask] = wl_min, wl_max
            lam[mask] = (wl_min + wl_max) / 2
            res[mask] = np.array([float(x["resolving_power"]) for x in modes])[m]
            mode_name[mask] = np.array([x["mode"] for x in modes], dtype=object)[m]
            diam[mask] = diameter
            inst_name[mask], prefixes[mask] = name, prefix
            stations[mask], configs[mask] = joined, equivalent
        fov = np.degrees(lam / diam)  # single-aperture diffraction field
        obs_id = [f"{a}.{b}" for a, b in zip(prefixes.tolist(), stamps.tolist(), strict=True)]
        ra_s = [f"{x:.6f}" for x in data["ra"].tolist()]
        dec_s = [f"{x:.6f}" for x in data["dec"].tolist()]
        fov_s = [f"{x:.3e}" for x in fov.tolist()]
        region = [f"CIRCLE ICRS {a} {d} {r / 2:.3e}"
                  for a, d, r in zip(ra_s, dec_s, fov.tolist(), strict=True)]
        vlti = data["vlti"].tolist()
        programs = [self.programs[i] for i in program.tolist()]
        target = data["target"].tolist()
        science = np.asarray(p.science)[ob].tolist()
        esoid = "https://archive.eso.org/datalink/links?ID=ivo://eso.org/ID?"
        return [
            obs_id,
            ["ESO" if v else "CHARA" for v in vlti],
            ["0"] * n,
            ["visibility"] * n,
            [cat.names[t] for t in target],
            ra_s, dec_s, fov_s, region,
            [f"{x:.8f}" for x in data["t_min"].tolist()],
            [f"{x:.8f}" for x in data["t_max"].tolist()],
            [f"{x:g}" for x in data["exptime"].tolist()],
            [f"{x:g}" for x in data["exptime"].tolist()],
            [f"{x:.4e}" for x in em_min.tolist()],
            [f"{x:.4e}" for x in em_max.tolist()],
            [f"{x:g}" for x in res.tolist()],
            ["ESO-VLTI" if v else "CHARA" for v in vlti],
            inst_name.tolist(),
            [pr.code for pr in programs],
            [pr.title for pr in programs],
            [pr.pi for pr in programs],
            release.tolist(),
            ["public" if x else "proprietary" for x in public.tolist()],
            [esoid + o if v else "" for o, v in zip(obs_id, vlti, strict=True)],
            ["application/x-votable+xml;content=datalink" if v else "" for v in vlti],
            [cat.classes[t] for t in target],
            ["science" if s else "calibrator" for s in science],
            mode_name.tolist(),
            np.asarray(p.submode, dtype=object)[ob].tolist(),
            stations.tolist(),
            configs.tolist(),
            [str(x) for x in np.asarray(p.ob_id)[ob].tolist()],
            nights.tolist(),
            [f"{x:.5f}" for x in data["tau0"].tolist()],
            [f"{x:.2f}" for x in data["seeing"].tolist()],
            [f"{x:.6f}" for x in data["lst_start"].tolist()],
            [f"{x:.6f}" for x in data["lst_end"].tolist()],
        ]


CHUNK = 50_000


def _chunks(generator: LogGenerator, data: dict[str, Any]) -> Iterator[list[list[str]]]:
    count = len(data["ob"])
    for i in range(0, count, CHUNK):
        yield generator.rows_text({key: value[i:i + CHUNK] for key, value in data.items()})


def generate(rows: int, seed: int) -> Iterator[list[list[str]]]:
    """The log as successive chunks of columns of strings (order of :data:`COLUMNS`)."""
    generator = LogGenerator(seed, rows)
    yield from _chunks(generator, generator.build())


def _sequence_links(generator: LogGenerator, data: dict[str, Any]) -> dict[tuple[int, int], str]:
    """(science ob_id, calibrator ob_id) -> ``before``/``after`` as planned.

    Each science OB execution goes with the nearest calibrator execution before it and
    the nearest after it *in its own sequence* (CAL-SCI-CAL, CAL-SCI-CAL-SCI-CAL, SCI-CAL):
    the adjacency the ``calib_link`` table claims to recover. Executions the log does not
    contain (a sequence cut by morning twilight, the last OBs cut to the row count) are
    left out, so the truth describes the file as written.
    """
    plan = generator.plan
    written = sorted(set(np.unique(data["ob"]).tolist()))
    members: dict[int, list[int]] = {}
    for index in written:  # plan order is time order within a sequence
        members.setdefault(plan.sequence[index], []).append(index)
    links: dict[tuple[int, int], str] = {}
    for sequence in members.values():
        for position, index in enumerate(sequence):
            if not plan.science[index]:
                continue
            before = [i for i in sequence[:position] if not plan.science[i]]
            after = [i for i in sequence[position + 1:] if not plan.science[i]]
            if before:
                links[(plan.ob_id[index], plan.ob_id[before[-1]])] = "before"
            if after:
                links[(plan.ob_id[index], plan.ob_id[after[0]])] = "after"
    return links


def sequence_links(rows: int, seed: int) -> dict[tuple[int, int], str]:
    """The calibrator links the generator intended for ``generate(rows, seed)``.

    Maps (science ob_id, calibrator ob_id) to the calibrator's side, ``before`` or
    ``after``. Computed from the plan, so a test can score the derived links against what
    was meant rather than against what a rule finds in the times.
    """
    generator = LogGenerator(seed, rows)
    return _sequence_links(generator, generator.build())


def sequence_truth(rows: int, seed: int) -> set[tuple[int, int]]:
    """(science ob_id, calibrator ob_id) pairs adjacent in a planned sequence."""
    return set(sequence_links(rows, seed))


def write(path: Path, rows: int, seed: int, truth: Path | None = None) -> int:
    """Write the log to ``path`` (``.csv`` or ``.csv.gz``); returns the number of rows.

    With ``truth``, also write the intended calibrator links there (CSV ``sci_ob_id,
    cal_ob_id,side``, see :func:`sequence_links`); the log itself is the same either way.
    """
    count = 0
    generator = LogGenerator(seed, rows)
    data = generator.build()
    with path.open("wb") as sink:
        raw: Any = sink
        if path.suffix == ".gz":
            # mtime=0: the same seed gives a byte-identical file.
            raw = gzip.GzipFile(filename="", fileobj=sink, mode="wb", compresslevel=5, mtime=0)
        with raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COLUMNS)
            for columns in _chunks(generator, data):
                writer.writerows(zip(*columns, strict=True))
                count += len(columns[0])
    if truth is not None:
        with truth.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["sci_ob_id", "cal_ob_id", "side"])
            writer.writerows((sci, cal, side) for (sci, cal), side
                             in sorted(_sequence_links(generator, data).items()))
    return count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--rows", type=int, default=5000, help="number of exposures")
    parser.add_argument("--seed", type=int, default=2026, help="random seed")
    parser.add_argument("--out", type=Path, required=True, help="output .csv or .csv.gz")
    parser.add_argument("--truth", type=Path, default=None,
                        help="also write the intended CAL-SCI-CAL links to this CSV "
                             "(sci_ob_id,cal_ob_id,side)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    count = write(args.out, args.rows, args.seed, args.truth)
    print(f"{count} rows written to {args.out} in {time.perf_counter() - start:.1f} s",
          file=sys.stderr)


if __name__ == "__main__":
    main()
