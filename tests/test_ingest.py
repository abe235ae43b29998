"""``harvest obscore-table`` on both backends: good, bad and repeated files."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from astropy.table import Table as AstropyTable
from obscore_rows import COLUMNS, make_rows, write_csv
from typer.testing import CliRunner

from obsportal.harvesters.runner import harvest_files
from obsportal.harvesters.stcs import RegionError, normalise_region
from obsportal.service.cli import app
from obsportal.service.settings import get_settings


def _name(engine: sa.Engine, qualified: str) -> str:
    return qualified if engine.dialect.name == "postgresql" else qualified.replace(".", "_")


def _count(engine: sa.Engine, qualified: str, where: str = "") -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(
            f"SELECT count(*) FROM {_name(engine, qualified)} {where}")).scalar_one())


def test_good_file_fills_domain_tables_and_the_obscore_view(any_engine: sa.Engine,
                                                            tmp_path: Path) -> None:
    path = write_csv(tmp_path / "log.csv", list(make_rows(40)))
    report = harvest_files(any_engine, [path])
    assert report.ok and report.new == 40 and report.updated == 0
    assert _count(any_engine, "ivoa.obscore") == 40
    assert _count(any_engine, "obsportal.ob_exec") == 10
    assert _count(any_engine, "obsportal.program") == 7
    assert _count(any_engine, "obsportal.target") == 10
    with any_engine.connect() as conn:
        row = conn.execute(sa.text(
            f"SELECT * FROM {_name(any_engine, 'ivoa.obscore')} "
            "WHERE obs_id = 'GRAVI.2023-02-0000005'")).mappings().one()
        ob = conn.execute(sa.text(
            f"SELECT mjd_start, mjd_end, role, stations_sorted, lst_start "
            f"FROM {_name(any_engine, 'obsportal.ob_exec')} WHERE ob_id = 3000001"
        )).mappings().one()
    assert row["obs_type"] == "science" and row["calib_level"] == 0
    assert row["interferometer_stations"] == "A0 G1 J2 K0"
    assert row["proposal_id"] == "0110.C-0001(A)" and row["obs_title"] == "Young stellar discs"
    assert row["instrument_name"] == "GRAVITY" and row["ob_id"] == 3000001
    assert row["s_region"].startswith("CIRCLE ICRS 15.37")
    assert row["obs_publisher_did"] == "ivo://obsportal.local/ESO?GRAVI.2023-02-0000005"
    assert row["exp_seeing"] == pytest.approx(0.8)
    assert ob["role"] == "SCI" and ob["stations_sorted"] == "A0 G1 J2 K0"
    assert ob["mjd_start"] == pytest.approx(60000.03)
    assert ob["mjd_end"] == pytest.approx(60000.03 + 3 * 0.004 + 0.0035)
    assert ob["lst_start"] == pytest.approx(10.5)
    links = _count(any_engine, "obsportal.calib_link")
    science_obs = _count(any_engine, "obsportal.ob_exec", "WHERE role = 'SCI'")
    assert science_obs <= links <= 2 * science_obs


def test_reloading_updates_and_never_duplicates(any_engine: sa.Engine, tmp_path: Path) -> None:
    rows = list(make_rows(12_000))
    first = harvest_files(any_engine, [write_csv(tmp_path / "a.csv.gz", rows)])
    assert first.new == 12_000
    changed = list(make_rows(12_000, seeing=1.3))
    second = harvest_files(any_engine, [write_csv(tmp_path / "b.csv", changed)])
    assert second.new == 0 and second.updated == 12_000
    assert _count(any_engine, "ivoa.obscore") == 12_000
    assert _count(any_engine, "obsportal.exposure", "WHERE seeing = 1.3") == 12_000
    assert _count(any_engine, "obsportal.ob_exec") == 3000


def test_bad_rows_are_reported_by_line_and_the_rest_loads(any_engine: sa.Engine,
                                                          tmp_path: Path) -> None:
    rows = list(make_rows(10))
    rows[1]["s_ra"] = "12h30m"                        # line 3
    rows[3]["t_max"] = "59000"                        # line 5: ends before it starts
    rows[5]["s_region"] = "BOX GALACTIC 1 2 3 4"      # line 7
    rows[6]["obs_id"] = ""                            # line 8
    rows[8]["s_dec"] = "-95"                          # line 10
    path = write_csv(tmp_path / "bad.csv", rows)
    with path.open("a") as handle:
        handle.write("too,few,fields\n")              # line 12
    report = harvest_files(any_engine, [path])
    assert [b.line for b in report.bad_rows] == [3, 5, 7, 8, 10, 12]
    messages = [b.message for b in report.bad_rows]
    assert "s_ra" in messages[0] and "12h30m" in messages[0]
    assert "before t_min" in messages[1]
    assert "BOX" in messages[2] or "GALACTIC" in messages[2]
    assert "obs_id" in messages[3]
    assert "fields" in messages[5]
    assert report.new == 5
    assert _count(any_engine, "ivoa.obscore") == 5


def test_unknown_columns_and_unreadable_files_are_reported(any_engine: sa.Engine,
                                                           tmp_path: Path) -> None:
    rows = list(make_rows(4))
    for row in rows:
        row["flux_k"] = "3.2"
    good = write_csv(tmp_path / "extra.csv", rows, [*COLUMNS, "flux_k"])
    no_id = write_csv(tmp_path / "noid.csv", rows, ["target_name", "s_ra"])
    garbage = tmp_path / "garbage.csv.gz"
    garbage.write_bytes(b"\x1f\x8b\x08 not really gzip")
    report = harvest_files(any_engine, [no_id, garbage, good, tmp_path / "missing.csv"])
    assert report.unknown_columns == {str(good): ["flux_k"]}
    assert any("obs_id" in f for f in report.failed_files)
    assert any("missing.csv" in f for f in report.failed_files)
    assert any("garbage" in b.path for b in report.bad_rows) or any(
        "garbage" in f for f in report.failed_files)
    assert report.new == 4


def test_votable_input(any_engine: sa.Engine, tmp_path: Path) -> None:
    rows = list(make_rows(8))
    table = AstropyTable(rows=[[r[c] for c in COLUMNS] for r in rows], names=COLUMNS)
    for name in ("s_ra", "s_dec", "t_min", "t_max"):
        table[name] = table[name].astype(float)
    path = tmp_path / "log.vot"
    table.write(path, format="votable")
    report = harvest_files(any_engine, [path])
    assert report.ok and report.new == 8
    assert _count(any_engine, "ivoa.obscore", "WHERE s_dec < -58.5") == 8


def test_products_go_to_the_product_table(any_engine: sa.Engine, tmp_path: Path) -> None:
    rows = list(make_rows(4))
    product = dict(rows[0], obs_id="GRAVI.OIFITS.1", calib_level=2,
                   dataproduct_type="visibility")
    report = harvest_files(any_engine, [write_csv(tmp_path / "p.csv", [*rows, product])])
    assert report.new == 5
    assert _count(any_engine, "obsportal.data_product") == 1
    assert _count(any_engine, "ivoa.obscore", "WHERE calib_level = 2") == 1


@pytest.mark.parametrize(("text", "expected"), [
    ("CIRCLE ICRS 10 -20 0.01", "CIRCLE ICRS 10.0 -20.0 0.01"),
    ("Circle ICRS TOPOCENTER 370 -20 0.01", "CIRCLE ICRS 10.0 -20.0 0.01"),
    ("POLYGON J2000 1 1 2 1 2 2", "POLYGON ICRS 1.0 1.0 2.0 1.0 2.0 2.0"),
    ("10 -20 0.5", "CIRCLE ICRS 10.0 -20.0 0.5"),
    ("1 1 2 1 2 2 1 2", "POLYGON ICRS 1.0 1.0 2.0 1.0 2.0 2.0 1.0 2.0"),
])
def test_regions_are_normalised(text: str, expected: str) -> None:
    assert normalise_region(text) == expected


@pytest.mark.parametrize("text", ["CIRCLE GALACTIC 1 2 3", "CIRCLE ICRS 1 2", "POLYGON 1 2 3 4",
                                  "CIRCLE ICRS 1 95 1", "1 2", "CIRCLE ICRS a b c"])
def test_bad_regions_are_refused(text: str) -> None:
    with pytest.raises(RegionError):
        normalise_region(text)


def test_cli_names_bad_lines_and_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OBSPORTAL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("OBSPORTAL_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    rows = list(make_rows(6))
    rows[2]["t_min"] = "yesterday"
    path = write_csv(tmp_path / "cli.csv", rows)
    result = CliRunner().invoke(app, ["harvest", "obscore-table", str(path)])
    get_settings.cache_clear()
    assert result.exit_code == 1, result.output
    assert "5 new" in result.output
    assert f"{path}:4: column t_min" in result.output


def test_a_new_name_at_a_known_position_is_an_alias(any_engine: sa.Engine,
                                                    tmp_path: Path) -> None:
    rows = list(make_rows(8))
    harvest_files(any_engine, [write_csv(tmp_path / "a.csv", rows)])
    renamed = dict(rows[0], obs_id="OTHER.1", target_name="IRAS 00000+0000",
                   s_ra=str(float(rows[0]["s_ra"]) + 1 / 3600))
    harvest_files(any_engine, [write_csv(tmp_path / "b.csv", [renamed])])
    assert _count(any_engine, "obsportal.target") == 2  # no third object
    with any_engine.connect() as conn:
        aliases = conn.execute(sa.text(
            f"SELECT aliases FROM {_name(any_engine, 'obsportal.target')} "
            "WHERE aliases IS NOT NULL")).scalar_one()
    assert aliases == "IRAS 00000+0000"
