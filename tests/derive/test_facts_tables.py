"""The project's fact tables (harvesters/data) and the station/site API over them."""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from obsportal.harvesters.derive.stations import (
    baseline_lengths,
    baseline_vector,
    baselines,
    eso_station_name,
    load_sites,
    load_stations,
    normalise_station,
    read_facts,
    site_of,
    split_stations,
    station_position,
)

DATA_FILES = ["vlti_stations.csv", "chara_stations.csv", "vlti_configurations.csv",
              "chara_configurations.csv", "sites.csv"]


@pytest.mark.parametrize("name", DATA_FILES)
def test_every_fact_file_cites_its_source(name: str) -> None:
    text = resources.files("obsportal.harvesters.data").joinpath(name).read_text()
    comments = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    assert "aspro-conf @ dd2d3de4bc3f" in comments
    assert "GPL-3.0" in comments
    assert read_facts(name)  # rows after the comments


def test_station_tables() -> None:
    vlti, chara = load_stations("VLTI"), load_stations("CHARA")
    assert len(vlti) == 35 and len(chara) == 6
    assert {s.diameter for s in vlti.values() if s.telescope == "UT"} == {8.0}
    assert {s.diameter for s in vlti.values() if s.telescope == "AT"} == {1.8}
    assert {s.diameter for s in chara.values()} == {1.0}
    assert load_stations("ESO-VLTI") == vlti


def test_stations_agree_with_aspro2_derived_table(shared_dir: Path) -> None:
    path = shared_dir / "external/data/aspro-config/stations_enu.csv"
    with path.open() as handle:
        for row in csv.DictReader(handle):
            s = station_position(row["interferometer"], row["station"])
            assert s.enu == pytest.approx([float(row["E_m"]), float(row["N_m"]),
                                           float(row["U_m"])], abs=1e-4)


def test_unit_telescope_names() -> None:
    assert normalise_station("U1") == "UT1" and normalise_station(" ut4 ") == "UT4"
    assert normalise_station("a0") == "A0" and normalise_station("U5") == "U5"
    assert eso_station_name("UT2") == "U2" and eso_station_name("U3") == "U3"
    assert eso_station_name("K0") == "K0"
    assert split_stations("U1-U2 U3,U4") == ["UT1", "UT2", "UT3", "UT4"]
    assert station_position("VLTI", "U3") == station_position("VLTI", "UT3")
    with pytest.raises(KeyError, match="unknown station"):
        station_position("VLTI", "Z9")


def test_baselines() -> None:
    v = baseline_vector("VLTI", "A0", "G1")
    a0, g1 = station_position("VLTI", "A0"), station_position("VLTI", "G1")
    assert v == pytest.approx([g1.east - a0.east, g1.north - a0.north, 0.0])
    assert np.linalg.norm(v) == pytest.approx(90.6, abs=0.1)  # ESO's A0-G1: 90 m class
    assert baseline_vector("VLTI", "G1", "A0") == pytest.approx(-v)
    pairs = baselines("VLTI", ["U1", "U2", "U3", "U4"])
    assert [(a, b) for a, b, _ in pairs] == [("UT1", "UT2"), ("UT1", "UT3"), ("UT1", "UT4"),
                                             ("UT2", "UT3"), ("UT2", "UT4"), ("UT3", "UT4")]
    lengths = baseline_lengths("VLTI", ["UT1", "UT2", "UT3", "UT4"])
    assert lengths[0] == pytest.approx(46.6, abs=0.1)  # UT2-UT3
    assert lengths[-1] == pytest.approx(130.2, abs=0.1)  # UT1-UT4
    chara = baseline_lengths("CHARA", ["S1", "E1"])
    assert chara == [pytest.approx(330.7, abs=0.1)]  # CHARA's longest baseline


def test_sites() -> None:
    sites = load_sites()
    paranal, wilson = sites["VLTI"], sites["CHARA"]
    assert paranal.name == "Cerro Paranal" and wilson.name == "Mount Wilson"
    assert (paranal.latitude, paranal.longitude, paranal.height) == \
        pytest.approx((-24.62743941, -70.40498688, 2669.0))
    assert (wilson.latitude, wilson.longitude) == pytest.approx((34.22438369, -118.05703131))
    assert paranal.timezone == "America/Santiago" and wilson.timezone == "America/Los_Angeles"
    assert site_of("ESO-VLTI") is paranal


def test_one_table_per_fact() -> None:
    """Stations and configurations live in the per-interferometer tables only."""
    data = resources.files("obsportal.harvesters.data")
    for retired in ("stations.csv", "offered_configurations.csv"):
        assert not data.joinpath(retired).is_file(), retired
