"""Generate a realistic, synthetic interferometric observation log (ObsCore-table CSV).

    python bench/generate_log.py --rows 100000 --seed 1 --out log.csv.gz

One row per raw exposure (calib_level 0) in the form ``obsportal harvest
obscore-table`` loads: ObsCore columns plus the extension columns. The
structure follows how VLTI and CHARA observe: nights of an ESO period or
CHARA semester, each with one instrument on one offered configuration of
that period (from ``harvesters/data/offered_configurations.csv``), a
sequence of CAL-SCI-CAL OB executions on targets near transit, several
exposures per OB, LST computed from the MJD at the site, and ambient
conditions drawn from plausible distributions. Target names, positions,
programmes and PIs are invented; deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import math
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "harvesters" / "data"

COLUMNS = ["obs_id", "obs_collection", "calib_level", "dataproduct_type", "target_name",
           "s_ra", "s_dec", "s_fov", "s_region", "t_min", "t_max", "t_exptime", "em_min",
           "em_max", "em_res_power", "facility_name", "instrument_name", "proposal_id",
           "obs_title", "obs_creator_name", "obs_release_date", "data_rights", "access_url",
           "access_format", "target_class", "obs_type", "instrument_mode",
           "instrument_submode", "interferometer_stations", "configuration", "ob_id", "night",
           "exp_tau0", "exp_seeing", "exp_lst_start", "exp_lst_end"]

PIS = ["A. Mérand", "J.-B. Le Bouquin", "F. Millour", "S. Kraus", "J. Monnier", "G. Duvert",
       "K. Perraut", "E. Lagadec", "R. Petrov", "A. Matter", "J. Varga", "M. Wittkowski",
       "A. Chiavassa", "D. Mourard", "N. Anugu", "G. Schaefer", "T. ten Brummelaar", "L. Labadie"]
TITLES = ["Inner rims of Herbig Ae/Be discs", "Orbits of massive binaries",
          "Surface convection of red supergiants", "Dust formation in AGB winds",
          "Be star decretion discs", "Sizes of exoplanet host stars",
          "The broad-line region of bright AGN", "Cepheid pulsation and distances",
          "Young stellar object accretion", "Spots on magnetic active stars",
          "Rotational flattening of fast rotators", "Wolf-Rayet colliding winds"]
CLASSES = ["YSO", "Be star", "AGB star", "Red supergiant", "Binary", "Cepheid", "AGN",
           "Main sequence star", "Wolf-Rayet", "Giant"]

VLTI_EXPOSURE = {"GRAVITY": (300.0, 6), "MATISSE": (60.0, 8), "PIONIER": (60.0, 5),
                 "AMBER": (120.0, 5)}
CHARA_EXPOSURE = (150.0, 4)
DP_PREFIX = {"GRAVITY": "GRAVI", "MATISSE": "MATISSE", "PIONIER": "PIONI", "AMBER": "AMBER"}


@dataclass(frozen=True)
class Site:
    name: str
    facility: str
    latitude: float
    longitude: float
    utc_offset_h: float  # mean local offset, for "night" and evening start


@dataclass
class Target:
    name: str
    ra: float
    dec: float
    target_class: str | None


def read_facts(name: str) -> list[dict[str, str]]:
    with (DATA / name).open() as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def gmst_hours(mjd: float) -> float:
    """Greenwich mean sidereal time (IAU 1982 expression), in hours."""
    t = (mjd - 51544.5) / 36525.0
    seconds = (67310.54841 + (876600.0 * 3600.0 + 8640184.812866) * t + 0.093104 * t * t
               - 6.2e-6 * t ** 3)
    return (seconds / 3600.0) % 24.0


def lst_hours(mjd: float, longitude: float) -> float:
    return (gmst_hours(mjd) + longitude / 15.0) % 24.0


def eso_period(day: date) -> int:
    """ESO period of a date: P110 runs from 2022-10-01 to 2023-03-31."""
    if day.month >= 10:
        return 2 * (day.year - 2022) + 110
    if day.month >= 4:
        return 2 * (day.year - 2022) + 109
    return 2 * (day.year - 2023) + 110


def chara_semester(day: date) -> str:
    return f"{day.year}{'A' if day.month <= 6 else 'B'}"


class LogGenerator:
    """Builds nights of CAL-SCI-CAL sequences and yields exposure rows."""

    def __init__(self, seed: int, rows: int) -> None:
        self.rng = random.Random(seed)
        self.rows = rows
        sites = {r["interferometer"]: r for r in read_facts("sites.csv")}
        self.vlti = Site("VLTI", "ESO-VLTI", float(sites["VLTI"]["latitude"]),
                         float(sites["VLTI"]["longitude"]), -4.0)
        self.chara = Site("CHARA", "CHARA", float(sites["CHARA"]["latitude"]),
                          float(sites["CHARA"]["longitude"]), -8.0)
        self.modes: dict[str, list[dict[str, str]]] = {}
        for mode in read_facts("instrument_modes.csv"):
            self.modes.setdefault(mode["instrument"], []).append(mode)
        self.configs: dict[tuple[str, str], list[dict[str, str]]] = {}
        for conf in read_facts("offered_configurations.csv"):
            self.configs.setdefault((conf["period"], conf["instrument"]), []).append(conf)
        n_science = max(40, rows // 60)
        self.science = [self._target(i, science=True) for i in range(n_science)]
        self.calibrators = {t.name: [self._calibrator(t, k) for k in range(3)]
                            for t in self.science}
        self.ob_counter = 2_000_000 + self.rng.randrange(100_000)
        self.programs: dict[str, tuple[str, str, str]] = {}

    # -- catalogue --------------------------------------------------------------------
    def _target(self, index: int, science: bool) -> Target:
        rng = self.rng
        # Declinations observable from at least one site, most from Paranal.
        dec = math.degrees(math.asin(rng.uniform(-0.97, 0.8)))
        ra = rng.uniform(0.0, 360.0)
        prefix = rng.choice(["HD", "HD", "HD", "HIP", "V*", "IRAS"])
        number = 1000 + index * 37 + rng.randrange(30)
        name = f"{prefix} {number}" if prefix != "V*" else f"V* {chr(65 + index % 26)}{index} Sco"
        return Target(name, ra, dec, rng.choice(CLASSES) if science else None)

    def _calibrator(self, science: Target, k: int) -> Target:
        rng = self.rng
        dec = max(-89.0, min(89.0, science.dec + rng.uniform(-6, 6)))
        ra = (science.ra + rng.uniform(-6, 6) / max(0.1, math.cos(math.radians(dec)))) % 360
        number = 200_000 + rng.randrange(99_000)
        return Target(f"HD {number}", ra, dec, "Giant")

    # -- programmes -----------------------------------------------------------------------
    def _program(self, site: Site, day: date) -> tuple[str, str, str]:
        rng = self.rng
        if site.name == "VLTI":
            period = eso_period(day)
            if period < 110:  # run ids before P110: 0108.C-0123(A)
                code = f"{period:04d}.{rng.choice('CCD')}-{rng.randrange(1, 900):04d}(A)"
            else:  # since P110: 110.2474.001
                code = f"{period}.{rng.randrange(2000, 2700):04d}.{rng.randrange(1, 4):03d}"
        else:
            code = f"{chara_semester(day)}-{rng.choice(['M', 'S', 'G'])}{rng.randrange(1, 25):02d}"
        if code not in self.programs:
            self.programs[code] = (code, rng.choice(TITLES), rng.choice(PIS))
        return self.programs[code]

    def _configuration(self, site: Site, day: date, instrument: str) -> tuple[str, str]:
        if site.name == "VLTI":
            period = eso_period(day)
            aspro = {"MATISSE": "MATISSE_LM", "PIONIER": "PIONIER_2"}.get(instrument,
                                                                          instrument)
            for p in range(period, 99, -1):
                options = self.configs.get((str(p), aspro))
                if options:
                    conf = self.rng.choice(options)
                    return conf["stations"], conf["stations"].replace(" ", "-")
            return "A0 B2 D0 C1", "A0-B2-D0-C1"
        semester = chara_semester(day)
        aspro = {"MIRC-X": "MIRCX-MYSTIC", "MYSTIC": "MIRCX-MYSTIC"}.get(instrument, instrument)
        options = self.configs.get((semester, aspro)) or self.configs.get(("2024A", aspro), [])
        six = [c for c in options if len(c["stations"].split()) >= 4] or options
        if six:
            conf = self.rng.choice(six)
            return conf["stations"], conf["stations"].replace(" ", "-")
        return "S1 S2 E1 E2 W1 W2", "S1-S2-E1-E2-W1-W2"

    # -- the log -------------------------------------------------------------------------
    def rows_iter(self) -> Iterator[dict[str, Any]]:
        produced = 0
        day = date(2021, 4, 1)
        # Spread small logs over ~4.5 years; large ones get a night (almost) every day.
        mean_step = max(1.0, 1650.0 / max(1.0, self.rows / 100.0))
        while produced < self.rows:
            for row in self._night(day):
                yield row
                produced += 1
                if produced >= self.rows:
                    return
            day += timedelta(days=max(1, round(self.rng.expovariate(1.0 / mean_step))))

    def _night(self, day: date) -> Iterator[dict[str, Any]]:
        rng = self.rng
        site = self.vlti if rng.random() < 0.75 else self.chara
        if site is self.vlti:
            instrument = rng.choices(["GRAVITY", "MATISSE", "PIONIER", "AMBER"],
                                     [5, 3, 3, 1])[0]
        else:
            instrument = rng.choices(["MIRC-X", "MYSTIC", "SPICA", "VEGA"], [4, 2, 2, 1])[0]
        stations, configuration = self._configuration(site, day, instrument)
        mode = rng.choice(self.modes[instrument])
        program = self._program(site, day)
        # Evening twilight ~19:30 local; the night lasts ~9-10 h.
        mjd0 = (day - date(1858, 11, 17)).days + (19.5 - site.utc_offset_h) / 24.0
        mjd_end = mjd0 + rng.uniform(8.5, 10.0) / 24.0
        mjd = mjd0 + rng.uniform(0, 0.5) / 24.0
        exptime, n_exp = (VLTI_EXPOSURE[instrument] if site is self.vlti else CHARA_EXPOSURE)
        release = day + timedelta(days=365 + 1)
        while mjd < mjd_end:
            lst = lst_hours(mjd, site.longitude)
            science = self._observable_science(site, lst)
            if science is None:
                mjd += 0.5 / 24
                continue
            if rng.random() < 0.1:  # a new programme in the same night
                program = self._program(site, day)
            calibrators = self.calibrators[science.name]
            sequence = [(calibrators[0], "calibrator"), (science, "science"),
                        (calibrators[1], "calibrator")]
            if rng.random() < 0.3:
                sequence += [(science, "science"), (calibrators[2], "calibrator")]
            for target, role in sequence:
                self.ob_counter += 1
                ob_id = self.ob_counter if site is self.vlti else None
                submode = (rng.choice(["SINGLE_ON", "DUAL_ON", "SINGLE_OFF"])
                           if instrument == "GRAVITY" else "")
                for _ in range(rng.randint(max(2, n_exp - 2), n_exp + 2)):
                    yield self._exposure(site, day, instrument, mode, submode, stations,
                                         configuration, program, target, role, ob_id, mjd,
                                         exptime, release)
                    mjd += (exptime + rng.uniform(20, 90)) / 86400.0
                mjd += rng.uniform(5, 30) / 1440.0  # acquisition of the next OB
                if mjd >= mjd_end:
                    return

    def _observable_science(self, site: Site, lst: float) -> Target | None:
        rng = self.rng
        for _ in range(30):
            target = rng.choice(self.science)
            hour_angle = ((lst - target.ra / 15.0 + 12.0) % 24.0) - 12.0
            altitude = _altitude(site.latitude, target.dec, hour_angle)
            if abs(hour_angle) < 3.0 and altitude > 35.0:
                return target
        return None

    def _exposure(self, site: Site, day: date, instrument: str, mode: dict[str, str],
                  submode: str, stations: str, configuration: str, program: tuple[str, str, str],
                  target: Target, role: str, ob_id: int | None, mjd: float, exptime: float,
                  release: date) -> dict[str, Any]:
        rng = self.rng
        # Header pointing scatter: a few arcsec, sometimes much worse.
        scatter = rng.gauss(0, 1.5 / 3600) if rng.random() < 0.97 else rng.gauss(0, 60 / 3600)
        ra = (target.ra + scatter / max(0.05, math.cos(math.radians(target.dec)))) % 360.0
        dec = max(-90.0, min(90.0, target.dec + rng.gauss(0, 1.5 / 3600)))
        t_max = mjd + exptime / 86400.0
        seconds = (mjd % 1) * 86400
        stamp = (f"{(date(1858, 11, 17) + timedelta(days=int(mjd))).isoformat()}T"
                 f"{int(seconds // 3600):02d}:{int(seconds % 3600 // 60):02d}:"
                 f"{seconds % 60:06.3f}")
        prefix = DP_PREFIX.get(instrument, f"CHARA.{instrument.replace('-', '')}")
        obs_id = f"{prefix}.{stamp}"
        uts = stations.startswith("UT")
        fov = 0.06 / 3600 if uts else 0.25 / 3600
        if site is self.chara:
            fov = 0.8 / 3600
        code, title, pi = program
        proprietary = release > date(2026, 11, 1)
        return {
            "obs_id": obs_id, "obs_collection": "ESO" if site is self.vlti else "CHARA",
            "calib_level": 0, "dataproduct_type": "visibility", "target_name": target.name,
            "s_ra": f"{ra:.7f}", "s_dec": f"{dec:.7f}", "s_fov": f"{fov:.3e}",
            "s_region": f"CIRCLE ICRS {ra:.7f} {dec:.7f} {fov / 2:.3e}",
            "t_min": f"{mjd:.7f}", "t_max": f"{t_max:.7f}", "t_exptime": f"{exptime:g}",
            "em_min": f"{float(mode['wl_min']) * 1e-6:.4e}",
            "em_max": f"{float(mode['wl_max']) * 1e-6:.4e}",
            "em_res_power": mode["resolving_power"], "facility_name": site.facility,
            "instrument_name": instrument, "proposal_id": code, "obs_title": title,
            "obs_creator_name": pi, "obs_release_date": f"{release.isoformat()}T00:00:00",
            "data_rights": "proprietary" if proprietary else "public",
            "access_url": (f"https://archive.eso.org/datalink/links?ID=ivo://eso.org/ID?{obs_id}"
                           if site is self.vlti else ""),
            "access_format": "application/x-votable+xml;content=datalink"
            if site is self.vlti else "",
            "target_class": target.target_class or "", "obs_type": role,
            "instrument_mode": mode["mode"],
            "instrument_submode": submode,
            "interferometer_stations": stations, "configuration": configuration,
            "ob_id": ob_id if ob_id is not None else "", "night": day.isoformat(),
            "exp_tau0": f"{max(0.0005, rng.lognormvariate(math.log(0.0045), 0.5)):.5f}",
            "exp_seeing": f"{max(0.3, rng.lognormvariate(math.log(0.75), 0.3)):.2f}",
            "exp_lst_start": f"{lst_hours(mjd, site.longitude):.5f}",
            "exp_lst_end": f"{lst_hours(t_max, site.longitude):.5f}",
        }


def _altitude(latitude: float, dec: float, hour_angle_h: float) -> float:
    lat, d, h = (math.radians(latitude), math.radians(dec), math.radians(hour_angle_h * 15))
    return math.degrees(math.asin(math.sin(lat) * math.sin(d)
                                  + math.cos(lat) * math.cos(d) * math.cos(h)))


def write(path: Path, rows: int, seed: int) -> int:
    opener: Any = gzip.open if path.suffix == ".gz" else open
    count = 0
    with opener(path, "wt", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        for row in LogGenerator(seed, rows).rows_iter():
            writer.writerow(row)
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    start = time.perf_counter()
    count = write(args.out, args.rows, args.seed)
    print(f"{count} rows written to {args.out} in {time.perf_counter() - start:.1f} s",
          file=sys.stderr)


if __name__ == "__main__":
    main()
