"""Equivalent offered configuration of observed stations (per-period tables)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from obsportal.harvesters.derive.configurations import (
    QUALITIES,
    chara_semester_of,
    equivalent_configuration,
    eso_period_of,
    offered_in_period,
    period_configurations,
)
from obsportal.harvesters.derive.stations import load_stations


def test_period_and_semester_of_a_night() -> None:
    assert eso_period_of(date(2022, 10, 1)) == 110
    assert eso_period_of(date(2023, 3, 31)) == 110
    assert eso_period_of(date(2023, 4, 1)) == 111
    assert chara_semester_of(date(2024, 6, 30)) == "2024A"
    assert chara_semester_of(date(2024, 7, 1)) == "2024B"


def test_tables_name_known_stations_and_categories() -> None:
    configs = period_configurations()
    assert len(configs) > 200
    for c in configs:
        known = load_stations(c.interferometer)
        assert all(s in known for s in c.stations), c
        assert c.name == "-".join(c.stations)
        assert c.category in {"", "small", "medium", "large", "astrometric", "extended", "UTs"}


def test_offered_in_p110_are_the_call_for_proposals_ones() -> None:
    names = {(c.category, c.name) for c in offered_in_period("VLTI", "110", "GRAVITY")}
    assert names == {("UTs", "UT1-UT2-UT3-UT4"), ("small", "A0-B2-D0-C1"),
                     ("medium", "K0-G2-D0-J3"), ("large", "A0-G1-J2-J3"),
                     ("astrometric", "A0-G1-J2-K0")}


def test_unit_telescopes_from_eso_header_names() -> None:
    match = equivalent_configuration(["U1", "U2", "U3", "U4"], date(2023, 1, 5))
    assert match is not None
    assert (match.quality, match.name, match.configuration.category, match.period) == \
        ("exact", "UT1-UT2-UT3-UT4", "UTs", "110")
    assert equivalent_configuration("U4-U3-U2-U1", 110).quality == "exact"  # type: ignore[union-attr]


def test_exact_in_any_order() -> None:
    match = equivalent_configuration("C1 D0 B2 A0", date(2024, 12, 1), instrument="GRAVITY")
    assert match is not None and match.quality == "exact" and match.name == "A0-B2-D0-C1"
    assert match.configuration.category == "small" and match.period == "114"


def test_subset_for_a_three_telescope_observation() -> None:
    match = equivalent_configuration("A0-B2-D0", 110)
    assert match is not None and match.quality == "subset" and match.name == "A0-B2-D0-C1"


def test_reconfiguration_intermediate() -> None:
    match = equivalent_configuration("A0-G1-D0-C1", 110)
    assert match is not None and match.quality == "intermediate"
    assert match.configuration.transition == "Large -> Small"


def test_nearest_by_baselines() -> None:
    match = equivalent_configuration("A0-B3-D0-C1", 110)  # B3 next to B2: not offered
    assert match is not None and match.quality == "nearest"
    assert match.name == "A0-B2-D0-C1" and 0 < match.rms < 10


def test_chara() -> None:
    match = equivalent_configuration("S1-S2-E1-E2-W1-W2", date(2024, 3, 1), "CHARA")
    assert match is not None and match.quality == "exact" and match.period == "2024A"
    five = equivalent_configuration("W1 S2 S1 E1", "2025B", "CHARA", "MIRCX-MYSTIC")
    assert five is not None and five.quality == "exact"


def test_nothing_offered_or_unknown_station() -> None:
    assert equivalent_configuration("A0-B3-D0-C1", 60) is None  # never offered, P60 empty
    assert equivalent_configuration("A0-Z9-D0", 110) is None
    assert equivalent_configuration("A0", 110) is None  # one station is no configuration


def test_other_period_when_the_period_does_not_offer_the_set() -> None:
    # GRAVITY's 2016 commissioning (P96) used A0-G1-J2-K0, offered from P100.
    match = equivalent_configuration(["A0", "G1", "J2", "K0"], date(2016, 1, 8), "VLTI",
                                     "GRAVITY")
    assert match is not None and (match.quality, match.name, match.period) == \
        ("other-period", "A0-G1-J2-K0", "96")
    assert match.configuration.period_from == "100"
    # P95 and CHARA 2019A-2021A are absent from ASPRO2: the closest period offering the set.
    p95 = equivalent_configuration("A0-B2-D0-C1", 95)
    assert p95 is not None and p95.quality == "other-period"
    assert p95.configuration.period_from == "96"
    chara = equivalent_configuration("S1-S2-E1-E2-W1-W2", "2020A", "CHARA", "MIRCX-MYSTIC")
    assert chara is not None and (chara.quality, chara.name) == \
        ("other-period", "E1-W2-W1-S2-S1-E2")


def test_quality_ranking() -> None:
    # In the period first (exact, intermediate, subset), then the set in another period,
    # then the nearest baselines of the period.
    assert equivalent_configuration("A0-B2-D0-J6", 110, "VLTI", "GRAVITY").quality == \
        "intermediate"  # type: ignore[union-attr]
    assert equivalent_configuration("A0-B2-D0", 110).quality == "subset"  # type: ignore[union-attr]
    assert equivalent_configuration("A0-B3-D0-C1", 110).quality == "nearest"  # type: ignore[union-attr]
    assert {q for q in QUALITIES} == {"exact", "intermediate", "subset", "other-period",
                                      "nearest"}


def test_agrees_with_aspro2_offered_table(shared_dir: Path) -> None:
    path = shared_dir / "external/data/aspro-config/offered_configurations.csv"
    with path.open() as handle:
        for row in csv.DictReader(handle):
            if row["interferometer"] != "VLTI" or not row["version"].startswith("Period"):
                continue
            period = row["version"].split()[1]
            match = equivalent_configuration(row["stations"], period, "VLTI",
                                             row["instrument"])
            assert match is not None and match.quality == "exact", row
