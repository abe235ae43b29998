"""The declarative schema against the standards, and TAP_SCHEMA against the schema."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import sqlalchemy as sa

from obsportal.schema import CATALOG, AdqlType
from obsportal.schema.obscore import OBSCORE, OBSCORE_UTYPE
from obsportal.schema.obsplan import OBSPLAN
from obsportal.schema.sql import build_metadata

DATA = Path(__file__).parent / "data"


def _standard_rows() -> list[dict[str, str]]:
    with (DATA / "obscore-1.1-mandatory.csv").open() as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


@pytest.mark.parametrize("expected", _standard_rows(), ids=lambda r: r["name"])
def test_obscore_mandatory_column_matches_standard(expected: dict[str, str]) -> None:
    col = OBSCORE.column(expected["name"])
    assert col.votable.datatype == expected["datatype"]
    assert (col.unit or "") == expected["unit"]
    assert (col.ucd or "") == expected["ucd"]
    assert (col.utype or "").lower() == expected["utype"].lower()
    assert col.std and col.published


def test_obscore_has_every_mandatory_and_the_extension_columns() -> None:
    names = [c.name for c in OBSCORE.published_columns]
    assert len(_standard_rows()) == 30
    for row in _standard_rows():
        assert row["name"] in names
    for extra in ("proposal_id", "obs_release_date", "data_rights", "obs_creator_name",
                  "target_class", "obs_type", "instrument_mode", "instrument_submode",
                  "interferometer_stations", "configuration", "ob_id", "night", "exp_tau0",
                  "exp_seeing"):
        assert extra in names
    assert len(names) == len(set(names))
    assert OBSCORE.utype == OBSCORE_UTYPE and OBSCORE.kind == "view"
    assert OBSCORE.column("s_region").votable.datatype == "char"


def test_obsplan_follows_obsloctap() -> None:
    required = {c.name for c in OBSPLAN.published_columns if not c.nullable and c.std}
    assert required == {"t_planning", "obs_id", "facility_name", "category", "priority",
                        "execution_status", "tracking_type"}
    assert OBSPLAN.utype == "ivo://ivoa.net/std/obsloctap#table-1.0"
    assert OBSPLAN.column("t_planning").datatype is AdqlType.DOUBLE
    assert OBSPLAN.column("target_name").utype == "Target.name"
    # Ownership columns exist for access control but are never published.
    assert {c.name for c in OBSPLAN.columns} - {c.name for c in OBSPLAN.published_columns} \
        >= {"team_id"}


def test_never_published_tables_stay_out_of_the_catalog() -> None:
    published = {t.qualified_name for t in CATALOG.published_tables}
    assert "uws.job" not in published
    assert "obsportal.harvest_state" not in published
    assert not {"auth.user_account", "auth.api_token", "auth.team", "auth.membership",
                "obsportal.proposal", "obsportal.plan_event"} & published
    assert {"ivoa.obscore", "ivoa.obsplan", "obsportal.exposure",
            "obsportal.exposure_baseline", "tap_schema.columns"} <= published


def _tap_schema_columns(engine: sa.Engine) -> dict[tuple[str, str], dict[str, object]]:
    table = "tap_schema.columns" if engine.dialect.name == "postgresql" else "tap_schema_columns"
    with engine.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT * FROM {table}")).mappings().all()
    return {(r["table_name"], r["column_name"]): dict(r) for r in rows}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_tap_schema_rows_equal_the_catalog(backend: str, request: pytest.FixtureRequest) -> None:
    engine = request.getfixturevalue("sqlite_engine" if backend == "sqlite" else "pg_engine")
    stored = _tap_schema_columns(engine)
    expected = {(t.qualified_name, c.adql_name): (t, c) for t in CATALOG.published_tables
                for c in t.published_columns}
    assert set(stored) == set(expected)
    for key, (_table, col) in expected.items():
        row = stored[key]
        vot = col.votable
        assert row["datatype"] == vot.datatype
        assert row["arraysize"] == vot.arraysize
        assert row["xtype"] == vot.xtype
        assert row["unit"] == col.unit
        assert row["ucd"] == col.ucd
        assert row["utype"] == col.utype
        assert row["description"] == col.description
        assert row["principal"] == int(col.principal)
        assert row["indexed"] == int(col.indexed)
        assert row["std"] == int(col.std)
    # column_index orders columns as in the catalog within each table
    for table in CATALOG.published_tables:
        indexes = [stored[(table.qualified_name, c.adql_name)]["column_index"]
                   for c in table.published_columns]
        assert indexes == sorted(indexes)


def test_tap_schema_keys_resolve_to_published_columns(pg_engine: sa.Engine) -> None:
    with pg_engine.connect() as conn:
        keys = conn.execute(sa.text(
            "SELECT k.from_table, kc.from_column, k.target_table, kc.target_column "
            "FROM tap_schema.keys k JOIN tap_schema.key_columns kc USING (key_id)")).all()
        columns = set(conn.execute(sa.text(
            "SELECT table_name, column_name FROM tap_schema.columns")).all())
    assert keys, "the interferometry tables declare their keys"
    for from_table, from_column, target_table, target_column in keys:
        assert (from_table, from_column) in columns
        assert (target_table, target_column) in columns


def test_same_tables_on_both_backends() -> None:
    pg = build_metadata("postgresql")
    lite = build_metadata("sqlite")
    assert len(pg.tables) == len(lite.tables)
    assert sorted(t.name for t in pg.tables.values()) == sorted(
        t.name.split("_", 1)[1] if t.name.startswith(("ivoa_", "uws_", "auth_")) else
        t.name.removeprefix("obsportal_").removeprefix("tap_schema_")
        for t in lite.tables.values())


def test_sqlite_positions_carry_an_indexed_healpix_column(sqlite_engine: sa.Engine) -> None:
    indexes = sa.inspect(sqlite_engine).get_indexes("obsportal_exposure")
    assert any(ix["column_names"] == ["healpix"] for ix in indexes)


def test_postgres_indexes_positions_and_search_columns(pg_engine: sa.Engine) -> None:
    with pg_engine.connect() as conn:
        defs = conn.execute(sa.text(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'obsportal' "
            "AND tablename = 'exposure'")).scalars().all()
        program = conn.execute(sa.text(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'program'")).scalars().all()
        ob = conn.execute(sa.text(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'ob_exec'")).scalars().all()
    text = "\n".join(defs)
    assert 'USING gist (spoint(radians(ra), radians("dec")))' in text
    for column in ("mjd_start", "mjd_end", "target_name"):
        assert f"({column})" in text, column
    assert any("(code)" in d for d in program)  # proposal_id
    assert any("(instrument_name)" in d for d in ob)


def test_every_published_ucd_is_valid_ucd1plus() -> None:
    from astropy.io.votable.ucd import check_ucd

    for table in CATALOG.published_tables:
        for col in table.published_columns:
            if col.ucd:
                assert check_ucd(col.ucd, check_controlled_vocabulary=True), \
                    (table.qualified_name, col.name, col.ucd)
